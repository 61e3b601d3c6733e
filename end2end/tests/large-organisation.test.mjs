// A large organisation in real Chromium: a OneRoster export of 50 schools of 99 classes
// (5,000 sites) imported by the demo's administrator; the administrator page stays light (only
// the open sites' children come), the tree opens and searches by keyboard, axe-core finds
// nothing serious, and a user search with or without accents finds the same user.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  startServer, startBrowser, seriousViolations, hydrated, screenshots, root, signInAt,
} from './support.mjs';

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await startBrowser();
});

after(async () => {
  await browser?.close();
  server?.stop();
});

const signIn = (page) => signInAt(page, server, '/admin');

test('a 5,000-site organisation: a light page, its tree by keyboard, accents folded', async () => {
  const work = mkdtempSync(join(tmpdir(), 'licentia-large-'));
  const roster = join(work, 'large.zip');
  const made = spawnSync('/usr/bin/python3', [join(root, 'scripts', 'make-large-roster.py'), roster]);
  assert.equal(made.status, 0, String(made.stderr));

  const context = await browser.newContext({ locale: 'nl-BE', viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await signIn(page);
  await page.goto(`${server.url}/admin/import`);
  await hydrated(page);
  await page.setInputFiles('#import-file', roster);
  await page.focus('#import-check');
  await page.keyboard.press('Enter');
  await page.locator('#import-preview').waitFor({ timeout: 120000 });
  const planned = await page.locator('#import-roster-counts').innerText();
  assert.match(planned.replace(/[.\u202f\u00a0 ](?=\d{3})/g, ''), /5000\s+scholen en klassen aan te maken/);
  await page.focus('#import-start');
  await page.keyboard.press('Enter');
  await page.waitForURL(/\/admin\/import\/[0-9a-f-]{36}$/);
  await hydrated(page);
  await page.waitForFunction(() => document.querySelector('#run-progress')?.getAttribute('value') === '100'
    && /Klaar/.test(document.querySelector('#run-progress-label')?.textContent || ''), null, { timeout: 180000 })
    .catch(async (e) => { throw new Error(`${e}\n${await page.locator('main').innerText()}\n${server.log()}`); });

  // The page as the server renders it holds the top of the tree, not its 5,000 sites.
  const html = await (await page.request.get(`${server.url}/admin`)).text();
  const sites = (html.match(/data-site=/g) || []).length;
  console.log(`# /admin with 5,000 sites: ${html.length} bytes of HTML, ${sites} sites in it`);
  assert.ok(sites < 80, `${sites} sites in the page`);
  assert.ok(html.length < 80_000, `${html.length} bytes of HTML`);

  await page.goto(`${server.url}/admin`);
  await hydrated(page);
  const school = page.locator('a[data-site="School 25"]');
  await school.waitFor();
  assert.equal(await page.locator('a[data-site="Klas 25-01"]').count(), 0, 'classes load when their school opens');
  const focused = () => page.evaluate(() => document.activeElement?.dataset?.site);
  await school.focus();
  await page.keyboard.press('ArrowRight');
  await page.locator('a[data-site="School 25"][aria-expanded="true"]').waitFor();
  await page.locator('a[data-site="Klas 25-99"]').waitFor();
  await page.keyboard.press('ArrowDown');
  assert.equal(await focused(), 'Klas 25-01');
  await page.keyboard.press('ArrowLeft');
  assert.equal(await focused(), 'School 25', 'left climbs to the parent');
  await page.keyboard.press('ArrowLeft');
  await page.locator('a[data-site="School 25"][aria-expanded="false"]').waitFor();
  await page.keyboard.press('ArrowDown');
  assert.equal(await focused(), 'School 26', 'closed: down passes its classes');
  await page.keyboard.press('ArrowRight');
  await page.locator('a[data-site="Klas 26-01"]').waitFor();
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  await page.locator('#site-info-title', { hasText: 'Klas 26-01' }).waitFor();
  await page.waitForFunction(() => document.activeElement?.dataset?.site === 'Klas 26-01');
  assert.deepEqual(await seriousViolations(page), [], 'administrator page with a 5,000-site tree');
  await page.screenshot({ path: join(screenshots, 'admin-large-tree-nl.png'), fullPage: true });

  // The search runs on the server, typed and chosen by keyboard.
  await page.focus('#site-search');
  await page.keyboard.type('klas 49-98');
  const found = page.locator('#site-results a[data-found="Klas 49-98"]');
  await found.waitFor();
  assert.match(await found.innerText(), /School 49/);
  await found.focus();
  await page.keyboard.press('Enter');
  await page.locator('#site-info-title', { hasText: 'Klas 49-98' }).waitFor();

  // Users searched with or without accents: the same pupil.
  const users = async (search) => {
    await page.goto(`${server.url}/admin?all=1&q=${encodeURIComponent(search)}`);
    await hydrated(page);
    await page.locator('#user-count').waitFor();
    return page.locator('#user-table tbody tr').evaluateAll((rows) => rows.map((r) => r.dataset.username));
  };
  for (const search of ['emile', 'ÉMILE', 'Dübois', 'dubois']) {
    assert.deepEqual(await users(search), ['emile.dubois'], search);
  }
  await context.close();
});

// Delegation end to end, in real Chromium: the group director creates a custom role and makes
// a teacher Administrator of De Klimop; the teacher sees only De Klimop; the journal shows each
// of them what they may see. Keyboard only where a user would type; axe-core on each page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startServer, startBrowser, seriousViolations, hydrated, screenshots } from './support.mjs';

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

async function signIn(page, username, password) {
  await page.goto(`${server.url}/login?next=/admin`);
  await hydrated(page);
  await page.fill('#username', username);
  await page.fill('#password', password);
  await page.press('#password', 'Enter');
  await page.waitForURL(/\/admin/);
  await hydrated(page);
}

const actions = (page) => page.locator('#journal-table tbody tr').evaluateAll(
  (rows) => rows.map((r) => `${r.dataset.action} ${r.cells[1].innerText.trim()} ${r.cells[3].innerText.trim()}`),
);

test('the director delegates De Klimop to a teacher', async () => {
  const context = await browser.newContext({ locale: 'nl-BE', viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();

  await signIn(page, 'directeur', 'Horizon-2026');

  // A teacher in De Klimop, with a password.
  await page.click('a[data-site="De Klimop"]');
  await page.locator('#site-info-title', { hasText: 'De Klimop' }).waitFor();
  await page.click('#add-user');
  await page.fill('#new-username', 'an.peeters');
  await page.fill('#new-first-name', 'An');
  await page.fill('#new-last-name', 'Peeters');
  await page.fill('#new-password', 'Klimop-2026');
  await page.press('#new-password', 'Enter');
  await page.locator('tr[data-username="an.peeters"]').waitFor();

  // A custom role, permissions ticked with the keyboard.
  await page.click('#nav-roles');
  await page.waitForURL(/\/admin\/roles/);
  await hydrated(page);
  await page.locator('tr[data-role="Administrator"]').waitFor();
  assert.deepEqual(await seriousViolations(page), [], 'roles page accessibility');
  await page.click('#new-role');
  await page.locator('#role-name').waitFor();
  await page.fill('#role-name', 'Roosterlezer');
  await page.focus('#perm-sites-view');
  await page.keyboard.press('Space');
  await page.focus('#perm-users-view');
  await page.keyboard.press('Space');
  await page.screenshot({ path: join(screenshots, 'role-new-nl.png'), fullPage: true });
  await page.click('#save-role');
  await page.locator('tr[data-role="Roosterlezer"]').waitFor();
  await page.waitForURL(/role=[0-9a-f-]{36}/);
  assert.equal(await page.locator('#perm-sites-view').isChecked(), true);
  assert.equal(await page.locator('#perm-sites-manage').isChecked(), false);
  assert.deepEqual(await seriousViolations(page), [], 'role editor accessibility');
  await page.screenshot({ path: join(screenshots, 'roles-nl.png'), fullPage: true });

  // Grant Administrator on De Klimop from the user list (the pencil), keyboard in the dialog.
  await page.goto(`${server.url}/admin`);
  await hydrated(page);
  await page.click('a[data-site="De Klimop"]');
  await page.locator('tr[data-username="an.peeters"]').waitFor();
  await page.click('tr[data-username="an.peeters"] .edit-roles');
  const dialog = page.locator('dialog[open]');
  await dialog.locator('input[data-role="Administrator"]').waitFor();
  assert.match(await dialog.locator('h2').innerText(), /An Peeters/);
  await page.waitForFunction(() => document.querySelector('dialog[open] #grant-site')?.value === 'De Klimop');
  await dialog.locator('input[data-role="Administrator"]').focus();
  await page.keyboard.press('Space');
  assert.deepEqual(await seriousViolations(page), [], 'grant dialog accessibility');
  await page.screenshot({ path: join(screenshots, 'grant-dialog-nl.png') });
  await dialog.locator('#save-grants').click();
  await page.locator('dialog[open]').waitFor({ state: 'detached' }).catch(() => {});
  await page.locator('[role=status]', { hasText: 'Rollen opgeslagen' }).waitFor();

  // The director's journal holds both changes.
  await page.click('#nav-journal');
  await page.waitForURL(/\/admin\/journal/);
  await hydrated(page);
  await page.locator('#journal-table').waitFor();
  const director = await actions(page);
  assert.ok(director.includes('role.create directeur Roosterlezer'), director.join('\n'));
  assert.ok(director.includes('grant.add directeur An Peeters (an.peeters)'), director.join('\n'));
  assert.ok(director.some((a) => a.startsWith('site.create directeur De Regenboog')), director.join('\n'));
  // Built-in roles and permissions appear translated in the summary.
  assert.match(await page.locator('#journal-table').innerText(), /Rol:\s*Beheerder/);
  assert.match(await page.locator('#journal-table').innerText(), /Sites bekijken/);
  assert.deepEqual(await seriousViolations(page), [], 'journal accessibility');
  await page.screenshot({ path: join(screenshots, 'journal-director-nl.png'), fullPage: true });

  // Filtered by action, through the form (keyboard: choose and press Enter).
  await page.selectOption('#journal-action', 'grant.add');
  await page.press('#journal-actor', 'Enter');
  await page.waitForURL(/action=grant.add/);
  await hydrated(page);
  assert.deepEqual(await actions(page), ['grant.add directeur An Peeters (an.peeters)']);

  // The CSV export carries the same filter.
  const csv = await page.evaluate(async (href) => (await fetch(href)).text(), await page.locator('#journal-csv').getAttribute('href'));
  assert.match(csv, /Rol toegekend/);
  assert.doesNotMatch(csv, /Rol aangemaakt/);

  await page.click('#sign-out');
  await page.waitForURL(/\/login/);

  // The teacher: only De Klimop.
  await signIn(page, 'an.peeters', 'Klimop-2026');
  await page.locator('a[data-site]').first().waitFor();
  const sites = await page.locator('a[data-site]').evaluateAll((links) => links.map((a) => a.dataset.site));
  assert.deepEqual(sites, ['De Klimop']);
  await page.locator('#site-info-title', { hasText: 'De Klimop' }).waitFor();
  await page.locator('tr[data-username="an.peeters"]').waitFor();
  const users = await page.locator('#user-table tbody tr').evaluateAll((rows) => rows.map((r) => r.dataset.username));
  assert.deepEqual(users, ['an.peeters']);
  // The seats of De Klimop are the parent's: no moving, no resizing here.
  assert.equal(await page.locator('#move-site').count(), 0);
  assert.equal(await page.locator('#site-seat-limit').getAttribute('readonly'), '');

  // A change of the teacher's own.
  await page.click('#add-user');
  await page.fill('#new-username', 'leerling.klimop');
  await page.fill('#new-first-name', 'Lien');
  await page.fill('#new-last-name', 'Klimop');
  await page.press('#new-last-name', 'Enter');
  await page.locator('tr[data-username="leerling.klimop"]').waitFor();
  await page.screenshot({ path: join(screenshots, 'admin-teacher-nl.png'), fullPage: true });

  await page.click('#nav-journal');
  await page.waitForURL(/\/admin\/journal/);
  await hydrated(page);
  await page.locator('#journal-table').waitFor();
  const teacher = await actions(page);
  assert.ok(teacher.includes('user.create an.peeters Lien Klimop (leerling.klimop)'), teacher.join('\n'));
  assert.ok(teacher.includes('grant.add directeur An Peeters (an.peeters)'), teacher.join('\n'));
  assert.ok(teacher.some((a) => a.startsWith('site.create directeur De Klimop')), teacher.join('\n'));
  assert.ok(!teacher.some((a) => a.startsWith('role.create')), 'the group role is not De Klimop\'s');
  assert.ok(!teacher.some((a) => a.includes('Regenboog')), teacher.join('\n'));
  // The journal's site is found by a search on the server: only the teacher's own sites.
  await page.locator('#journal-site').pressSequentially('e');
  await page.locator('#journal-site-list [role=option]').first().waitFor();
  const siteChoices = await page.locator('#journal-site-list [role=option]').allInnerTexts();
  assert.ok(siteChoices.some((s) => /Klimop/.test(s)), siteChoices.join(', '));
  assert.ok(!siteChoices.some((s) => /Regenboog|Horizon/.test(s)), siteChoices.join(', '));
  await page.press('#journal-site', 'Escape');
  await page.screenshot({ path: join(screenshots, 'journal-teacher-nl.png'), fullPage: true });

  // The roles page shows the teacher the roles usable in De Klimop, not who holds them above.
  await page.click('#nav-roles');
  await page.waitForURL(/\/admin\/roles/);
  await hydrated(page);
  await page.locator('tr[data-role="Administrator"] a').click();
  await page.locator('#member-table').waitFor();
  const holders = await page.locator('#member-table tbody tr td:nth-child(2)').allInnerTexts();
  assert.deepEqual(holders, ['an.peeters']);

  // On a phone.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`${server.url}/admin/journal`);
  await hydrated(page);
  await page.locator('#journal-table').waitFor();
  await page.screenshot({ path: join(screenshots, 'journal-phone-nl.png'), fullPage: true });
  await context.close();
});

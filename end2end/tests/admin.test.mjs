// The walking skeleton end to end, in real Chromium: sign in, the tree's seat counts, a user
// created and one refused, deactivation, the delete confirmation, the language switch, axe-core
// on each page and screenshots in nl, fr and en.
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

const seats = (page, name) => page.locator(`a[data-site="${name}"] .seat-count`);

test('an administrator manages the demo school group', async () => {
  const context = await browser.newContext({ locale: 'nl-BE', viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();

  // A page needs sign-in; afterwards the browser returns to it.
  await page.goto(`${server.url}/admin`);
  assert.match(page.url(), /\/login\?next=\/admin$/);
  await hydrated(page);
  assert.equal(await page.locator('h1').innerText(), 'Aanmelden');
  assert.deepEqual(await seriousViolations(page), [], 'sign-in page accessibility');
  await page.screenshot({ path: join(screenshots, 'login-nl.png') });

  // Wrong password: a translated message, no session.
  await page.fill('#username', 'directeur');
  await page.fill('#password', 'wrong-password');
  await page.press('#password', 'Enter');
  await page.locator('[role=alert][data-code="invalid_credentials"]').waitFor();
  assert.match(await page.locator('[role=alert]').innerText(), /onjuist/);

  // Keyboard only: type and press Enter.
  await page.fill('#password', 'Horizon-2026');
  await page.press('#password', 'Enter');
  await page.waitForURL(/\/admin$/);
  await hydrated(page);

  // The manual's example.
  await seats(page, 'Scholengroep Horizon').waitFor();
  assert.equal(await seats(page, 'Scholengroep Horizon').innerText(), '9/20');
  assert.equal(await seats(page, 'De Regenboog').innerText(), '1/2');
  assert.equal(await seats(page, 'De Klimop').innerText(), '0/3');
  assert.equal(await page.locator('#site-seat-count').innerText(), '9/20');
  assert.deepEqual(await seriousViolations(page), [], 'administrator page accessibility');

  // Hydration: from here on, clicks are handled by the wasm without reloading the page.
  await page.evaluate(() => { window.__noReload = 'still here'; });

  await page.click('a[data-site="De Regenboog"]');
  await page.waitForURL(/site=/);
  await page.locator('#site-info-title', { hasText: 'De Regenboog' }).waitFor();
  assert.equal(await page.locator('#site-seat-count').innerText(), '1/2');
  await page.locator('tr[data-username="emma.willems"]').waitFor();

  // Create a user there: 2/2.
  await page.click('#add-user');
  await page.fill('#new-username', 'jonas.de.smet');
  await page.fill('#new-first-name', 'Jonás');
  await page.fill('#new-last-name', 'De Smet');
  await page.fill('#new-email', 'jonas@horizon.example');
  await page.click('#create-user');
  await page.locator('tr[data-username="jonas.de.smet"]').waitFor();
  await page.locator('#site-seat-count', { hasText: '2/2' }).waitFor();
  assert.equal(await seats(page, 'De Regenboog').innerText(), '2/2');
  assert.equal(await seats(page, 'Scholengroep Horizon').innerText(), '9/20');

  // The search folds accents and case, through the index: "jonas" and "JONÁS" find Jonás.
  for (const search of ['jonas', 'JONÁS', 'onás de']) {
    await page.fill('#user-search', search);
    await page.press('#user-search', 'Enter');
    await page.waitForURL((url) => url.searchParams.get('q') === search);
    await page.locator('#user-count', { hasText: /1–1 van 1\b/ }).waitFor();
    assert.deepEqual(await page.locator('#user-table tbody tr').evaluateAll((rows) => rows.map((r) => r.dataset.username)),
      ['jonas.de.smet'], `search ${search}`);
  }
  await page.fill('#user-search', '');
  await page.press('#user-search', 'Enter');
  await page.locator('tr[data-username="emma.willems"]').waitFor();

  // A third is refused, with the message on screen.
  await page.fill('#new-username', 'derde.leerling');
  await page.fill('#new-first-name', 'Derde');
  await page.fill('#new-last-name', 'Leerling');
  await page.click('#create-user');
  const refusal = page.locator('#new-user-form [role=alert][data-code="no_free_seat"]');
  await refusal.waitFor();
  assert.match(await refusal.innerText(), /geen vrije plaats/);
  await page.screenshot({ path: join(screenshots, 'admin-refused-nl.png'), fullPage: true });
  await page.click('#new-user-form button[type=button]');

  // Deactivate Emma; it holds after a reload.
  const emmaSwitch = page.locator('tr[data-username="emma.willems"] input.active-switch');
  assert.equal(await emmaSwitch.isChecked(), true);
  await emmaSwitch.focus();
  await page.keyboard.press('Space');
  await page.locator('tr.inactive[data-username="emma.willems"]').waitFor();
  assert.equal(await page.evaluate(() => window.__noReload), 'still here', 'no page reload so far');

  // Delete asks first, and says stored settings are lost for good; Escape cancels.
  await page.click('tr[data-username="jonas.de.smet"] .delete-user');
  const dialog = page.locator('dialog[open]');
  await dialog.waitFor();
  assert.match(await dialog.innerText(), /definitief verloren/);
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'detached' }).catch(() => {});
  assert.equal(await page.locator('dialog[open]').count(), 0);
  await page.locator('tr[data-username="jonas.de.smet"]').waitFor();

  // The tree search runs on the server: matching sites with the way down to them.
  await page.fill('#site-search', 'klim');
  const found = page.locator('#site-results a[data-found="De Klimop"]');
  await found.waitFor();
  assert.match(await found.innerText(), /Scholengroep Horizon/);
  await page.fill('#site-search', 'zzz');
  await page.locator('#no-sites-found').waitFor();
  await page.fill('#site-search', '');
  await page.locator('#site-tree').waitFor({ state: 'visible' });

  // Keyboard navigation in the tree (WAI-ARIA tree): arrows, Home, End, then Enter selects
  // De Klimop and the focus stays on it in the new site's tree.
  const focused = () => page.evaluate(() => document.activeElement?.dataset?.site);
  await page.focus('a[data-site="Scholengroep Horizon"]');
  await page.keyboard.press('ArrowDown');
  assert.equal(await focused(), 'De Klimop');
  await page.keyboard.press('End');
  assert.equal(await focused(), 'De Regenboog');
  await page.keyboard.press('Home');
  assert.equal(await focused(), 'Scholengroep Horizon');
  await page.keyboard.press('ArrowRight');
  assert.equal(await focused(), 'De Klimop');
  await page.keyboard.press('Enter');
  await page.locator('#site-info-title', { hasText: 'De Klimop' }).waitFor();
  await page.waitForFunction(() => document.activeElement?.dataset?.site === 'De Klimop');
  await page.locator('#users-empty').waitFor();
  assert.equal(await page.evaluate(() => window.__noReload), 'still here', 'no reload after create');

  await page.click('a[data-site="Scholengroep Horizon"]');
  await page.locator('#site-info-title', { hasText: 'Scholengroep Horizon' }).waitFor();
  await page.check('#include-subsites');
  await page.locator('tr[data-username="jonas.de.smet"]').waitFor();
  await page.screenshot({ path: join(screenshots, 'admin-nl.png'), fullPage: true });

  // Switch to French: French labels, still without a reload.
  await page.selectOption('#language', 'fr');
  await page.locator('#users-title', { hasText: 'Utilisateurs' }).waitFor();
  assert.equal(await page.locator('#structure-title').innerText(), 'Structure');
  assert.equal(await page.locator('html').getAttribute('lang'), 'fr');
  assert.equal(await page.evaluate(() => window.__noReload), 'still here', 'language switch without reload');
  await page.screenshot({ path: join(screenshots, 'admin-fr.png'), fullPage: true });

  // The choice is remembered: a fresh load renders French on the server.
  await page.reload();
  await hydrated(page);
  assert.equal(await page.locator('#users-title').innerText(), 'Utilisateurs');
  // Emma stays deactivated.
  await page.locator('tr.inactive[data-username="emma.willems"]').waitFor();

  await page.selectOption('#language', 'en');
  await page.locator('#users-title', { hasText: 'Users' }).waitFor();
  await page.screenshot({ path: join(screenshots, 'admin-en.png'), fullPage: true });
  assert.deepEqual(await seriousViolations(page), [], 'administrator page accessibility (en, all subsites)');
  // At 1280 px every row's switch and actions are in sight without scrolling the table.
  const hidden = await page.evaluate(() => {
    const wrap = document.querySelector('#user-table').closest('.table-wrap').getBoundingClientRect();
    return [...document.querySelectorAll('#user-table tbody tr')].flatMap((row) => [...row.querySelectorAll('.active-switch, .actions button')])
      .filter((el) => { const b = el.getBoundingClientRect(); return b.left < wrap.left || b.right > wrap.right; })
      .map((el) => `${el.closest('tr').dataset.username}: ${el.className}`);
  });
  assert.deepEqual(hidden, [], 'user table actions visible at 1280 px');

  // On a phone.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: join(screenshots, 'admin-phone-en.png'), fullPage: true });
  await context.close();
});

test('no page is wider than a 390 px phone', async () => {
  const context = await browser.newContext({ locale: 'fr-BE', viewport: { width: 390, height: 844 } });
  const page = await context.newPage();
  await page.goto(`${server.url}/login?next=/`);
  await hydrated(page);
  await page.fill('#username', 'directeur');
  await page.fill('#password', 'Horizon-2026');
  await page.press('#password', 'Enter');
  await page.waitForURL((url) => url.pathname === '/');
  for (const path of ['/', '/admin', '/admin/roles', '/admin/groups', '/admin/properties', '/admin/journal',
    '/admin/tokens', '/admin/import', '/profile', '/developers', '/privacy']) {
    await page.goto(`${server.url}${path}`);
    await hydrated(page);
    await page.waitForLoadState('networkidle');
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 390, `${path} is ${width} px wide on a 390 px phone`);
  }
  await context.close();
});

test('the remembered language follows the user to a new browser', async () => {
  const context = await browser.newContext({ locale: 'en-GB' });
  const page = await context.newPage();
  await page.goto(`${server.url}/login`);
  await hydrated(page);
  assert.equal(await page.locator('h1').innerText(), 'Sign in');
  await page.fill('#username', 'directeur');
  await page.fill('#password', 'Horizon-2026');
  await page.press('#password', 'Enter');
  await page.waitForURL(/\/$/);
  await hydrated(page);
  // The administrator chose English last; the account remembers it.
  await page.locator('h1', { hasText: 'Welcome' }).waitFor();
  await context.close();
});

test('creating, moving and deleting a subsite leaves the page working without a reload', async () => {
  // The manual's chapter 5, by keyboard where a form allows it. A panic of the wasm (a value
  // read after its owner was disposed) or a console warning fails the test (support.mjs).
  const context = await browser.newContext({ locale: 'nl-BE', viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${server.url}/login?next=/admin`);
  await hydrated(page);
  await page.fill('#username', 'directeur');
  await page.fill('#password', 'Horizon-2026');
  await page.press('#password', 'Enter');
  await page.waitForURL((url) => url.pathname === '/admin');
  await hydrated(page);
  await page.evaluate(() => { window.__noReload = 'still here'; });

  // Create under De Regenboog: the new subsite is selected, its empty user list shown.
  await page.click('a[data-site="De Regenboog"]');
  await page.locator('#site-info-title', { hasText: 'De Regenboog' }).waitFor();
  await page.click('#add-subsite');
  await page.fill('#new-site-name', 'Klas 3B');
  await page.fill('#new-site-seats', '0');
  await page.press('#new-site-seats', 'Enter');
  await page.locator('#site-info-title', { hasText: 'Klas 3B' }).waitFor();
  await page.locator('a[data-site="Klas 3B"]').waitFor();
  await page.locator('#users-empty').waitFor();
  assert.equal(await page.evaluate(() => window.__noReload), 'still here', 'no reload after create');

  // Move it under De Klimop: the tree follows, the page still answers clicks.
  await page.click('#move-site');
  const move = page.locator('dialog[open]');
  // The new parent is found by typing part of its name (a search on the server), by keyboard.
  await move.locator('#move-parent').pressSequentially('klimop');
  await move.locator('#move-parent-list [role=option][data-site="De Klimop"]').waitFor();
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  assert.equal(await move.locator('#move-parent').inputValue(), 'De Klimop');
  await move.locator('button[type=submit]').click();
  await move.waitFor({ state: 'detached' }).catch(() => {});
  // The remembered language may be another one (the test before switches it).
  await page.locator('[role=status]', { hasText: /verplaatst|moved|déplacé/i }).first().waitFor();
  assert.equal(await page.evaluate(() => window.__noReload), 'still here', 'no reload after move');
  await page.click('#add-user');
  await page.locator('#new-username').waitFor();
  await page.click('#add-user');

  // Delete it: asked first; afterwards the parent is selected and the page still works.
  await page.click('a[data-site="Klas 3B"]');
  await page.locator('#site-info-title', { hasText: 'Klas 3B' }).waitFor();
  // An expiry date in the past is said before saving; a future one is not.
  await page.fill('#site-expiry', '2020-01-31');
  await page.locator('#site-expiry-past').waitFor();
  await page.fill('#site-expiry', '2099-01-31');
  await page.locator('#site-expiry-past').waitFor({ state: 'detached' });
  await page.click('#delete-subsite');
  const confirm = page.locator('dialog[open]');
  await confirm.waitFor();
  await confirm.locator('.button-danger').click();
  await page.locator('a[data-site="Klas 3B"]').waitFor({ state: 'detached' });
  await page.click('a[data-site="De Klimop"]');
  await page.locator('#site-info-title', { hasText: 'De Klimop' }).waitFor();
  await page.click('#add-user');
  await page.locator('#new-username').waitFor();
  assert.equal(await page.evaluate(() => window.__noReload), 'still here', 'no page reload');
  await context.close();
});

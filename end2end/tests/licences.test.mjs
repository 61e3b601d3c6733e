// Licences end to end, in real Chromium, on the demo's products and subscriptions: the
// director's sign-in claims a free licence and the overview says so; the user list shows the
// counters and each user's licence, an administrator takes one away (after a confirmation)
// and assigns it again with the keyboard; a purchase request is refused when it comes too
// soon, sent when right, seen by the operator in the inbox and marked handled, and the
// requester sees its status. axe-core on the overview, the user list and the operator page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import {
  startServer, startBrowser, licentiaCli, seriousViolations, hydrated, laterIfAsked, screenshots,
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

async function signIn(page, username, password) {
  await page.goto(`${server.url}/login`);
  await hydrated(page);
  await page.fill('#username', username);
  await page.fill('#password', password);
  await page.press('#password', 'Enter');
  await laterIfAsked(page);
  await page.waitForURL((url) => url.pathname === '/' || url.pathname === '/operator');
  await hydrated(page);
}

function isoDaysAhead(days) {
  const d = new Date(Date.now() + days * 24 * 3600 * 1000);
  return d.toISOString().slice(0, 10);
}

test('claim at sign-in, the licence column, and a purchase request to the operator', async () => {
  const context = await browser.newContext({ locale: 'en-GB', viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();

  // The director had no licence: signing in takes a free one.
  await signIn(page, 'directeur', 'Horizon-2026');
  await page.locator('#claim-note', { hasText: 'free licence' }).waitFor();
  assert.equal(await page.locator('#my-licence').getAttribute('data-licence'), 'active');
  // Dates in the reader's language, never ISO: "Active since 6 December 2026".
  const since = new Date().toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'Europe/Brussels' });
  assert.equal(await page.locator('#my-licence').innerText(), `Active since ${since}`);
  assert.match(await page.locator('#my-products').innerText(), /Reader/);
  assert.equal(await page.locator('#session-count').innerText(), '0');
  assert.deepEqual(await seriousViolations(page), [], 'overview accessibility');
  await page.screenshot({ path: join(screenshots, 'overview-en.png'), fullPage: true });

  // The user list: counters and the Licence column.
  await page.goto(`${server.url}/admin`);
  await hydrated(page);
  await page.locator('#licence-counters').waitFor();
  assert.match(await page.locator('#licences-free').innerText(), /17 of 20/);
  assert.equal(await page.locator('#licences-upcoming').innerText(), '20');
  const lotte = page.locator('tr[data-username="lotte.janssens"]');
  assert.equal(await lotte.locator('[data-licence]').getAttribute('data-licence'), 'active');
  assert.match(await lotte.locator('[data-licence]').innerText(), /^Active since \d{1,2} [A-Z][a-z]+ \d{4}$/);
  const sofie = page.locator('tr[data-username="sofie.maes"]');
  assert.equal(await sofie.locator('[data-licence]').getAttribute('data-licence'), 'none');
  // Nobody takes their own licence away: the director's row offers no button.
  assert.equal(await page.locator('tr[data-username="directeur"] .unassign-licence').count(), 0);
  assert.deepEqual(await seriousViolations(page), [], 'user list accessibility with licences');
  await page.screenshot({ path: join(screenshots, 'licences-list-en.png'), fullPage: true });

  // Take Lotte's licence away: it asks first; then assign it again, with the keyboard.
  await lotte.locator('.unassign-licence').focus();
  await page.keyboard.press('Enter');
  const dialog = page.locator('dialog[open]');
  await dialog.waitFor();
  await dialog.locator('button.button-danger').focus();
  await page.keyboard.press('Enter');
  await lotte.locator('[data-licence="none"]').waitFor();
  await page.locator('#licences-free', { hasText: '18 of 20' }).waitFor();
  await lotte.locator('.assign-licence').focus();
  await page.keyboard.press('Enter');
  await lotte.locator('[data-licence="active"]').waitFor();
  await page.locator('#licences-free', { hasText: '17 of 20' }).waitFor();

  // A purchase request: too soon is refused, saying why; then sent.
  await page.goto(`${server.url}/`);
  await hydrated(page);
  await page.fill('#order-quantity', '25');
  await page.fill('#order-activation', isoDaysAhead(5));
  await page.fill('#order-email', 'ann@horizon.example');
  // The browser's own check (min date) would stop the form: let the server say it.
  await page.evaluate(() => document.querySelector('#order-activation').removeAttribute('min'));
  await page.press('#order-email', 'Enter');
  await page.locator('#order-form .alert-error[data-code="activation_too_soon"]', { hasText: '14 days' }).waitFor();
  assert.equal(await page.locator('#order-activation').getAttribute('aria-invalid'), 'true');
  await page.fill('#order-activation', isoDaysAhead(30));
  await page.fill('#order-comment', 'For the new class');
  await page.click('#send-order');
  await page.locator('#my-requests .pill-request-new').waitFor();
  assert.deepEqual(await seriousViolations(page), [], 'overview with a request accessibility');

  // The operator's inbox.
  await licentiaCli(server, ['operator', 'create', '--username', 'olga', '--first-name', 'Olga',
    '--last-name', 'Operator', '--email', 'olga@licentia.example'], { LICENTIA_OPERATOR_PASSWORD: 'Operator-2026' });
  const operatorContext = await browser.newContext({ locale: 'nl-BE', viewport: { width: 1280, height: 900 } });
  const operator = await operatorContext.newPage();
  await signIn(operator, 'olga', 'Operator-2026');
  await operator.goto(`${server.url}/operator/inbox`);
  await hydrated(operator);
  const request = operator.locator('#purchase-inbox tr[data-organisation="Scholengroep Horizon"]');
  await request.waitFor();
  assert.match(await request.innerText(), /25/);
  // The activation day in Dutch ("5 januari 2027"), as the operator reads it.
  const activation = new Date(Date.now() + 30 * 24 * 3600 * 1000)
    .toLocaleDateString('nl-BE', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
  assert.ok((await request.innerText()).includes(activation), `${activation} in ${await request.innerText()}`);
  assert.deepEqual(await seriousViolations(operator), [], 'operator inbox accessibility');
  await operator.screenshot({ path: join(screenshots, 'operator-inbox-nl.png'), fullPage: true });
  await request.locator('.mark-handled').click();
  await request.locator('.pill-request-handled').waitFor();
  // Products and bundles: the demo's, and a new one with the keyboard.
  await operator.click('#operator-nav-catalogue');
  await operator.waitForURL(/\/operator\/catalogue/);
  await hydrated(operator);
  await operator.locator('#products tr[data-product="reader"]').waitFor();
  await operator.locator('#bundles tr[data-bundle="Ultimate Bundle"]').waitFor();
  await operator.fill('#product-key', 'atlas');
  await operator.fill('#product-name', 'Atlas');
  await operator.press('#product-name', 'Enter');
  await operator.locator('#products tr[data-product="atlas"]').waitFor();
  await operator.fill('#bundle-name', 'Atlas en lezen');
  await operator.fill('#bundle-products', 'atlas, nope');
  await operator.press('#bundle-products', 'Enter');
  await operator.locator('#bundle-form + .alert-error[data-code="product_unknown"]').waitFor();
  await operator.fill('#bundle-products', 'atlas, reader');
  await operator.press('#bundle-products', 'Enter');
  await operator.locator('#bundles tr[data-bundle="Atlas en lezen"]').waitFor();
  await operatorContext.close();

  await page.reload();
  await hydrated(page);
  await page.locator('#my-requests .pill-request-handled').waitFor();
  await context.close();
});

test('application sessions seen and ended by the administrator; an institution link withdrawn', async () => {
  const context = await browser.newContext({ locale: 'nl-BE', viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();

  // An application opens a session of the reader for Lotte, with a token of the director.
  const token = (await licentiaCli(server, ['token', 'create', '--username', 'directeur', '--name', 'e2e'])).trim();
  const api = async (method, path, body) => {
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: response.status, body: response.status === 204 ? null : await response.json() };
  };
  const sites = await api('GET', '/api/v1/sites');
  const root = sites.body.find((s) => s.parent_id === null);
  const users = await api('GET', `/api/v1/sites/${root.id}/users?search=lotte`);
  const lotte = users.body.users[0];
  const opened = await api('POST', `/api/v1/users/${lotte.id}/sessions`, { product: 'reader' });
  assert.equal(opened.status, 201, JSON.stringify(opened.body));

  await signIn(page, 'directeur', 'Horizon-2026');
  await page.goto(`${server.url}/admin`);
  await hydrated(page);
  const row = page.locator('tr[data-username="lotte.janssens"]');
  await row.locator('.user-app-sessions').click();
  const dialog = page.locator('dialog[open]');
  await dialog.locator('#app-sessions li', { hasText: 'Reader' }).waitFor();
  assert.deepEqual(await seriousViolations(page), [], 'application sessions dialog accessibility');
  await dialog.locator('.end-app-session').focus();
  await page.keyboard.press('Enter');
  await dialog.locator('#no-app-sessions').waitFor();
  await page.keyboard.press('Escape');
  const beat = await api('PUT', `/api/v1/sessions/${opened.body.id}`);
  assert.equal(beat.status, 404, 'an ended session is gone for the application too');

  // De Klimop gets its institution number; the operator links the director to it.
  await page.click('a[data-site="De Klimop"]');
  await page.locator('#site-info-title', { hasText: 'De Klimop' }).waitFor();
  await page.fill('#site-institution', '041234');
  await page.press('#site-institution', 'Enter');
  await page.locator('.status-visible').waitFor();
  const operatorContext = await browser.newContext({ locale: 'nl-BE', viewport: { width: 1280, height: 900 } });
  const operator = await operatorContext.newPage();
  await signIn(operator, 'olga', 'Operator-2026');
  await operator.goto(`${server.url}/operator/inbox`);
  await hydrated(operator);
  await operator.fill('#link-username', 'directeur');
  await operator.fill('#link-number', '041234');
  await operator.press('#link-number', 'Enter');
  await operator.locator('#institution-links td', { hasText: 'directeur' }).waitFor();
  await operatorContext.close();

  // The director sees the link on the profile and withdraws consent, with the keyboard.
  await page.goto(`${server.url}/profile`);
  await hydrated(page);
  const link = page.locator('#institutions li[data-institution="041234"]');
  await link.waitFor();
  assert.match(await link.innerText(), /De Klimop/);
  assert.deepEqual(await seriousViolations(page), [], 'profile with an institution accessibility');
  await page.screenshot({ path: join(screenshots, 'profile-institution-nl.png'), fullPage: true });
  await link.locator('.withdraw-consent').focus();
  await page.keyboard.press('Enter');
  const confirm = page.locator('dialog[open]');
  await confirm.waitFor();
  await confirm.locator('button.button-danger').focus();
  await page.keyboard.press('Enter');
  await page.locator('#no-institutions').waitFor();
  await context.close();
});

// API tokens end to end, in real Chromium: the director creates a service account with the
// Application role and a token for it (shown once), a script calls the HTTP API with it, the
// director sees the last use, revokes the token with the keyboard, and the next call gets 401.
// Also the developers' API reference, with axe-core on both pages and on a phone.
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
  await page.goto(`${server.url}/login`);
  await hydrated(page);
  await page.fill('#username', username);
  await page.fill('#password', password);
  await page.press('#password', 'Enter');
  await page.waitForURL((url) => url.pathname === '/');
  await hydrated(page);
}

/** What a partner's script does: one call with the token. */
async function callApi(token, path) {
  const response = await fetch(`${server.url}${path}`, {
    headers: { Authorization: `Bearer ${token}`, 'Accept-Language': 'nl' },
  });
  return { status: response.status, body: await response.json() };
}

test('a service account token works, shows its last use, and stops at revocation', async () => {
  const context = await browser.newContext({ locale: 'nl-BE', viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();

  await signIn(page, 'directeur', 'Horizon-2026');
  await page.click('#nav-tokens');
  await page.waitForURL(/\/admin\/tokens/);
  await hydrated(page);
  await page.locator('#tokens-empty').waitFor();
  await page.locator('#accounts-empty').waitFor();
  assert.deepEqual(await seriousViolations(page), [], 'tokens page accessibility (empty)');

  // A service account for the partner, with the keyboard.
  await page.focus('#account-name');
  await page.keyboard.type('Zermelo');
  await page.keyboard.press('Enter');
  await page.locator('#service-accounts li', { hasText: 'Zermelo' }).waitFor();

  // A token for it: shown once.
  const owner = await page.locator('#token-owner option', { hasText: 'Zermelo' }).getAttribute('value');
  await page.selectOption('#token-owner', owner);
  await page.fill('#token-name', 'Roostersynchronisatie');
  await page.press('#token-name', 'Enter');
  const secretField = page.locator('#new-token-secret');
  await secretField.waitFor();
  const token = await secretField.inputValue();
  assert.match(token, /^lic_[0-9a-f]{64}$/);
  const row = page.locator('#token-table tr[data-token="Roostersynchronisatie"]');
  await row.waitFor();
  assert.match(await row.locator('.last-used').innerText(), /Nooit/);
  assert.deepEqual(await seriousViolations(page), [], 'tokens page accessibility (new token)');
  await page.screenshot({ path: join(screenshots, 'tokens-nl.png'), fullPage: true });

  // The partner's script uses it.
  const me = await callApi(token, '/api/v1/me');
  assert.equal(me.status, 200);
  assert.equal(me.body.service_account, true);
  const sites = await callApi(token, '/api/v1/sites');
  assert.equal(sites.status, 200);
  assert.ok(sites.body.length >= 1);

  // The director sees the last use; the token is no longer on the page.
  await page.reload();
  await hydrated(page);
  assert.equal(await page.locator('#new-token-secret').count(), 0, 'the secret is shown once');
  assert.doesNotMatch(await row.locator('.last-used').innerText(), /Nooit/);

  // Revoke, with the keyboard; it asks first.
  await row.locator('.revoke-token').focus();
  await page.keyboard.press('Enter');
  const dialog = page.locator('dialog[open]');
  await dialog.waitFor();
  assert.match(await dialog.innerText(), /Intrekken/);
  await dialog.locator('button.button-danger').focus();
  await page.keyboard.press('Enter');
  await page.locator('#token-table tr[data-token="Roostersynchronisatie"] .pill-token-revoked').waitFor();

  const refused = await callApi(token, '/api/v1/me');
  assert.equal(refused.status, 401);
  assert.equal(refused.body.code, 'unauthenticated');
  assert.ok(refused.body.message.length > 0);
  await page.screenshot({ path: join(screenshots, 'tokens-revoked-nl.png'), fullPage: true });
  await context.close();
});

test('the API reference is readable, in English on a phone too', async () => {
  const desktop = await browser.newContext({ locale: 'fr-BE', viewport: { width: 1280, height: 900 } });
  const page = await desktop.newPage();
  await page.goto(`${server.url}/developers`);
  await hydrated(page);
  await page.locator('.api-operation').first().waitFor();
  assert.ok(await page.locator('.api-operation').count() >= 10);
  assert.match(await page.locator('h1').innerText(), /développeurs/);
  assert.deepEqual(await seriousViolations(page), [], 'developers page accessibility');
  await page.screenshot({ path: join(screenshots, 'developers-fr.png') });
  const doc = await (await fetch(`${server.url}/api/openapi.json`)).json();
  assert.match(doc.openapi, /^3\.1/);
  await desktop.close();

  const phone = await browser.newContext({ locale: 'en-GB', viewport: { width: 390, height: 844 }, isMobile: true });
  const small = await phone.newPage();
  await small.goto(`${server.url}/developers`);
  await hydrated(small);
  await small.locator('.api-operation').first().waitFor();
  const overflow = await small.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `the page fits a phone (overflow ${overflow}px)`);
  assert.deepEqual(await seriousViolations(small), [], 'developers page accessibility on a phone');
  await small.screenshot({ path: join(screenshots, 'developers-phone-en.png') });
  await phone.close();
});

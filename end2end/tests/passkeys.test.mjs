// Passkeys and the second-factor policy in real Chromium, with a virtual authenticator (the
// DevTools protocol's WebAuthn domain: a platform authenticator that verifies its user). The
// server is reached as `localhost`: passkeys belong to a domain name, never an IP number.
//
// The demo administrator requires a second factor of administrators, with no grace, on the
// organisation's root (by keyboard); signing in again leads to the set-up page, where they add
// a passkey and go on. Then they sign out and in with the passkey alone, and once more with the
// password and the passkey as second step. axe on every page; en, nl and fr.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startServer, startBrowser, hydrated, seriousViolations, screenshots } from './support.mjs';

let server;
let browser;

before(async () => {
  server = await startServer({ host: 'localhost' });
  browser = await startBrowser();
});

after(async () => {
  await browser?.close();
  server?.stop();
});

/** A page in `locale` whose browser holds a virtual authenticator (shared by later pages). */
async function withAuthenticator(locale) {
  const context = await browser.newContext({ locale });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  return { context, page, cdp, authenticatorId };
}

async function signInWithPassword(page, next = '/admin') {
  await page.goto(`${server.url}/login?next=${next}`);
  await hydrated(page);
  await page.fill('#username', 'directeur');
  await page.fill('#password', 'Horizon-2026');
  await page.press('#password', 'Enter');
}

test('a required second factor is set up as a passkey, which then signs in alone and as second step', async () => {
  const { context, page, cdp, authenticatorId } = await withAuthenticator('en-GB');

  // The policy, on the organisation's root, by keyboard.
  await signInWithPassword(page);
  await page.waitForURL((url) => url.pathname === '/admin');
  await hydrated(page);
  await page.click('a[data-site="Scholengroep Horizon"]');
  // The address now names the site: its panels load again and replace the ones shown. Open the
  // policy once they have (a form opened before would go with the panel it was opened in).
  await page.waitForURL(/[?&]site=/);
  await page.waitForLoadState('networkidle');
  await page.locator('#toggle-factor-policy').focus();
  await page.keyboard.press('Enter');
  await page.waitForSelector('#factor-policy-form');
  await page.locator('#factor-policy-administrators').focus();
  await page.keyboard.press('Space');
  await page.fill('#factor-grace-days', '0');
  await page.press('#factor-grace-days', 'Enter');
  await page.waitForSelector('#factor-policy-form [role="status"]:has-text("Saved")');
  assert.deepEqual(await seriousViolations(page, cdp), []);
  await page.locator('#factor-policy-panel').screenshot({ path: join(screenshots, 'factor-policy.png') });
  await page.click('#sign-out');
  await page.waitForURL(/\/login/);

  // The password alone no longer signs in: the set-up page, with no "later".
  await signInWithPassword(page);
  await page.waitForURL((url) => url.pathname === '/login/second-factor/setup');
  await hydrated(page);
  await page.waitForSelector('#setup-when');
  assert.match(await page.textContent('#setup-when'), /waits until a second factor is set up/);
  assert.equal(await page.locator('#setup-later').count(), 0);
  await page.waitForSelector('#passkey-start');
  assert.deepEqual(await seriousViolations(page, cdp), []);
  await page.screenshot({ path: join(screenshots, 'factor-setup.png'), fullPage: true });
  // Going on without a factor is refused with a clear message.
  await page.click('#setup-continue');
  await page.waitForSelector('[role="alert"]');
  assert.match(await page.textContent('[role="alert"]'), /requires a second factor/);
  // A passkey, by keyboard: the virtual authenticator makes it.
  await page.fill('#passkey-name', 'Laptop');
  await page.press('#passkey-name', 'Enter');
  await page.waitForSelector('#recovery-codes');
  assert.equal(await page.locator('#recovery-codes code').count(), 10);
  await page.click('#recovery-saved');
  await page.waitForSelector('.factor-row');
  assert.match(await page.textContent('.factor-row'), /Laptop/);
  assert.match(await page.textContent('.factor-row'), /Passkey/);
  const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
  assert.equal(credentials.length, 1);
  assert.equal(credentials[0].isResidentCredential, true, 'a passkey the browser finds by itself');
  await page.click('#setup-continue');
  await page.waitForURL((url) => url.pathname === '/admin');
  await page.click('#sign-out');
  await page.waitForURL(/\/login/);

  // The passkey alone signs in: no username, no password, no second step.
  await page.goto(`${server.url}/login?next=/profile`);
  await hydrated(page);
  await page.waitForSelector('#passkey-sign-in');
  assert.deepEqual(await seriousViolations(page, cdp), []);
  await page.screenshot({ path: join(screenshots, 'passkey-sign-in.png'), fullPage: true });
  await page.locator('#passkey-sign-in').focus();
  await page.keyboard.press('Enter');
  await page.waitForURL((url) => url.pathname === '/profile');
  await hydrated(page);
  await page.waitForSelector('.factor-row');
  // The only factor cannot go while the policy requires one.
  await page.click('.factor-row button');
  await page.click('dialog[open] .button-danger');
  await page.waitForSelector('#second-factors [role="alert"]');
  assert.match(await page.textContent('#second-factors [role="alert"]'), /requires a second factor/);
  assert.equal(await page.locator('.factor-row').count(), 1);
  await page.click('#sign-out');
  await page.waitForURL(/\/login/);

  // An administrator (here the same one, on their own row) sees the count in the sign-in dialog.
  await signInWithPassword(page);
  await page.waitForURL((url) => url.pathname === '/login/second-factor');
  await hydrated(page);
  await page.locator('#factor-passkey').click();
  await page.waitForURL((url) => url.pathname === '/admin');
  await hydrated(page);
  await page.locator('tr', { hasText: 'directeur' }).locator('.user-links').first().click();
  await page.waitForSelector('#user-factors-count');
  assert.match(await page.textContent('#user-factors-count'), /Second factors set up: 1/);
  assert.deepEqual(await seriousViolations(page, cdp), []);
  await page.keyboard.press('Escape');
  await page.click('#sign-out');
  await page.waitForURL(/\/login/);

  // The password, then the passkey as second step, by keyboard.
  await signInWithPassword(page);
  await page.waitForURL((url) => url.pathname === '/login/second-factor');
  await hydrated(page);
  await page.waitForSelector('#factor-passkey');
  await page.locator('#factor-passkey').focus();
  await page.keyboard.press('Enter');
  await page.waitForURL((url) => url.pathname === '/admin');
  await context.close();
});

test('the passkey buttons in Dutch and French', async () => {
  const dutch = await browser.newContext({ locale: 'nl-BE' });
  const page = await dutch.newPage();
  await page.goto(`${server.url}/login`);
  await hydrated(page);
  await page.waitForSelector('#passkey-sign-in');
  assert.match(await page.textContent('#passkey-sign-in'), /Aanmelden met een passkey/);
  await dutch.close();

  const french = await browser.newContext({ locale: 'fr-BE' });
  const p = await french.newPage();
  await signInWithPassword(p);
  await p.waitForURL((url) => url.pathname === '/login/second-factor');
  await hydrated(p);
  await p.waitForSelector('#factor-passkey');
  assert.match(await p.textContent('#factor-passkey'), /Utiliser une clé d’accès/);
  assert.deepEqual(await seriousViolations(p), []);
  await p.screenshot({ path: join(screenshots, 'factor-passkey-step.png'), fullPage: true });
  await french.close();
});

// Single sign-on end to end, in real Chromium against a real OpenID provider (oidc-provider,
// two issuers on 127.0.0.1 standing in for Google and Microsoft; scripts/start-oidc.sh). The
// director signs in with a password, links "Google" from the profile, signs out, signs in with
// it, unlinks it, sees it refused, links "Microsoft"; a teacher trying to link the same
// Microsoft account is refused. Keyboard where a user would type; axe-core on the profile.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startServer, startBrowser, seriousViolations, hydrated, screenshots } from './support.mjs';

let server;
let browser;
const configured = process.env.LICENTIA_TEST_OIDC_GOOGLE && process.env.LICENTIA_TEST_OIDC_MICROSOFT;

before(async () => {
  if (!configured) return;
  server = await startServer({ sso: true });
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

async function signOut(page) {
  await page.click('#sign-out');
  await page.waitForURL(/\/login/);
  await hydrated(page);
}

/**
 * At the provider's sign-in form, signs in as `account`; a provider that remembers the account
 * sends the browser straight back (to the home page, or with `linked` or `sso_error`).
 */
async function atProvider(page, account) {
  const back = (url) => url.origin === server.url
    && (url.pathname === '/' || url.searchParams.has('linked') || url.searchParams.has('sso_error'));
  await page.waitForURL((url) => url.pathname.startsWith('/interaction/') || back(url), { waitUntil: 'commit' });
  if (new URL(page.url()).pathname.startsWith('/interaction/')) {
    await page.fill('#login', account);
    await page.press('#login', 'Enter');
  }
}

async function openProfile(page) {
  await page.click('#nav-profile');
  await page.waitForURL(/\/profile/);
  await hydrated(page);
}

const linked = (page, provider) => page.locator(`.sso-tile[data-provider="${provider}"]`).getAttribute('data-linked');

test('link, sign in with, unlink and relink a provider', { skip: !configured && 'no test OpenID provider' }, async () => {
  const context = await browser.newContext({ locale: 'nl-BE', viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const account = `directeur-${Date.now()}@horizon.example`;

  await signIn(page, 'directeur', 'Horizon-2026');
  await openProfile(page);
  assert.equal(await linked(page, 'google'), 'false');
  assert.equal(await linked(page, 'microsoft'), 'false');
  assert.deepEqual(await seriousViolations(page), [], 'profile page accessibility');
  await page.screenshot({ path: join(screenshots, 'profile-nl.png'), fullPage: true });

  // Link Google: to the provider, sign in there, back on the profile with the tile lit.
  await page.click('#link-google');
  await atProvider(page, account);
  await page.waitForURL(/\/profile\?linked=google/);
  await hydrated(page);
  assert.equal(await linked(page, 'google'), 'true');
  assert.match(await page.locator('.sso-tile[data-provider="google"]').innerText(), new RegExp(account));
  assert.match(await page.locator('[role="status"]').first().innerText(), /Google-account is gekoppeld/);
  await page.hover('.sso-tile[data-provider="google"]');
  await page.screenshot({ path: join(screenshots, 'profile-linked-nl.png'), fullPage: true });

  // Signed out, "Aanmelden met Google" signs in (the provider remembers the account).
  await signOut(page);
  await page.click('#sign-in-google');
  await atProvider(page, account);
  await page.waitForURL((url) => url.pathname === '/');
  await hydrated(page);
  await openProfile(page);
  // The session list loads after hydration: wait for this device's row, signed in with Google.
  await page.locator('#sessions tbody tr', { hasText: 'Dit toestel' }).filter({ hasText: 'Google' }).waitFor();

  // Unlink with the keyboard: focus the cross, Enter, confirm.
  await page.focus('#unlink-google');
  await page.keyboard.press('Enter');
  await page.locator('dialog[open] #confirm-title').waitFor();
  await page.screenshot({ path: join(screenshots, 'profile-unlink-confirm-nl.png') });
  await page.locator('dialog[open] .button-danger').click();
  await page.locator('.sso-tile[data-provider="google"][data-linked="false"]').waitFor();

  // Google no longer signs anyone in.
  await signOut(page);
  await page.click('#sign-in-google');
  await atProvider(page, account);
  await page.waitForURL(/\/login\?sso_error=sso_not_linked/);
  await hydrated(page);
  assert.match(await page.locator('.alert-error').innerText(), /aan geen enkele gebruiker gekoppeld/);
  await page.screenshot({ path: join(screenshots, 'login-sso-refused-nl.png'), fullPage: true });

  // Link the second provider.
  await signIn(page, 'directeur', 'Horizon-2026');
  await openProfile(page);
  await page.click('#link-microsoft');
  await atProvider(page, account);
  await page.waitForURL(/\/profile\?linked=microsoft/);
  await hydrated(page);
  assert.equal(await linked(page, 'microsoft'), 'true');
  assert.equal(await linked(page, 'google'), 'false');

  // The administrator's view: the director's own row in the user list shows the link.
  await page.goto(`${server.url}/admin`);
  await hydrated(page);
  await page.click('tr[data-username="directeur"] .user-links');
  await page.locator('#user-links li[data-provider="microsoft"]').waitFor();
  await page.screenshot({ path: join(screenshots, 'admin-user-links-nl.png') });
  await page.keyboard.press('Escape');
  await context.close();
});

test('an account linked to someone else is refused (in English)', { skip: !configured && 'no test OpenID provider' }, async () => {
  const account = `shared-${Date.now()}@example.test`;
  // The director links a Google account in one browser (the first test left Google unlinked)...
  const first = await browser.newContext({ locale: 'en-GB', viewport: { width: 1280, height: 900 } });
  const director = await first.newPage();
  await signIn(director, 'directeur', 'Horizon-2026');
  await openProfile(director);
  await director.click('#link-google');
  await atProvider(director, account);
  await director.waitForURL(/\/profile\?linked=google/);
  await first.close();

  // ...a teacher in another browser (phone-sized), in English, tries to link the same one.
  const second = await browser.newContext({ locale: 'en-GB', viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  const page = await second.newPage();
  await page.goto(`${server.url}/login`);
  await hydrated(page);
  await page.selectOption('#language', 'en');
  await page.locator('#login-title', { hasText: 'Sign in' }).waitFor();
  // The director gives the teacher a password first (the demo teacher has none).
  const admin = await browser.newContext({ locale: 'nl-BE', viewport: { width: 1280, height: 900 } });
  const adminPage = await admin.newPage();
  await signIn(adminPage, 'directeur', 'Horizon-2026');
  await adminPage.goto(`${server.url}/admin`);
  await hydrated(adminPage);
  await adminPage.click('#add-user');
  await adminPage.fill('#new-username', 'tom.leraar');
  await adminPage.fill('#new-first-name', 'Tom');
  await adminPage.fill('#new-last-name', 'Leraar');
  await adminPage.fill('#new-password', 'Tom-Leraar-2026');
  await adminPage.press('#new-password', 'Enter');
  await adminPage.locator('tr[data-username="tom.leraar"]').waitFor();
  await admin.close();

  await page.fill('#username', 'tom.leraar');
  await page.fill('#password', 'Tom-Leraar-2026');
  await page.press('#password', 'Enter');
  await page.waitForURL((url) => url.pathname === '/');
  await hydrated(page);
  await page.goto(`${server.url}/profile`);
  await hydrated(page);
  await page.click('#link-google');
  await atProvider(page, account);
  await page.waitForURL(/\/profile\?sso_error=sso_linked_elsewhere/);
  await hydrated(page);
  assert.match(await page.locator('.alert-error').first().innerText(), /already linked to another user/);
  assert.equal(await linked(page, 'google'), 'false');
  assert.deepEqual(await seriousViolations(page), [], 'profile page accessibility (phone, English)');
  await page.screenshot({ path: join(screenshots, 'profile-refused-phone-en.png'), fullPage: true });
  await second.close();
});

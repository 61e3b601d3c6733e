// A second factor in real Chromium, by keyboard: an administrator sets up an authenticator app
// on the profile (the test reads the secret from the page and computes the codes, as the app
// would), saves the recovery codes shown once, then signs in again with the password and a
// code from the app, and once more with a recovery code; a used code is refused. axe on the
// profile and the second step; nl and en.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { join } from 'node:path';
import { startServer, startBrowser, hydrated, seriousViolations, screenshots } from './support.mjs';

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

function fromBase32(text) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of text.replace(/[\s=]/g, '').toUpperCase()) {
    bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  }
  const bytes = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) bytes.push(parseInt(bits.slice(i, i + 8), 2));
  return Buffer.from(bytes);
}

/** The six-digit code of RFC 6238 (SHA-1, 30 s) at `seconds`. */
function totp(secret, seconds) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(seconds / 30)));
  const mac = crypto.createHmac('sha1', fromBase32(secret)).update(counter).digest();
  const offset = mac[19] & 15;
  return ((mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).toString().padStart(6, '0');
}

async function signIn(page, next = '/admin') {
  await page.goto(`${server.url}/login?next=${next}`);
  await hydrated(page);
  await page.fill('#username', 'directeur');
  await page.fill('#password', 'Horizon-2026');
  await page.press('#password', 'Enter');
}

test('set up an authenticator app, then sign in with its codes and a recovery code', async () => {
  const context = await browser.newContext({ locale: 'en-GB' });
  const page = await context.newPage();
  await signIn(page);
  await page.waitForURL((url) => url.pathname === '/admin');
  await page.goto(`${server.url}/profile`);
  await hydrated(page);
  await page.waitForSelector('#no-factors');
  await page.fill('#factor-name', 'Work phone');
  await page.press('#factor-name', 'Enter');
  await page.waitForSelector('#factor-secret');
  assert.equal(await page.locator('.factor-qr svg').count(), 1);
  const secret = (await page.textContent('#factor-secret')).trim();
  assert.match(secret.replace(/\s/g, ''), /^[A-Z2-7]{32}$/);
  assert.deepEqual(await seriousViolations(page), []);
  await page.screenshot({ path: join(screenshots, 'factor-enrol.png'), fullPage: true });
  // A wrong code first: a clear message, nothing set up.
  await page.fill('#factor-code', '000000');
  await page.press('#factor-code', 'Enter');
  await page.waitForSelector('#second-factors [role="alert"]');
  assert.match(await page.textContent('#second-factors [role="alert"]'), /not right/);
  const now = Date.now() / 1000;
  await page.fill('#factor-code', totp(secret, now));
  await page.press('#factor-code', 'Enter');
  await page.waitForSelector('#recovery-codes');
  const codes = await page.locator('#recovery-codes code').allTextContents();
  assert.equal(codes.length, 10);
  assert.deepEqual(await seriousViolations(page), []);
  await page.screenshot({ path: join(screenshots, 'factor-recovery-codes.png'), fullPage: true });
  await page.click('#recovery-saved');
  await page.waitForSelector('.factor-row');
  assert.match(await page.textContent('.factor-row'), /Work phone/);
  assert.match(await page.textContent('#recovery-left'), /10 unused recovery codes/);
  await context.close();

  // Signing in again, in Dutch: the password, then the next code from the app.
  const dutch = await browser.newContext({ locale: 'nl-BE' });
  const again = await dutch.newPage();
  await signIn(again);
  await again.waitForURL((url) => url.pathname === '/login/second-factor');
  await hydrated(again);
  assert.match(await again.textContent('h1'), /Tweede stap/);
  assert.deepEqual(await seriousViolations(again), []);
  await again.screenshot({ path: join(screenshots, 'factor-sign-in.png'), fullPage: true });
  // The code that confirmed the app was used already.
  await again.fill('#factor-code', totp(secret, now));
  await again.press('#factor-code', 'Enter');
  await again.waitForSelector('[role="alert"]');
  assert.match(await again.textContent('[role="alert"]'), /al gebruikt/);
  await again.fill('#factor-code', totp(secret, now + 30));
  await again.press('#factor-code', 'Enter');
  await again.waitForURL((url) => url.pathname === '/admin');
  await dutch.close();

  // And with a recovery code, reached by keyboard from the code field.
  const third = await browser.newContext({ locale: 'en-GB' });
  const last = await third.newPage();
  await signIn(last);
  await last.waitForURL((url) => url.pathname === '/login/second-factor');
  await hydrated(last);
  await last.focus('#factor-switch');
  await last.keyboard.press('Enter');
  await last.waitForSelector('text=Recovery code');
  await last.fill('#factor-code', codes[0]);
  await last.press('#factor-code', 'Enter');
  await last.waitForURL((url) => url.pathname === '/admin');
  await third.close();
});

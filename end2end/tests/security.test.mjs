// The sign-in surface in real Chromium: pages carry a Content-Security-Policy with a fresh
// nonce and still hydrate under it; an inline script without the nonce is refused and the
// refusal is a console error (which fails any test); a form on another origin that posts to
// the sign-in is refused (no login CSRF); the device cookie is HttpOnly.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { startServer, startBrowser, hydrated } from './support.mjs';

let server;
let browser;
let attacker;

before(async () => {
  server = await startServer();
  browser = await startBrowser();
  // Another origin (another port) with a form that signs the visitor in as someone else.
  attacker = http.createServer((req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(`<!DOCTYPE html><html lang="en"><title>Win a prize</title>
      <form method="post" action="${server.url}/api/login">
        <input name="username" value="directeur"><input name="password" value="Horizon-2026">
        <input name="next" value="/"><button id="go">Claim</button>
      </form></html>`);
  });
  await new Promise((resolve) => attacker.listen(0, '127.0.0.1', resolve));
});

after(async () => {
  await browser?.close();
  server?.stop();
  attacker?.close();
});

test('pages hydrate under a nonce policy that refuses other inline scripts', async () => {
  const context = await browser.newContext({ locale: 'en-GB' });
  const page = await context.newPage();
  const response = await page.goto(`${server.url}/login?next=/admin`);
  const policy = response.headers()['content-security-policy'];
  assert.match(policy, /script-src 'self' 'nonce-[A-Za-z0-9_-]{16,}' 'wasm-unsafe-eval'/);
  assert.match(policy, /frame-ancestors 'none'/);
  assert.doesNotMatch(policy, /unsafe-inline/);
  assert.equal(response.headers()['x-content-type-options'], 'nosniff');
  assert.equal(response.headers()['referrer-policy'], 'same-origin');
  await hydrated(page);

  // An injected inline script does not run, and Chromium reports the violation.
  const ran = await page.evaluate(async () => {
    const script = document.createElement('script');
    script.textContent = 'window.__injected = true;';
    document.body.append(script);
    await new Promise((r) => setTimeout(r, 100));
    return window.__injected === true;
  });
  assert.equal(ran, false);
  for (let i = 0; i < 50 && context.countConsoleErrors() === 0; i++) await page.waitForTimeout(50);
  const refused = context.takeConsoleErrors(); // expected here; anywhere else it fails the test
  assert.equal(refused.length, 1, JSON.stringify(refused));
  assert.match(refused[0], /Content Security Policy/);

  // Signing in works (hydrated form, server function) and leaves an HttpOnly device cookie.
  await page.fill('#username', 'directeur');
  await page.fill('#password', 'Horizon-2026');
  await page.press('#password', 'Enter');
  await page.waitForURL((url) => url.pathname === '/admin');
  await hydrated(page);
  const device = (await context.cookies(`${server.url}/api/login`)).find((c) => c.name === 'licentia_device');
  assert.ok(device, `device cookie: ${JSON.stringify(await context.cookies())}`);
  assert.equal(device.httpOnly, true);
  assert.equal(device.sameSite, 'Strict');
  assert.equal(await page.evaluate(() => document.cookie.includes('licentia_device')), false);
  await context.close();
});

test('a form on another site cannot sign the visitor in', async () => {
  const context = await browser.newContext({ locale: 'en-GB' });
  const page = await context.newPage();
  await page.goto(`http://127.0.0.1:${attacker.address().port}/`);
  const answered = page.waitForResponse((r) => r.url().endsWith('/api/login'));
  await page.click('#go');
  assert.equal((await answered).status(), 403);
  const cookies = await context.cookies(server.url);
  assert.deepEqual(cookies.filter((c) => c.name === 'licentia_session' || c.name === 'licentia_device'), []);
  // The refusal page's own 403 is an expected console message; nothing else is.
  await context.close();
});

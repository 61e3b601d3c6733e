// Selling on more than seats, in real Chromium: the director registers a webhook endpoint
// (a real receiver on loopback that fails once), sees its deliveries with the retry and
// redelivers one, in French; an operator generates a batch of activation codes and the
// director redeems one on the overview, in English. axe-core on each page, by keyboard.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { join } from 'node:path';
import {
  startServer, startBrowser, licentiaCli, seriousViolations, hydrated, laterIfAsked, screenshots,
} from './support.mjs';

let server;
let browser;
let receiver;
const received = [];

before(async () => {
  receiver = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => { body += chunk; });
    request.on('end', () => {
      received.push({ id: request.headers['webhook-id'], signature: request.headers['webhook-signature'], body });
      // The first request fails: the retry must come.
      response.writeHead(received.length === 1 ? 500 : 204);
      response.end();
    });
  });
  await new Promise((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  server = await startServer({
    env: { LICENTIA_WEBHOOK_LOOPBACK: '1', LICENTIA_WEBHOOK_RETRY_SECONDS: '1' },
  });
  browser = await startBrowser();
});

after(async () => {
  await browser?.close();
  server?.stop();
  receiver?.close();
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

async function until(what, check, seconds = 30) {
  const deadline = Date.now() + seconds * 1000;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  assert.fail(`timed out waiting for ${what}`);
}

test('an administrator registers a webhook endpoint, sees its deliveries and redelivers', async () => {
  const context = await browser.newContext({ locale: 'fr-BE', viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await signIn(page, 'directeur', 'Horizon-2026');
  await page.goto(`${server.url}/admin/tokens`);
  await hydrated(page);
  await page.click('#webhooks-link');
  await page.waitForURL(/\/admin\/webhooks/);
  await hydrated(page);
  await page.locator('#no-endpoints').waitFor();
  assert.match(await page.locator('#webhooks-title').innerText(), /Webhooks/);
  assert.deepEqual(await seriousViolations(page), [], 'webhooks page accessibility (empty)');

  // By keyboard: the address, one event ticked with the space bar, Enter.
  const url = `http://127.0.0.1:${receiver.address().port}/hooks`;
  await page.focus('#webhook-url');
  await page.keyboard.type(url);
  await page.focus('#event-user-created');
  await page.keyboard.press('Space');
  assert.equal(await page.isChecked('#event-user-created'), true);
  await page.focus('#webhook-url');
  await page.keyboard.press('Enter');
  const secret = page.locator('#webhook-secret-value');
  await secret.waitFor();
  assert.match(await secret.inputValue(), /^whsec_/);
  const row = page.locator(`#endpoints tr[data-endpoint="${url}"]`);
  await row.waitFor();
  assert.match(await row.innerText(), /Utilisateur créé/);

  // An event: a user created through SCIM with the director's token.
  const token = (await licentiaCli(server, ['token', 'create', '--username', 'directeur', '--name', 'e2e'])).trim();
  const created = await fetch(`${server.url}/scim/v2/Users`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/scim+json' },
    body: JSON.stringify({
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      userName: 'hook.e2e', name: { givenName: 'Hook', familyName: 'E2e' }, active: true,
    }),
  });
  assert.equal(created.status, 201);
  await until('the retry', async () => received.length >= 2);
  assert.equal(received[0].id, received[1].id, 'the retry carries the same webhook-id');

  // The log: delivered after two attempts; redelivered by keyboard.
  await row.locator('.show-deliveries').click();
  await page.locator('#deliveries').waitFor();
  await until('the log', async () => {
    await page.click('#refresh-deliveries');
    const first = page.locator('#delivery-table tr.delivery').first();
    return (await first.count()) > 0 && (await first.getAttribute('data-status')) === 'delivered'
      && (await first.locator('.attempts').innerText()).trim() === '2';
  });
  assert.match(await page.locator('#delivery-table').innerText(), /Livré/);
  assert.deepEqual(await seriousViolations(page), [], 'webhooks page accessibility (deliveries)');
  await page.screenshot({ path: join(screenshots, 'webhooks-fr.png'), fullPage: true });
  await page.locator('#delivery-table .redeliver').first().focus();
  await page.keyboard.press('Enter');
  await page.locator('#deliveries [role="status"]', { hasText: 'webhook-id' }).waitFor();
  await until('the redelivery', async () => received.length >= 3);
  assert.equal(received[2].id, received[0].id);
  await context.close();
});

test('an operator generates activation codes and a user redeems one', async () => {
  await licentiaCli(server, ['operator', 'create', '--username', 'olga', '--first-name', 'Olga',
    '--last-name', 'Operator'], { LICENTIA_OPERATOR_PASSWORD: 'Operator-2026' });
  const context = await browser.newContext({ locale: 'en-GB', viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await signIn(page, 'olga', 'Operator-2026');
  await page.goto(`${server.url}/operator/catalogue`);
  await hydrated(page);
  await page.locator('#codes-form').waitFor();
  await page.fill('#codes-name', 'Bookshop De Boekenwurm');
  await page.fill('#codes-days', '30');
  await page.fill('#codes-size', '3');
  await page.press('#codes-size', 'Enter');
  const batch = page.locator('#batches tr[data-batch="Bookshop De Boekenwurm"]');
  await batch.waitFor();
  assert.match(await batch.locator('.redeemed').innerText(), /0 of 3/);
  await batch.locator('.show-codes').click();
  const firstCode = page.locator('#code-table tr.code-line td.mono').first();
  await firstCode.waitFor();
  const code = (await firstCode.innerText()).trim();
  assert.match(code, /^[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}$/);
  assert.deepEqual(await seriousViolations(page), [], 'operator page accessibility (codes)');
  await page.screenshot({ path: join(screenshots, 'codes-en.png'), fullPage: true });
  await context.close();

  // The director redeems it on the overview, typed in lower case.
  const user = await browser.newContext({ locale: 'en-GB', viewport: { width: 390, height: 844 } });
  const overview = await user.newPage();
  await signIn(overview, 'directeur', 'Horizon-2026');
  await overview.locator('#redeem-form').waitFor();
  await overview.focus('#redeem-code');
  await overview.keyboard.type('wrong-code');
  await overview.keyboard.press('Enter');
  await overview.locator('#redeem-form + [role="alert"], .redeem-panel [role="alert"]').first().waitFor();
  await overview.fill('#redeem-code', code.toLowerCase());
  await overview.press('#redeem-code', 'Enter');
  await overview.locator('.redeem-panel [role="status"]', { hasText: 'you have a licence until' }).waitFor();
  assert.deepEqual(await seriousViolations(overview), [], 'overview accessibility (redeemed)');
  await overview.screenshot({ path: join(screenshots, 'redeem-phone-en.png'), fullPage: true });
  await user.close();

  // The operator sees who redeemed it.
  const back = await browser.newContext({ locale: 'nl-BE', viewport: { width: 1280, height: 900 } });
  const again = await back.newPage();
  await signIn(again, 'olga', 'Operator-2026');
  await again.goto(`${server.url}/operator/catalogue`);
  await hydrated(again);
  const line = again.locator('#batches tr[data-batch="Bookshop De Boekenwurm"] .redeemed');
  await line.waitFor();
  assert.match(await line.innerText(), /1 van 3/);
  await back.close();
});

// The vendor's console in real Chromium: an operator finds a customer by name (by keyboard),
// opens it, sees its figures, subscriptions and administrators, opens its administration for
// support (journaled on the customer), and reads the renewals list — in Dutch at 1280 px, in
// French on a phone, in English. axe-core on each page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readFile } from 'node:fs/promises';
import {
  startServer, startBrowser, licentiaCli, seriousViolations, hydrated, laterIfAsked, screenshots,
} from './support.mjs';

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await startBrowser();
  await licentiaCli(server, ['operator', 'create', '--username', 'olga', '--first-name', 'Olga',
    '--last-name', 'Operator'], { LICENTIA_OPERATOR_PASSWORD: 'Operator-2026' });
});

after(async () => {
  await browser?.close();
  server?.stop();
});

async function operatorPage(locale, viewport) {
  const context = await browser.newContext({ locale, viewport });
  const page = await context.newPage();
  await page.goto(`${server.url}/login`);
  await hydrated(page);
  await page.fill('#username', 'olga');
  await page.fill('#password', 'Operator-2026');
  await page.press('#password', 'Enter');
  await laterIfAsked(page);
  await page.waitForURL((url) => url.pathname === '/' || url.pathname === '/operator');
  await page.goto(`${server.url}/operator`);
  await hydrated(page);
  return { context, page };
}

test('an operator finds a customer, opens it and its administration, in Dutch', async () => {
  const { context, page } = await operatorPage('nl-BE', { width: 1280, height: 900 });
  // The vendor's own organisation is not a customer; the demo's is.
  const rows = page.locator('#customers tbody tr');
  await rows.first().waitFor();
  const names = await page.locator('#customers tbody tr').evaluateAll(
    (trs) => trs.map((tr) => tr.dataset.customer));
  assert.ok(names.includes('Scholengroep Horizon'), names.join(', '));
  assert.ok(!names.includes('Licentia'), names.join(', '));
  assert.deepEqual(await seriousViolations(page), [], 'customers accessibility');
  await page.screenshot({ path: join(screenshots, 'customers-nl.png'), fullPage: true });

  // Search by keyboard, in lower case and without its accent-free capitals.
  await page.focus('#customer-q');
  await page.keyboard.type('horizon');
  await page.keyboard.press('Enter');
  // The search is a plain form: the page loads again (and works before the wasm has).
  await page.waitForURL(/q=horizon/);
  await hydrated(page);
  await page.locator('#customers tbody tr').first().waitFor();
  assert.equal(await page.locator('#customers tbody tr').count(), 1);
  await page.fill('#customer-q', 'geen-klant-zo');
  await page.press('#customer-q', 'Enter');
  await page.waitForURL(/q=geen-klant-zo/);
  await hydrated(page);
  await page.locator('#customers-empty').waitFor();
  await page.fill('#customer-q', 'Horizon');
  await page.press('#customer-q', 'Enter');
  await page.waitForURL(/q=Horizon/);
  await hydrated(page);
  const link = page.locator('#customers tbody tr[data-customer="Scholengroep Horizon"] a');
  await link.waitFor();
  // Sorting by next expiry keeps the search and marks the column.
  await page.click('#customers th a[data-sort="expiry"]');
  await page.waitForURL(/sort=expiry/);
  assert.match(page.url(), /q=Horizon/);
  await page.locator('#customers th[aria-sort="ascending"] a[data-sort="expiry"]').waitFor();

  // Open it by keyboard.
  await page.locator('#customers tbody tr[data-customer="Scholengroep Horizon"] a').focus();
  await page.keyboard.press('Enter');
  await page.waitForURL(/\/operator\/customers\//);
  await hydrated(page);
  await page.locator('#customer-title', { hasText: 'Scholengroep Horizon' }).waitFor();
  await page.locator('#customer-subscriptions tbody tr').first().waitFor();
  assert.ok(await page.locator('#customer-subscriptions .pill-subscription-current').count() >= 1);
  await page.locator('#customer-administrators tbody tr').first().waitFor();
  assert.deepEqual(await seriousViolations(page), [], 'customer accessibility');
  await page.screenshot({ path: join(screenshots, 'customer-nl.png'), fullPage: true });

  // Support: the administration opens on the customer, and the visit is in its journal.
  await page.click('#customer-support');
  await page.waitForURL(/\/admin\?site=/);
  await hydrated(page);
  await page.goBack();
  await page.waitForURL(/\/operator\/customers\//);
  await hydrated(page);
  await page.locator('#customer-events tr[data-action="support.open"]').waitFor();
  assert.match(await page.locator('#customer-events tr[data-action="support.open"]').innerText(),
    /Beheer geopend voor ondersteuning/);
  await context.close();
});

test('the renewals list on a phone, in French', async () => {
  const { context, page } = await operatorPage('fr-BE', { width: 390, height: 844 });
  await page.click('#operator-nav-renewals');
  await page.waitForURL(/\/operator\/renewals/);
  await hydrated(page);
  // The demo's renewal (next school year) is claimed in advance.
  await page.locator('#renewals tr[data-state="upcoming"]').first().waitFor();
  await page.click('#within-90');
  await page.waitForURL(/within=90/);
  await page.locator('#within-90[aria-current="page"]').waitFor();
  await page.locator('#renewals tbody tr').first().waitFor();
  // The list as a spreadsheet, for the same window, in French.
  const [csv] = await Promise.all([page.waitForEvent('download'), page.click('#renewals-csv')]);
  assert.match(csv.suggestedFilename(), /^renouvellements dans 90 jours \d{4}-\d{2}-\d{2}\.csv$/);
  const text = (await readFile(await csv.path(), 'utf8')).replace(/^\uFEFF/, '');
  assert.match(text.split('\r\n')[0], /^Client;Statut;Numéro de série;/);
  assert.match(text, /renouvellement à venir/);
  // The weekly mail: ticked by keyboard, saved, still ticked after a reload.
  await page.locator('#renewals-digest').focus();
  await page.keyboard.press('Space');
  await page.locator('#digest-title ~ .status', { hasText: 'Enregistré' }).waitFor();
  await page.reload();
  await hydrated(page);
  await page.locator('#renewals-digest:checked').waitFor();
  assert.deepEqual(await seriousViolations(page), [], 'renewals accessibility');
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: join(screenshots, 'renewals-phone-fr.png'), fullPage: true });
  await page.click('#operator-nav-customers');
  await page.waitForURL((url) => url.pathname === '/operator');
  await hydrated(page);
  await page.locator('#customers-count', { hasText: 'Clients' }).waitFor();
  assert.deepEqual(await seriousViolations(page), [], 'customers accessibility (phone)');
  await page.screenshot({ path: join(screenshots, 'customers-phone-fr.png'), fullPage: true });
  await context.close();
});

test('every operator page answers in English, with its navigation', async () => {
  const { context, page } = await operatorPage('en-GB', { width: 1280, height: 900 });
  for (const [nav, path, marker] of [
    ['#operator-nav-subscriptions', '/operator/subscriptions', '#subscription-form'],
    ['#operator-nav-catalogue', '/operator/catalogue', '#codes-form'],
    ['#operator-nav-announcements', '/operator/announcements', '#announcement-form'],
    ['#operator-nav-inbox', '/operator/inbox', '#institution-link-form'],
    ['#operator-nav-outbox', '/operator/outbox', '#refresh-outbox'],
  ]) {
    await page.click(nav);
    await page.waitForURL((url) => url.pathname === path);
    await hydrated(page);
    await page.locator(marker).waitFor();
    assert.equal(await page.locator(`${nav}[aria-current="page"]`).count(), 1, path);
    assert.deepEqual(await seriousViolations(page), [], `${path} accessibility`);
  }
  await context.close();
});

test('usage charts with their table view: the vendor\'s, and an administrator\'s own', async () => {
  const { context, page } = await operatorPage('en-GB', { width: 1280, height: 900 });
  await page.click('#operator-nav-insights');
  await page.waitForURL((url) => url.pathname === '/operator/insights');
  await hydrated(page);
  for (const chart of ['#chart-active', '#chart-peak', '#chart-licences', '#chart-failures']) {
    await page.locator(`${chart} svg[role="img"]`).waitFor();
  }
  // The table view by keyboard: one row per day of the period.
  await page.locator('#chart-active summary').focus();
  await page.keyboard.press('Enter');
  assert.equal(await page.locator('#chart-active tbody tr').count(), 30);
  assert.match(await page.locator('#chart-active .chart-csv').getAttribute('href'), /^data:text\/csv/);
  await page.click('#period-90');
  await page.waitForURL(/days=90/);
  await page.locator('#period-90[aria-current="page"]').waitFor();
  // The charts of the new period replace the old ones once loaded.
  await page.locator('#chart-active tbody tr').nth(89).waitFor({ state: 'attached' });
  assert.equal(await page.locator('#chart-active tbody tr').count(), 90);
  assert.deepEqual(await seriousViolations(page), [], 'insights accessibility');
  await page.screenshot({ path: join(screenshots, 'insights-en.png'), fullPage: true });
  await context.close();

  // The director's own usage page, from the user list, in Dutch on a phone.
  const admin = await browser.newContext({ locale: 'nl-BE', viewport: { width: 390, height: 844 } });
  const director = await admin.newPage();
  await director.goto(`${server.url}/login`);
  await hydrated(director);
  await director.fill('#username', 'directeur');
  await director.fill('#password', 'Horizon-2026');
  await director.press('#password', 'Enter');
  await laterIfAsked(director);
  await director.waitForURL((url) => url.pathname === '/');
  await director.goto(`${server.url}/admin`);
  await hydrated(director);
  await director.click('#usage-link');
  await director.waitForURL(/\/admin\/usage\?site=/);
  await hydrated(director);
  await director.locator('#chart-active svg[role="img"]').waitFor();
  assert.match(await director.locator('#usage-title').innerText(), /Gebruik/);
  assert.deepEqual(await seriousViolations(director), [], 'usage accessibility');
  await director.screenshot({ path: join(screenshots, 'usage-phone-nl.png'), fullPage: true });
  await admin.close();
});

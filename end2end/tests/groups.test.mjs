// Custom properties and dynamic groups end to end, in real Chromium, on the demo: the director
// defines a property with the keyboard, imports values from a CSV of `personnel number;
// property;value` lines (preview first: three changes and an unknown number), builds a group
// "contract is Permanent" that grants a Reader licence, previews who matches, runs it, and
// sees the licences in the user list; one user's value changes in the user's properties
// dialog and the next run takes the licence back. axe-core on both pages; phone width.
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

/** Reloads the groups page until the group's member count is `members`. */
async function waitForMembers(page, name, members) {
  for (let i = 0; i < 60; i++) {
    await page.goto(`${server.url}/admin/groups`);
    await hydrated(page);
    const row = page.locator(`tr[data-group="${name}"]`);
    await row.waitFor();
    if ((await row.locator('.members-count').innerText()).trim() === String(members)) return row;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`group ${name} never had ${members} members`);
}

test('a property, values from CSV, a group that grants a licence, its run, the licences', async () => {
  const context = await browser.newContext({ locale: 'en-GB', viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await signIn(page, 'directeur', 'Horizon-2026');

  // The groups area is in the navigation; nothing there yet.
  await page.click('#nav-groups');
  await page.waitForURL((url) => url.pathname === '/admin/groups');
  await hydrated(page);
  await page.locator('#groups-empty').waitFor();
  await page.click('#tab-properties');
  await page.waitForURL((url) => url.pathname === '/admin/properties');
  await hydrated(page);
  await page.locator('#properties-empty').waitFor();

  // Define "contract" (a choice) with the keyboard alone.
  await page.focus('#property-key');
  await page.keyboard.type('contract');
  await page.keyboard.press('Tab');
  await page.keyboard.press('End'); // the last type: choice
  await page.keyboard.press('Tab');
  await page.keyboard.type('Contract');
  await page.keyboard.press('Tab');
  await page.keyboard.type('Contrat');
  await page.keyboard.press('Tab');
  await page.keyboard.type('Contract');
  await page.keyboard.press('Tab');
  await page.keyboard.type('Permanent\nTemporary');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  const contract = page.locator('#property-table tr[data-property="contract"]');
  await contract.waitFor();
  assert.match(await contract.innerText(), /Option/);
  assert.match(await contract.innerText(), /Permanent, Temporary/);

  // Values from a CSV: the preview first (nothing written), then the import.
  const csv = 'personnel_number;property;value\nHZ-1003;contract;permanent\nHZ-1004;Contract;Permanent\n'
    + 'HZ-1001;contract;Temporary\nHZ-9999;contract;Permanent\n';
  await page.setInputFiles('#values-file', { name: 'contracts.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await page.click('#preview-values');
  await page.locator('#values-preview .preview-summary', { hasText: '3 values change' }).waitFor();
  assert.equal(await page.locator('#values-changes tbody tr').count(), 3);
  await page.locator('#values-problems tr[data-code="personnel_number_unknown"]', { hasText: 'HZ-9999' }).waitFor();
  assert.deepEqual(await seriousViolations(page), [], 'properties page accessibility');
  await page.screenshot({ path: join(screenshots, 'properties-en.png'), fullPage: true });
  await page.click('#import-values');
  await page.locator('.status-visible', { hasText: '3 values imported; 1 lines not' }).waitFor();

  // A group: contract is Permanent, in the whole organisation, granting a Reader licence.
  await page.click('#tab-groups');
  await page.waitForURL((url) => url.pathname === '/admin/groups');
  await hydrated(page);
  await page.click('#new-group');
  await page.locator('#group-name').fill('Permanent staff');
  await page.click('#add-condition');
  const condition = page.locator('#conditions .condition').first();
  await condition.locator('.condition-property').selectOption('contract');
  await condition.locator('.condition-op').selectOption('equals');
  await condition.locator('.condition-value').selectOption('Permanent');
  await page.locator('#group-product').selectOption('reader');
  await page.click('#preview-group');
  await page.locator('#group-preview .preview-summary', { hasText: '2 users match now' }).waitFor();
  const people = await page.locator('#group-preview .preview-people').innerText();
  assert.match(people, /sofie\.maes/);
  assert.match(people, /emma\.willems/);
  assert.doesNotMatch(people, /lotte\.janssens/);
  assert.deepEqual(await seriousViolations(page), [], 'group editor accessibility');
  await page.screenshot({ path: join(screenshots, 'group-editor-en.png'), fullPage: true });
  await page.click('#save-group');
  const row = page.locator('tr[data-group="Permanent staff"]');
  await row.waitFor();
  assert.equal((await row.locator('.members-count').innerText()).trim(), '0');
  assert.match(await row.innerText(), /Contract equals Permanent/);
  assert.match(await row.innerText(), /licence Reader/);

  // Run it now, with the keyboard; the worker adds the members and gives the licences.
  await row.locator('.run-group').focus();
  await page.keyboard.press('Enter');
  await page.locator('.status-visible', { hasText: 'The run has started' }).waitFor();
  const done = await waitForMembers(page, 'Permanent staff', 2);
  assert.match(await done.locator('.last-run').innerText(), /\+2 \/ −0/);
  assert.deepEqual(await seriousViolations(page), [], 'groups page accessibility');
  await page.screenshot({ path: join(screenshots, 'groups-en.png'), fullPage: true });

  // The user list shows Sofie's and Emma's licences.
  await page.goto(`${server.url}/admin`);
  await hydrated(page);
  const sofie = page.locator('tr[data-username="sofie.maes"]');
  await sofie.locator('[data-licence="active"]').waitFor();
  await page.locator('#include-subsites').check();
  const emma = page.locator('tr[data-username="emma.willems"]');
  await emma.locator('[data-licence="active"]').waitFor();
  // Filtered on the property, with its column (keyboard: choose, type, Enter).
  await page.locator('#filter-property').selectOption('contract');
  await page.fill('#filter-property-value', 'Permanent');
  await page.press('#filter-property-value', 'Enter');
  await page.waitForURL((url) => url.searchParams.get('pv') === 'Permanent');
  // The list keeps its rows while the filtered page loads: wait for the property's column.
  await page.locator('#user-table tbody tr .property-cell').first().waitFor();
  await page.waitForFunction(() => document.querySelectorAll('#user-table tbody tr').length === 2);
  const filtered = await page.locator('#user-table tbody tr').evaluateAll((rows) => rows.map((r) => r.dataset.username));
  assert.deepEqual(filtered.sort(), ['emma.willems', 'sofie.maes']);
  assert.equal(await page.locator('tr[data-username="sofie.maes"] .property-cell').innerText(), 'Permanent');
  assert.deepEqual(await seriousViolations(page), [], 'user list with a property filter');
  await page.screenshot({ path: join(screenshots, 'users-by-property-en.png'), fullPage: true });

  // Sofie's contract changes in her properties dialog; the next run takes the licence back.
  await sofie.locator('.user-properties').click();
  const dialog = page.locator('dialog[open]');
  await dialog.locator('#user-property-contract').waitFor();
  await dialog.locator('#user-property-contract').selectOption('Temporary');
  await dialog.locator('#save-user-properties').click();
  await dialog.locator('.status-visible', { hasText: 'Properties saved' }).waitFor();
  await page.keyboard.press('Escape');
  await page.goto(`${server.url}/admin/groups`);
  await hydrated(page);
  await page.locator('tr[data-group="Permanent staff"] .run-group').click();
  await waitForMembers(page, 'Permanent staff', 1);
  await page.goto(`${server.url}/admin`);
  await hydrated(page);
  await page.locator('tr[data-username="sofie.maes"] [data-licence="none"]').waitFor();

  // On a phone.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`${server.url}/admin/groups`);
  await hydrated(page);
  await page.locator('tr[data-group="Permanent staff"]').waitFor();
  await page.screenshot({ path: join(screenshots, 'groups-phone.png'), fullPage: true });
  await context.close();
});

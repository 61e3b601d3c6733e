// Bulk import and export in real Chromium: the template downloaded and filled in (openpyxl, as a
// spreadsheet program would), the preview with its one error, the import applied in the
// background with its progress bar to 100 % (and after a reload), the report on the page and
// by mail, the result file, the filtered export; a OneRoster export uploaded by keyboard and
// its schools and classes in the tree; axe-core on the import pages.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  startServer, startBrowser, startMailSink, waitForMail, seriousViolations, hydrated, screenshots, root,
  licentiaCli, signInAt,
} from './support.mjs';

let server;
let browser;
let sink;

before(async () => {
  sink = await startMailSink();
  server = await startServer({ mailSink: sink });
  browser = await startBrowser();
});

after(async () => {
  await browser?.close();
  server?.stop();
  sink?.stop();
});

const signIn = (page) => signInAt(page, server, '/admin');

const work = mkdtempSync(join(tmpdir(), 'licentia-import-'));

test('an administrator imports users from the filled-in template and exports the list', async () => {
  const context = await browser.newContext({ locale: 'nl-BE', viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  const page = await context.newPage();
  await signIn(page);

  // From the user list to the import page of the selected site.
  await page.click('#import-users');
  await page.waitForURL(/\/admin\/import\?site=/);
  await hydrated(page);
  assert.equal(await page.locator('h1').innerText(), 'Gebruikers importeren');
  await page.locator('#import-site strong').waitFor();
  assert.equal(await page.locator('#import-site strong').innerText(), 'Scholengroep Horizon');
  assert.deepEqual(await seriousViolations(page), [], 'import page accessibility');

  // The template, in Dutch.
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#import-template')]);
  assert.equal(download.suggestedFilename(), 'sjabloon-gebruikers.xlsx');
  const template = join(work, 'template.xlsx');
  await download.saveAs(template);
  assert.equal(readFileSync(template).subarray(0, 2).toString(), 'PK');

  // Filled in: five new users, one with a bad address, one update of an existing user.
  const filled = join(work, 'leerlingen.xlsx');
  const rows = [
    '+;imp.een;Ilse;Een;ilse@school.example;;2027-08-31;P-1;;',
    '+;imp.twee;Ivo;Twee;;;;;;',
    '+;imp.drie;Inge;Drie;geen-adres;;;;;',
    '+;imp.vier;Ines;Vier;;;;00044;De Klimop;',
    '+;imp.vijf;Ike;Vijf;;;;;;',
    '+;imp.zes;Iris;Zes;;;;;;',
    '*;pieter.claes;Pieter-Jan;;;;;;;',
  ].join('\n');
  const fill = spawnSync('/usr/bin/python3', [join(root, 'scripts', 'fill-template.py'), template, filled], { input: rows });
  assert.equal(fill.status, 0, String(fill.stderr));

  // Preview: counts, the problem with its row and column; nothing written yet.
  await page.setInputFiles('#import-file', filled);
  await page.check('input[name=mode][value=add_update]');
  await page.focus('#import-check');
  await page.keyboard.press('Enter');
  await page.locator('#import-preview').waitFor();
  const counts = await page.locator('#import-counts').innerText();
  assert.match(counts, /5\s+toe te voegen/);
  assert.match(counts, /1\s+bij te werken/);
  assert.match(counts, /1\s+rijen met een fout/);
  const problem = await page.locator('#preview-problems tbody tr').innerText();
  assert.match(problem, /^4\s+E-mail\s+/);
  assert.deepEqual(await seriousViolations(page), [], 'preview accessibility');
  await page.screenshot({ path: join(screenshots, 'import-preview-nl.png'), fullPage: true });

  // Apply: the run page follows the background job to 100 %.
  await page.focus('#import-start');
  await page.keyboard.press('Enter');
  await page.waitForURL(/\/admin\/import\/[0-9a-f-]{36}$/);
  await hydrated(page);
  await page.waitForFunction(() => document.querySelector('#run-progress')?.getAttribute('value') === '100'
    && /Klaar/.test(document.querySelector('#run-progress-label')?.textContent || ''), null, { timeout: 30000 })
    .catch(async (e) => { throw new Error(`${e}\n${await page.locator('main').innerText()}\n${server.log()}`); });
  const report = await page.locator('#run-counts').innerText();
  assert.match(report, /5\s+toegevoegd/);
  assert.match(report, /1\s+bijgewerkt/);
  assert.match(report, /1\s+fouten/);
  await page.locator('#run-problems tbody tr').waitFor();
  assert.match(await page.locator('#run-problems tbody tr').innerText(), /^4\s+E-mail/);
  assert.deepEqual(await seriousViolations(page), [], 'import report accessibility');
  await page.screenshot({ path: join(screenshots, 'import-report-nl.png'), fullPage: true });

  // The report survives a reload; on a phone too.
  await page.reload();
  await hydrated(page);
  await page.locator('#run-counts').waitFor();
  assert.match(await page.locator('#run-percent').innerText(), /100/);
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: join(screenshots, 'import-report-phone.png'), fullPage: true });
  await page.setViewportSize({ width: 1280, height: 900 });

  // The result file: the uploaded rows with a result each.
  const [result] = await Promise.all([page.waitForEvent('download'), page.click('#run-result')]);
  assert.equal(result.suggestedFilename(), 'leerlingen-resultaat.xlsx');
  const resultPath = join(work, 'result.xlsx');
  await result.saveAs(resultPath);
  const read = spawnSync('/usr/bin/python3', ['-c',
    'import sys, openpyxl; ws = openpyxl.load_workbook(sys.argv[1]).worksheets[0]; [print(";".join("" if c is None else str(c) for c in row)) for row in ws.iter_rows(values_only=True)]',
    resultPath]);
  assert.equal(read.status, 0, String(read.stderr));
  const lines = String(read.stdout).trim().split('\n');
  assert.match(lines[0], /;Resultaat;Bericht$/);
  assert.match(lines[1], /^\+;imp\.een;.*;Toegevoegd;$/);
  assert.match(lines[3], /^\+;imp\.drie;.*;Fout;E-mail: /);

  // The report by mail, in Dutch.
  const mail = await waitForMail(sink, 'directeur@horizon.example', /Import leerlingen\.xlsx/);
  assert.match(mail.text, /Toegevoegd: 5/);
  assert.match(mail.text, /Rij 4, E-mail: /);

  // The list exported as it is filtered (search "imp.", subsites included), as CSV.
  await page.goto(`${server.url}/admin?q=imp.&all=1`);
  await hydrated(page);
  const [csv] = await Promise.all([page.waitForEvent('download'), page.click('#export-csv')]);
  const csvPath = join(work, 'export.csv');
  await csv.saveAs(csvPath);
  const exported = readFileSync(csvPath, 'utf8').replace(/^\uFEFF/, '').trim().split('\r\n');
  assert.match(exported[0], /^Gebruikersnaam;Voornaam;Achternaam;/);
  assert.equal(exported.length, 1 + 5, exported.join('\n'));
  assert.ok(exported.some((l) => l.startsWith('imp.vier;Ines;Vier;;;00044;')), exported.join('\n'));

  // Bulk actions on the imported users, with the keyboard: choose the page, set the expiry
  // date for all of them (confirmed), then move two to De Klimop.
  await page.focus('#select-page');
  await page.keyboard.press('Space');
  await page.locator('#bulk-bar').waitFor();
  assert.equal(await page.locator('#bulk-count').innerText(), '5 gekozen');
  await page.selectOption('#bulk-action', 'expiry');
  await page.fill('#bulk-date', '2020-06-30');
  await page.locator('#bulk-date-past').waitFor();
  await page.fill('#bulk-date', '2027-06-30');
  await page.locator('#bulk-date-past').waitFor({ state: 'detached' });
  await page.focus('#bulk-apply');
  await page.keyboard.press('Enter');
  const dialog = page.locator('dialog[open]');
  await dialog.waitFor();
  assert.match(await dialog.innerText(), /vervaldatum van 5 gebruikers/i);
  await page.screenshot({ path: join(screenshots, 'bulk-confirm-nl.png'), fullPage: true });
  await dialog.locator('.button-danger').click();
  await page.locator('[role=status]', { hasText: 'Vervaldatum van 5 gebruikers ingesteld.' }).waitFor();
  assert.equal(await page.locator('#bulk-bar').count(), 0, 'the selection is cleared');

  await page.locator('tr[data-username="imp.een"] .row-select').check();
  await page.locator('tr[data-username="imp.twee"] .row-select').check();
  await page.selectOption('#bulk-action', 'move');
  // The destination is found by typing part of its name (the server searches), by keyboard.
  await page.locator('#bulk-target').pressSequentially('klim');
  await page.locator('#bulk-target-list [role=option][data-site="De Klimop"]').waitFor();
  await page.screenshot({ path: join(screenshots, 'bulk-site-picker-nl.png'), fullPage: true });
  await page.press('#bulk-target', 'ArrowDown');
  await page.press('#bulk-target', 'Enter');
  assert.equal(await page.locator('#bulk-target').inputValue(), 'De Klimop');
  assert.equal(await page.locator('#bulk-target').getAttribute('aria-expanded'), 'false');
  await page.click('#bulk-apply');
  await page.locator('dialog[open] .button-danger').click();
  await page.locator('[role=status]', { hasText: '2 gebruikers verplaatst.' }).waitFor();
  await page.locator('tr[data-username="imp.een"] td', { hasText: 'De Klimop' }).waitFor();
  assert.deepEqual(await seriousViolations(page), [], 'user list with bulk actions accessibility');
  await page.screenshot({ path: join(screenshots, 'bulk-done-nl.png'), fullPage: true });

  // Bad input: not a spreadsheet, a clear message and nothing else.
  await page.goto(`${server.url}/admin/import`);
  await hydrated(page);
  const notSheet = join(work, 'photo.png');
  writeFileSync(notSheet, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0]));
  await page.setInputFiles('#import-file', notSheet);
  await page.click('#import-check');
  await page.locator('[role=alert]').waitFor();
  assert.match(await page.locator('[role=alert]').innerText(), /geen rekenblad/);
  await page.screenshot({ path: join(screenshots, 'import-error-nl.png'), fullPage: true });
  await context.close();
});

test('an HR export through the organisation’s configuration: matched, added, not moved', async () => {
  const context = await browser.newContext({ locale: 'en-GB', viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await signIn(page);
  await page.goto(`${server.url}/admin/import`);
  await hydrated(page);
  // No configuration yet: the upload form does not offer it.
  await page.locator('#sync-form').waitFor();
  assert.equal(await page.locator('#import-sync').count(), 0);
  await page.fill('#sync-mapping', 'Emp No = personnel_number\nGiven name = first_name\nFamily name = last_name\nLocation = subsite');
  await page.locator('#sync-match').selectOption('personnel_number');
  await page.locator('#sync-dates').selectOption('mdy');
  await page.click('#save-sync');
  await page.locator('#sync-form .status-visible').waitFor();
  await page.locator('#import-sync').waitFor();

  const work = mkdtempSync(join(tmpdir(), 'licentia-hr-'));
  const file = join(work, 'hr-export.csv');
  writeFileSync(file, 'Emp No;Given name;Family name;Location;Salary\n'
    + 'HZ-1003;Sofie;Maes;De Klimop;3100\nHZ-2001;Nora;Nieuw;De Regenboog;2800\n');
  await page.setInputFiles('#import-file', file);
  await page.check('#import-sync');
  await page.click('#import-check');
  await page.locator('#import-preview').waitFor();
  assert.match(await page.locator('#import-counts').innerText(), /1\s+to add[\s\S]*1\s+to update/i);
  const warning = page.locator('#preview-warnings');
  await warning.waitFor();
  assert.match(await warning.innerText(), /Scholengroep Horizon.*De Klimop/s);
  assert.deepEqual(await seriousViolations(page), [], 'import page with HR synchronisation');
  await page.screenshot({ path: join(screenshots, 'hr-sync-preview-en.png'), fullPage: true });
  await context.close();
});

test('an administrator imports a OneRoster export and sees its schools and classes', async () => {
  // Seats for a district: a subscription of 500, claimed on the administrator page.
  const day = (offset) => new Date(Date.now() + offset * 86400000).toISOString().slice(0, 10);
  await licentiaCli(server, ['subscription', 'create', '--serial', '13572468', '--seats', '500',
    '--from', day(-1), '--until', day(365)]);
  const context = await browser.newContext({ locale: 'nl-BE', viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await signIn(page);
  await page.fill('#add-serial', '13572468');
  await page.press('#add-serial', 'Enter');
  await page.locator('#org-subscriptions tr[data-serial="13572468"]').waitFor();

  await page.goto(`${server.url}/admin/import`);
  await hydrated(page);
  const fixture = join(root, 'domain', 'tests', 'fixtures', 'oneroster', 'first.zip');
  await page.setInputFiles('#import-file', fixture);
  assert.equal(await page.locator('#import-teacher-role option:checked').innerText(), 'Licentiebeheerder');
  await page.focus('#import-check');
  await page.keyboard.press('Enter');
  await page.locator('#import-preview').waitFor();
  const counts = await page.locator('#import-counts').innerText();
  assert.match(counts, /320\s+toe te voegen/);
  assert.match(counts, /0\s+rijen met een fout/);
  const roster = await page.locator('#import-roster-counts').innerText();
  assert.match(roster, /14\s+scholen en klassen aan te maken/);
  assert.match(roster, /20\s+rollen voor leerkrachten te geven/);
  // The parent is named, not imported.
  assert.match(await page.locator('#preview-warnings').innerText(), /ouder\.emma.*ouder of voogd/s);
  assert.deepEqual(await seriousViolations(page), [], 'OneRoster preview accessibility');
  await page.screenshot({ path: join(screenshots, 'oneroster-preview-nl.png'), fullPage: true });

  await page.focus('#import-start');
  await page.keyboard.press('Enter');
  await page.waitForURL(/\/admin\/import\/[0-9a-f-]{36}$/);
  await hydrated(page);
  await page.waitForFunction(() => document.querySelector('#run-progress')?.getAttribute('value') === '100'
    && /Klaar/.test(document.querySelector('#run-progress-label')?.textContent || ''), null, { timeout: 30000 })
    .catch(async (e) => { throw new Error(`${e}\n${await page.locator('main').innerText()}\n${server.log()}`); });
  assert.match(await page.locator('#run-counts').innerText(), /320\s+toegevoegd/);
  await page.screenshot({ path: join(screenshots, 'oneroster-report-nl.png'), fullPage: true });

  // The tree: the schools below the organisation, their classes below them, by keyboard.
  await page.goto(`${server.url}/admin`);
  await hydrated(page);
  await page.locator('a[data-site="Basisschool De Linde"]').waitFor();
  await page.locator('a[data-site="Basisschool Het Anker"]').waitFor();
  // Only the open sites' children are loaded: the classes come when De Linde opens (arrow
  // right), then arrow down moves through them (ARIA tree) and Enter selects.
  assert.equal(await page.locator('a[data-site="3A"]').count(), 0, 'classes not loaded before their school opens');
  await page.focus('a[data-site="Basisschool De Linde"]');
  await page.keyboard.press('ArrowRight');
  await page.locator('a[data-site="Basisschool De Linde"][aria-expanded="true"]').waitFor();
  await page.locator('a[data-site="3A"]').waitFor();
  await page.keyboard.press('ArrowDown');
  assert.equal(await page.evaluate(() => document.activeElement.dataset.site), '1A');
  await page.keyboard.press('3');
  assert.equal(await page.evaluate(() => document.activeElement.dataset.site), '3A', 'type-ahead');
  await page.keyboard.press('Enter');
  await page.locator('#site-info-title', { hasText: '3A' }).waitFor();
  await page.locator('tr[data-username="lk.emma.060"]').waitFor();
  assert.equal(await page.locator('#user-table tbody tr').count(), 25);
  assert.deepEqual(await seriousViolations(page), [], 'administrator page with the imported tree');
  await page.screenshot({ path: join(screenshots, 'oneroster-tree-nl.png'), fullPage: true });
  await context.close();
});

test('the school-year rollover, by keyboard: preview, start, undo', async () => {
  // Runs after the OneRoster import above: 1A–6A and 1B–6B of 25 pupils.
  const context = await browser.newContext({ locale: 'nl-BE', viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await signIn(page);
  await page.focus('#rollover-link');
  await page.keyboard.press('Enter');
  await page.waitForURL(/\/admin\/rollover\?site=/);
  await hydrated(page);
  assert.equal(await page.locator('h1').innerText(), 'Schooljaarovergang');
  await page.locator('#rollover-classes').waitFor();
  assert.equal(await page.locator('select[data-class="1A"] option:checked').innerText(), '→ 2A');
  assert.match(await page.locator('select[data-class="6A"] option:checked').innerText(), /Verlaten de school/);
  assert.equal(await page.locator('select[data-class="De Klimop"] option:checked').innerText(), 'Blijven');
  assert.deepEqual(await seriousViolations(page), [], 'rollover page accessibility');

  // Archive the classes left empty (1A and 1B), ticked by keyboard; then check: the preview.
  await page.focus('#rollover-archive');
  await page.keyboard.press('Space');
  assert.equal(await page.locator('#rollover-archive').isChecked(), true);
  await page.focus('#rollover-renew');
  await page.keyboard.press('Space');
  await page.focus('#rollover-check');
  await page.keyboard.press('Enter');
  await page.locator('#rollover-preview').waitFor();
  const counts = await page.locator('#rollover-counts').innerText();
  assert.match(counts, /250\s+leerlingen schuiven op/);
  assert.match(counts, /50\s+leerlingen verlaten de school/);
  assert.match(counts, /2\s+lege klassen worden gearchiveerd/);
  // The imported pupils hold no licence yet: none to renew.
  assert.match(counts, /0\s+licenties te verlengen/);
  assert.match(await page.locator('#rollover-preview-classes tr[data-class="1A"]').innerText(), /1A\s+25\s+0/);
  assert.deepEqual(await seriousViolations(page), [], 'rollover preview accessibility');
  await page.screenshot({ path: join(screenshots, 'rollover-preview-nl.png'), fullPage: true });

  // Start: followed until done.
  await page.focus('#rollover-start');
  await page.keyboard.press('Enter');
  await page.locator('#rollover-runs tr[data-state="done"]').waitFor({ timeout: 30000 })
    .catch(async (e) => { throw new Error(`${e}\n${await page.locator('main').innerText()}\n${server.log()}`); });
  assert.match(await page.locator('#rollover-runs tr[data-state="done"]').innerText(), /Klaar\s+250\s+50/);
  await page.screenshot({ path: join(screenshots, 'rollover-done-nl.png'), fullPage: true });

  // Undo, confirmed by keyboard.
  await page.focus('#rollover-runs .undo-rollover');
  await page.keyboard.press('Enter');
  const dialog = page.locator('dialog[open]');
  await dialog.waitFor();
  assert.match(await dialog.innerText(), /vorige klas/);
  assert.deepEqual(await seriousViolations(page), [], 'undo confirmation accessibility');
  await dialog.locator('.button-danger').focus();
  await page.keyboard.press('Enter');
  await page.locator('#rollover-runs tr[data-state="undone"]').waitFor();
  assert.equal(await page.locator('#rollover-runs .undo-rollover').count(), 0);
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: join(screenshots, 'rollover-phone.png'), fullPage: true });
  await context.close();
});

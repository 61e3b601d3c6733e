// Configurable registration and announcements end to end, in real Chromium: the director gives
// De Klimop a code and a registration form (phone required, a class to choose, a disclaimer,
// the register panel beside sign-in, the check against robots); a newcomer opens the sign-in page with the code, registers
// beside it with the keyboard, signs in and lands on the page they came from; at the first
// sign-in they say "no updates" and get a bell; an operator posts a maintenance notice; the bell
// counts it, the newcomer opts in and sees the banner. axe-core on each page.
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
  await hydrated(page);
}

// The announcement form takes Belgian wall-clock time.
function isoMinutesFromNow(minutes) {
  const at = new Date(Date.now() + minutes * 60 * 1000);
  return at.toLocaleString('sv-SE', { timeZone: 'Europe/Brussels' }).replace(' ', 'T').slice(0, 16);
}

test('a configured registration beside sign-in, then announcements by choice', async () => {
  const adminContext = await browser.newContext({ locale: 'en-GB', viewport: { width: 1280, height: 900 } });
  const admin = await adminContext.newPage();
  admin.on('console', (m) => { if (m.text().includes('defined at')) console.log('ADMIN', admin.url(), m.text().slice(0, 200)); });
  await signIn(admin, 'directeur', 'Horizon-2026');
  // The director answers the first-time question.
  await admin.locator('#updates-question').waitFor();
  assert.deepEqual(await seriousViolations(admin), [], 'updates question accessibility');
  await admin.click('#updates-inform');
  await admin.locator('#updates-question').waitFor({ state: 'detached' });

  // De Klimop: a code, and its registration form.
  await admin.goto(`${server.url}/admin`);
  await hydrated(admin);
  await admin.click('a[data-site="De Klimop"]');
  await admin.locator('#site-info-title', { hasText: 'De Klimop' }).waitFor();
  await admin.fill('#site-code', 'KLIMOP-2026');
  await admin.click('#save-site');
  await admin.locator('#registration-link').waitFor();
  await admin.locator('#toggle-registration-form').click();
  await admin.locator('#reg-rule-phone').selectOption('required');
  await admin.locator('#reg-rule-organisation_part').selectOption('optional');
  await admin.check('#reg-offer-newsletter');
  await admin.check('#reg-beside-sign-in');
  // Registering asks the browser to prove it is not a robot (a proof-of-work challenge).
  await admin.check('#reg-challenge');
  await admin.fill('#reg-disclaimer-setting', 'I follow the school rules.');
  await admin.click('#save-registration-form');
  await admin.locator('#registration-form-settings .status-visible').waitFor();
  assert.deepEqual(await seriousViolations(admin), [], 'registration form settings accessibility');
  await admin.screenshot({ path: join(screenshots, 'registration-settings-en.png'), fullPage: true });

  // A newcomer opens the sign-in page with the code and the page they wanted.
  const context = await browser.newContext({ locale: 'en-GB', viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.on('console', (m) => { if (m.text().includes('defined at')) console.log('PAGE', page.url(), m.text().slice(0, 200)); });
  await page.goto(`${server.url}/login?code=KLIMOP-2026&next=${encodeURIComponent('/profile')}`);
  await hydrated(page);
  const beside = page.locator('.register-beside');
  await beside.locator('#register-form').waitFor();
  assert.equal(await beside.locator('#reg-address').count(), 0, 'fields left off are not shown');
  assert.deepEqual(await seriousViolations(page), [], 'sign-in with registration accessibility');
  await page.screenshot({ path: join(screenshots, 'register-beside-en.png'), fullPage: true });
  // With the keyboard: the disclaimer unaccepted is refused by the browser's own check, so
  // type everything, tick it, and send.
  await page.focus('#first-name');
  await page.keyboard.type('Noor');
  await page.keyboard.press('Tab');
  await page.keyboard.type('Nieuwkomer');
  await page.focus('#reg-username');
  await page.keyboard.type('noor.nieuw');
  await page.focus('#reg-password');
  await page.keyboard.type('Zonnebloem-42');
  await page.focus('#reg-phone');
  await page.keyboard.type('+32 3 123 45 67');
  await page.locator('#reg-part').selectOption({ label: 'De Klimop' });
  await page.focus('#reg-disclaimer');
  await page.keyboard.press('Space');
  // The check against robots runs while the form is filled in and says when it is done.
  await beside.locator('#robot-check[data-state="done"]').waitFor({ timeout: 30000 });
  assert.match(await beside.locator('#robot-check').innerText(), /not a robot/);
  await page.focus('#register');
  await page.keyboard.press('Enter');
  await beside.locator('#registered').waitFor();
  // Signing in now leads back to the page asked for.
  await page.fill('#username', 'noor.nieuw');
  await page.fill('#password', 'Zonnebloem-42');
  await page.press('#password', 'Enter');
  await page.waitForURL((url) => url.pathname === '/profile');
  await hydrated(page);
  // First sign-in: the question; "no updates" leaves a bell.
  await page.locator('#updates-question').waitFor();
  await page.click('#updates-none');
  await page.locator('#announcements-bell').waitFor();
  assert.equal(await page.locator('#announcements-bell').getAttribute('aria-label'), 'Announcements (0)');

  // An operator posts a maintenance notice running now.
  await licentiaCli(server, ['operator', 'create', '--username', 'olga', '--first-name', 'Olga',
    '--last-name', 'Operator', '--email', 'olga@licentia.example'], { LICENTIA_OPERATOR_PASSWORD: 'Operator-2026' });
  const operatorContext = await browser.newContext({ locale: 'en-GB', viewport: { width: 1280, height: 900 } });
  const operator = await operatorContext.newPage();
  await signIn(operator, 'olga', 'Operator-2026');
  await operator.goto(`${server.url}/operator/announcements`);
  await hydrated(operator);
  await operator.locator('#announcement-form').waitFor();
  await operator.locator('#announcement-kind').selectOption('maintenance');
  await operator.fill('#announcement-starts', isoMinutesFromNow(-5));
  await operator.fill('#announcement-ends', isoMinutesFromNow(120));
  await operator.fill('#announcement-title-nl', 'Onderhoud vanavond');
  await operator.fill('#announcement-title-fr', 'Maintenance ce soir');
  await operator.fill('#announcement-title-en', 'Maintenance tonight');
  await operator.fill('#announcement-body-nl', 'Licentia is even onbereikbaar.');
  await operator.fill('#announcement-body-fr', 'Licentia sera brièvement indisponible.');
  await operator.fill('#announcement-body-en', 'Licentia will be briefly unavailable.');
  await operator.click('#post-announcement');
  await operator.locator('#announcement-table tr[data-announcement="Maintenance tonight"]').waitFor();
  assert.deepEqual(await seriousViolations(operator), [], 'operator announcements accessibility');
  await operator.screenshot({ path: join(screenshots, 'operator-announcements-en.png'), fullPage: true });
  await operatorContext.close();

  // The newcomer: the bell counts it; opening it and opting in shows the banner.
  await page.reload();
  await hydrated(page);
  assert.equal(await page.locator('#announcements-bell').getAttribute('aria-label'), 'Announcements (1)');
  await page.locator('#announcements-bell').focus();
  await page.keyboard.press('Enter');
  await page.locator('#announcements-panel', { hasText: 'Maintenance tonight' }).waitFor();
  await page.locator('#updates-opt-in').focus();
  await page.keyboard.press('Enter');
  await page.locator('#announcements .announce-maintenance', { hasText: 'Maintenance tonight' }).waitFor();
  // The profile shows the choice.
  assert.equal(await page.locator('#updates-choice input[value="inform"]').isChecked(), true);
  await page.reload();
  await hydrated(page);
  assert.equal(await page.locator('#updates-choice input[value="inform"]').isChecked(), true);
  assert.deepEqual(await seriousViolations(page), [], 'profile with a banner accessibility');
  await page.screenshot({ path: join(screenshots, 'announcement-banner-en.png'), fullPage: true });
  // The director, who wanted updates, sees the banner too.
  await admin.goto(`${server.url}/`);
  await hydrated(admin);
  await admin.locator('#announcements .announce-maintenance').waitFor();
  await context.close();
  await adminContext.close();
});

// Federation with attribute mapping, end to end in real Chromium against the real OpenID
// provider (scripts/start-oidc.sh), asked for its `federation` scope: the director gives De
// Klimop its institution number, sets up a federation by keyboard (ECK iD, creation, the
// institution number and class attributes, staff → licence manager), previews a teacher's
// attributes, and hands out the sign-in link. A new teacher signs in with it and is created at
// De Klimop with the role (in Dutch); a pupil of an unknown school is refused with the reason
// (in French, on a phone). axe on the panel with the editor and the preview open.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startServer, startBrowser, seriousViolations, hydrated, screenshots } from './support.mjs';

let server;
let browser;
const issuer = process.env.LICENTIA_TEST_OIDC_GOOGLE;

before(async () => {
  if (!issuer) return;
  // The test provider is on this machine, which the server must be told to allow.
  server = await startServer({ env: { LICENTIA_ALLOW_LOOPBACK: '1' } });
  browser = await startBrowser();
});

after(async () => {
  await browser?.close();
  server?.stop();
});

/** At the provider's sign-in form, signs in as `account`. */
async function atProvider(page, account) {
  await page.waitForURL((url) => url.pathname.startsWith('/interaction/'), { waitUntil: 'commit' });
  await page.fill('#login', account);
  await page.press('#login', 'Enter');
}

test('set up a federation, sign a new teacher in with it, refuse a pupil of an unknown school', { skip: !issuer && 'no test OpenID provider' }, async () => {
  const context = await browser.newContext({ locale: 'en-GB', viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${server.url}/login?next=/admin`);
  await hydrated(page);
  await page.fill('#username', 'directeur');
  await page.fill('#password', 'Horizon-2026');
  await page.press('#password', 'Enter');
  await page.waitForURL((url) => url.pathname === '/admin');
  await hydrated(page);

  // De Klimop's institution number (its BRIN), as the federation will send it.
  await page.click('a[data-site="De Klimop"]');
  await page.locator('#site-info-title', { hasText: 'De Klimop' }).waitFor();
  await page.fill('#site-institution', '06AB');
  await page.press('#site-institution', 'Enter');
  await page.locator('.status-visible').waitFor();

  // The panel is on the organisation's root.
  await page.click(`a[data-site="Scholengroep Horizon"]`);
  await page.locator('#toggle-federations').waitFor();
  await page.click('#toggle-federations');
  await page.locator('#no-federations').waitFor();
  await page.focus('#add-federation');
  await page.keyboard.press('Enter');
  await page.locator('#federation-form').waitFor();
  // By keyboard: each field in turn.
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'federation-name');
  await page.keyboard.type('Entree Federatie');
  await page.keyboard.press('Tab');
  await page.keyboard.type(issuer);
  await page.keyboard.press('Tab');
  await page.keyboard.type('licentia');
  await page.keyboard.press('Tab');
  await page.keyboard.type('licentia-test-secret');
  await page.keyboard.press('Tab');
  await page.keyboard.type('federation');
  await page.selectOption('#federation-identify-by', 'eck_id');
  assert.equal(await page.getAttribute('#federation-identifier-claim', 'placeholder'), 'eckid');
  await page.focus('#federation-create-users');
  await page.keyboard.press('Space');
  await page.fill('#federation-site-claim', 'nlEduPersonHomeOrganizationId');
  await page.fill('#federation-class-claim', 'class');
  await page.focus('#add-federation-rule');
  await page.keyboard.press('Enter');
  const rule = page.locator('.federation-rule').first();
  await rule.locator('.rule-claim').waitFor();
  assert.equal(await rule.locator('.rule-claim').inputValue(), 'eduPersonAffiliation');
  await rule.locator('.rule-value').fill('employee');
  await rule.locator('.rule-role').selectOption({ label: 'Licence manager' });
  assert.deepEqual(await seriousViolations(page), [], 'federation editor accessibility');
  await page.screenshot({ path: join(screenshots, 'federation-editor-en.png'), fullPage: true });
  await page.focus('#save-federation');
  await page.keyboard.press('Enter');
  const row = page.locator('li.federation', { hasText: 'Entree Federatie' });
  await row.waitFor();
  assert.match(await page.locator('.status-visible').innerText(), /Federation saved/);
  const link = await row.locator('.federation-link').inputValue();
  assert.match(link, new RegExp(`^${server.url}/auth/federation/[0-9a-f-]{36}$`));

  // The preview: a teacher of De Klimop would be created there, as licence manager.
  await row.locator('summary').click();
  await row.locator('.federation-sample').fill(JSON.stringify({
    sub: 'x', eckid: 'eck-preview', nlEduPersonHomeOrganizationId: '06ab',
    eduPersonAffiliation: ['member', 'employee'],
  }));
  await row.locator('.preview-federation').click();
  const result = row.locator('.federation-preview-result');
  await result.waitFor();
  assert.match(await result.innerText(), /Identified as eck-preview/);
  assert.match(await result.locator('.preview-creates').innerText(), /De Klimop/);
  assert.match(await result.locator('.preview-roles').innerText(), /Licence manager/);
  // An unknown school: the reason the sign-in would be refused.
  await row.locator('.federation-sample').fill('{"eckid": "eck-x", "nlEduPersonHomeOrganizationId": "99ZZ"}');
  await row.locator('.preview-federation').click();
  await row.locator('.preview-refusal').waitFor();
  assert.match(await row.locator('.preview-refusal').innerText(), /not known here/);
  assert.deepEqual(await seriousViolations(page), [], 'federation list and preview accessibility');
  await page.screenshot({ path: join(screenshots, 'federation-preview-en.png'), fullPage: true });

  // A new teacher uses the link (Dutch browser): created at De Klimop, signed in.
  const teacherContext = await browser.newContext({ locale: 'nl-BE', viewport: { width: 1280, height: 900 } });
  const teacher = await teacherContext.newPage();
  const eck = `eck-${Date.now()}`;
  await teacher.goto(link);
  await atProvider(teacher, `teacher-${eck};eckid=${eck};nlEduPersonHomeOrganizationId=06AB;eduPersonAffiliation=employee;given_name=Jan;family_name=De Smet;email=${eck}@klimop.example`);
  await teacher.waitForURL((url) => url.origin === server.url && url.pathname === '/');
  await hydrated(teacher);
  assert.match(await teacher.locator('header').innerText(), /Jan De Smet|Jan/);
  await teacher.screenshot({ path: join(screenshots, 'federation-teacher-signed-in-nl.png'), fullPage: true });
  await teacherContext.close();
  // The director sees the new teacher in De Klimop, with the role.
  await page.click('a[data-site="De Klimop"]');
  await page.locator(`tr[data-username="${eck}@klimop.example"]`).waitFor();

  // A pupil of a school nobody set up (French, phone): the reason, no session.
  const pupilContext = await browser.newContext({ locale: 'fr-BE', viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  const pupil = await pupilContext.newPage();
  await pupil.goto(link);
  await atProvider(pupil, `pupil-${eck};eckid=p-${eck};nlEduPersonHomeOrganizationId=99ZZ;eduPersonAffiliation=student`);
  await pupil.waitForURL(/\/login\?sso_error=federation_no_site/);
  await hydrated(pupil);
  assert.match(await pupil.locator('.alert-error').innerText(), /Votre école n’est pas connue ici/);
  assert.deepEqual(await seriousViolations(pupil), [], 'refused sign-in accessibility (phone, French)');
  await pupil.screenshot({ path: join(screenshots, 'federation-refused-fr.png'), fullPage: true });
  await pupilContext.close();
  await context.close();
});

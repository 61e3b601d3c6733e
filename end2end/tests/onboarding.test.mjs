// Getting in, end to end in real Chromium with mail through a real SMTP server on loopback:
// an operator sells a subscription and a school signs up with its serial; pupils register with
// a code in each of the three flows; an invitation; a password reset; throttling. Every link
// is taken from the mail as received. Several languages across the set; axe-core on each page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import {
  startServer, startBrowser, startMailSink, waitForMail, licentiaCli, seriousViolations, hydrated,
  laterIfAsked, screenshots,
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

async function newPage(locale) {
  const context = await browser.newContext({ locale, viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  return page;
}

async function signIn(page, username, password, next = '/admin') {
  await page.goto(`${server.url}/login?next=${encodeURIComponent(next)}`);
  await hydrated(page);
  await page.fill('#username', username);
  await page.fill('#password', password);
  await page.press('#password', 'Enter');
}

/** The link in a mail that leads to `path`, on this server. */
function linkTo(mail, path) {
  const link = mail.links.find((l) => l.includes(path));
  assert.ok(link, `no ${path} link in ${mail.text}`);
  return link;
}

async function errorCode(page) {
  const alert = page.locator('.alert-error').first();
  await alert.waitFor();
  return { code: await alert.getAttribute('data-code'), text: await alert.innerText() };
}

async function axeClean(page, what) {
  assert.deepEqual(await seriousViolations(page), [], `${what} accessibility`);
}

test('an operator sells a subscription and a school signs up with its serial', async () => {
  await licentiaCli(server, ['operator', 'create', '--username', 'olga', '--first-name', 'Olga',
    '--last-name', 'Operator', '--email', 'olga@licentia.example'], { LICENTIA_OPERATOR_PASSWORD: 'Operator-2026' });

  const operator = await newPage('nl-BE');
  await signIn(operator, 'olga', 'Operator-2026', '/operator');
  await laterIfAsked(operator);
  await operator.waitForURL(/\/operator/);
  await hydrated(operator);
  await operator.click('#operator-nav-subscriptions');
  await operator.waitForURL(/\/operator\/subscriptions/);
  await hydrated(operator);
  await operator.fill('#sub-serial', '2468-1357');
  await operator.fill('#sub-seats', '12');
  await operator.fill('#sub-from', '2026-09-01');
  await operator.fill('#sub-until', '2099-08-31');
  await operator.fill('#sub-email', 'koop@linde.example');
  await operator.selectOption('#sub-locale', 'fr');
  await operator.click('#create-subscription');
  await operator.locator('#subscriptions td', { hasText: '24681357' }).waitFor();
  const confirmation = await waitForMail(sink, 'koop@linde.example', /Votre abonnement Licentia 24681357/);
  assert.match(confirmation.text, /Places: 12/);
  assert.ok(linkTo(confirmation, '/signup?serial=24681357'));
  await operator.click('#operator-nav-outbox');
  await operator.waitForURL(/\/operator\/outbox/);
  await hydrated(operator);
  await operator.click('#refresh-outbox');
  await operator.locator('#outbox tr', { hasText: 'koop@linde.example' }).locator('.pill-done').waitFor();
  await axeClean(operator, 'operator page');
  await operator.screenshot({ path: join(screenshots, 'operator-nl.png'), fullPage: true });

  // The school's administrator: sign-in page → Create → Serial number → form → mail → link.
  const page = await newPage('nl-BE');
  await page.goto(`${server.url}/login`);
  await hydrated(page);
  await page.click('#signup-link');
  await page.waitForURL(/\/signup/);
  await hydrated(page);
  await axeClean(page, 'sign-up choice');
  await page.click('#choose-serial');
  await page.fill('#serial', '24681357');
  await page.press('#serial', 'Enter');
  await page.locator('#serial-accepted', { hasText: '12 plaatsen' }).waitFor();
  await page.fill('#organisation', 'Basisschool De Linde');
  await page.fill('#first-name', 'Els');
  await page.fill('#last-name', 'Maes');
  await page.fill('#email', 'els@linde.example');
  await page.fill('#username', 'els.maes');
  await page.fill('#password', 'wachtwoord');
  await page.focus('#privacy');
  await page.keyboard.press('Space');
  await axeClean(page, 'sign-up form');
  await page.screenshot({ path: join(screenshots, 'signup-nl.png'), fullPage: true });
  await page.click('#create-account');
  const weak = await errorCode(page);
  assert.equal(weak.code, 'password_weak');
  assert.match(weak.text, /te makkelijk te raden/);
  await page.fill('#password', 'Linde-bomen-2027');
  await page.click('#create-account');
  await page.locator('#signup-done').waitFor();

  const verify = await waitForMail(sink, 'els@linde.example', /Bevestig je e-mailadres/);
  await page.goto(linkTo(verify, '/verify?token='));
  await hydrated(page);
  await axeClean(page, 'verify page');
  await page.click('#confirm-email');
  await page.locator('#verified', { hasText: 'els.maes' }).waitFor();

  await signIn(page, 'els.maes', 'Linde-bomen-2027');
  await page.waitForURL(/\/admin/);
  await hydrated(page);
  await page.locator('#site-info-title', { hasText: 'Basisschool De Linde' }).waitFor();
  assert.equal(await page.locator('#site-seat-count').innerText(), '1/12');

  // The serial is claimed once.
  const again = await newPage('nl-BE');
  await again.goto(`${server.url}/signup?serial=24681357`);
  await hydrated(again);
  await again.click('#serial-next');
  const claimed = await errorCode(again);
  assert.equal(claimed.code, 'serial_claimed');
  assert.match(claimed.text, /al een account aangemaakt/);
});

/** The director sets De Klimop's registration code and flow in the site form. */
async function setKlimopFlow(admin, flow) {
  await admin.goto(`${server.url}/admin`);
  await hydrated(admin);
  await admin.click('a[data-site="De Klimop"]');
  await admin.locator('#site-info-title', { hasText: 'De Klimop' }).waitFor();
  await admin.fill('#site-code', 'KLIMOP-2026');
  await admin.selectOption('#site-flow', flow);
  await admin.click('#save-site');
  await admin.locator('.status-visible').waitFor();
}

async function registerWithCode(page, { username, email, first }) {
  await page.goto(`${server.url}/register`);
  await hydrated(page);
  await page.fill('#code', 'klimop-2026');
  await page.press('#code', 'Enter');
  await page.locator('#code-accepted', { hasText: 'De Klimop' }).waitFor();
  await page.fill('#first-name', first);
  await page.fill('#last-name', 'Leerling');
  if (email) await page.fill('#email', email);
  await page.fill('#username', username);
  await page.fill('#password', 'Zonnebloem-42');
  await page.click('#register');
  await page.locator('#registered').waitFor();
  return page.locator('#registered').innerText();
}

test('pupils register with a code: at once, after verification, after approval', async () => {
  const admin = await newPage('nl-BE');
  await signIn(admin, 'directeur', 'Horizon-2026');
  await admin.waitForURL(/\/admin/);

  // An unknown code says so.
  const stranger = await newPage('en-GB');
  await stranger.goto(`${server.url}/register?code=NOPE-1234`);
  await hydrated(stranger);
  await stranger.click('#code-next');
  assert.equal((await errorCode(stranger)).code, 'registration_code_unknown');

  // Active at once (English).
  await setKlimopFlow(admin, 'immediate');
  const noor = await newPage('en-GB');
  assert.match(await registerWithCode(noor, { username: 'noor', first: 'Noor' }), /You can sign in now/);
  await noor.screenshot({ path: join(screenshots, 'register-en.png'), fullPage: true });
  await signIn(noor, 'noor', 'Zonnebloem-42', '/');
  await noor.locator('#sign-out').waitFor();

  // After e-mail verification (French).
  await setKlimopFlow(admin, 'verify');
  const vera = await newPage('fr-BE');
  assert.match(await registerWithCode(vera, { username: 'vera', first: 'Vera', email: 'vera@mail.example' }),
    /confirmez votre adresse/);
  await signIn(vera, 'vera', 'Zonnebloem-42', '/');
  assert.equal((await errorCode(vera)).code, 'email_not_verified');
  const verify = await waitForMail(sink, 'vera@mail.example', /Confirmez votre adresse e-mail/);
  await vera.goto(linkTo(verify, '/verify?token='));
  await hydrated(vera);
  await vera.click('#confirm-email');
  await vera.locator('#verified').waitFor();
  await signIn(vera, 'vera', 'Zonnebloem-42', '/');
  await vera.locator('#sign-out').waitFor();

  // After approval (English); the administrator approves from the site's queue.
  await setKlimopFlow(admin, 'approval');
  const arno = await newPage('en-GB');
  assert.match(await registerWithCode(arno, { username: 'arno', first: 'Arno', email: 'arno@mail.example' }),
    /administrator will review/);
  await signIn(arno, 'arno', 'Zonnebloem-42', '/');
  assert.equal((await errorCode(arno)).code, 'awaiting_approval');

  await admin.reload();
  await hydrated(admin);
  const row = admin.locator('#approvals li[data-username="arno"]');
  await row.waitFor();
  await axeClean(admin, 'administrator page with the approval queue');
  await admin.screenshot({ path: join(screenshots, 'approvals-nl.png'), fullPage: true });
  await row.locator('.approve').focus();
  await admin.keyboard.press('Enter');
  await admin.locator('#approvals').waitFor({ state: 'detached' });
  await waitForMail(sink, 'arno@mail.example', /Your registration has been approved/);
  await signIn(arno, 'arno', 'Zonnebloem-42', '/');
  await arno.locator('#sign-out').waitFor();

  // De Klimop (3 seats) is full now.
  const late = await newPage('en-GB');
  await late.goto(`${server.url}/register?code=KLIMOP-2026`);
  await hydrated(late);
  await late.click('#code-next');
  const full = await errorCode(late);
  assert.equal(full.code, 'site_full');
  assert.match(full.text, /no free seat/);
});

test('an invitation by mail, a password reset, and throttled guessing', async () => {
  const admin = await newPage('nl-BE');
  await signIn(admin, 'directeur', 'Horizon-2026');
  await admin.waitForURL(/\/admin/);
  await hydrated(admin);
  await admin.click('#add-user');
  await admin.fill('#new-username', 'jonas.wouters');
  await admin.fill('#new-first-name', 'Jonas');
  await admin.fill('#new-last-name', 'Wouters');
  await admin.focus('#new-invite');
  await admin.keyboard.press('Space');
  await admin.fill('#new-email', 'jonas@horizon.example');
  await admin.screenshot({ path: join(screenshots, 'invite-nl.png'), fullPage: true });
  await admin.press('#new-email', 'Enter');
  await admin.locator('tr[data-username="jonas.wouters"]').waitFor();

  const invitation = await waitForMail(sink, 'jonas@horizon.example', /Je bent uitgenodigd voor Licentia/);
  const jonas = await newPage('nl-BE');
  await jonas.goto(linkTo(invitation, '/password/set?token='));
  await hydrated(jonas);
  await jonas.locator('#password-for', { hasText: 'jonas.wouters' }).waitFor();
  await axeClean(jonas, 'set-password page');
  await jonas.fill('#new-password', 'Mijn-eigen-keuze-1');
  await jonas.fill('#confirm-password', 'Mijn-eigen-keuze-1');
  await jonas.click('#save-password');
  await jonas.locator('#password-set').waitFor();
  await signIn(jonas, 'jonas.wouters', 'Mijn-eigen-keuze-1', '/');
  await jonas.locator('#sign-out').waitFor();

  // An initial password to change at first sign-in: every page leads to the change first.
  if (!(await admin.locator('#new-username').isVisible())) await admin.click('#add-user');
  await admin.fill('#new-username', 'tijs.peeters');
  await admin.fill('#new-first-name', 'Tijs');
  await admin.fill('#new-last-name', 'Peeters');
  await admin.fill('#new-password', 'Tijdelijk-2026');
  await admin.focus('#new-must-change');
  await admin.keyboard.press('Space');
  await admin.press('#new-password', 'Enter');
  await admin.locator('tr[data-username="tijs.peeters"]').waitFor();
  const tijs = await newPage('en-GB');
  await signIn(tijs, 'tijs.peeters', 'Tijdelijk-2026', '/');
  await tijs.waitForURL(/\/password\/change/);
  await hydrated(tijs);
  await tijs.goto(`${server.url}/`);
  await tijs.waitForURL(/\/password\/change/);
  await hydrated(tijs);
  await axeClean(tijs, 'change-password page');
  await tijs.fill('#current-password', 'Tijdelijk-2026');
  await tijs.fill('#new-password', 'Eigen-keuze-2026');
  await tijs.fill('#confirm-password', 'Eigen-keuze-2026');
  await tijs.click('#save-password');
  await tijs.locator('#sign-out').waitFor();
  assert.ok(!tijs.url().includes('/password/change'));

  // A reset in French: same answer for anyone, the mail's link works once.
  const forgot = await newPage('fr-BE');
  await forgot.goto(`${server.url}/login`);
  await hydrated(forgot);
  await forgot.click('#forgot-link');
  await forgot.waitForURL(/\/password\/forgot/);
  await hydrated(forgot);
  await axeClean(forgot, 'forgotten-password page');
  await forgot.fill('#login', 'directeur');
  await forgot.press('#login', 'Enter');
  await forgot.locator('#reset-requested').waitFor();
  const reset = await waitForMail(sink, 'directeur@horizon.example', /Réinitialisez votre mot de passe/);
  const link = linkTo(reset, '/password/set?token=');
  await forgot.goto(link);
  await hydrated(forgot);
  await forgot.fill('#new-password', 'Nouveau-depart-8');
  await forgot.fill('#confirm-password', 'Nouveau-depart-8');
  await forgot.click('#save-password');
  await forgot.locator('#password-set').waitFor();
  await forgot.screenshot({ path: join(screenshots, 'password-set-fr.png'), fullPage: true });
  await forgot.goto(link);
  await hydrated(forgot);
  const used = await errorCode(forgot);
  assert.equal(used.code, 'link_used');
  assert.match(used.text, /déjà été utilisé/);
  await signIn(forgot, 'directeur', 'Nouveau-depart-8');
  await forgot.waitForURL(/\/admin/);

  // Guessing: after five failures the account waits, and the page says for how long.
  const guesser = await newPage('nl-BE');
  await guesser.goto(`${server.url}/login`);
  await hydrated(guesser);
  for (let i = 0; i < 5; i++) {
    await guesser.fill('#username', 'jonas.wouters');
    await guesser.fill('#password', `fout-${i}`);
    const answered = guesser.waitForResponse((r) => r.url().endsWith('/api/login'));
    await guesser.press('#password', 'Enter');
    assert.equal((await answered).status(), 422);
  }
  await guesser.fill('#password', 'Mijn-eigen-keuze-1');
  await guesser.press('#password', 'Enter');
  const throttled = guesser.locator('.alert-error[data-code="too_many_attempts"]');
  await throttled.waitFor();
  assert.match(await throttled.innerText(), /Probeer opnieuw over \d+ seconden/);
});

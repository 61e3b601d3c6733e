// Starts the real server on a fresh SQLite database and a free port, and Debian's Chromium.
import { spawn as spawnChild } from 'node:child_process';
import { afterEach } from 'node:test';
import { mkdtempSync, readFileSync, mkdirSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import net from 'node:net';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));

/**
 * Every process a test file starts (server, mail sink, command line) is stopped when the file's
 * process ends, however it ends: a failed hook must not leave a server that keeps the test
 * runner waiting (package.json runs node with --test-force-exit and a per-test timeout).
 */
const children = new Set();
function spawn(...args) {
  const child = spawnChild(...args);
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}
process.on('exit', () => {
  for (const child of children) {
    try { child.kill('SIGKILL'); } catch { /* already gone */ }
  }
});

export const root = join(here, '..', '..');
export const screenshots = join(root, 'end2end', 'screenshots');
mkdirSync(screenshots, { recursive: true });

async function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

async function waitForPort(port, child, log) {
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`server exited: ${log()}`);
    const ok = await new Promise((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => { s.end(); resolve(true); });
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`server did not listen: ${log()}`);
}

/**
 * Starts the real SMTP server for the tests (scripts/mail-sink.py, aiosmtpd) on a free port;
 * every mail it receives becomes a file in `dir`.
 */
export async function startMailSink() {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'licentia-mail-'));
  const child = spawn('/usr/bin/python3', [join(root, 'scripts', 'mail-sink.py'), '--port', String(port), '--dir', dir],
    { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise((resolve, reject) => {
    child.stdout.once('data', (d) => (String(d).includes('ready') ? resolve() : reject(new Error(String(d)))));
    child.once('exit', (code) => reject(new Error(`mail sink exited ${code}`)));
  });
  return { port, dir, stop: () => child.kill('SIGTERM') };
}

function decodeWords(text) {
  return text.replace(/=\?utf-8\?([bq])\?([^?]*)\?=/gi, (_, kind, data) => (kind.toLowerCase() === 'b'
    ? Buffer.from(data, 'base64').toString('utf8')
    : Buffer.from(data.replace(/_/g, ' ').replace(/=([0-9A-F]{2})/gi, (m, h) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8')));
}

function unquote(body) {
  const bytes = body.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/gi, (_, h) => String.fromCharCode(parseInt(h, 16)));
  return Buffer.from(bytes, 'latin1').toString('utf8');
}

/** The mails the sink received, parsed: to, subject, text (all parts, decoded), links. */
export function receivedMails(sink) {
  return readdirSync(sink.dir).filter((f) => f.endsWith('.eml') && !f.startsWith('.')).sort().map((f) => {
    const raw = readFileSync(join(sink.dir, f), 'latin1');
    const split = raw.indexOf('\r\n\r\n');
    const head = raw.slice(0, split).replace(/\r\n[ \t]+/g, ' ');
    const header = (name) => (head.match(new RegExp(`^${name}: (.*)$`, 'mi')) || [])[1] || '';
    const text = unquote(raw.slice(split + 4));
    return {
      to: header('X-Envelope-To'),
      subject: decodeWords(header('Subject')),
      text,
      links: [...new Set(text.match(/https?:\/\/[^\s"<>]+/g) || [])],
    };
  });
}

/** Waits for a mail to `to` whose subject matches, and returns it. */
export async function waitForMail(sink, to, subject) {
  for (let i = 0; i < 200; i++) {
    const found = receivedMails(sink).filter((m) => m.to === to && (!subject || subject.test(m.subject)));
    if (found.length) return found[found.length - 1];
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no mail to ${to} matching ${subject}: ${JSON.stringify(receivedMails(sink).map((m) => [m.to, m.subject]))}`);
}

/** Runs the licentia command line against the test server's database. */
export function licentiaCli(server, args, env = {}) {
  const bin = process.env.LICENTIA_BIN || join(root, 'target', 'debug', 'licentia');
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, {
      cwd: root,
      env: { ...process.env, LICENTIA_DATABASE_URL: server.databaseUrl, RUST_LOG: 'warn', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { out += d; });
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`licentia ${args.join(' ')}: ${out}`))));
  });
}

/**
 * The test OpenID provider's two issuers (scripts/start-oidc.sh) as Licentia's Google and
 * Microsoft, when the environment names them.
 */
function ssoEnv() {
  const env = {};
  for (const [key, variable] of [['GOOGLE', 'LICENTIA_TEST_OIDC_GOOGLE'], ['MICROSOFT', 'LICENTIA_TEST_OIDC_MICROSOFT']]) {
    if (!process.env[variable]) continue;
    env[`LICENTIA_SSO_${key}_ISSUER`] = process.env[variable];
    env[`LICENTIA_SSO_${key}_CLIENT_ID`] = 'licentia';
    env[`LICENTIA_SSO_${key}_CLIENT_SECRET`] = 'licentia-test-secret';
  }
  return env;
}

/**
 * Starts the server on a free port. `host`: the name the browser uses for it (`localhost` where
 * a test needs a domain name: passkeys are bound to one, never to an IP number); it listens on
 * 127.0.0.1 either way.
 */
export async function startServer({ mailSink, sso, env = {}, host = '127.0.0.1' } = {}) {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'licentia-e2e-'));
  const bin = process.env.LICENTIA_BIN || join(root, 'target', 'debug', 'licentia');
  let output = '';
  const child = spawn(bin, ['serve'], {
    cwd: root,
    env: {
      ...process.env,
      LICENTIA_DATABASE_URL: `sqlite://${join(dir, 'licentia.db')}`,
      LEPTOS_OUTPUT_NAME: 'licentia',
      LEPTOS_SITE_ROOT: join(root, 'target', 'site'),
      LEPTOS_SITE_PKG_DIR: 'pkg',
      LEPTOS_SITE_ADDR: `127.0.0.1:${port}`,
      RUST_LOG: 'warn',
      LICENTIA_PUBLIC_URL: `http://${host}:${port}`,
      LICENTIA_OUTBOX_DIR: join(dir, 'outbox'),
      LICENTIA_JOB_POLL_MS: '200',
      ...(mailSink ? { LICENTIA_SMTP_URL: `smtp://127.0.0.1:${mailSink.port}` } : {}),
      ...(sso ? ssoEnv() : {}),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (d) => { output += d; });
  child.stderr.on('data', (d) => { output += d; });
  await waitForPort(port, child, () => output);
  return {
    url: `http://${host}:${port}`,
    databaseUrl: `sqlite://${join(dir, 'licentia.db')}`,
    stop: () => child.kill('SIGTERM'),
    log: () => output,
  };
}

/**
 * Console messages a test may cause without failing: a server function's refusal (wrong
 * password, a form error) is an HTTP 4xx, which Chromium logs as a failed resource load.
 * Everything else logged as an error or a warning (a Content-Security-Policy violation, a
 * panic of the wasm, a reactive value read after disposal or outside a reactive context, an
 * uncaught exception) fails the test during which it happened: one hook here, for every test
 * of every file, so that no test can forget it.
 */
const expectedConsoleError = /^Failed to load resource: the server responded with a status of 4\d\d/;

/** What the browser reported since the last check, for every context of every browser. */
const browserErrors = [];

/** Records the console errors and warnings and the uncaught errors of every page of `context`. */
function watchConsole(context) {
  const errors = [];
  context.on('console', (message) => {
    const type = message.type();
    if ((type === 'error' && !expectedConsoleError.test(message.text())) || type === 'warning') {
      const line = `${type}: ${message.text()} (${message.location().url || 'no url'})`;
      errors.push(line);
      browserErrors.push(line);
    }
  });
  context.on('weberror', (error) => {
    const line = `uncaught: ${String(error.error())}`;
    errors.push(line);
    browserErrors.push(line);
  });
  // For a test that provokes an error on purpose: takes what was recorded so far, so that it
  // does not fail the test (security.test.mjs).
  context.takeConsoleErrors = () => {
    const taken = errors.splice(0);
    for (const e of taken) {
      const at = browserErrors.indexOf(e);
      if (at >= 0) browserErrors.splice(at, 1);
    }
    return taken;
  };
  context.countConsoleErrors = () => errors.length;
  return context;
}

afterEach(() => {
  const seen = browserErrors.splice(0);
  if (seen.length) throw new Error(`errors in the browser console:\n${seen.join('\n')}`);
});

export async function startBrowser() {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--disable-dev-shm-usage'],
  });
  const newContext = browser.newContext.bind(browser);
  browser.newContext = async (...args) => watchConsole(await newContext(...args));
  browser.newPage = async (...args) => (await browser.newContext(...args)).newPage();
  return browser;
}

const axeSource = readFileSync(join(root, 'end2end', 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');

/**
 * Runs axe-core (WCAG 2.1 A/AA rules) and returns the serious and critical violations. `cdp`:
 * the page's own DevTools session, where it has one (detaching a session of the page ends its
 * virtual authenticators).
 */
export async function seriousViolations(page, cdp = null) {
  // Evaluated through the DevTools protocol: the page's Content-Security-Policy (rightly)
  // refuses inline scripts, and axe is no part of the page.
  const session = cdp ?? await page.context().newCDPSession(page);
  await session.send('Runtime.evaluate', { expression: axeSource });
  if (!cdp) await session.detach();
  const result = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    return await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
  });
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}

/**
 * After a password: operators always need a second factor, so an operator without one is asked
 * to set it up at each sign-in of their grace period; the tests that are not about it choose
 * "later". Waits until the browser has left the sign-in page, then goes on past the set-up page
 * if it is there.
 */
export async function laterIfAsked(page) {
  await page.waitForURL((url) => url.pathname !== '/login');
  if (new URL(page.url()).pathname !== '/login/second-factor/setup') return;
  await hydrated(page);
  await page.locator('#setup-later').click();
  await page.waitForURL((url) => url.pathname !== '/login/second-factor/setup');
}

/** Waits until the page is hydrated (the wasm has attached its handlers). */
/**
 * Opens `path` (a page that needs sign-in), signs in on the sign-in page it leads to, and waits
 * for `path` itself (the sign-in page's address ends in `next=path` too), hydrated.
 */
export async function signInAt(page, server, path, username = 'directeur', password = 'Horizon-2026') {
  await page.goto(`${server.url}${path}`);
  await hydrated(page);
  await page.fill('#username', username);
  await page.fill('#password', password);
  await page.press('#password', 'Enter');
  await page.waitForURL((url) => url.pathname === path);
  await hydrated(page);
}

export async function hydrated(page) {
  await page.waitForFunction(() => window.__licentia_hydrated === true || !!document.querySelector('body[data-hydrated]'), null, { timeout: 20000 });
}

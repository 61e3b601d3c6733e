// Starts the real server on a fresh SQLite database and a free port, and Debian's Chromium.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import net from 'node:net';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
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

export async function startServer() {
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
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (d) => { output += d; });
  child.stderr.on('data', (d) => { output += d; });
  await waitForPort(port, child, () => output);
  return { url: `http://127.0.0.1:${port}`, stop: () => child.kill('SIGTERM'), log: () => output };
}

export async function startBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--disable-dev-shm-usage'],
  });
}

const axeSource = readFileSync(join(root, 'end2end', 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');

/** Runs axe-core (WCAG 2.1 A/AA rules) and returns the serious and critical violations. */
export async function seriousViolations(page) {
  await page.addScriptTag({ content: axeSource });
  const result = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    return await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
  });
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}

/** Waits until the page is hydrated (the wasm has attached its handlers). */
export async function hydrated(page) {
  await page.waitForFunction(() => window.__licentia_hydrated === true || !!document.querySelector('body[data-hydrated]'), null, { timeout: 20000 });
}

// The weight of the first administrator page: a fresh browser (empty cache) signed in as the
// demo administrator opens /admin; every response it needed (HTML, JS, wasm chunks, CSS, data)
// is compressed with brotli at quality 11, as nginx serves the precompressed /pkg files.
// Usage (after scripts/release.sh): LICENTIA_BIN=$PWD/target/release/licentia node end2end/page-weight.mjs
// (LIST=1 also prints every path the administrator page fetched).
import { brotliCompressSync, constants } from 'node:zlib';
import { startServer, startBrowser, hydrated } from './tests/support.mjs';

const server = await startServer();
const browser = await startBrowser();
try {
  const login = await browser.newContext();
  const page = await login.newPage();
  await page.goto(`${server.url}/login`);
  await hydrated(page);
  await page.fill('#username', 'directeur');
  await page.fill('#password', 'Horizon-2026');
  await page.press('#password', 'Enter');
  await page.waitForURL((url) => url.pathname === '/');
  const state = await login.storageState();
  await login.close();

  const context = await browser.newContext({ storageState: state });
  const admin = await context.newPage();
  const responses = [];
  admin.on('response', (response) => responses.push(response));
  await admin.goto(`${server.url}/admin`);
  await hydrated(admin);
  await admin.waitForLoadState('networkidle');
  const kinds = {};
  // The sign-in page too, in a fresh browser: the first page anyone sees.
  const stranger = await browser.newContext();
  const first = await stranger.newPage();
  let signInBytes = 0;
  first.on('response', async (response) => {
    const body = await response.body().catch(() => Buffer.alloc(0));
    signInBytes += brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
  });
  await first.goto(`${server.url}/login`);
  await hydrated(first);
  await first.waitForLoadState('networkidle');
  await stranger.close();
  let total = 0;
  for (const response of responses) {
    const body = await response.body().catch(() => Buffer.alloc(0));
    const compressed = brotliCompressSync(body, {
      params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: body.length },
    }).length;
    const path = new URL(response.url()).pathname;
    const kind = path.endsWith('.wasm') ? 'wasm' : path.endsWith('.js') ? 'js' : path.endsWith('.css') ? 'css'
      : path.startsWith('/api/') ? 'server functions' : path.endsWith('.json') ? 'json' : 'html and other';
    kinds[kind] ??= { files: 0, raw: 0, brotli: 0 };
    kinds[kind].files += 1;
    kinds[kind].raw += body.length;
    kinds[kind].brotli += compressed;
    total += compressed;
  }
  for (const [kind, k] of Object.entries(kinds)) {
    console.log(`${kind.padEnd(18)} ${String(k.files).padStart(4)} files ${String(k.raw).padStart(10)} B raw ${String(k.brotli).padStart(9)} B brotli`);
  }
  if (process.env.LIST) for (const r of responses) console.log(new URL(r.url()).pathname);
  console.log(`first administrator page: ${responses.length} responses, ${(total / 1000).toFixed(0)} KB with brotli`);
  console.log(`sign-in page (fresh browser): ${(signInBytes / 1000).toFixed(0)} KB with brotli`);
  await context.close();
} finally {
  await browser.close();
  server.stop();
}

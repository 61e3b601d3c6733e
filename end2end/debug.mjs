import { startServer, startBrowser, hydrated } from '/work/main/end2end/tests/support.mjs';
const server = await startServer();
const browser = await startBrowser();
const page = await browser.newPage();
page.on('pageerror', (e) => console.log('PAGEERROR', String(e)));
page.on('console', (m) => console.log('CONSOLE', m.text()));
for (const path of process.argv.slice(2)) {
  const res = await page.goto(`${server.url}${path}`);
  console.log(path, res.status());
  try { await hydrated(page); } catch (e) { console.log('not hydrated'); }
  console.log((await page.locator('main').innerHTML()).slice(0, 1500));
}
await browser.close(); server.stop();

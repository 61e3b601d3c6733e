// The server numbers a page's resources in the order it makes them, and the browser finds each
// one's data under the number it gives it while hydrating. A resource made inside a Suspend's
// content gets a number that depends on timing (the server may build that content more than
// once), the browser then misses its data, shows "Loading…" where the server showed the list and
// stops with a hydration error: the page is dead. This test loads every main page many times and
// requires the same numbers each time (it caught the administrator page: three patterns in 30
// loads). A page that makes its resources before any Suspend passes every time. It also
// requires that no part of a page is left for the browser to render (see `in_browser.rs`).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, startBrowser, hydrated, laterIfAsked, licentiaCli } from './support.mjs';

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

const LOADS = 12;

/** The numbers of the resources whose data the page's HTML carries, in order. */
function resourceIds(html) {
  const streamed = [...html.matchAll(/__RESOLVED_RESOURCES\[(\d+)\] = /g)].map((m) => Number(m[1]));
  const initial = html.match(/__RESOLVED_RESOURCES=\[([^\]]*)\]/);
  const count = initial ? initial[1].split('",').length - 1 : 0;
  const incomplete = (html.match(/__INCOMPLETE_CHUNKS=\[([^\]]*)\]/) || ['', ''])[1];
  return `initial ${count}; streamed ${[...streamed].sort((a, b) => a - b).join(',')}; incomplete ${incomplete}`;
}

async function signedIn(username, password) {
  const context = await browser.newContext({ locale: 'nl-BE' });
  const page = await context.newPage();
  await page.goto(`${server.url}/login`);
  await hydrated(page);
  await page.fill('#username', username);
  await page.fill('#password', password);
  await page.press('#password', 'Enter');
  await laterIfAsked(page);
  await page.waitForURL((url) => url.pathname === '/' || url.pathname === '/operator');
  return { context, page };
}

async function sameIdsEveryLoad(page, paths) {
  for (const path of paths) {
    const seen = new Set();
    // One at a time, then several at once: the server's timing varies most when it is busy (CI
    // found the profile's panels numbered by timing on a loaded machine, not here one by one).
    for (const together of [1, 4]) {
      for (let i = 0; i < LOADS; i += together) {
        const loads = Array.from({ length: together }, () => page.request.get(`${server.url}${path}`));
        for (const response of await Promise.all(loads)) {
          assert.equal(response.status(), 200, `${path} answers`);
          seen.add(resourceIds(await response.text()));
        }
      }
    }
    assert.equal(seen.size, 1, `${path} numbers its resources the same way on every load:\n${[...seen].join('\n')}`);
    // A part left for the browser to render: a LocalResource read while a Suspense rendered.
    // The server races that part's content against the notice and streams whichever wins, so
    // the browser may hydrate its fallback over the content (the profile's passkey button did).
    assert.match([...seen][0], /incomplete $/, `${path} leaves no part for the browser to render`);
  }
}

test('every page numbers its resources the same way on every load', async () => {
  const admin = await signedIn('directeur', 'Horizon-2026');
  await sameIdsEveryLoad(admin.page, ['/', '/admin', '/admin?all=1', '/admin/roles', '/admin/groups',
    '/admin/properties', '/admin/journal', '/admin/tokens', '/admin/webhooks', '/admin/import',
    '/admin/rollover', '/profile', '/developers', '/privacy']);
  await admin.context.close();

  await licentiaCli(server, ['operator', 'create', '--username', 'olga', '--first-name', 'Olga',
    '--last-name', 'Operator', '--email', 'olga@licentia.example'], { LICENTIA_OPERATOR_PASSWORD: 'Operator-2026' });
  const operator = await signedIn('olga', 'Operator-2026');
  await sameIdsEveryLoad(operator.page, ['/operator', '/operator?q=horizon&sort=expiry', '/operator/renewals',
    '/operator/subscriptions', '/operator/catalogue', '/operator/announcements', '/operator/inbox',
    '/operator/outbox', '/operator/insights', '/admin', '/admin/usage', '/profile']);
  await operator.context.close();
});

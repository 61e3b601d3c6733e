// The driver of the loopback cluster test; scripts/cluster/run.sh starts PostgreSQL, the
// three processes and nginx and passes their addresses in the environment. Node 20, no
// packages. Three parts, each reported; the exit status is 1 when any check failed.
//   a. seats:      100 free seats, 500 concurrent user creations through nginx: exactly 100
//                  created, 400 refused with `no_free_seat`, and the database agrees;
//   b. revocation: a token checked on every process, revoked through process 1, is refused
//                  by the others within CLUSTER_REVOKE_LIMIT_MS (100);
//   c. shutdown:   load through nginx (licence checks, pages, a server function) while
//                  process 2 gets SIGTERM: every answer 200, no connection error.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

const env = process.env;
const setting = (name, fallback) => Number(env[name] ?? fallback);
const proxy = env.CLUSTER_PROXY;
const processes = env.CLUSTER_PROCESSES.trim().split(/\s+/);
const pids = env.CLUSTER_PIDS.trim().split(/\s+/).map(Number);
const admin = { username: env.CLUSTER_ADMIN_USERNAME, password: env.CLUSTER_ADMIN_PASSWORD };
const readyPath = env.CLUSTER_READY_PATH ?? '/readyz';
const CREATIONS = setting('CLUSTER_CREATIONS', 500);
const SEATS = setting('CLUSTER_SEATS', 100);
const REVOKE_LIMIT_MS = setting('CLUSTER_REVOKE_LIMIT_MS', 100);
const REVOKE_POLL_MS = setting('CLUSTER_REVOKE_POLL_MS', 5);
const LOAD_SECONDS = setting('CLUSTER_LOAD_SECONDS', 10);
const LOAD_CONCURRENCY = setting('CLUSTER_LOAD_CONCURRENCY', 32);
const KILL_AT_MS = setting('CLUSTER_KILL_AT_MS', 3000);
const PRODUCT = 'reader';

const checks = [];
const report = {};
function check(name, ok, detail = '') {
  checks.push({ name, ok, detail });
  console.log(`[load] ${ok ? 'ok' : 'FAILED'}: ${name}${detail ? ` (${detail})` : ''}`);
}

/** A request; never throws: a connection error is status 0 with the error's text. */
async function send(url, { method = 'GET', headers = {}, body } = {}) {
  const started = performance.now();
  try {
    const response = await fetch(url, { method, headers, body, redirect: 'manual' });
    const text = await response.text();
    let json;
    try { json = JSON.parse(text); } catch { json = undefined; }
    return {
      status: response.status, json, text, ms: performance.now() - started,
      upstream: response.headers.get('x-upstream') ?? '',
      cookies: response.headers.getSetCookie(),
    };
  } catch (error) {
    return { status: 0, text: String(error.cause ?? error), ms: performance.now() - started, upstream: '', cookies: [] };
  }
}

/** A server function: POST /api/<name>, URL-encoded like the browser's forms, no Origin. */
function serverFn(base, name, fields, cookie) {
  return send(`${base}/api/${name}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
      ...(cookie ? { cookie } : {}),
    },
    body: new URLSearchParams(fields).toString(),
  });
}

/** The same, expecting 200: its JSON answer. */
async function serverFnOk(base, name, fields, cookie) {
  const answer = await serverFn(base, name, fields, cookie);
  if (answer.status !== 200) throw new Error(`${name}: ${answer.status} ${answer.text.slice(0, 300)}`);
  return answer.json;
}

const licence = (base, token, user) =>
  send(`${base}/api/v1/users/${user}/licence?product=${PRODUCT}`, { headers: { authorization: `Bearer ${token}` } });

function percentile(values, p) {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}
const fmt = (ms) => `${ms.toFixed(1)} ms`;
const count = (items) => items.reduce((m, k) => m.set(k, (m.get(k) ?? 0) + 1), new Map());
// X-Upstream (loopback nginx only) lists every process nginx tried: the last one answered.
const answeredBy = (answer) => answer.upstream.split(', ').pop();
const show = (map) => [...map].map(([k, v]) => `${k || '?'}: ${v}`).join(', ');

async function signIn() {
  const answer = await serverFn(proxy, 'login', { username: admin.username, password: admin.password, next: '/admin' });
  const cookie = answer.cookies.find((c) => c.startsWith('licentia_session='))?.split(';')[0];
  if (answer.status !== 200 || !cookie) throw new Error(`sign-in: ${answer.status} ${answer.text.slice(0, 200)}`);
  return cookie;
}

// --- a. seats ---------------------------------------------------------------------------------
async function seats(cookie) {
  const tree = await serverFnOk(proxy, 'site_tree', {}, cookie);
  const root = tree.find((node) => node.parent_id === null);
  // The subscription run.sh created (SEATS seats) makes room for a subsite of SEATS seats.
  await serverFnOk(proxy, 'add_subscription', { site: root.id, serial: env.CLUSTER_SERIAL }, cookie);
  const race = await serverFnOk(proxy, 'create_site',
    { parent: root.id, name: 'Cluster race', seat_limit: String(SEATS) }, cookie);
  const started = performance.now();
  const answers = await Promise.all(Array.from({ length: CREATIONS }, (_, i) =>
    serverFn(proxy, 'create_user', {
      site: race.id, username: `racer${i}`, first_name: 'Race', last_name: `Runner ${i}`, email: '',
    }, cookie)));
  const elapsed = performance.now() - started;
  const created = answers.filter((a) => a.status === 200).length;
  const refused = answers.filter((a) => a.status === 422 && a.json?.code === 'no_free_seat').length;
  const other = answers.filter((a) => a.status !== 200 && !(a.status === 422 && a.json?.code === 'no_free_seat'));
  const sql = `SELECT count(*) FROM users WHERE site_id = (SELECT id FROM sites WHERE name = 'Cluster race')`;
  const inDatabase = Number(execFileSync('psql', [env.CLUSTER_DATABASE_URL, '-Atc', sql], { encoding: 'utf8' }).trim());
  const details = await serverFnOk(proxy, 'site_details', { site: race.id }, cookie);
  report.seats = {
    creations: CREATIONS, seats: SEATS, created, refused, other: other.length, inDatabase,
    used: `${details.node.used_seats}/${details.node.seat_limit}`, ms: Math.round(elapsed),
    p99: percentile(answers.map((a) => a.ms), 99), byProcess: Object.fromEntries(count(answers.map(answeredBy))),
  };
  console.log(`[load] ${CREATIONS} creations in ${fmt(elapsed)}, by process: ${show(count(answers.map(answeredBy)))}`);
  check(`${SEATS} users created of ${CREATIONS}`, created === SEATS, `created ${created}`);
  check(`${CREATIONS - SEATS} refused with 422 no_free_seat`, refused === CREATIONS - SEATS, `refused ${refused}`);
  check('no other answer', other.length === 0,
    show(count(other.map((a) => `${a.status} ${a.json?.code ?? a.text.slice(0, 80)}`))));
  check('the database holds as many users', inDatabase === SEATS, `${inDatabase} rows`);
  check('the site shows its seats used', details.node.used_seats === SEATS, report.seats.used);
  return root;
}

// --- b. revocation --------------------------------------------------------------------------
async function revocation(cookie, root) {
  const account = await serverFnOk(proxy, 'create_service_account',
    { site: root.id, name: 'Cluster partner', application: 'true' }, cookie);
  const issue = (name) => serverFnOk(proxy, 'issue_api_token', { owner: account.id, name }, cookie);
  const revoked = await issue('Cluster revocation');
  const forLoad = await issue('Cluster load');
  const users = await send(`${proxy}/api/v1/sites/${root.id}/users?search=lotte&include_subsites=true`,
    { headers: { authorization: `Bearer ${revoked.secret}` } });
  const user = users.json?.users?.[0]?.id;
  if (!user) throw new Error(`no user found through the API: ${users.status} ${users.text.slice(0, 200)}`);
  // Every process answers with the token (twice: the second one may come from its cache).
  for (const base of processes) {
    const answers = [await licence(base, revoked.secret, user), await licence(base, revoked.secret, user)];
    check(`the token works on ${base}`, answers.every((a) => a.status === 200), answers.map((a) => a.status).join(','));
  }
  const [first, ...others] = processes;
  const revoke = await serverFn(first, 'revoke_api_token', { token: revoked.token.id }, cookie);
  const revokedAt = performance.now();
  check(`revoked through ${first}`, revoke.status === 200, `${revoke.status} in ${fmt(revoke.ms)}`);
  const own = await licence(first, revoked.secret, user);
  check(`${first} refuses it at once`, own.status === 401, `${own.status}`);
  // Every few ms, each other process, until all refuse (or 5 s).
  const refusedAfter = new Map();
  let accepted = 0;
  let unexpected = [];
  while (refusedAfter.size < others.length && performance.now() - revokedAt < 5000) {
    await Promise.all(others.map(async (base) => {
      const answer = await licence(base, revoked.secret, user);
      if (answer.status === 401) {
        if (!refusedAfter.has(base)) refusedAfter.set(base, performance.now() - revokedAt);
      } else if (answer.status === 200) {
        if (refusedAfter.has(base)) accepted += 1; // accepted again after a refusal
      } else {
        unexpected.push(answer.status);
      }
    }));
    await sleep(REVOKE_POLL_MS);
  }
  report.revocation = Object.fromEntries(others.map((base) => [base, refusedAfter.get(base) ?? null]));
  for (const base of others) {
    const after = refusedAfter.get(base);
    check(`${base} refuses the revoked token within ${REVOKE_LIMIT_MS} ms`,
      after !== undefined && after <= REVOKE_LIMIT_MS, after === undefined ? 'still accepted after 5 s' : fmt(after));
  }
  check('no process accepts it again after refusing it', accepted === 0, `${accepted}`);
  check('no other answer while polling', unexpected.length === 0, unexpected.join(','));
  return { token: forLoad.secret, user };
}

// --- c. SIGTERM under load --------------------------------------------------------------------
/** Whether a process has ended: gone, or a zombie waiting for run.sh to collect it. */
function ended(pid) {
  const stat = `/proc/${pid}/stat`;
  if (!existsSync(stat)) return true;
  try { return readFileSync(stat, 'utf8').replace(/^.*\) /, '').startsWith('Z'); } catch { return true; }
}

async function shutdown(cookie, { token, user }) {
  const kinds = [
    ['licence check', 5, () => licence(proxy, token, user)],
    ['GET /login', 2, () => send(`${proxy}/login`)],
    ['GET /admin', 2, () => send(`${proxy}/admin`, { headers: { cookie } })],
    ['POST current_user', 1, () => serverFn(proxy, 'current_user', {}, cookie)],
  ];
  const deck = kinds.flatMap(([name, weight, run]) => Array(weight).fill([name, run]));
  const victim = { base: processes[1], pid: pids[1], upstream: processes[1].replace('http://', '') };
  const results = [];
  const started = performance.now();
  const stopAt = started + LOAD_SECONDS * 1000;
  let signalledAt = null;
  let endedAt = null;
  const killer = (async () => {
    await sleep(KILL_AT_MS);
    signalledAt = performance.now();
    process.kill(victim.pid, 'SIGTERM');
    console.log(`[load] SIGTERM to ${victim.base} (pid ${victim.pid}) at ${fmt(signalledAt - started)}`);
    while (!ended(victim.pid) && performance.now() - signalledAt < 35000) await sleep(10);
    if (ended(victim.pid)) endedAt = performance.now();
  })();
  let n = 0;
  await Promise.all(Array.from({ length: LOAD_CONCURRENCY }, async () => {
    while (performance.now() < stopAt) {
      const [name, run] = deck[n++ % deck.length];
      const at = performance.now();
      const answer = await run();
      results.push({ name, at, status: answer.status, ms: answer.ms, upstream: answer.upstream, text: answer.text });
    }
  }));
  await killer;
  const failures = results.filter((r) => r.status !== 200);
  const seconds = (performance.now() - started) / 1000;
  const retried = results.filter((r) => r.upstream.includes(',')).length;
  console.log(`[load] ${results.length} requests in ${seconds.toFixed(1)} s (${Math.round(results.length / seconds)}/s), ` +
    `${LOAD_CONCURRENCY} at a time; answered by: ${show(count(results.map(answeredBy)))}; ` +
    `passed on by nginx after a failed try: ${retried}`);
  report.shutdown = { requests: results.length, failures: failures.length, retried, kinds: {} };
  for (const [name] of kinds) {
    const mine = results.filter((r) => r.name === name);
    const ms = mine.map((r) => r.ms);
    report.shutdown.kinds[name] = { requests: mine.length, p50: percentile(ms, 50), p99: percentile(ms, 99), max: Math.max(0, ...ms) };
    console.log(`[load]   ${name.padEnd(18)} ${String(mine.length).padStart(6)}  p50 ${fmt(percentile(ms, 50))}` +
      `  p99 ${fmt(percentile(ms, 99))}  max ${fmt(Math.max(0, ...ms))}`);
  }
  const inFlightAtSignal = results.filter((r) => answeredBy(r) === victim.upstream && r.at < signalledAt && r.at + r.ms > signalledAt).length;
  const afterEnd = results.filter((r) => answeredBy(r) === victim.upstream && endedAt !== null && r.at > endedAt).length;
  report.shutdown.stopMs = endedAt === null ? null : Math.round(endedAt - signalledAt);
  check('every request answered 200 (no 502, no connection error)', failures.length === 0,
    show(count(failures.map((r) => `${r.name} ${r.status} ${r.status === 0 ? r.text.slice(0, 60) : ''}`))));
  check(`${victim.base} ended after SIGTERM`, endedAt !== null,
    endedAt === null ? 'still running after 35 s' : `in ${fmt(endedAt - signalledAt)}, ${inFlightAtSignal} of its requests in flight at the signal`);
  check('nothing answered by it after it ended', afterEnd === 0, `${afterEnd}`);
  for (const [i, base] of processes.entries()) {
    if (i === 1) continue;
    const ready = await send(`${base}${readyPath}`);
    check(`${base}${readyPath} answers 200`, ready.status === 200, `${ready.status}`);
  }
}

// --- main ---------------------------------------------------------------------------------------
async function part(name, run) {
  console.log(`[load] --- ${name}`);
  try {
    return await run();
  } catch (error) {
    check(name, false, error.message);
    return undefined;
  }
}

const cookie = await part('sign in through nginx', signIn);
if (cookie) {
  const root = await part(`a. ${CREATIONS} creations for ${SEATS} seats`, () => seats(cookie));
  const tokens = root && await part('b. revocation reaches every process', () => revocation(cookie, root));
  if (tokens) await part('c. SIGTERM to process 2 under load', () => shutdown(cookie, tokens));
}
const failed = checks.filter((c) => !c.ok);
report.checks = checks;
if (env.CLUSTER_REPORT) writeFileSync(env.CLUSTER_REPORT, JSON.stringify(report, null, 2));
console.log(`[load] ${checks.length - failed.length} of ${checks.length} checks passed`);
for (const c of failed) console.log(`[load]   FAILED: ${c.name}${c.detail ? ` (${c.detail})` : ''}`);
process.exit(failed.length === 0 ? 0 : 1);

// Drives the test OpenID Connect provider (provider.mjs) the way a relying party without a browser
// would: plain fetch, manual redirects, our own cookie jar. It is both a check that the provider
// works and the reference for the HTTP steps Licentia's Rust tests take.
//
//   scripts/start-oidc.sh && node end2end/oidc/smoke.mjs
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { createRemoteJWKSet, decodeJwt, errors, jwtVerify } from 'jose';

const GOOGLE = process.env.LICENTIA_TEST_OIDC_GOOGLE || 'http://127.0.0.1:55601';
const MICROSOFT = process.env.LICENTIA_TEST_OIDC_MICROSOFT || 'http://127.0.0.1:55602';
const CLIENT_ID = 'licentia';
const CLIENT_SECRET = 'licentia-test-secret';

const random = () => randomBytes(32).toString('base64url');
const callbackFor = (name) => `http://127.0.0.1:39999/auth/sso/${name}/callback`;

// All provider cookies live on 127.0.0.1; sending every one on every request is harmless.
class CookieJar {
  cookies = new Map();

  store(response) {
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';');
      const [name, value] = pair.split('=');
      const expired = attributes.some((a) => /^\s*expires=Thu, 01 Jan 1970/i.test(a));
      if (expired) this.cookies.delete(name); else this.cookies.set(name, value);
    }
  }

  header() {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }
}

async function request(jar, url, init = {}) {
  const response = await fetch(url, {
    ...init, redirect: 'manual', headers: { ...init.headers, cookie: jar.header() },
  });
  jar.store(response);
  return response;
}

const discoveries = new Map();
async function discover(issuer) {
  if (!discoveries.has(issuer)) {
    const config = await (await fetch(`${issuer}/.well-known/openid-configuration`)).json();
    assert.equal(config.issuer, issuer);
    discoveries.set(issuer, { ...config, keys: createRemoteJWKSet(new URL(config.jwks_uri)) });
  }
  return discoveries.get(issuer);
}

// /auth → (sign-in form → POST → /auth/<uid>) → 303 to the redirect_uri with code and state.
// Returns what the relying party holds when its callback is hit.
async function authorize(issuer, name, account, { jar = new CookieJar(), prompt, expectForm = true } = {}) {
  const config = await discover(issuer);
  const flow = { issuer, config, redirectUri: callbackFor(name), state: random(), nonce: random(), verifier: random() };
  const url = new URL(config.authorization_endpoint);
  url.search = new URLSearchParams({
    client_id: CLIENT_ID,
    response_type: 'code',
    scope: 'openid email profile',
    redirect_uri: flow.redirectUri,
    state: flow.state,
    nonce: flow.nonce,
    code_challenge: createHash('sha256').update(flow.verifier).digest('base64url'),
    code_challenge_method: 'S256',
    ...(prompt && { prompt }),
  });

  let response = await request(jar, url);
  let sawForm = false;
  for (let hops = 0; ; hops += 1) {
    assert.ok(hops < 10, 'too many redirects');
    assert.equal(response.status, 303, `expected a redirect from ${url}`);
    const location = new URL(response.headers.get('location'), url);
    if (location.href.startsWith(`${flow.redirectUri}?`)) {
      const params = location.searchParams;
      assert.equal(params.get('state'), flow.state);
      assert.equal(params.get('iss'), issuer); // RFC 9207 issuer identification
      flow.code = params.get('code');
      assert.ok(flow.code, `no code in ${location}`);
      break;
    }
    response = await request(jar, location);
    // The sign-in form; a consent interaction (prompt=consent) redirects on by itself instead.
    if (location.pathname.startsWith('/interaction/') && response.status === 200) {
      const html = await response.text();
      assert.match(html, /<title>\w+ \(test\) sign-in<\/title>/);
      assert.match(html, /<label for="login">Account<\/label>/);
      response = await request(jar, location, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ login: account }),
      });
      sawForm = true;
    }
  }
  assert.equal(sawForm, expectForm, expectForm ? 'sign-in form expected' : 'sign-in form not expected');
  return flow;
}

// The back-channel code exchange; client_secret_basic unless post is asked for.
async function exchange(flow, { post = false } = {}) {
  const body = new URLSearchParams({
    grant_type: 'authorization_code', code: flow.code, redirect_uri: flow.redirectUri, code_verifier: flow.verifier,
  });
  const headers = { 'content-type': 'application/x-www-form-urlencoded' };
  if (post) {
    body.set('client_id', CLIENT_ID);
    body.set('client_secret', CLIENT_SECRET);
  } else {
    headers.authorization = `Basic ${Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString('base64')}`;
  }
  const response = await fetch(flow.config.token_endpoint, { method: 'POST', headers, body });
  return { status: response.status, body: await response.json() };
}

async function tokens(flow, options) {
  const { status, body } = await exchange(flow, options);
  assert.equal(status, 200, JSON.stringify(body));
  assert.equal(body.token_type, 'Bearer');
  return body;
}

const verify = (flow, idToken, options = {}) => jwtVerify(idToken, flow.config.keys, { issuer: flow.issuer, audience: CLIENT_ID, ...options });

function check(label) {
  console.log(`ok   ${label}`);
}

// --- the happy path, on both issuers -----------------------------------------------------------
{
  const flow = await authorize(GOOGLE, 'google', 'alice@example.test');
  const { id_token: idToken } = await tokens(flow);
  const { payload, protectedHeader } = await verify(flow, idToken);
  assert.equal(protectedHeader.alg, 'RS256');
  assert.equal(payload.nonce, flow.nonce);
  assert.equal(payload.sub, 'alice@example.test');
  assert.equal(payload.email, 'alice@example.test');
  assert.equal(payload.email_verified, true);
  assert.equal(payload.name, 'alice');
  check('google: code flow with PKCE S256, state, nonce; id_token verified against the JWKS (client_secret_basic)');

  const replay = await exchange(flow);
  assert.equal(replay.status, 400);
  assert.equal(replay.body.error, 'invalid_grant');
  check('google: the same code exchanged twice gives invalid_grant');
}
{
  const flow = await authorize(MICROSOFT, 'microsoft', 'bob');
  const { payload } = await verify(flow, (await tokens(flow, { post: true })).id_token);
  assert.equal(payload.nonce, flow.nonce);
  assert.equal(payload.email, 'bob@example.test');
  assert.equal(payload.name, 'bob');
  check('microsoft: code flow verified (client_secret_post); account "bob" gets bob@example.test');
}

// --- provider session, prompt=login, switching account ------------------------------------------
{
  const jar = new CookieJar();
  await tokens(await authorize(GOOGLE, 'google', 'carol@example.test', { jar }));
  const again = await authorize(GOOGLE, 'google', 'ignored', { jar, expectForm: false });
  assert.equal(decodeJwt((await tokens(again)).id_token).sub, 'carol@example.test');
  check('google: with a provider session /auth goes straight back to the callback');

  const forced = await authorize(GOOGLE, 'google', 'dave@example.test', { jar, prompt: 'login' });
  assert.equal(decodeJwt((await tokens(forced)).id_token).sub, 'dave@example.test');
  check('google: prompt=login shows the form again, and signing in as someone else works');

  const same = await authorize(GOOGLE, 'google', 'dave@example.test', { jar, prompt: 'login' });
  assert.equal(decodeJwt((await tokens(same)).id_token).sub, 'dave@example.test');
  check('google: prompt=login as the same account works');

  const consent = await authorize(GOOGLE, 'google', 'erin@example.test', { prompt: 'consent' });
  assert.equal(decodeJwt((await tokens(consent)).id_token).sub, 'erin@example.test');
  check('google: prompt=consent is granted without a consent page');
}

// --- refused requests ---------------------------------------------------------------------------
{
  const config = await discover(GOOGLE);
  const url = new URL(config.authorization_endpoint);
  const base = { client_id: CLIENT_ID, response_type: 'code', scope: 'openid', state: 's', nonce: 'n' };
  url.search = new URLSearchParams({ ...base, redirect_uri: callbackFor('microsoft'), code_challenge: random(), code_challenge_method: 'S256' });
  assert.equal((await fetch(url, { redirect: 'manual' })).status, 400);
  check('google: a redirect_uri for another provider\'s callback is refused (400, no redirect)');

  url.search = new URLSearchParams({ ...base, redirect_uri: callbackFor('google') });
  const location = new URL((await fetch(url, { redirect: 'manual' })).headers.get('location'));
  assert.equal(location.searchParams.get('error'), 'invalid_request');
  check(`google: no code_challenge is refused (${location.searchParams.get('error_description')})`);
}

// --- fault accounts -----------------------------------------------------------------------------
async function faultyIdToken(account) {
  const flow = await authorize(GOOGLE, 'google', account);
  return { flow, idToken: (await tokens(flow)).id_token };
}

{
  const { flow, idToken } = await faultyIdToken('tamper-sig@example.test');
  await assert.rejects(verify(flow, idToken), errors.JWSSignatureVerificationFailed);
  assert.equal(decodeJwt(idToken).email, 'mallory@example.test');
  check('tamper-sig: payload altered, signature verification fails');
}
{
  const { flow, idToken } = await faultyIdToken('wrong-nonce@example.test');
  const { payload } = await verify(flow, idToken);
  assert.notEqual(payload.nonce, flow.nonce);
  check('wrong-nonce: signature valid, nonce differs from the one sent');
}
{
  const { flow, idToken } = await faultyIdToken('wrong-aud@example.test');
  await assert.rejects(verify(flow, idToken), errors.JWTClaimValidationFailed);
  const { payload } = await verify(flow, idToken, { audience: undefined });
  assert.equal(payload.aud, 'someone-else');
  assert.equal(payload.nonce, flow.nonce);
  check('wrong-aud: signature valid, aud is "someone-else"');
}
{
  const { flow, idToken } = await faultyIdToken('expired-token@example.test');
  await assert.rejects(verify(flow, idToken), errors.JWTExpired);
  const { exp, iat } = decodeJwt(idToken);
  assert.ok(exp < Date.now() / 1000 && iat < exp);
  await verify(flow, idToken, { currentDate: new Date((exp - 60) * 1000) });
  check('expired-token: signature valid, exp (and iat) in the past');
}
{
  const flow = await authorize(GOOGLE, 'google', 'expired-code@example.test');
  await new Promise((resolve) => { setTimeout(resolve, 2000); });
  const { status, body } = await exchange(flow);
  assert.equal(status, 400);
  assert.equal(body.error, 'invalid_grant');
  check('expired-code: exchanged after 2 s, the token endpoint answers invalid_grant');
}

console.log('oidc smoke: all checks passed');

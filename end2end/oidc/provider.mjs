// A real OpenID Connect provider (oidc-provider, OpenID Certified) for Licentia's tests: three
// issuers on 127.0.0.1 standing in for Google, Microsoft (one tenant) and Microsoft's shared
// `organizations` endpoint (every tenant at once: see multiTenant below), each with the static confidential
// client `licentia` / `licentia-test-secret`. Any account id signs in; the prefix of the account id
// picks a fault (see injectFault) so parallel tests don't interfere. Everything is in memory.
//
//   node end2end/oidc/provider.mjs        (ports: OIDC_GOOGLE_PORT, OIDC_MICROSOFT_PORT)
//
// oidc-provider prints a few "development-only" warnings to stderr (in-memory adapter, Node 20
// not being its preferred LTS); they are expected here.
import { generateKeyPairSync } from 'node:crypto';
import Provider from 'oidc-provider';
import { CompactSign, importJWK } from 'jose';

const ISSUERS = [
  { name: 'google', display: 'Google (test)', port: Number(process.env.OIDC_GOOGLE_PORT || 55601) },
  { name: 'microsoft', display: 'Microsoft (test)', port: Number(process.env.OIDC_MICROSOFT_PORT || 55602) },
  { name: 'entra', display: 'Microsoft Entra, every tenant (test)', port: Number(process.env.OIDC_ENTRA_PORT || 55603), multiTenant: true },
];

// Microsoft's multi-tenant endpoint as it behaves: its discovery document names the issuer
// `…/{tenantid}/v2.0`, and each ID token names its user's own tenant (`tid`) and the issuer with
// that tenant in it. The tenant comes from the account: `name@tenant-b` is in tenant B, any
// other in tenant A. `wrong-tid…` accounts get tenant A's issuer with tenant B's id (refused).
const TENANTS = {
  a: 'aaaaaaaa-0000-4000-8000-00000000000a',
  b: 'bbbbbbbb-0000-4000-8000-00000000000b',
};
const tenantOf = (sub) => (sub.endsWith('@tenant-b') ? TENANTS.b : TENANTS.a);
const tenantIssuer = (base, tid) => `${base}/${tid}/v2.0`;

const CLIENT_ID = 'licentia';
const CLIENT_SECRET = 'licentia-test-secret';

// A federation's attributes ride on the account id: `name;eckid=…;eduPersonAffiliation=employee`
// gives those claims (a repeated name gives a list), for a client asking the `federation` scope.
const FEDERATION_CLAIMS = ['eckid', 'nlEduPersonRealId', 'nlEduPersonHomeOrganizationId',
  'eduPersonAffiliation', 'class'];

function account(accountId) {
  const [base, ...pairs] = accountId.split(';');
  const extra = {};
  for (const pair of pairs) {
    const [name, ...rest] = pair.split('=');
    const value = rest.join('=');
    if (!name) continue;
    if (name in extra) extra[name] = [].concat(extra[name], value);
    else extra[name] = value;
  }
  const email = extra.email ?? (base.includes('@') ? base : `${base}@example.test`);
  return {
    accountId,
    async claims() {
      return { name: email.split('@')[0], ...extra, sub: accountId, email, email_verified: true };
    },
  };
}

const escapeHtml = (s) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function signInPage(display, uid) {
  const title = escapeHtml(`${display} sign-in`);
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title}</title></head>
<body>
<main>
<h1>${title}</h1>
<form method="post" action="/interaction/${escapeHtml(uid)}">
<label for="login">Account</label>
<input id="login" name="login" required autocomplete="username">
<button type="submit">Sign in</button>
</form>
</main>
</body>
</html>`;
}

async function formBody(req) {
  let body = '';
  for await (const chunk of req) body += chunk;
  return new URLSearchParams(body);
}

const decodeSegment = (segment) => JSON.parse(Buffer.from(segment, 'base64url').toString());
const encodeSegment = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');

// Rewrites an id_token from the token endpoint according to its subject's prefix. Faults that
// must keep a valid signature are re-signed with the issuer's real key and original header, so
// only the named claim is wrong.
async function injectFault(idToken, privateKey, multiTenantBase) {
  const [header, payload, signature] = idToken.split('.');
  const claims = decodeSegment(payload);
  const now = Math.floor(Date.now() / 1000);
  const resign = async (changes) => new CompactSign(Buffer.from(JSON.stringify({ ...claims, ...changes })))
    .setProtectedHeader(decodeSegment(header))
    .sign(privateKey);

  if (multiTenantBase) {
    const tid = claims.sub.startsWith('wrong-tid') ? TENANTS.b : tenantOf(claims.sub);
    const iss = tenantIssuer(multiTenantBase, claims.sub.startsWith('wrong-tid') ? TENANTS.a : tid);
    return resign({ iss, tid });
  }
  if (claims.sub.startsWith('tamper-sig')) {
    return `${header}.${encodeSegment({ ...claims, email: 'mallory@example.test' })}.${signature}`;
  }
  if (claims.sub.startsWith('wrong-nonce')) return resign({ nonce: `${claims.nonce}-not` });
  if (claims.sub.startsWith('wrong-aud')) return resign({ aud: 'someone-else' });
  if (claims.sub.startsWith('expired-token')) return resign({ iat: now - 7200, exp: now - 3600 });
  return idToken;
}

async function startIssuer({ name, display, port, multiTenant = false }) {
  const issuer = `http://127.0.0.1:${port}`;
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = { ...privateKey.export({ format: 'jwk' }), kid: `${name}-test`, alg: 'RS256', use: 'sig' };
  const signingKey = await importJWK(jwk, 'RS256');

  const provider = new Provider(issuer, {
    clients: [{
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
      grant_types: ['authorization_code'],
      response_types: ['code'],
      // oidc-provider accepts client_secret_post too for a client registered as _basic.
      token_endpoint_auth_method: 'client_secret_basic',
      // Placeholder only: redirectUriAllowed below decides.
      redirect_uris: [`http://127.0.0.1/auth/sso/${name}/callback`],
    }],
    jwks: { keys: [jwk] },
    // Distinct names per issuer: cookies ignore ports, and both issuers live on 127.0.0.1.
    cookies: {
      keys: [`licentia-test-${name}-cookie-key`],
      names: { session: `_${name}_session`, interaction: `_${name}_interaction`, resume: `_${name}_interaction_resume` },
    },
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name', 'given_name', 'family_name'],
      federation: FEDERATION_CLAIMS,
    },
    scopes: ['openid', 'offline_access', 'federation'],
    // Put email and name in the id_token (as Google does) rather than only at userinfo.
    conformIdTokenClaims: false,
    // Since 9.x PKCE is only required for public clients by default; Licentia must always use it.
    pkce: { required: () => true },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
    findAccount: (ctx, sub) => account(sub),
    // Never ask for consent: grant whatever the request asks for (oidc-provider recipe
    // "skip consent"); the grant is saved because the token endpoint looks it up.
    async loadExistingGrant(ctx) {
      const { provider: op, client, session } = ctx.oidc;
      const grantId = session.grantIdFor(client.clientId);
      const grant = (grantId && await op.Grant.find(grantId))
        || new op.Grant({ clientId: client.clientId, accountId: session.accountId });
      grant.addOIDCScope(ctx.oidc.requestParamScopes);
      grant.addOIDCClaims(ctx.oidc.requestParamClaims);
      await grant.save();
      return grant;
    },
    ttl: {
      AuthorizationCode: (ctx, code) => (code.accountId?.startsWith('expired-code') ? 1 : 60),
      AccessToken: 3600,
      IdToken: 3600,
      Interaction: 600,
      Session: 3600,
      Grant: 3600,
    },
  });

  // Licentia listens on random ports in tests: accept its callback on any loopback port.
  const callback = new RegExp(`^http://(127\\.0\\.0\\.1|localhost):\\d+/auth/(sso/[a-z0-9]+|federation/[0-9a-f-]+)/callback$`);
  provider.Client.prototype.redirectUriAllowed = (uri) => callback.test(uri);

  provider.use(async (ctx, next) => {
    await next();
    if (ctx.oidc?.route === 'token' && ctx.body?.id_token) {
      ctx.body.id_token = await injectFault(ctx.body.id_token, signingKey, multiTenant ? issuer : null);
    }
    if (multiTenant && ctx.oidc?.route === 'discovery' && ctx.body?.issuer) {
      ctx.body = { ...ctx.body, issuer: tenantIssuer(issuer, '{tenantid}') };
    }
  });

  // The sign-in page replacing devInteractions.
  provider.use(async (ctx, next) => {
    const uid = ctx.path.match(/^\/interaction\/([\w-]+)$/)?.[1];
    if (!uid) return next();
    const interaction = await provider.interactionDetails(ctx.req, ctx.res);
    if (interaction.uid !== uid) ctx.throw(400, 'interaction mismatch');

    let result;
    if (interaction.prompt.name === 'consent') {
      // Only reached when the client sent prompt=consent: grant it without asking.
      result = { ...interaction.lastSubmission, consent: {} };
    } else if (ctx.method === 'GET') {
      ctx.type = 'html';
      ctx.body = signInPage(display, uid);
      return;
    } else if (ctx.method === 'POST') {
      const login = (await formBody(ctx.req)).get('login')?.trim();
      if (!login) ctx.throw(400, 'login is required');
      if (interaction.session && interaction.session.accountId !== login) {
        // Signing in as someone else (prompt=login): drop the old provider session first,
        // otherwise oidc-provider stops at a "log out?" confirmation page.
        await (await provider.Session.findByUid(interaction.session.uid))?.destroy();
        delete interaction.session;
        await interaction.persist();
      }
      result = { login: { accountId: login } };
    } else {
      ctx.throw(405);
    }
    const returnTo = await provider.interactionResult(ctx.req, ctx.res, result, { mergeWithLastSubmission: false });
    ctx.status = 303;
    ctx.redirect(returnTo);
  });

  await new Promise((resolve, reject) => {
    const server = provider.listen(port, '127.0.0.1', resolve);
    server.once('error', (error) => reject(error.code === 'EADDRINUSE'
      ? new Error(`oidc ${name}: port ${port} on 127.0.0.1 is already in use`)
      : error));
  });
  console.log(`oidc ${name} ${issuer}`);
}

try {
  for (const issuer of ISSUERS) await startIssuer(issuer);
} catch (error) {
  console.error(error.message);
  process.exit(1);
}

//! The protocol side: discovery (cached), the authorization URL, and the code exchange with the
//! ID token validated. Every failure becomes a code the pages translate; details go to the log.
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use domain::sso::Identity;
use domain::Code;
use openidconnect::core::{
    CoreAuthenticationFlow, CoreClient, CoreJsonWebKeySet, CoreProviderMetadata,
};
use openidconnect::{
    reqwest, AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointMaybeSet,
    EndpointNotSet, EndpointSet, Nonce, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope,
    TokenResponse,
};
use tokio::sync::Mutex;

use super::providers::Provider;

type Client = CoreClient<
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// Providers' keys rotate: discovery (with the keys) is fetched again after this long.
const DISCOVERY_TTL: Duration = Duration::from_secs(15 * 60);

/// The configured providers and what was discovered about them.
#[derive(Clone)]
pub struct Sso {
    providers: Arc<Vec<Provider>>,
    http: reqwest::Client,
    discovered: Arc<Mutex<HashMap<String, (Instant, Discovered)>>>,
}

/// A provider's discovery document (with its keys), and how its tokens name their issuer.
#[derive(Clone)]
struct Discovered {
    metadata: CoreProviderMetadata,
    /// Microsoft's endpoints for every tenant (`organizations`, `common`) name the issuer
    /// `https://login.microsoftonline.com/{tenantid}/v2.0`: each token names its user's own
    /// tenant (`tid`) and the issuer with that tenant in it, which is checked instead (as
    /// Microsoft documents for multi-tenant applications).
    per_tenant: Option<String>,
}

/// The placeholder of a per-tenant issuer.
const TENANT_PLACEHOLDER: &str = "{tenantid}";

/// What the browser takes to the provider, and what to keep for the way back.
pub struct Started {
    pub url: String,
    pub state: String,
    pub nonce: String,
    pub verifier: String,
}

impl Sso {
    pub fn new(providers: Vec<Provider>) -> Sso {
        // No redirects (a token endpoint must answer itself) and a bounded wait, so that an
        // unreachable provider costs the user seconds, not minutes.
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(10))
            .build()
            .unwrap_or_else(|_| reqwest::Client::new());
        Sso {
            providers: Arc::new(providers),
            http,
            discovered: Arc::default(),
        }
    }

    pub fn providers(&self) -> &[Provider] {
        &self.providers
    }

    pub fn provider(&self, key: &str) -> Option<&Provider> {
        self.providers.iter().find(|p| p.key == key)
    }

    async fn discovered(&self, provider: &Provider) -> Result<Discovered, Code> {
        // The lock is not held while fetching: a slow provider must not hold up the others.
        // By issuer: a federation whose administrator names another issuer is discovered anew.
        if let Some((at, found)) = self.discovered.lock().await.get(&provider.issuer) {
            if at.elapsed() < DISCOVERY_TTL {
                return Ok(found.clone());
            }
        }
        let found = self.discover(provider).await?;
        self.discovered
            .lock()
            .await
            .insert(provider.issuer.clone(), (Instant::now(), found.clone()));
        Ok(found)
    }

    /// Discovery as OpenID Connect Discovery 1.0 has it (the document at the issuer's
    /// well-known address must name that issuer), but for a per-tenant issuer template.
    async fn discover(&self, provider: &Provider) -> Result<Discovered, Code> {
        let unavailable = |what: &str, err: &dyn std::error::Error| {
            tracing::warn!(provider = %provider.key, err = %chain(err), "discovery failed: {what}");
            Code::SsoUnavailable
        };
        let configured = provider.issuer.trim_end_matches('/');
        let url = format!("{configured}/.well-known/openid-configuration");
        let body = self
            .http
            .get(&url)
            .header(reqwest::header::ACCEPT, "application/json")
            .send()
            .await
            .and_then(reqwest::Response::error_for_status)
            .map_err(|e| unavailable("document", &e))?
            .bytes()
            .await
            .map_err(|e| unavailable("document", &e))?;
        let metadata: CoreProviderMetadata =
            serde_json::from_slice(&body).map_err(|e| unavailable("document", &e))?;
        let named = metadata.issuer().as_str().trim_end_matches('/').to_string();
        let per_tenant = if named == configured {
            None
        } else if named.contains(TENANT_PLACEHOLDER) {
            Some(named)
        } else {
            tracing::error!(provider = %provider.key, %named, "discovery names another issuer");
            return Err(Code::SsoUnavailable);
        };
        let jwks = CoreJsonWebKeySet::fetch_async(metadata.jwks_uri(), &self.http)
            .await
            .map_err(|e| unavailable("keys", &e))?;
        Ok(Discovered {
            metadata: metadata.set_jwks(jwks),
            per_tenant,
        })
    }

    async fn client(
        &self,
        provider: &Provider,
        redirect: &str,
    ) -> Result<(Client, Option<String>), Code> {
        let redirect = RedirectUrl::new(redirect.to_string()).map_err(|_| Code::SsoFailed)?;
        let found = self.discovered(provider).await?;
        let client = CoreClient::from_provider_metadata(
            found.metadata,
            ClientId::new(provider.client_id.clone()),
            provider.client_secret.clone().map(ClientSecret::new),
        )
        .set_redirect_uri(redirect);
        Ok((client, found.per_tenant))
    }

    /// The provider's sign-in page for this flow.
    pub async fn start(&self, provider: &Provider, redirect: &str) -> Result<Started, Code> {
        let (client, _) = self.client(provider, redirect).await?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let (url, state, nonce) = client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .add_scope(Scope::new("email".into()))
            .add_scope(Scope::new("profile".into()))
            .add_scopes(provider.scopes.iter().cloned().map(Scope::new))
            .set_pkce_challenge(challenge)
            .url();
        Ok(Started {
            url: url.to_string(),
            state: state.into_secret(),
            nonce: nonce.secret().clone(),
            verifier: verifier.into_secret(),
        })
    }

    /// Exchanges the code and validates the ID token: signature with the issuer's keys,
    /// issuer, audience, expiry and our nonce.
    pub async fn finish(
        &self,
        provider: &Provider,
        redirect: &str,
        code: String,
        verifier: String,
        nonce: String,
    ) -> Result<Identity, Code> {
        let (client, per_tenant) = self.client(provider, redirect).await?;
        let request = client
            .exchange_code(AuthorizationCode::new(code))
            .map_err(|err| {
                tracing::error!(provider = %provider.key, %err, "provider has no token endpoint");
                Code::SsoUnavailable
            })?
            .set_pkce_verifier(PkceCodeVerifier::new(verifier));
        let response = request.request_async(&self.http).await.map_err(|err| {
            tracing::warn!(provider = %provider.key, err = %chain(&err), "code exchange failed");
            match err {
                openidconnect::RequestTokenError::Request(_) => Code::SsoUnavailable,
                _ => Code::SsoFailed,
            }
        })?;
        let Some(id_token) = response.id_token() else {
            tracing::warn!(provider = %provider.key, "token response without ID token");
            return Err(Code::SsoFailed);
        };
        // Signature, audience, expiry and nonce always; the issuer as discovery named it, or
        // (per tenant) below.
        let verifier = client
            .id_token_verifier()
            .require_issuer_match(per_tenant.is_none());
        let claims = id_token
            .claims(&verifier, &Nonce::new(nonce))
            .map_err(|err| {
                tracing::warn!(provider = %provider.key, %err, "ID token refused");
                Code::SsoFailed
            })?;
        // The signature was checked: its payload is the claims the rules may read.
        let payload = payload_of(&id_token.to_string()).unwrap_or_default();
        let tenant = match &per_tenant {
            Some(template) => {
                let tenant = tenant_of(&payload).ok_or_else(|| {
                    tracing::warn!(provider = %provider.key, "ID token without a tenant id");
                    Code::SsoFailed
                })?;
                let expected = template.replace(TENANT_PLACEHOLDER, &tenant);
                if claims.issuer().as_str().trim_end_matches('/') != expected {
                    tracing::warn!(provider = %provider.key, issuer = %claims.issuer().as_str(),
                        %tenant, "ID token's issuer is not its tenant's");
                    return Err(Code::SsoFailed);
                }
                Some(tenant)
            }
            None => None,
        };
        Ok(Identity {
            provider: provider.key.clone(),
            issuer: claims.issuer().to_string(),
            subject: claims.subject().to_string(),
            email: claims.email().map(|e| e.to_string()),
            tenant,
            claims: domain::federation::claims_from_json(&payload).unwrap_or_default(),
        })
    }
}

/// The payload of an ID token whose signature was checked.
fn payload_of(jwt: &str) -> Option<serde_json::Value> {
    use base64::Engine;
    let payload = jwt.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// The tenant id (`tid`) of an ID token's payload: a GUID, lower case.
fn tenant_of(payload: &serde_json::Value) -> Option<String> {
    let tid = payload.get("tid")?.as_str()?.to_ascii_lowercase();
    domain::factors::is_tenant_id(&tid).then_some(tid)
}

/// An error with its causes, for the log.
fn chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

//! The protocol side: discovery (cached), the authorization URL, and the code exchange with the
//! ID token validated. Every failure becomes a code the pages translate; details go to the log.
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use domain::sso::Identity;
use domain::Code;
use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreProviderMetadata};
use openidconnect::{
    reqwest, AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointMaybeSet,
    EndpointNotSet, EndpointSet, IssuerUrl, Nonce, PkceCodeChallenge, PkceCodeVerifier,
    RedirectUrl, Scope, TokenResponse,
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
    discovered: Arc<Mutex<HashMap<String, (Instant, CoreProviderMetadata)>>>,
}

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

    async fn metadata(&self, provider: &Provider) -> Result<CoreProviderMetadata, Code> {
        // The lock is not held while fetching: a slow provider must not hold up the others.
        if let Some((at, metadata)) = self.discovered.lock().await.get(&provider.key) {
            if at.elapsed() < DISCOVERY_TTL {
                return Ok(metadata.clone());
            }
        }
        let issuer = IssuerUrl::new(provider.issuer.clone()).map_err(|err| {
            tracing::error!(provider = %provider.key, %err, "issuer URL invalid");
            Code::SsoUnavailable
        })?;
        let metadata = CoreProviderMetadata::discover_async(issuer, &self.http)
            .await
            .map_err(|err| {
                tracing::warn!(provider = %provider.key, err = %chain(&err), "discovery failed");
                Code::SsoUnavailable
            })?;
        self.discovered
            .lock()
            .await
            .insert(provider.key.clone(), (Instant::now(), metadata.clone()));
        Ok(metadata)
    }

    async fn client(&self, provider: &Provider, redirect: &str) -> Result<Client, Code> {
        let redirect = RedirectUrl::new(redirect.to_string()).map_err(|_| Code::SsoFailed)?;
        Ok(CoreClient::from_provider_metadata(
            self.metadata(provider).await?,
            ClientId::new(provider.client_id.clone()),
            provider.client_secret.clone().map(ClientSecret::new),
        )
        .set_redirect_uri(redirect))
    }

    /// The provider's sign-in page for this flow.
    pub async fn start(&self, provider: &Provider, redirect: &str) -> Result<Started, Code> {
        let client = self.client(provider, redirect).await?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let (url, state, nonce) = client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .add_scope(Scope::new("email".into()))
            .add_scope(Scope::new("profile".into()))
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
        let client = self.client(provider, redirect).await?;
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
        let claims = id_token
            .claims(&client.id_token_verifier(), &Nonce::new(nonce))
            .map_err(|err| {
                tracing::warn!(provider = %provider.key, %err, "ID token refused");
                Code::SsoFailed
            })?;
        Ok(Identity {
            provider: provider.key.clone(),
            issuer: claims.issuer().to_string(),
            subject: claims.subject().to_string(),
            email: claims.email().map(|e| e.to_string()),
        })
    }
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

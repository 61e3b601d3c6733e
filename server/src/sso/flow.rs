//! The two stops of a browser on its way through a provider: `start` sends it there with a
//! fresh state, nonce and PKCE verifier kept in the session; `callback` takes them out again
//! (once: a replayed state finds nothing), checks what came back and links or signs in. Every
//! refusal sends the browser back to the page it came from with a code the page translates.
//! The provider is one the server is configured with, or an organisation's federation.
use axum::http::request::Parts;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use domain::{Code, Db, Principal};
use serde::{Deserialize, Serialize};
use tower_sessions::Session;
use uuid::Uuid;

use super::providers::Provider;
use super::Sso;

/// Where a flow goes: a provider the server is configured with (by key), or an organisation's
/// federation (by id; sign-in only).
#[derive(Debug, Clone)]
pub enum Via {
    Provider(String),
    Federation(Uuid),
}

impl Via {
    /// A federation by the id in its address; one that is no id finds no federation (the nil
    /// id), so the browser is sent back with the same reason as for an unknown one.
    pub fn federation(id: &str) -> Via {
        Via::Federation(Uuid::parse_str(id).unwrap_or_default())
    }

    /// Its start address; the callback is below it.
    fn path(&self) -> String {
        match self {
            Via::Provider(key) => format!("/auth/sso/{key}"),
            Via::Federation(id) => format!("/auth/federation/{id}"),
        }
    }

    async fn provider(&self, ctx: &Context) -> Result<Provider, Code> {
        match self {
            Via::Provider(key) => ctx
                .sso
                .provider(key)
                .cloned()
                .ok_or(Code::SsoProviderUnknown),
            Via::Federation(id) => match domain::federation::endpoint(&ctx.db, *id).await {
                Ok(found) => Ok(Provider {
                    key: "federation".into(),
                    display_name: found.name,
                    icon: "/icons/sso.svg".into(),
                    issuer: found.issuer,
                    client_id: found.client_id,
                    client_secret: found.client_secret,
                    scopes: found.scopes,
                }),
                Err(domain::Error::NotFound) => Err(Code::SsoProviderUnknown),
                Err(err) => {
                    tracing::error!(%err, "federation could not be read");
                    Err(Code::SsoUnavailable)
                }
            },
        }
    }
}

/// What `start` keeps for `callback`.
#[derive(Debug, Serialize, Deserialize)]
struct Pending {
    /// The flow's path (`Via::path`).
    via: String,
    state: String,
    nonce: String,
    verifier: String,
    /// Linking for this signed-in user; none: signing in.
    link_user: Option<i32>,
    next: String,
    redirect: String,
    started_at: i64,
}

const PENDING: &str = "sso_pending";
/// A provider round trip older than this is refused (the user starts again).
const MAX_AGE_SECS: i64 = 10 * 60;

/// What the handlers need besides the request.
#[derive(Clone)]
pub struct Context {
    pub sso: Sso,
    pub db: Db,
    /// `https://licentia.example` (none: taken from the request's Host).
    pub public_url: Option<String>,
    pub secure_cookies: bool,
}

#[derive(Debug, Default, Deserialize)]
pub struct StartQuery {
    #[serde(default)]
    pub intent: String,
    #[serde(default)]
    pub next: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
    iss: Option<String>,
}

/// Where a refusal sends the browser: the profile for links, the sign-in page otherwise.
fn back(linking: bool, next: &str, code: Code) -> Response {
    let to = if linking {
        format!("/profile?sso_error={}", code.as_str())
    } else {
        format!(
            "/login?sso_error={}&next={}",
            code.as_str(),
            wire::url::encode(next)
        )
    };
    Redirect::to(&to).into_response()
}

fn base_url(ctx: &Context, parts: &Parts) -> String {
    if let Some(url) = &ctx.public_url {
        return url.trim_end_matches('/').to_string();
    }
    let host = parts
        .headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    let scheme = if ctx.secure_cookies { "https" } else { "http" };
    format!("{scheme}://{host}")
}

pub async fn start(
    ctx: Context,
    via: Via,
    query: StartQuery,
    session: Session,
    parts: Parts,
) -> Response {
    let linking = query.intent == "link" && matches!(via, Via::Provider(_));
    let next = wire::url::safe_next(&query.next);
    let provider = match via.provider(&ctx).await {
        Ok(provider) => provider,
        Err(code) => return back(linking, &next, code),
    };
    let link_user = if linking {
        match session::principal_of(&ctx.db, &session).await {
            Ok(principal @ Principal::User(_)) => principal.user_id(),
            Ok(Principal::Anonymous) => {
                return Redirect::to("/login?next=/profile").into_response()
            }
            Err(err) => return back(linking, &next, err.code()),
        }
    } else {
        None
    };
    let redirect = format!("{}{}/callback", base_url(&ctx, &parts), via.path());
    let started = match ctx.sso.start(&provider, &redirect).await {
        Ok(started) => started,
        Err(code) => return back(linking, &next, code),
    };
    let pending = Pending {
        via: via.path(),
        state: started.state,
        nonce: started.nonce,
        verifier: started.verifier,
        link_user,
        next,
        redirect,
        started_at: Utc::now().timestamp(),
    };
    if session.insert(PENDING, &pending).await.is_err() {
        return back(linking, &pending.next, Code::Internal);
    }
    Redirect::to(&started.url).into_response()
}

pub async fn callback(
    ctx: Context,
    via: Via,
    query: CallbackQuery,
    session: Session,
    parts: Parts,
) -> Response {
    // Taken out before anything else: whatever happens next, this state is spent.
    let pending: Option<Pending> = session.remove(PENDING).await.unwrap_or(None);
    let Some(pending) = pending else {
        return back(false, "/", Code::SsoExpired);
    };
    let linking = pending.link_user.is_some();
    let refuse = |code: Code| back(linking, &pending.next, code);
    if pending.via != via.path() {
        return refuse(Code::SsoFailed);
    }
    let provider = match via.provider(&ctx).await {
        Ok(provider) => provider,
        Err(code) => return refuse(code),
    };
    let key = &provider.key;
    if query.state.as_deref() != Some(pending.state.as_str()) {
        tracing::warn!(provider = %key, "state does not match the session's");
        return refuse(Code::SsoFailed);
    }
    if let Some(error) = &query.error {
        tracing::info!(provider = %key, %error, "provider answered with an error");
        return refuse(if error == "access_denied" {
            Code::SsoCancelled
        } else {
            Code::SsoFailed
        });
    }
    if Utc::now().timestamp() - pending.started_at > MAX_AGE_SECS {
        return refuse(Code::SsoExpired);
    }
    // RFC 9207: a provider that names itself must be the one we sent the user to.
    if query
        .iss
        .as_ref()
        .is_some_and(|iss| !same_issuer(iss, &provider))
    {
        tracing::warn!(provider = %key, "callback names another issuer");
        return refuse(Code::SsoFailed);
    }
    let Some(code) = query.code else {
        return refuse(Code::SsoFailed);
    };
    let identity = match ctx
        .sso
        .finish(
            &provider,
            &pending.redirect,
            code,
            pending.verifier,
            pending.nonce,
        )
        .await
    {
        Ok(identity) => identity,
        Err(code) => return refuse(code),
    };
    let peer = session::client_address_of(&parts);
    if let Some(user_id) = pending.link_user {
        let principal = match session::principal_of(&ctx.db, &session).await {
            Ok(principal) if principal.user_id() == Some(user_id) => principal.from_address(peer),
            // Signed out (or in as someone else) while away at the provider.
            Ok(_) => return refuse(Code::Unauthenticated),
            Err(err) => return refuse(wire::Failure::from(err).code),
        };
        return match domain::sso::link(&ctx.db, &principal, identity).await {
            Ok(()) => Redirect::to(&format!("/profile?linked={}", provider.key)).into_response(),
            Err(err) => refuse(wire::Failure::from(err).code),
        };
    }
    let signing_in = match &via {
        Via::Provider(_) => domain::sso::sign_in(&ctx.db, &identity, peer.as_deref()).await,
        Via::Federation(id) => {
            domain::federation::sign_in(&ctx.db, *id, &identity, peer.as_deref()).await
        }
    };
    let linked = match signing_in {
        Ok(linked) => linked,
        Err(err) => return refuse(wire::Failure::from(err).code),
    };
    let arrival = session::Arrival {
        user_agent: session::user_agent(&parts.headers),
        client_address: peer,
    };
    let signed_in = linked.signed_in;
    // The provider proved the password's part; the user's own second factor still counts.
    let Ok(to) = session::after_first_step(
        &session,
        signed_in.user_id,
        signed_in.second_factor,
        &wire::SignInMethod::Provider(provider.key.clone()),
        arrival,
        &wire::url::safe_next(&pending.next),
    )
    .await
    else {
        return refuse(Code::Internal);
    };
    session::note_claim(&session, linked.claim).await;
    let mut response = Redirect::to(&to).into_response();
    if let Some(cookie) = signed_in
        .locale
        .as_deref()
        .and_then(|l| HeaderValue::from_str(&session::locale_cookie(l)).ok())
    {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    response
}

fn same_issuer(named: &str, provider: &Provider) -> bool {
    named.trim_end_matches('/') == provider.issuer.trim_end_matches('/')
}

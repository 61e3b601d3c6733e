//! The axum application: Leptos pages and server functions, sessions, the sign-in gate.
use app::ssr::ServerState;
use app::{shell, App};
use axum::extract::{DefaultBodyLimit, Path, Query, Request, State};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{any, get};
use axum::Router;
use leptos::prelude::*;
use leptos_axum::{generate_route_list, handle_server_fns_with_context, LeptosRoutes};
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, Session, SessionManagerLayer};

use crate::config::Config;
use session::DbSessionStore;

pub fn app(config: &Config, db: domain::Db, leptos_options: LeptosOptions) -> Router {
    app_with(
        config,
        db,
        leptos_options,
        crate::lifecycle::Lifecycle::new(),
    )
}

/// The page routes, generated once per process. Generating them runs the application under a
/// root owner of its own; doing that while pages render made some of those pages wait forever
/// (a leptos_i18n signal disposed under them: seen where several routers are built in one
/// process, as the tests do; a server builds its one router before it serves).
fn page_routes() -> Vec<leptos_axum::AxumRouteListing> {
    static ROUTES: std::sync::OnceLock<Vec<leptos_axum::AxumRouteListing>> =
        std::sync::OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

/// The application of a serving process, whose lifecycle readiness and draining follow.
pub fn app_with(
    config: &Config,
    db: domain::Db,
    leptos_options: LeptosOptions,
    lifecycle: std::sync::Arc<crate::lifecycle::Lifecycle>,
) -> Router {
    crate::observe::metrics::install();
    let sso = crate::sso::Context {
        sso: crate::sso::Sso::new(config.sso_providers.clone()),
        db: db.clone(),
        public_url: config.public_url.clone(),
        secure_cookies: config.secure_cookies,
    };
    let state = ServerState {
        db: db.clone(),
        import_limits: config.import_limits,
        sso_providers: config.sso_providers.iter().map(|p| p.public()).collect(),
        idle_timeout: config.idle_timeout,
        api_document: std::sync::Arc::new(
            serde_json::to_string(&crate::api::document()).unwrap_or_default(),
        ),
        secure_cookies: config.secure_cookies,
        signup_challenge: config.signup_challenge,
        passkeys: config
            .public_url
            .as_deref()
            .and_then(domain::factors::Passkeys::for_address)
            .map(std::sync::Arc::new),
    };
    let own_origin = std::sync::Arc::new(crate::security::OwnOrigin::from_public_url(
        config.public_url.as_deref(),
    ));
    let headers = crate::security::Headers {
        hsts: config
            .public_url
            .as_deref()
            .is_some_and(|url| url.to_ascii_lowercase().starts_with("https://")),
    };
    let proxies = std::sync::Arc::new(config.trusted_proxies.clone());
    let routes = page_routes();
    let sessions = SessionManagerLayer::new(DbSessionStore::new(db.clone()))
        .with_name("licentia_session")
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(config.secure_cookies)
        .with_expiry(Expiry::OnInactivity(
            time::Duration::try_from(config.idle_timeout).unwrap_or(time::Duration::minutes(30)),
        ));
    let fn_state = state.clone();
    let csv_db = state.db.clone();
    Router::new()
        .route(
            "/auth/sso/{provider}",
            get({
                let sso = sso.clone();
                move |Path(key): Path<String>, Query(query), session, parts| {
                    let via = crate::sso::Via::Provider(key);
                    crate::sso::start(sso.clone(), via, query, session, parts)
                }
            }),
        )
        .route(
            "/auth/sso/{provider}/callback",
            get({
                let sso = sso.clone();
                move |Path(key): Path<String>, Query(query), session, parts| {
                    let via = crate::sso::Via::Provider(key);
                    crate::sso::callback(sso.clone(), via, query, session, parts)
                }
            }),
        )
        .route(
            "/auth/federation/{federation}",
            get({
                let sso = sso.clone();
                move |Path(id): Path<String>, Query(query), session, parts| {
                    let via = crate::sso::Via::federation(&id);
                    crate::sso::start(sso.clone(), via, query, session, parts)
                }
            }),
        )
        .route(
            "/auth/federation/{federation}/callback",
            get({
                let sso = sso.clone();
                move |Path(id): Path<String>, Query(query), session, parts| {
                    let via = crate::sso::Via::federation(&id);
                    crate::sso::callback(sso.clone(), via, query, session, parts)
                }
            }),
        )
        .route(
            "/admin/journal.csv",
            get(move |session, parts| {
                crate::journal_csv::journal_csv(csv_db.clone(), session, parts)
            }),
        )
        .route(
            "/admin/import/template.xlsx",
            get(crate::downloads::template),
        )
        .route(
            "/admin/users/export.xlsx",
            get({
                let db = state.db.clone();
                move |session, parts| crate::downloads::export(db.clone(), session, parts, "xlsx")
            }),
        )
        .route(
            "/admin/users/export.csv",
            get({
                let db = state.db.clone();
                move |session, parts| crate::downloads::export(db.clone(), session, parts, "csv")
            }),
        )
        .route(
            "/operator/renewals.xlsx",
            get({
                let db = state.db.clone();
                move |session, parts| crate::downloads::renewals(db.clone(), session, parts, "xlsx")
            }),
        )
        .route(
            "/operator/renewals.csv",
            get({
                let db = state.db.clone();
                move |session, parts| crate::downloads::renewals(db.clone(), session, parts, "csv")
            }),
        )
        .route(
            "/operator/codes/{batch}",
            get({
                let db = state.db.clone();
                move |batch, session, parts| {
                    crate::downloads::code_batch_csv(db.clone(), session, parts, batch)
                }
            }),
        )
        .route(
            "/licence-file",
            get({
                let db = state.db.clone();
                move |session, parts| crate::downloads::licence_file(db.clone(), session, parts)
            }),
        )
        .route(
            "/admin/import/{run}/result.xlsx",
            get({
                let db = state.db.clone();
                move |run, session, parts| {
                    crate::downloads::import_result(db.clone(), session, parts, run)
                }
            }),
        )
        .route(
            "/api/{*fn_name}",
            any(move |req: Request| {
                let state = fn_state.clone();
                handle_server_fns_with_context(move || provide_context(state.clone()), req)
            })
            // Uploads: the import's own limit, plus room for the form's other fields.
            .layer(DefaultBodyLimit::max(
                config.import_limits.max_bytes.saturating_add(64 * 1024),
            )),
        )
        .leptos_routes_with_context(
            &leptos_options,
            routes,
            {
                let state = state.clone();
                move || provide_context(state.clone())
            },
            {
                let options = leptos_options.clone();
                move || shell(options.clone())
            },
        )
        .fallback(leptos_axum::file_and_error_handler(shell))
        // Server functions are routed by path by `leptos_routes` as well: guarded here.
        .layer(middleware::from_fn(
            crate::security::refuse_unreadable_uploads,
        ))
        .layer(middleware::from_fn(crate::answer::server_fn_status))
        .layer(middleware::from_fn_with_state(db.clone(), sign_in_gate))
        // Outside the gate, which reads the principal through the request's memo.
        .layer(middleware::from_fn(remember_principal))
        .layer(sessions)
        // Outside the sessions: a refused request loads none.
        .layer(middleware::from_fn_with_state(
            own_origin,
            crate::security::refuse_cross_site,
        ))
        .with_state(leptos_options)
        // The HTTP API: bearer tokens, no session cookie, no sign-in gate, no cross-site guard.
        .merge(crate::api::router(db.clone()))
        // SCIM 2.0 for identity providers: bearer tokens too.
        .merge(crate::scim::router(db.clone()))
        // For the operator's probes and scrapes (nginx keeps /metrics on loopback).
        .merge(probes(db, lifecycle.clone()))
        .layer(middleware::from_fn_with_state(
            proxies,
            crate::proxies::client_address,
        ))
        .layer(middleware::from_fn_with_state(
            headers,
            crate::security::security_headers,
        ))
        .layer(middleware::from_fn_with_state(
            lifecycle,
            crate::observe::requests::observe,
        ))
}

fn probes(db: domain::Db, lifecycle: std::sync::Arc<crate::lifecycle::Lifecycle>) -> Router {
    use crate::observe::{health, metrics};
    Router::new()
        .route("/healthz", get(health::healthz))
        .route(
            "/readyz",
            get(health::readyz).with_state(health::Probe {
                db: db.clone(),
                lifecycle,
            }),
        )
        .route("/metrics", get(metrics::scrape).with_state(db))
}

/// The pages for people who are not signed in (yet).
const PUBLIC_PAGES: &[&str] = &[
    "/login",
    // The second step of a sign-in: the session waits for it and holds no user yet.
    "/login/second-factor",
    "/login/second-factor/setup",
    "/developers",
    "/signup",
    "/register",
    "/verify",
    "/privacy",
    "/password/forgot",
    "/password/set",
];

/// Pages need sign-in: without a signed-in session the browser goes to the sign-in page and
/// comes back to the page it asked for afterwards.
/// A fresh memo of the principal for each request (see `session::PrincipalMemo`), and for a
/// page's rendering (a GET, which writes nothing) one of its reads of sites
/// (`domain::ReadMemo`).
async fn remember_principal(mut request: Request, next: Next) -> Response {
    request
        .extensions_mut()
        .insert(session::PrincipalMemo::default());
    if request.method() == axum::http::Method::GET {
        request
            .extensions_mut()
            .insert(std::sync::Arc::new(domain::ReadMemo::default()));
    }
    next.run(request).await
}

async fn sign_in_gate(
    State(db): State<domain::Db>,
    session: Session,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path();
    let public = PUBLIC_PAGES.contains(&path)
        || path.starts_with("/api/")
        || path.starts_with("/auth/")
        || path.starts_with("/pkg/")
        || path.contains('.')
        || request.method() != axum::http::Method::GET;
    if public {
        return next.run(request).await;
    }
    let signed_in = matches!(
        session.get::<i32>(session::keys::SESSION_USER).await,
        Ok(Some(_))
    );
    let wanted = request
        .uri()
        .path_and_query()
        .map(|pq| pq.as_str().to_string())
        .unwrap_or_else(|| "/".into());
    if !signed_in {
        return Redirect::to(&format!("/login?next={}", wire::url::encode(&wanted)))
            .into_response();
    }
    // A password to change first: every page leads there, before anything renders (the page
    // would send the browser there too, but only once it has hydrated). The principal read here
    // is the request's, which the page's rendering reuses.
    if path != "/password/change" {
        let memo = request
            .extensions()
            .get::<session::PrincipalMemo>()
            .cloned();
        if let Ok(principal) = session::session_principal_in(&db, &session, memo.as_ref()).await {
            if matches!(
                principal.usable(),
                Err(domain::Error::PasswordChangeRequired)
            ) {
                let to = format!("/password/change?next={}", wire::url::encode(&wanted));
                return Redirect::to(&to).into_response();
            }
        }
    }
    next.run(request).await
}

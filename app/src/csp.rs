//! The Content-Security-Policy of every page: scripts only from this server or carrying the
//! response's nonce (Leptos puts it on its hydration and streaming scripts), WebAssembly
//! compilation allowed (`'wasm-unsafe-eval'`, not `eval`), no framing, no plugins, forms and
//! `<base>` bound to this server. Responses that are not pages get the server's stricter
//! policy (`NOT_A_PAGE` in `server/src/security.rs`).

/// The policy of a page rendered with `nonce`.
pub fn page_policy(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' data: https:; font-src 'self'; connect-src 'self'; \
         object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
}

/// Sets the page's policy on the response being rendered (during server rendering).
pub fn set_page_policy() {
    use leptos::prelude::use_context;
    let Some(nonce) = leptos::nonce::use_nonce() else {
        return;
    };
    let Some(response) = use_context::<leptos_axum::ResponseOptions>() else {
        return;
    };
    if let Ok(value) = http::HeaderValue::from_str(&page_policy(&nonce)) {
        response.insert_header(http::header::CONTENT_SECURITY_POLICY, value);
    }
}

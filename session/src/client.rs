//! Where a request came from: the client's address and browser.

/// The client's address as the server worked it out (the peer, or behind a trusted proxy
/// the address it forwarded); put among a request's extensions by the server.
#[derive(Debug, Clone, Default)]
pub struct ClientAddress(pub Option<String>);

/// The client address of a request, from its parts.
pub fn client_address_of(parts: &http::request::Parts) -> Option<String> {
    use axum::extract::ConnectInfo;
    match parts.extensions.get::<ClientAddress>() {
        Some(ClientAddress(address)) => address.clone(),
        None => parts
            .extensions
            .get::<ConnectInfo<std::net::SocketAddr>>()
            .map(|ConnectInfo(addr)| addr.ip().to_string()),
    }
}

/// The browser as its user agent names itself (at most 200 characters).
pub fn user_agent(headers: &http::HeaderMap) -> Option<String> {
    headers
        .get(http::header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.chars().take(200).collect())
}

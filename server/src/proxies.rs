//! The client's address: the connection's peer, or, when that peer is one of the configured
//! trusted proxies (`LICENTIA_TRUSTED_PROXIES`, addresses and CIDR ranges separated by
//! commas), the right-most address of `X-Forwarded-For` that is not itself a trusted proxy.
//! Without the setting the header is ignored: anyone can write it.
use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::Response;

/// One trusted address or range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Range {
    base: IpAddr,
    prefix: u8,
}

impl Range {
    fn parse(text: &str) -> Option<Range> {
        let (addr, prefix) = match text.split_once('/') {
            Some((addr, prefix)) => (addr, Some(prefix.parse::<u8>().ok()?)),
            None => (text, None),
        };
        let base: IpAddr = addr.trim().parse().ok()?;
        let max = if base.is_ipv4() { 32 } else { 128 };
        let prefix = prefix.unwrap_or(max);
        (prefix <= max).then_some(Range { base, prefix })
    }

    fn contains(&self, ip: IpAddr) -> bool {
        let bits = |ip: IpAddr| -> (u128, u8) {
            match ip {
                IpAddr::V4(v4) => (u128::from(u32::from(v4)) << 96, 32),
                IpAddr::V6(v6) => (u128::from(v6), 128),
            }
        };
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
            v4 => v4,
        };
        let ((base, width), (candidate, candidate_width)) = (bits(self.base), bits(ip));
        if width != candidate_width {
            return false;
        }
        let mask = if self.prefix == 0 {
            0
        } else {
            u128::MAX << (128 - u32::from(self.prefix))
        };
        base & mask == candidate & mask
    }
}

/// The configured trusted proxies.
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies(Vec<Range>);

impl TrustedProxies {
    /// Parses `10.0.0.1, 192.168.0.0/16, ::1`; entries that do not parse are logged and left
    /// out.
    pub fn parse(text: &str) -> TrustedProxies {
        TrustedProxies(
            text.split(',')
                .map(str::trim)
                .filter(|entry| !entry.is_empty())
                .filter_map(|entry| {
                    let range = Range::parse(entry);
                    if range.is_none() {
                        tracing::warn!(%entry, "LICENTIA_TRUSTED_PROXIES: not an address or range");
                    }
                    range
                })
                .collect(),
        )
    }

    fn trusts(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|range| range.contains(ip))
    }

    /// The client of a connection from `peer` that carries these `X-Forwarded-For` values.
    pub fn client(&self, peer: IpAddr, forwarded_for: &[&str]) -> IpAddr {
        if !self.trusts(peer) {
            return peer;
        }
        let hops: Vec<&str> = forwarded_for
            .iter()
            .flat_map(|value| value.split(','))
            .map(str::trim)
            .collect();
        let mut client = peer;
        for hop in hops.iter().rev() {
            let Ok(ip) = hop.parse::<IpAddr>() else {
                // Garbage in the chain: nothing to its left can be believed.
                return client;
            };
            client = ip;
            if !self.trusts(ip) {
                return ip;
            }
        }
        client
    }
}

/// Puts the request's [`session::ClientAddress`] among its extensions, for the pages, the
/// server functions, the journal and the throttling.
pub async fn client_address(
    State(proxies): State<std::sync::Arc<TrustedProxies>>,
    mut request: Request,
    next: Next,
) -> Response {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip());
    let address = peer.map(|peer| {
        let forwarded: Vec<&str> = request
            .headers()
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect();
        proxies.client(peer, &forwarded).to_string()
    });
    request
        .extensions_mut()
        .insert(session::ClientAddress(address));
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn should_believe_forwarded_for_only_from_trusted_proxies() {
        let none = TrustedProxies::parse("");
        let proxies = TrustedProxies::parse("10.0.0.1, 172.16.0.0/12, ::1, nonsense");
        // Without trusted proxies, or from another peer, the header is ignored.
        assert_eq!(none.client(ip("10.0.0.1"), &["1.2.3.4"]), ip("10.0.0.1"));
        assert_eq!(
            proxies.client(ip("198.51.100.7"), &["1.2.3.4"]),
            ip("198.51.100.7")
        );
        // From a trusted proxy: the right-most address that is not a trusted proxy.
        assert_eq!(
            proxies.client(ip("10.0.0.1"), &["6.6.6.6, 1.2.3.4"]),
            ip("1.2.3.4")
        );
        assert_eq!(
            proxies.client(ip("10.0.0.1"), &["6.6.6.6", "1.2.3.4, 172.20.1.1"]),
            ip("1.2.3.4")
        );
        assert_eq!(
            proxies.client(ip("::1"), &["2001:db8::5"]),
            ip("2001:db8::5")
        );
        assert_eq!(
            proxies.client(ip("::ffff:10.0.0.1"), &["1.2.3.4"]),
            ip("1.2.3.4")
        );
        // Nothing forwarded, or garbage: the last address that could be believed.
        assert_eq!(proxies.client(ip("10.0.0.1"), &[]), ip("10.0.0.1"));
        assert_eq!(
            proxies.client(ip("10.0.0.1"), &["1.2.3.4, garbage"]),
            ip("10.0.0.1")
        );
        assert_eq!(
            proxies.client(ip("10.0.0.1"), &["garbage, 1.2.3.4"]),
            ip("1.2.3.4")
        );
        // Ranges: 172.16.0.0/12 holds 172.31.255.255, not 172.32.0.0.
        assert_eq!(
            proxies.client(ip("172.31.255.255"), &["1.2.3.4"]),
            ip("1.2.3.4")
        );
        assert_eq!(
            proxies.client(ip("172.32.0.0"), &["1.2.3.4"]),
            ip("172.32.0.0")
        );
    }
}

//! The signed-in user's own profile: details, linked sign-ins, sessions. Also the links of a
//! user as their administrator sees them, and the providers the sign-in page offers.
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

pub use wire::SsoProvider;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkView {
    pub provider: String,
    pub email: String,
    /// ISO date.
    pub linked_on: chrono::NaiveDate,
    pub last_used: Option<chrono::DateTime<chrono::Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionView {
    pub handle: String,
    pub current: bool,
    pub signed_in_at: Option<chrono::DateTime<chrono::Utc>>,
    pub last_active: chrono::DateTime<chrono::Utc>,
    /// The browser as the user agent names it ("Chrome on Linux").
    pub browser: String,
    pub address: String,
    /// None: not recorded (sessions from before it was).
    pub method: Option<wire::SignInMethod>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProfileView {
    pub username: String,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub email_verified: bool,
    pub site_name: String,
    /// ISO date, if access ends.
    pub access_until: Option<String>,
    pub has_password: bool,
    pub providers: Vec<SsoProvider>,
    pub links: Vec<LinkView>,
    pub sessions: Vec<SessionView>,
}

#[cfg(feature = "ssr")]
pub(crate) fn link_view(link: domain::sso::Link) -> LinkView {
    LinkView {
        provider: link.provider,
        email: link.email.unwrap_or_default(),
        linked_on: wire::time::local(link.linked_at).date(),
        last_used: link.last_used_at,
    }
}

#[cfg(feature = "ssr")]
async fn current_session_id() -> Option<String> {
    crate::ssr::session()
        .await
        .ok()
        .and_then(|s| s.id())
        .map(|id| id.to_string())
}

#[server(endpoint = "my_profile")]
pub async fn my_profile() -> Result<ProfileView, AppError> {
    let (db, principal) = crate::ssr::principal().await?;
    let profile = domain::auth::profile(&db, &principal).await?;
    let links = domain::sso::mine(&db, &principal).await?;
    let current = current_session_id().await;
    let idle = use_context::<crate::ssr::ServerState>()
        .map(|s| s.idle_timeout)
        .unwrap_or_default();
    let idle = chrono::Duration::from_std(idle).unwrap_or_default();
    let sessions = domain::sessions::mine(&db, &principal, current.as_deref()).await?;
    Ok(ProfileView {
        username: profile.username,
        first_name: profile.first_name,
        last_name: profile.last_name,
        email: profile.email.unwrap_or_default(),
        email_verified: profile.email_verified,
        site_name: profile.site_name,
        access_until: profile.access_until.map(|d| d.to_string()),
        has_password: profile.has_password,
        providers: crate::ssr::sso_providers(),
        links: links.into_iter().map(link_view).collect(),
        sessions: sessions
            .into_iter()
            .map(|s| SessionView {
                handle: s.handle,
                current: s.current,
                signed_in_at: s.signed_in_at,
                last_active: s.expires_at - idle,
                browser: browser_name(s.user_agent.as_deref().unwrap_or_default()),
                address: s.client_address.unwrap_or_default(),
                method: s.method.as_deref().map(wire::SignInMethod::from_stored),
            })
            .collect(),
    })
}

#[server(endpoint = "save_profile")]
pub async fn save_profile(
    first_name: String,
    last_name: String,
    email: String,
    #[server(default)] current_password: String,
) -> Result<(), AppError> {
    let (db, principal) = crate::ssr::principal().await?;
    let form = domain::auth::ProfileForm {
        first_name,
        last_name,
        email,
        current_password,
    };
    Ok(domain::auth::update_profile(&db, &principal, form).await?)
}

/// Removes one of the signed-in user's own links.
#[server(endpoint = "unlink_mine")]
pub async fn unlink_mine(provider: String) -> Result<(), AppError> {
    let (db, principal) = crate::ssr::principal().await?;
    let me = domain::auth::me(&db, &principal).await?;
    Ok(domain::sso::unlink(&db, &principal, me.public_id, &provider).await?)
}

#[server(endpoint = "end_session")]
pub async fn end_session(handle: String) -> Result<(), AppError> {
    let (db, principal) = crate::ssr::principal().await?;
    Ok(domain::sessions::end(&db, &principal, &handle).await?)
}

/// Signs the user out everywhere but here; answers how many sessions ended.
#[server(endpoint = "end_other_sessions")]
pub async fn end_other_sessions() -> Result<u64, AppError> {
    let (db, principal) = crate::ssr::principal().await?;
    // No session: nobody is signed in.
    let current = current_session_id()
        .await
        .ok_or(domain::Error::Unauthenticated)?;
    Ok(domain::sessions::end_others(&db, &principal, &current).await?)
}

/// The providers the sign-in page offers (anyone may ask).
#[server(endpoint = "sign_in_providers")]
pub async fn sign_in_providers() -> Result<Vec<SsoProvider>, AppError> {
    Ok(crate::ssr::sso_providers())
}

/// "Firefox on Windows" from a user agent, enough to recognise one's own devices.
pub fn browser_name(agent: &str) -> String {
    let browser = [
        ("Edg/", "Edge"),
        ("OPR/", "Opera"),
        ("Firefox/", "Firefox"),
        ("Chrome/", "Chrome"),
        ("Safari/", "Safari"),
    ]
    .into_iter()
    .find(|(marker, _)| agent.contains(marker))
    .map(|(_, name)| name);
    let system = [
        ("Android", "Android"),
        ("iPhone", "iPhone"),
        ("iPad", "iPad"),
        ("Windows", "Windows"),
        ("Mac OS X", "macOS"),
        ("CrOS", "ChromeOS"),
        ("Linux", "Linux"),
    ]
    .into_iter()
    .find(|(marker, _)| agent.contains(marker))
    .map(|(_, name)| name);
    match (browser, system) {
        (Some(b), Some(s)) => format!("{b} · {s}"),
        (Some(b), None) => b.to_string(),
        (None, Some(s)) => s.to_string(),
        (None, None) => agent.chars().take(40).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::browser_name;

    #[test]
    fn should_name_common_browsers() {
        let chrome = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0.0.0 Safari/537.36";
        assert_eq!(browser_name(chrome), "Chrome · Linux");
        let edge = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0 Safari/537.36 Edg/142.0";
        assert_eq!(browser_name(edge), "Edge · Windows");
        let iphone = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Mobile/15E148 Safari/604.1";
        assert_eq!(browser_name(iphone), "Safari · iPhone");
        assert_eq!(browser_name("curl/8.0"), "curl/8.0");
    }
}

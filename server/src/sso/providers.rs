//! Which OpenID Connect providers users may link, from the environment. Google and Microsoft
//! are presets (only the client id and secret are needed); any standards-compliant issuer can
//! be added by name:
//!
//! ```text
//! LICENTIA_SSO_PROVIDERS=google,microsoft,acme     (default: the presets that have a client id)
//! LICENTIA_SSO_<NAME>_CLIENT_ID / _CLIENT_SECRET   (as registered at the provider)
//! LICENTIA_SSO_<NAME>_ISSUER                       (presets: Google's; Microsoft's with a tenant)
//! LICENTIA_SSO_MICROSOFT_TENANT                    (the directory id or domain; `organizations`
//!                                                   or `common`: every tenant, see `oidc`)
//! LICENTIA_SSO_<NAME>_DISPLAY_NAME / _ICON         (button text; icon path or URL)
//! ```
//!
//! The redirect URI to register is `<public URL>/auth/sso/<name>/callback`.

/// One configured provider.
#[derive(Debug, Clone)]
pub struct Provider {
    /// Lower-case name used in URLs and stored with each link (`google`).
    pub key: String,
    pub display_name: String,
    pub icon: String,
    pub issuer: String,
    pub client_id: String,
    pub client_secret: Option<String>,
    /// Scopes asked besides `openid email profile`.
    pub scopes: Vec<String>,
}

impl Provider {
    /// The part of the provider the pages may see.
    pub fn public(&self) -> wire::SsoProvider {
        wire::SsoProvider {
            key: self.key.clone(),
            name: self.display_name.clone(),
            icon: self.icon.clone(),
        }
    }
}

/// The providers configured in `var` (an environment lookup, so tests can pass their own).
pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Vec<Provider> {
    let listed = var("LICENTIA_SSO_PROVIDERS").unwrap_or_else(|| "google,microsoft".into());
    listed
        .split(',')
        .map(|key| key.trim().to_ascii_lowercase())
        .filter(|key| !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric()))
        .filter_map(|key| {
            let setting = |name: &str| var(&format!("LICENTIA_SSO_{}_{name}", key.to_uppercase()));
            let client_id = setting("CLIENT_ID")?;
            let issuer = setting("ISSUER").or_else(|| preset_issuer(&key, &var));
            let Some(issuer) = issuer else {
                tracing::warn!(provider = %key, "single sign-on provider without issuer: left out");
                return None;
            };
            let (name, icon) = match key.as_str() {
                "google" => ("Google".to_string(), "/icons/google.svg"),
                "microsoft" => ("Microsoft".to_string(), "/icons/microsoft.svg"),
                other => (other.to_string(), "/icons/sso.svg"),
            };
            Some(Provider {
                display_name: setting("DISPLAY_NAME").unwrap_or(name),
                icon: setting("ICON").unwrap_or_else(|| icon.to_string()),
                issuer,
                client_id,
                client_secret: setting("CLIENT_SECRET"),
                scopes: Vec::new(),
                key,
            })
        })
        .collect()
}

/// Google has one issuer. Microsoft's depends on the tenant; its shared endpoints
/// (`organizations`, `common`) name a different issuer in every token, checked against the
/// token's own tenant (`oidc::Sso::finish`).
fn preset_issuer(key: &str, var: &impl Fn(&str) -> Option<String>) -> Option<String> {
    match key {
        "google" => Some("https://accounts.google.com".into()),
        "microsoft" => var("LICENTIA_SSO_MICROSOFT_TENANT")
            .map(|tenant| format!("https://login.microsoftonline.com/{tenant}/v2.0")),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn providers(pairs: &[(&str, &str)]) -> Vec<Provider> {
        let vars: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        from_vars(|name| vars.get(name).cloned())
    }

    #[test]
    fn should_take_presets_that_have_a_client_id() {
        assert!(providers(&[]).is_empty());
        let found = providers(&[("LICENTIA_SSO_GOOGLE_CLIENT_ID", "g")]);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].issuer, "https://accounts.google.com");
        assert_eq!(found[0].display_name, "Google");
    }

    #[test]
    fn should_need_a_tenant_or_issuer_for_microsoft() {
        assert!(providers(&[("LICENTIA_SSO_MICROSOFT_CLIENT_ID", "m")]).is_empty());
        let found = providers(&[
            ("LICENTIA_SSO_MICROSOFT_CLIENT_ID", "m"),
            ("LICENTIA_SSO_MICROSOFT_TENANT", "contoso.onmicrosoft.com"),
        ]);
        assert_eq!(
            found[0].issuer,
            "https://login.microsoftonline.com/contoso.onmicrosoft.com/v2.0"
        );
    }

    #[test]
    fn should_add_any_issuer_by_name() {
        let found = providers(&[
            ("LICENTIA_SSO_PROVIDERS", "Acme, bad-name"),
            ("LICENTIA_SSO_ACME_CLIENT_ID", "a"),
            ("LICENTIA_SSO_ACME_ISSUER", "https://id.acme.example"),
            ("LICENTIA_SSO_ACME_DISPLAY_NAME", "Acme ID"),
        ]);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].key, "acme");
        assert_eq!(found[0].display_name, "Acme ID");
        assert_eq!(found[0].icon, "/icons/sso.svg");
    }
}

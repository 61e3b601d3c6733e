//! A federation's settings, kept on the organisation's root site by its administrators
//! (settings there), and what the server needs to send users to the provider.
use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set,
};
use uuid::Uuid;
use wire::{Federation, FederationIdentifier, FederationPreview, RoleRule};

use super::{rules, MAX_RULES};
use crate::access::{self, Operation, Permissions};
use crate::audit::{self, Action, Change, Event};
use crate::entities::{federation, role, site};
use crate::error::{Code, Error, Result};
use crate::{seal, sites, Db, Principal};

/// The server secret client secrets are sealed under.
const SEALED_AS: &str = "federations";
/// The most federations an organisation keeps.
const MAX_FEDERATIONS: u64 = 20;
/// The longest sample of claims a preview reads.
const MAX_SAMPLE: usize = 16 * 1024;

/// What the server needs to send a user to the provider and check what comes back.
#[derive(Debug, Clone)]
pub struct Endpoint {
    pub name: String,
    pub issuer: String,
    pub client_id: String,
    pub client_secret: Option<String>,
    pub scopes: Vec<String>,
}

/// The root site of `site`'s organisation, for a principal who manages its federations.
async fn root_for(db: &Db, principal: &Principal, site: Uuid) -> Result<sites::Resolved> {
    sites::organisation_root(db, principal, site, Operation::ManageFederations).await
}

/// A federation by its public id and its organisation's root, for a principal who manages the
/// organisation's settings (anyone else: not found).
async fn owned(
    db: &Db,
    principal: &Principal,
    id: Uuid,
) -> Result<(federation::Model, sites::Resolved)> {
    let found = federation::Entity::find()
        .filter(federation::Column::PublicId.eq(id))
        .one(db.conn())
        .await?
        .ok_or(Error::NotFound)?;
    let root = sites::resolve_by_id(db, found.site_id).await?;
    access::require(principal, Operation::ManageFederations, &root.scope).map_err(
        |err| match err {
            Error::Forbidden => Error::NotFound,
            other => other,
        },
    )?;
    Ok((found, root))
}

fn shown(row: federation::Model) -> Federation {
    Federation {
        id: Some(row.public_id),
        has_secret: row.client_secret.is_some(),
        client_secret: String::new(),
        identify_by: FederationIdentifier::parse(&row.identify_by)
            .unwrap_or(FederationIdentifier::Subject),
        email_domains: rules::domains_of(&row),
        roles: serde_json::from_str(&row.role_rules).unwrap_or_default(),
        site_claim: row.site_claim.unwrap_or_default(),
        class_claim: row.class_claim.unwrap_or_default(),
        name: row.name,
        issuer: row.issuer,
        client_id: row.client_id,
        scopes: row.scopes,
        identifier_claim: row.identifier_claim,
        create_users: row.create_users,
    }
}

/// The federations of `site`'s organisation.
pub async fn list(db: &Db, principal: &Principal, site: Uuid) -> Result<Vec<Federation>> {
    let root = root_for(db, principal, site).await?;
    let rows = federation::Entity::find()
        .filter(federation::Column::SiteId.eq(root.site.id))
        .order_by_asc(federation::Column::Name)
        .all(db.conn())
        .await?;
    Ok(rows.into_iter().map(shown).collect())
}

/// A role a rule may grant: one the principal could grant by hand on the organisation's root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleChoice {
    pub id: Uuid,
    pub name: String,
    pub builtin_key: Option<String>,
}

/// The roles the principal may put in a rule of `site`'s organisation.
pub async fn role_choices(db: &Db, principal: &Principal, site: Uuid) -> Result<Vec<RoleChoice>> {
    let root = root_for(db, principal, site).await?;
    let held = access::held(principal, &root.scope);
    let mut usable = crate::roles::usable_roles(db, &root.scope).await?;
    usable.sort_by_key(crate::roles::order);
    Ok(usable
        .into_iter()
        .filter(|r| held.includes(crate::roles::permissions_of(r)))
        .map(|r| RoleChoice {
            id: r.public_id,
            name: r.name,
            builtin_key: r.builtin_key,
        })
        .collect())
}

/// A claim name: letters, digits and `._:-/`, at most 100 characters (URNs included).
fn claim_name(field: &'static str, text: &str, required: bool) -> Result<Option<String>> {
    let text = text.trim();
    if text.is_empty() {
        return if required {
            Err(Error::invalid(field, Code::FieldRequired))
        } else {
            Ok(None)
        };
    }
    let valid = text.len() <= 100
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | ':' | '-' | '/'));
    if valid {
        Ok(Some(text.to_string()))
    } else {
        Err(Error::invalid(field, Code::ClaimNameInvalid))
    }
}

/// An issuer: https, never this machine unless the server allows it (tests): an administrator
/// must not make the server call its own neighbours.
fn issuer(text: &str) -> Result<String> {
    let text = text.trim().trim_end_matches('/');
    let rest = text
        .strip_prefix("https://")
        .or_else(|| text.strip_prefix("http://"))
        .unwrap_or_default();
    let local = crate::webhooks::is_loopback(text);
    let valid = text.len() <= 500
        && !rest.is_empty()
        && !rest.split('/').next().unwrap_or_default().contains('@')
        && !text.chars().any(|c| c.is_whitespace() || c.is_control())
        && if local {
            crate::webhooks::loopback_allowed()
        } else {
            text.starts_with("https://")
        };
    if valid {
        Ok(text.to_string())
    } else {
        Err(Error::invalid("issuer", Code::IssuerInvalid))
    }
}

fn scopes(text: &str) -> Result<String> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let valid = text.len() <= 255
        && words.iter().all(|w| {
            w.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | ':' | '-' | '/'))
        });
    if valid {
        Ok(words.join(" "))
    } else {
        Err(Error::invalid("scopes", Code::ScopesInvalid))
    }
}

fn email_domains(domains: &[String], kind: FederationIdentifier) -> Result<Option<String>> {
    let found = crate::validate::allowed_domains(&domains.join("\n"))
        .map_err(|_| Error::invalid("email_domains", Code::AllowedDomainsInvalid))?;
    if kind == FederationIdentifier::Email && found.is_none() {
        return Err(Error::invalid(
            "email_domains",
            Code::FederationEmailDomainsRequired,
        ));
    }
    Ok(found)
}

/// Saves a federation of `site`'s organisation (new when it has no id), journaled. Every role
/// its rules grant must be one the principal could grant by hand on the organisation's root.
pub async fn save(db: &Db, principal: &Principal, site: Uuid, draft: Federation) -> Result<Uuid> {
    let root = root_for(db, principal, site).await?;
    let name = crate::validate::site_name(&draft.name)?;
    if name.chars().count() > 100 {
        return Err(Error::invalid("name", Code::NameTooLong));
    }
    let issuer = issuer(&draft.issuer)?;
    let client_id = draft.client_id.trim().to_string();
    if client_id.is_empty() || client_id.len() > 255 {
        return Err(Error::invalid("client_id", Code::FieldRequired));
    }
    let scopes = scopes(&draft.scopes)?;
    let identifier_claim = claim_name("identifier_claim", &draft.identifier_claim, false)?
        .unwrap_or_else(|| draft.identify_by.default_claim().to_string());
    let email_domains = email_domains(&draft.email_domains, draft.identify_by)?;
    let site_claim = claim_name("site_claim", &draft.site_claim, false)?;
    let class_claim = claim_name("class_claim", &draft.class_claim, false)?;
    if draft.roles.len() > MAX_RULES {
        return Err(Error::invalid("roles", Code::FederationTooManyRules));
    }
    let mut rules: Vec<RoleRule> = Vec::new();
    for rule in &draft.roles {
        let claim = claim_name("roles", &rule.claim, true)?.unwrap_or_default();
        let value = rule.value.trim();
        if value.is_empty() || value.chars().count() > 255 {
            return Err(Error::invalid("roles", Code::FieldRequired));
        }
        rules.push(RoleRule {
            claim,
            value: value.to_string(),
            role: rule.role,
        });
    }
    // Granting by hand: each role usable here, and no permission the principal lacks.
    let usable = crate::roles::usable_roles(db, &root.scope).await?;
    let mut granted = Permissions::default();
    let mut role_names = Vec::new();
    for rule in &rules {
        let role: &role::Model = usable
            .iter()
            .find(|r| r.public_id == rule.role)
            .ok_or(Error::NotFound)?;
        granted = granted.union(crate::roles::permissions_of(role));
        role_names.push(format!(
            "{}={} → {}",
            rule.claim,
            rule.value,
            crate::roles::journal_name(role)
        ));
    }
    access::require_held(principal, &root.scope, granted)?;
    // Creating users is the principal's to allow (it is checked again, as the federation's
    // keeper, at every sign-in).
    if draft.create_users {
        access::require(principal, Operation::CreateUser, &root.scope)?;
    }
    let secret = match draft.client_secret.trim() {
        "" => None,
        plain => Some(seal::seal(db, SEALED_AS, plain.as_bytes()).await?),
    };

    let now = Utc::now();
    let txn = db.write().await?;
    let existing = match draft.id {
        Some(id) => Some(
            federation::Entity::find()
                .filter(federation::Column::PublicId.eq(id))
                .filter(federation::Column::SiteId.eq(root.site.id))
                .one(&*txn)
                .await?
                .ok_or(Error::NotFound)?,
        ),
        None => {
            let count = federation::Entity::find()
                .filter(federation::Column::SiteId.eq(root.site.id))
                .count(&*txn)
                .await?;
            if count >= MAX_FEDERATIONS {
                return Err(Error::invalid("name", Code::FederationTooMany));
            }
            None
        }
    };
    let public_id = existing
        .as_ref()
        .map(|e| e.public_id)
        .unwrap_or_else(Uuid::new_v4);
    let mut row: federation::ActiveModel = match &existing {
        Some(found) => found.clone().into(),
        None => federation::ActiveModel {
            public_id: Set(public_id),
            site_id: Set(root.site.id),
            created_at: Set(now),
            client_secret: Set(None),
            ..Default::default()
        },
    };
    row.name = Set(name.clone());
    row.issuer = Set(issuer.clone());
    row.client_id = Set(client_id);
    if secret.is_some() {
        row.client_secret = Set(secret);
    }
    row.scopes = Set(scopes);
    row.identify_by = Set(draft.identify_by.as_str().to_string());
    row.identifier_claim = Set(identifier_claim.clone());
    row.email_domains = Set(email_domains);
    row.create_users = Set(draft.create_users);
    row.site_claim = Set(site_claim);
    row.class_claim = Set(class_claim);
    row.role_rules =
        Set(serde_json::to_string(&rules).map_err(|e| Error::Internal(e.to_string()))?);
    row.saved_by = Set(principal.user_id());
    row.updated_at = Set(now);
    if existing.is_some() {
        row.update(&*txn).await?;
    } else {
        row.insert(&*txn).await?;
    }
    audit::record(
        &*txn,
        principal,
        Event {
            action: Action::FederationSave,
            target: name.into(),
            site: &root.site,
            changes: vec![
                Change::set("issuer", issuer),
                Change::set(
                    "identify_by",
                    format!("{} ({identifier_claim})", draft.identify_by.as_str()),
                ),
                Change::set("create_users", draft.create_users),
                Change::set("role", role_names.join(", ")),
            ],
        },
    )
    .await?;
    txn.commit().await?;
    Ok(public_id)
}

/// Removes a federation; its users keep their accounts (and other ways to sign in).
pub async fn remove(db: &Db, principal: &Principal, id: Uuid) -> Result<()> {
    let (found, root) = owned(db, principal, id).await?;
    let txn = db.write().await?;
    federation::Entity::delete_by_id(found.id)
        .exec(&*txn)
        .await?;
    audit::record(
        &*txn,
        principal,
        Event {
            action: Action::FederationRemove,
            target: found.name.clone().into(),
            site: &root.site,
            changes: vec![Change::new("issuer", &found.issuer, "")],
        },
    )
    .await?;
    txn.commit().await
}

/// What the federation would do with `sample` (a JSON object of claims, as the provider's ID
/// token has them), without changing anything.
pub async fn preview(
    db: &Db,
    principal: &Principal,
    id: Uuid,
    sample: &str,
) -> Result<FederationPreview> {
    let (found, _) = owned(db, principal, id).await?;
    if sample.len() > MAX_SAMPLE {
        return Err(Error::invalid("claims", Code::FederationClaimsInvalid));
    }
    let claims = serde_json::from_str::<serde_json::Value>(sample)
        .ok()
        .and_then(|v| super::claims_from_json(&v))
        .ok_or_else(|| Error::invalid("claims", Code::FederationClaimsInvalid))?;
    let mut shown = FederationPreview {
        identifier: None,
        existing_user: None,
        creates: false,
        site: None,
        roles: Vec::new(),
        roles_left_out: Vec::new(),
        refusal: None,
    };
    let refused = |mut shown: FederationPreview, err: Error| match err {
        Error::Refused(code) => {
            shown.refusal = Some(code);
            Ok(shown)
        }
        other => Err(other),
    };
    let value = match rules::identifier(&found, &claims) {
        Ok(value) => value,
        Err(err) => return refused(shown, err),
    };
    shown.identifier = Some(value.clone());
    let keeper = rules::keeper(db, &found).await?;
    match rules::known_user(db.conn(), &found, &value).await {
        Ok(Some(user)) => {
            shown.existing_user = Some(crate::users::user_label(&user));
            if let Some(code) = crate::auth::refusal(db, &user).await? {
                shown.refusal = Some(code);
                return Ok(shown);
            }
            let home = sites::resolve_by_id(db, user.site_id).await?;
            if let Err(err) = rules::may_sign_in(db, &keeper, &user, &home).await {
                return refused(shown, err);
            }
            return Ok(shown);
        }
        Ok(None) => {}
        Err(err) => return refused(shown, err),
    }
    if !found.create_users {
        return refused(shown, Error::Refused(Code::FederationUnknownUser));
    }
    let placement = match rules::placement(db, &found, &claims, &keeper).await {
        Ok(placement) => placement,
        Err(err) => return refused(shown, err),
    };
    if let Err(err) = rules::may_create(&keeper, &placement.school) {
        return refused(shown, err);
    }
    shown.creates = true;
    shown.site = Some(placement.site().name.clone());
    shown.roles = placement
        .roles
        .iter()
        .map(crate::roles::journal_name)
        .collect();
    shown.roles_left_out = placement
        .left_out
        .iter()
        .map(crate::roles::journal_name)
        .collect();
    if !has_free_seat(placement.site()) {
        shown.refusal = Some(Code::FederationSiteFull);
    }
    Ok(shown)
}

/// Whether the site has a seat left (as creation takes it).
fn has_free_seat(site: &site::Model) -> bool {
    site.used_seats < site.seat_limit
}

/// The provider of a federation, for the sign-in (anyone may start one).
pub async fn endpoint(db: &Db, id: Uuid) -> Result<Endpoint> {
    let found = federation::Entity::find()
        .filter(federation::Column::PublicId.eq(id))
        .one(db.conn())
        .await?
        .ok_or(Error::NotFound)?;
    let client_secret = match &found.client_secret {
        Some(sealed) => Some(
            String::from_utf8(seal::open(db, SEALED_AS, sealed).await?)
                .map_err(|_| Error::Internal("federation secret".into()))?,
        ),
        None => None,
    };
    Ok(Endpoint {
        name: found.name,
        issuer: found.issuer,
        client_id: found.client_id,
        client_secret,
        scopes: found
            .scopes
            .split_whitespace()
            .map(str::to_string)
            .collect(),
    })
}

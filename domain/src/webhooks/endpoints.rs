//! Registering, listing, switching and removing endpoints. An endpoint of a site is managed by
//! whoever may manage that site's settings (and seen by them from any site above it); the
//! vendor's endpoints (every organisation) by operators. Journaled for sites.
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, ExprTrait, QueryFilter, QueryOrder, Set,
};
use uuid::Uuid;

use super::events::EVENT_TYPES;
use crate::access::{self, Operation};
use crate::audit::{self, Action, Change, Event};
use crate::entities::{site, site_closure, webhook_endpoint};
use crate::error::{Code, Error, Result};
use crate::sites::{self, Resolved};
use crate::{Db, Principal};

/// The longest endpoint address.
pub const MAX_URL: usize = 2000;

/// Whether http:// endpoints on this machine are accepted (the server's configuration; off
/// unless it says so).
static LOOPBACK: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Accepts (or not) addresses on this machine, for the whole process: webhook endpoints over
/// http, and federations' providers.
pub fn allow_loopback(allowed: bool) {
    LOOPBACK.store(allowed, std::sync::atomic::Ordering::Relaxed);
}

/// Whether addresses on this machine are accepted (webhook endpoints, federations' providers).
pub fn loopback_allowed() -> bool {
    LOOPBACK.load(std::sync::atomic::Ordering::Relaxed)
}

/// Whether an address names this machine.
pub fn is_loopback(url: &str) -> bool {
    host_of(url)
        .is_some_and(|host| host == "localhost" || host == "::1" || host.starts_with("127."))
}

/// The host of an http(s) address without user information (`None` otherwise).
fn host_of(url: &str) -> Option<&str> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.contains('@') {
        return None;
    }
    let host = if let Some(v6) = authority.strip_prefix('[') {
        v6.split(']').next().unwrap_or_default()
    } else {
        authority.split(':').next().unwrap_or_default()
    };
    (!host.is_empty()).then_some(host)
}

/// An endpoint as typed.
#[derive(Debug, Clone, Default)]
pub struct NewEndpoint {
    /// The subtree whose events it receives; none: the vendor's, every organisation.
    pub site: Option<Uuid>,
    pub url: String,
    pub events: Vec<String>,
    pub description: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    pub public_id: Uuid,
    /// The site and its name; none for the vendor's.
    pub site: Option<(Uuid, String)>,
    pub url: String,
    pub events: Vec<String>,
    pub description: Option<String>,
    pub enabled: bool,
    pub failing_since: Option<DateTime<Utc>>,
    pub disabled_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

/// A new endpoint with its signing secret (shown once).
#[derive(Debug, Clone)]
pub struct Registered {
    pub endpoint: Endpoint,
    pub secret: String,
}

fn info(model: &webhook_endpoint::Model, site: Option<&site::Model>) -> Endpoint {
    Endpoint {
        public_id: model.public_id,
        site: site.map(|s| (s.public_id, s.name.clone())),
        url: model.url.clone(),
        events: model
            .events
            .split(',')
            .filter(|e| !e.is_empty())
            .map(str::to_string)
            .collect(),
        description: model.description.clone(),
        enabled: model.enabled,
        failing_since: model.failing_since,
        disabled_at: model.disabled_at,
        created_at: model.created_at,
    }
}

/// An https address, or (when the server allows it) http to this machine.
fn url(raw: &str) -> Result<String> {
    let url = raw.trim();
    let invalid = || Error::invalid("url", Code::WebhookUrlInvalid);
    if url.len() > MAX_URL || url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(invalid());
    }
    host_of(url).ok_or_else(invalid)?;
    let secure = url.starts_with("https://");
    let local = is_loopback(url);
    let allowed = if local {
        LOOPBACK.load(std::sync::atomic::Ordering::Relaxed)
    } else {
        secure
    };
    if !allowed {
        return Err(invalid());
    }
    Ok(url.to_string())
}

fn events(raw: &[String]) -> Result<String> {
    let mut chosen: Vec<&str> = Vec::new();
    for event in raw.iter().map(|e| e.trim()).filter(|e| !e.is_empty()) {
        let known = EVENT_TYPES
            .iter()
            .find(|t| **t == event)
            .ok_or_else(|| Error::invalid("events", Code::WebhookEventsInvalid))?;
        if !chosen.contains(known) {
            chosen.push(known);
        }
    }
    if chosen.is_empty() {
        return Err(Error::invalid("events", Code::WebhookEventsInvalid));
    }
    Ok(chosen.join(","))
}

/// The site an endpoint belongs to, after checking that the principal may manage it (or,
/// for the vendor's, that they are an operator).
async fn authorize(db: &Db, principal: &Principal, site: Option<Uuid>) -> Result<Option<Resolved>> {
    match site {
        Some(site) => {
            let resolved = sites::resolve(db, site).await?;
            access::require(principal, Operation::ManageWebhooks, &resolved.scope)?;
            Ok(Some(resolved))
        }
        None => access::require_vendor(principal).map(|_| None),
    }
}

/// An endpoint and its site, when the principal may manage it; `NotFound` otherwise.
pub(super) async fn find(
    db: &Db,
    principal: &Principal,
    endpoint: Uuid,
) -> Result<(webhook_endpoint::Model, Option<Resolved>)> {
    let found = webhook_endpoint::Entity::find()
        .filter(webhook_endpoint::Column::PublicId.eq(endpoint))
        .one(db.conn())
        .await?
        .ok_or(Error::NotFound)?;
    let site = match found.site_id {
        Some(id) => Some(sites::public_id_of(db, id).await?),
        None => None,
    };
    let resolved = authorize(db, principal, site)
        .await
        .map_err(|err| match err {
            Error::Forbidden if site.is_none() => Error::NotFound,
            other => other,
        })?;
    Ok((found, resolved))
}

/// Registers an endpoint; its secret is shown once.
pub async fn register(db: &Db, principal: &Principal, form: NewEndpoint) -> Result<Registered> {
    let site = authorize(db, principal, form.site).await?;
    insert(db, principal, site, form).await
}

/// Registers an endpoint without an access check (the operator's command line).
pub async fn register_unchecked(db: &Db, form: NewEndpoint) -> Result<Registered> {
    let site = match form.site {
        Some(site) => Some(sites::resolve(db, site).await?),
        None => None,
    };
    insert(db, &Principal::Anonymous, site, form).await
}

async fn insert(
    db: &Db,
    principal: &Principal,
    site: Option<Resolved>,
    form: NewEndpoint,
) -> Result<Registered> {
    let url = url(&form.url)?;
    let events = events(&form.events)?;
    let description = form.description.trim();
    if description.chars().count() > 100 {
        return Err(Error::invalid("description", Code::FieldTooLong));
    }
    let key: [u8; 32] = rand::random();
    let secret = format!("whsec_{}", B64.encode(key));
    let txn = db.write().await?;
    let created = webhook_endpoint::ActiveModel {
        public_id: Set(Uuid::new_v4()),
        site_id: Set(site.as_ref().map(|s| s.site.id)),
        owner_id: Set(principal.user_id()),
        url: Set(url.clone()),
        secret: Set(secret.clone()),
        events: Set(events.clone()),
        description: Set((!description.is_empty()).then(|| description.to_string())),
        enabled: Set(true),
        failing_since: Set(None),
        disabled_at: Set(None),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&*txn)
    .await?;
    if let Some(site) = &site {
        audit::record(
            &*txn,
            principal,
            Event {
                action: Action::WebhookCreate,
                target: url.into(),
                site: &site.site,
                changes: vec![Change::set("events", events)],
            },
        )
        .await?;
    }
    txn.commit().await?;
    Ok(Registered {
        endpoint: info(&created, site.as_ref().map(|s| &s.site)),
        secret,
    })
}

/// Whose endpoints a page lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// The vendor's (operators).
    Vendor,
    /// A site's subtree: the one named, or the principal's first.
    Site(Option<Uuid>),
}

/// Endpoints as a page lists them: the site they are listed for (none: the vendor's).
#[derive(Debug, Clone)]
pub struct EndpointList {
    pub site: Option<(Uuid, String)>,
    pub endpoints: Vec<Endpoint>,
}

/// The endpoints of a site's subtree, or the vendor's, newest first.
pub async fn endpoints(db: &Db, principal: &Principal, scope: Scope) -> Result<EndpointList> {
    let site = match scope {
        Scope::Vendor => None,
        Scope::Site(site) => Some(sites::site_or_home(db, principal, site).await?),
    };
    let resolved = authorize(db, principal, site).await?;
    let mut query = webhook_endpoint::Entity::find();
    query = match &resolved {
        Some(site) => query.filter(
            webhook_endpoint::Column::SiteId.in_subquery(
                Query::select()
                    .column(site_closure::Column::DescendantId)
                    .from(site_closure::Entity)
                    .and_where(Expr::col(site_closure::Column::AncestorId).eq(site.site.id))
                    .to_owned(),
            ),
        ),
        None => query.filter(webhook_endpoint::Column::SiteId.is_null()),
    };
    let rows = query
        .order_by_desc(webhook_endpoint::Column::Id)
        .all(db.conn())
        .await?;
    let site_ids: Vec<i32> = rows.iter().filter_map(|r| r.site_id).collect();
    let named = site::Entity::find()
        .filter(site::Column::Id.is_in(site_ids))
        .all(db.conn())
        .await?;
    Ok(EndpointList {
        site: resolved.map(|r| (r.site.public_id, r.site.name)),
        endpoints: rows
            .iter()
            .map(|r| info(r, named.iter().find(|s| Some(s.id) == r.site_id)))
            .collect(),
    })
}

/// Switches an endpoint off or on again (on again: its failures are forgotten).
pub async fn set_enabled(
    db: &Db,
    principal: &Principal,
    endpoint: Uuid,
    enabled: bool,
) -> Result<()> {
    let (found, site) = find(db, principal, endpoint).await?;
    let txn = db.write().await?;
    let mut changed: webhook_endpoint::ActiveModel = found.clone().into();
    changed.enabled = Set(enabled);
    if enabled {
        changed.failing_since = Set(None);
        changed.disabled_at = Set(None);
    } else {
        changed.disabled_at = Set(Some(Utc::now()));
    }
    changed.update(&*txn).await?;
    if let Some(site) = &site {
        audit::record(
            &*txn,
            principal,
            Event {
                action: Action::WebhookUpdate,
                target: found.url.clone().into(),
                site: &site.site,
                changes: vec![Change::new("enabled", found.enabled, enabled)],
            },
        )
        .await?;
    }
    txn.commit().await
}

/// Removes an endpoint and its delivery log.
pub async fn remove(db: &Db, principal: &Principal, endpoint: Uuid) -> Result<()> {
    let (found, site) = find(db, principal, endpoint).await?;
    let txn = db.write().await?;
    webhook_endpoint::Entity::delete_by_id(found.id)
        .exec(&*txn)
        .await?;
    if let Some(site) = &site {
        audit::record(
            &*txn,
            principal,
            Event {
                action: Action::WebhookRemove,
                target: found.url.clone().into(),
                site: &site.site,
                changes: Vec::new(),
            },
        )
        .await?;
    }
    txn.commit().await
}

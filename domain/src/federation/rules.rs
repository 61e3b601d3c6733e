//! What a federation's rules make of a set of claims: the identifier, the user's site and the
//! roles they receive there. Read-only; shared by the sign-in and the preview.
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use wire::FederationIdentifier;

use super::Claims;
use crate::access::{self, Operation, Permissions};
use crate::entities::{external_id, federation, federation_account, role, site, user};
use crate::error::{Code, Error, Result};
use crate::identifiers::Scheme;
use crate::sites::{self, Resolved};
use crate::{Db, Principal};

/// Claims as a provider's JSON has them: strings, numbers and booleans as text, lists of them
/// flattened; anything else is left out. None: not an object.
pub fn claims_from_json(value: &serde_json::Value) -> Option<Claims> {
    fn scalar(value: &serde_json::Value) -> Option<String> {
        match value {
            serde_json::Value::String(s) => Some(s.clone()),
            serde_json::Value::Number(n) => Some(n.to_string()),
            serde_json::Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }
    let object = value.as_object()?;
    Some(
        object
            .iter()
            .map(|(name, value)| {
                let values = match value {
                    serde_json::Value::Array(items) => items.iter().filter_map(scalar).collect(),
                    other => scalar(other).into_iter().collect(),
                };
                (name.clone(), values)
            })
            .filter(|(_, values): &(String, Vec<String>)| !values.is_empty())
            .collect(),
    )
}

/// The first non-empty value of a claim.
pub(super) fn first<'a>(claims: &'a Claims, name: &str) -> Option<&'a str> {
    claims
        .get(name)?
        .iter()
        .map(|v| v.trim())
        .find(|v| !v.is_empty())
}

/// Whether a claim holds `value` (in any case).
fn holds(claims: &Claims, name: &str, value: &str) -> bool {
    claims.get(name).is_some_and(|values| {
        values
            .iter()
            .any(|v| v.trim().eq_ignore_ascii_case(value.trim()))
    })
}

/// The identifying value of a federation's claims, as stored (e-mail addresses in lower case,
/// and only verified ones of the listed domains).
pub(super) fn identifier(fed: &federation::Model, claims: &Claims) -> Result<String> {
    let kind =
        FederationIdentifier::parse(&fed.identify_by).unwrap_or(FederationIdentifier::Subject);
    let value =
        first(claims, &fed.identifier_claim).ok_or(Error::Refused(Code::FederationNoIdentifier))?;
    let value = crate::identifiers::valid(value)
        .map_err(|_| Error::Refused(Code::FederationNoIdentifier))?;
    if kind != FederationIdentifier::Email {
        return Ok(value.to_string());
    }
    let address = value.to_lowercase();
    let domain = address.rsplit_once('@').map(|(_, d)| d).unwrap_or_default();
    let verified = holds(claims, "email_verified", "true");
    if !verified || domain.is_empty() || !domains_of(fed).iter().any(|d| d == domain) {
        return Err(Error::Refused(Code::FederationEmailUnverified));
    }
    Ok(address)
}

pub(super) fn domains_of(fed: &federation::Model) -> Vec<String> {
    fed.email_domains
        .as_deref()
        .unwrap_or_default()
        .lines()
        .map(|l| l.trim().to_lowercase())
        .filter(|l| !l.is_empty())
        .collect()
}

/// The user the identifier belongs to: signed in through this federation before, or (ECK iD,
/// e-mail) known in the organisation already. More than one user with the address: refused.
pub(super) async fn known_user(
    conn: &impl ConnectionTrait,
    fed: &federation::Model,
    value: &str,
) -> Result<Option<user::Model>> {
    let account = federation_account::Entity::find()
        .filter(federation_account::Column::FederationId.eq(fed.id))
        .filter(federation_account::Column::Value.eq(value))
        .one(conn)
        .await?;
    let user_id = match account {
        Some(account) => Some(account.user_id),
        None => match FederationIdentifier::parse(&fed.identify_by) {
            Some(FederationIdentifier::EckId) => external_id::Entity::find()
                .filter(external_id::Column::OrganisationId.eq(fed.site_id))
                .filter(external_id::Column::Scheme.eq(Scheme::EckId.as_str()))
                .filter(external_id::Column::Value.eq(value))
                .one(conn)
                .await?
                .map(|row| row.user_id),
            Some(FederationIdentifier::Email) => {
                let ids: Vec<i32> = user::Entity::find()
                    .select_only()
                    .column(user::Column::Id)
                    .filter(user::Column::Email.eq(value))
                    .filter(user::Column::SiteId.in_subquery(sites::subtree([fed.site_id])))
                    .limit(2)
                    .into_tuple()
                    .all(conn)
                    .await?;
                match ids.as_slice() {
                    [] => None,
                    [one] => Some(*one),
                    _ => return Err(Error::Refused(Code::FederationAmbiguous)),
                }
            }
            _ => None,
        },
    };
    match user_id {
        Some(id) => Ok(user::Entity::find_by_id(id).one(conn).await?),
        None => Ok(None),
    }
}

/// Where a new user goes, and what they receive there.
#[derive(Debug)]
pub(super) struct Placement {
    /// The site with the institution number (or the organisation): roles are granted here.
    pub school: Resolved,
    /// The class under it the user is placed in, if the claims name one that exists.
    pub class: Option<site::Model>,
    pub roles: Vec<role::Model>,
    /// Roles of matching rules that the administrator who saved them may not grant there.
    pub left_out: Vec<role::Model>,
}

impl Placement {
    pub fn site(&self) -> &site::Model {
        self.class.as_ref().unwrap_or(&self.school.site)
    }
}

/// Places a new user by the rules.
pub(super) async fn placement(
    db: &Db,
    fed: &federation::Model,
    claims: &Claims,
    keeper: &Principal,
) -> Result<Placement> {
    let school = match fed.site_claim.as_deref().filter(|c| !c.is_empty()) {
        None => sites::resolve_by_id(db, fed.site_id).await?,
        Some(claim) => school_of(
            db,
            fed,
            claims.get(claim).map(Vec::as_slice).unwrap_or_default(),
        )
        .await?
        .ok_or(Error::Refused(Code::FederationNoSite))?,
    };
    let class = match fed
        .class_claim
        .as_deref()
        .filter(|c| !c.is_empty())
        .and_then(|claim| first(claims, claim))
    {
        Some(name) => site::Entity::find()
            .filter(site::Column::ParentId.eq(school.site.id))
            .limit(1000)
            .all(db.conn())
            .await?
            .into_iter()
            .find(|s| s.name.trim().to_lowercase() == name.to_lowercase()),
        None => None,
    };
    let (roles, left_out) = roles_for(db, fed, claims, &school, keeper).await?;
    Ok(Placement {
        school,
        class,
        roles,
        left_out,
    })
}

/// The administrator who saved the rules, as they are now: the federation acts only within
/// their reach (nobody's, once they are gone).
pub(super) async fn keeper(db: &Db, fed: &federation::Model) -> Result<Principal> {
    match fed.saved_by {
        // A user who may no longer act loads as anonymous.
        Some(id) => Principal::load(db, id).await,
        None => Ok(Principal::Anonymous),
    }
}

/// Refuses signing in as `found` (placed in `home`) unless the keeper could manage them by
/// hand: the user's site, and authority over theirs.
pub(super) async fn may_sign_in(
    db: &Db,
    keeper: &Principal,
    found: &user::Model,
    home: &Resolved,
) -> Result<()> {
    let authority = crate::users::authority(db.conn(), found).await?;
    access::require_over(keeper, Operation::EditUser, &home.scope, &authority)
        .map_err(|_| Error::Refused(Code::FederationOutOfReach))
}

/// Refuses creating a user at `school` unless the keeper could.
pub(super) fn may_create(keeper: &Principal, school: &Resolved) -> Result<()> {
    if access::allows(keeper, Operation::CreateUser, &school.scope) {
        Ok(())
    } else {
        Err(Error::Refused(Code::FederationOutOfReach))
    }
}

/// The site of the organisation with one of these institution numbers.
async fn school_of(
    db: &Db,
    fed: &federation::Model,
    numbers: &[String],
) -> Result<Option<Resolved>> {
    let wanted: Vec<String> = numbers
        .iter()
        .map(|n| n.trim())
        .filter(|n| !n.is_empty())
        .map(str::to_uppercase)
        .take(20)
        .collect();
    if wanted.is_empty() {
        return Ok(None);
    }
    let found = site::Entity::find()
        .filter(site::Column::InstitutionNumber.is_in(wanted))
        .filter(site::Column::Id.in_subquery(sites::subtree([fed.site_id])))
        .one(db.conn())
        .await?;
    match found {
        Some(found) => Ok(Some(sites::resolve_by_id(db, found.id).await?)),
        None => Ok(None),
    }
}

/// The roles the matching rules grant on `school`, split by whether the administrator who saved
/// the rules may grant them there now.
async fn roles_for(
    db: &Db,
    fed: &federation::Model,
    claims: &Claims,
    school: &Resolved,
    keeper: &Principal,
) -> Result<(Vec<role::Model>, Vec<role::Model>)> {
    let rules: Vec<wire::RoleRule> = serde_json::from_str(&fed.role_rules).unwrap_or_default();
    let wanted: Vec<uuid::Uuid> = rules
        .iter()
        .filter(|rule| holds(claims, &rule.claim, &rule.value))
        .map(|rule| rule.role)
        .collect();
    if wanted.is_empty() {
        return Ok((Vec::new(), Vec::new()));
    }
    let usable = crate::roles::usable_roles(db, &school.scope).await?;
    let held = access::held(keeper, &school.scope);
    let (mut granted, mut left_out) = (Vec::new(), Vec::new());
    for role in usable.into_iter().filter(|r| wanted.contains(&r.public_id)) {
        let needs: Permissions = crate::roles::permissions_of(&role);
        if held.includes(needs) {
            granted.push(role);
        } else {
            left_out.push(role);
        }
    }
    Ok((granted, left_out))
}

//! An organisation's second-factor policy, and what it asks of a user at sign-in.
//!
//! The policy sits on the organisation's root site, set by its administrators (settings on the
//! root; a subsite administrator cannot loosen it). "Administrators" covers every user holding
//! a role with any permission on any site; operators always need a second factor, whatever
//! their organisation says. A user who must and has none is asked at sign-in; from that first
//! time they may go on without for the organisation's grace period, then not any more: the
//! sign-in waits until a factor is set up.
use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect};
use uuid::Uuid;
use wire::SecondFactorPolicy;

use crate::access::Operation;
use crate::audit::{self, Action, Change, Event};
use crate::entities::{site, user};
use crate::error::{Code, Error, Result};
use crate::{sites, Db, Principal};

/// Days a user asked to set up a second factor may go on without, unless the organisation
/// chose otherwise.
pub const DEFAULT_GRACE_DAYS: i32 = 14;
/// The longest grace period an organisation may give.
pub const MAX_GRACE_DAYS: i32 = 90;

/// An organisation's second-factor policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    pub who: SecondFactorPolicy,
    /// 0: no grace, a factor is set up at the first sign-in after the policy applies.
    pub grace_days: i32,
    /// The Microsoft tenant ids the organisation's users may sign in from with a provider that
    /// serves every tenant (lower case); empty: any.
    pub tenants: Vec<String>,
}

impl Policy {
    fn of(root: &site::Model) -> Policy {
        Policy {
            who: SecondFactorPolicy::parse(&root.second_factor_policy).unwrap_or_default(),
            grace_days: root.second_factor_grace_days.clamp(0, MAX_GRACE_DAYS),
            tenants: tenants_of(root),
        }
    }
}

/// The tenant ids a root site accepts (empty: any).
pub(crate) fn tenants_of(root: &site::Model) -> Vec<String> {
    root.sso_tenants
        .as_deref()
        .unwrap_or_default()
        .lines()
        .map(|l| l.trim().to_ascii_lowercase())
        .filter(|l| !l.is_empty())
        .collect()
}

/// A tenant id as Microsoft writes them: a GUID.
pub fn is_tenant_id(text: &str) -> bool {
    text.len() == 36
        && text.char_indices().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => c == '-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// What a browser sign-in asks of the user about second factors, once the password (or the
/// provider) was right.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Nothing more.
    Done,
    /// Prove one of their factors.
    Prove,
    /// Set one up: the policy requires it. `until`: the user may still go on without until
    /// then; `None`: not any more.
    Enrol { until: Option<DateTime<Utc>> },
}

/// The policy of the organisation `site` belongs to, for its administrators.
pub async fn policy_of(db: &Db, principal: &Principal, site: Uuid) -> Result<Policy> {
    let root = root_for(db, principal, site).await?;
    Ok(Policy::of(&root))
}

/// Sets the policy of the organisation `site` belongs to (settings on its root), journaled.
pub async fn set_policy(
    db: &Db,
    principal: &Principal,
    site: Uuid,
    mut policy: Policy,
) -> Result<Policy> {
    let root = root_for(db, principal, site).await?;
    if !(0..=MAX_GRACE_DAYS).contains(&policy.grace_days) {
        return Err(Error::invalid("grace_days", Code::GraceDaysOutOfRange));
    }
    policy.tenants = policy
        .tenants
        .iter()
        .map(|t| t.trim().to_ascii_lowercase())
        .filter(|t| !t.is_empty())
        .collect();
    policy.tenants.sort();
    policy.tenants.dedup();
    if policy.tenants.len() > 50 || !policy.tenants.iter().all(|t| is_tenant_id(t)) {
        return Err(Error::invalid("tenants", Code::TenantIdInvalid));
    }
    let before = Policy::of(&root);
    if before == policy {
        return Ok(policy);
    }
    let txn = db.write().await?;
    site::Entity::update_many()
        .col_expr(
            site::Column::SecondFactorPolicy,
            Expr::value(policy.who.as_str()),
        )
        .col_expr(
            site::Column::SecondFactorGraceDays,
            Expr::value(policy.grace_days),
        )
        .col_expr(
            site::Column::SsoTenants,
            Expr::value((!policy.tenants.is_empty()).then(|| policy.tenants.join("\n"))),
        )
        .filter(site::Column::Id.eq(root.id))
        .exec(&*txn)
        .await?;
    let mut changes = Vec::new();
    if before.who != policy.who {
        changes.push(Change::new(
            "second_factor_policy",
            before.who.as_str(),
            policy.who.as_str(),
        ));
    }
    if before.tenants != policy.tenants {
        changes.push(Change::new(
            "tenants",
            before.tenants.join(", "),
            policy.tenants.join(", "),
        ));
    }
    if before.grace_days != policy.grace_days {
        changes.push(Change::new(
            "grace_days",
            before.grace_days,
            policy.grace_days,
        ));
    }
    audit::record(
        &*txn,
        principal,
        Event {
            action: Action::SiteUpdate,
            target: root.name.clone().into(),
            site: &root,
            changes,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(policy)
}

/// The root site of `site`'s organisation, for one who manages its sign-in policy.
async fn root_for(db: &Db, principal: &Principal, site: Uuid) -> Result<site::Model> {
    Ok(
        sites::organisation_root(db, principal, site, Operation::ManageSignInPolicy)
            .await?
            .site,
    )
}

/// Whether `user_id` must have a second factor, and if so the grace period of their
/// organisation in days.
pub(crate) async fn required(db: &Db, user_id: i32) -> Result<Option<i32>> {
    let holder = user::Entity::find_by_id(user_id)
        .one(db.conn())
        .await?
        .ok_or(Error::NotFound)?;
    let resolved = sites::resolve_by_id(db, holder.site_id).await?;
    let root = resolved.ancestors.last().ok_or(Error::NotFound)?;
    let policy = Policy::of(root);
    let must = holder.is_operator
        || match policy.who {
            SecondFactorPolicy::Optional => false,
            SecondFactorPolicy::Everyone => true,
            // Any permission on any site (the authority the delegation rules compare).
            SecondFactorPolicy::Administrators => !crate::users::authority(db.conn(), &holder)
                .await?
                .is_plain(),
        };
    Ok(must.then_some(policy.grace_days))
}

/// What a browser sign-in of `user_id` asks about second factors. The first time the policy
/// asks the user for one, their grace period starts.
pub async fn step_at_sign_in(db: &Db, user_id: i32, now: DateTime<Utc>) -> Result<Step> {
    if super::has_factor(db, user_id).await? {
        return Ok(Step::Prove);
    }
    let Some(grace_days) = required(db, user_id).await? else {
        return Ok(Step::Done);
    };
    let asked = asked_at(db, user_id, now).await?;
    let until = asked + Duration::days(i64::from(grace_days));
    Ok(Step::Enrol {
        until: (now < until).then_some(until),
    })
}

/// Whether a sign-in waiting for `user_id` to set up a second factor may go on: they set one
/// up, or their grace period still runs (or the policy no longer asks it of them).
pub async fn may_go_on(db: &Db, user_id: i32, now: DateTime<Utc>) -> Result<()> {
    match step_at_sign_in(db, user_id, now).await? {
        Step::Done | Step::Prove | Step::Enrol { until: Some(_) } => Ok(()),
        Step::Enrol { until: None } => Err(Error::Refused(Code::EnrolmentNotDue)),
    }
}

/// When the user was first asked (now, if this is the first time; two sign-ins at once agree).
async fn asked_at(db: &Db, user_id: i32, now: DateTime<Utc>) -> Result<DateTime<Utc>> {
    let txn = db.autocommit().await;
    user::Entity::update_many()
        .col_expr(user::Column::SecondFactorAskedAt, Expr::value(now))
        .filter(user::Column::Id.eq(user_id))
        .filter(user::Column::SecondFactorAskedAt.is_null())
        .exec(&*txn)
        .await?;
    drop(txn);
    let asked: Option<Option<DateTime<Utc>>> = user::Entity::find_by_id(user_id)
        .select_only()
        .column(user::Column::SecondFactorAskedAt)
        .into_tuple()
        .one(db.conn())
        .await?;
    Ok(asked.flatten().unwrap_or(now))
}

/// How many second factors `user` has, for an administrator who sees their sign-in links.
pub async fn count_of(db: &Db, principal: &Principal, user: Uuid) -> Result<u64> {
    let target = crate::users::target(db, principal, Operation::ViewSecondFactors, user).await?;
    Ok(crate::entities::second_factor::Entity::find()
        .filter(crate::entities::second_factor::Column::UserId.eq(target.user.id))
        .filter(crate::entities::second_factor::Column::Confirmed.eq(true))
        .count(db.conn())
        .await?)
}

/// Refuses taking away one of `user_id`'s factors when it is their last and the policy
/// requires one (an administrator's reset is not refused: the user is asked again at their
/// next sign-in).
pub(super) async fn refuse_removing_last(db: &Db, user_id: i32) -> Result<()> {
    let kept = crate::entities::second_factor::Entity::find()
        .filter(crate::entities::second_factor::Column::UserId.eq(user_id))
        .filter(crate::entities::second_factor::Column::Confirmed.eq(true))
        .count(db.conn())
        .await?;
    if kept <= 1 && required(db, user_id).await?.is_some() {
        return Err(Error::Refused(Code::SecondFactorRequired));
    }
    Ok(())
}

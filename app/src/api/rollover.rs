//! The school-year rollover: the proposal, the preview, the start, the runs and their undo.
use chrono::{DateTime, NaiveDate, Utc};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use serde::{Deserialize, Serialize};
use uuid::Uuid;
use wire::{NextClass, RolloverState};

use super::import::Shortage;
use crate::error::{AppError, Code};

/// Where one class's pupils go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClassChoice {
    pub class: Uuid,
    pub next: NextClass,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RolloverClass {
    pub id: Uuid,
    pub name: String,
    pub parent: String,
    pub pupils: u64,
    pub next: NextClass,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RolloverProposal {
    pub site: Uuid,
    pub site_name: String,
    pub classes: Vec<RolloverClass>,
    pub leave_on: NaiveDate,
}

/// A class before and after.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClassCount {
    pub name: String,
    pub before: u64,
    pub after: u64,
}

/// A user left alone, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Skipped {
    pub user: String,
    pub code: Code,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RolloverPreview {
    pub moved: u64,
    pub leavers: u64,
    pub classes: Vec<ClassCount>,
    pub skipped: Vec<Skipped>,
    pub shortages: Vec<Shortage>,
    /// Classes left empty that would be archived.
    pub archived: u64,
    /// Licences to renew into the next subscription, and the free seats there.
    pub renewals: u64,
    pub renewable: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RolloverRunRow {
    pub id: Uuid,
    pub state: RolloverState,
    pub moved: i32,
    pub leavers: i32,
    pub skipped: i32,
    pub renewed: i32,
    pub failure: Option<Code>,
    pub leave_on: NaiveDate,
    pub created: DateTime<Utc>,
    pub undo_until: Option<DateTime<Utc>>,
}

#[cfg(feature = "ssr")]
fn mapping(choices: Vec<ClassChoice>) -> Vec<(Uuid, NextClass)> {
    choices.into_iter().map(|c| (c.class, c.next)).collect()
}

/// The classes of the site (or the principal's home site) and where each would go.
#[server(endpoint = "load_rollover")]
pub async fn load_rollover(site: Option<Uuid>) -> Result<RolloverProposal, AppError> {
    let (db, principal) = crate::ssr::principal().await?;
    let site = domain::sites::site_or_home(&db, &principal, site).await?;
    let p = domain::rollover::propose(&db, &principal, site, wire::time::today()).await?;
    Ok(RolloverProposal {
        site: p.site,
        site_name: p.site_name,
        leave_on: p.leave_on,
        classes: p
            .classes
            .into_iter()
            .map(|c| RolloverClass {
                id: c.id,
                name: c.name,
                parent: c.parent,
                pupils: c.pupils,
                next: c.next,
            })
            .collect(),
    })
}

/// What the rollover would do (nothing is written).
#[server(endpoint = "preview_rollover", input = Json)]
pub async fn preview_rollover(
    site: Uuid,
    choices: Vec<ClassChoice>,
    leave_on: NaiveDate,
    archive: bool,
    renew: bool,
) -> Result<RolloverPreview, AppError> {
    let (db, principal) = crate::ssr::principal().await?;
    let plan = domain::rollover::plan(
        &db,
        &principal,
        site,
        &mapping(choices),
        domain::rollover::RolloverOptions {
            leave_on,
            archive,
            renew,
        },
        wire::time::today(),
    )
    .await?;
    Ok(RolloverPreview {
        archived: plan.archived.len() as u64,
        renewals: plan.renewals.len() as u64,
        renewable: plan.renewable,
        moved: (plan.moves.len() - plan.leavers) as u64,
        leavers: plan.leavers as u64,
        classes: plan
            .classes
            .into_iter()
            .map(|(name, before, after)| ClassCount {
                name,
                before,
                after,
            })
            .collect(),
        skipped: plan
            .skipped
            .into_iter()
            .map(|(user, code)| Skipped { user, code })
            .collect(),
        shortages: plan
            .shortages
            .into_iter()
            .map(|s| Shortage {
                site: s.site_name,
                adding: s.adding as u64,
                free: s.free,
            })
            .collect(),
    })
}

/// Starts the rollover in the background; answers it.
#[server(endpoint = "start_rollover", input = Json)]
pub async fn start_rollover(
    site: Uuid,
    choices: Vec<ClassChoice>,
    leave_on: NaiveDate,
    archive: bool,
    renew: bool,
) -> Result<Uuid, AppError> {
    let (db, principal) = crate::ssr::principal().await?;
    Ok(domain::rollover::start(
        &db,
        &principal,
        site,
        mapping(choices),
        domain::rollover::RolloverOptions {
            leave_on,
            archive,
            renew,
        },
        wire::time::today(),
    )
    .await?)
}

/// The site's latest rollovers.
#[server(endpoint = "rollover_runs")]
pub async fn rollover_runs(site: Option<Uuid>) -> Result<Vec<RolloverRunRow>, AppError> {
    let (db, principal) = crate::ssr::principal().await?;
    let site = domain::sites::site_or_home(&db, &principal, site).await?;
    Ok(domain::rollover::recent(&db, &principal, site)
        .await?
        .into_iter()
        .map(|r| RolloverRunRow {
            id: r.id,
            state: r.state,
            moved: r.moved,
            leavers: r.leavers,
            skipped: r.skipped,
            renewed: r.renewed,
            failure: r.failure.as_deref().and_then(Code::parse),
            leave_on: r.leave_on,
            created: r.created_at,
            undo_until: r.undo_until,
        })
        .collect())
}

/// Undoes a rollover of the last day; answers how many users went back.
#[server(endpoint = "undo_rollover")]
pub async fn undo_rollover(rollover: Uuid) -> Result<u64, AppError> {
    let (db, principal) = crate::ssr::principal().await?;
    let back = domain::rollover::undo(&db, &principal, rollover, Utc::now()).await?;
    Ok(back as u64)
}

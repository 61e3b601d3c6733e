//! Writing one checked batch of an import inside its transaction: adds (seats taken per site
//! for the whole batch, users inserted together), updates and moves, deletions, role grants,
//! custom property values, each journaled; every row's outcome noted for its result.
use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, Set,
};
use uuid::Uuid;

use super::apply::{ADDED, BATCH, DELETED, ERROR, UPDATED};
use super::preview::Planned;
use super::rows::{Action, ImportRow};
use super::run::RowMessage;
use crate::audit::{self, Change, Event};
use crate::auth::password;
use crate::entities::{property_value, role_grant, site, user};
use crate::error::{Code, Error, Result};
use crate::properties::write_value;
use crate::sites::{release_seats, take_seats};
use crate::users::remove_unchecked;
use crate::Principal;

/// Each row's outcome: added, updated, deleted or error with its messages.
pub(super) type Outcomes = BTreeMap<usize, (&'static str, Vec<RowMessage>)>;

fn refusal(code: Code) -> RowMessage {
    RowMessage {
        column: None,
        code,
        details: Vec::new(),
    }
}

/// The initial passwords of the batch, hashed on the password pool as background work: one
/// per worker at a time, so that sign-ins take their turns between them.
pub(super) async fn hash_passwords(planned: &[Planned]) -> Result<HashMap<usize, String>> {
    let wanted: Vec<(usize, String)> = planned
        .iter()
        .filter(|p| p.action != Action::Delete)
        .filter_map(|p| p.row.password.clone().map(|plain| (p.row.row, plain)))
        .collect();
    let parallel = password::background_parallelism().max(1);
    let mut hashes = HashMap::with_capacity(wanted.len());
    let mut tasks = tokio::task::JoinSet::new();
    let mut wanted = wanted.into_iter();
    loop {
        while tasks.len() < parallel {
            let Some((row, plain)) = wanted.next() else {
                break;
            };
            tasks.spawn(async move { password::hash_in_background(plain).await.map(|h| (row, h)) });
        }
        let Some(done) = tasks.join_next().await else {
            break;
        };
        let (row, hash) = done.map_err(|e| Error::Internal(format!("hash task: {e}")))??;
        hashes.insert(row, hash);
    }
    Ok(hashes)
}

pub(super) struct BatchWriter<'a, C> {
    pub conn: &'a C,
    pub principal: &'a Principal,
    pub outcome: &'a mut Outcomes,
    pub hashes: &'a HashMap<usize, String>,
    pub sites: HashMap<i32, site::Model>,
}

impl<C: ConnectionTrait> BatchWriter<'_, C> {
    fn refuse(&mut self, row: usize, code: Code) {
        self.outcome.insert(row, (ERROR, vec![refusal(code)]));
    }

    async fn site(&mut self, id: i32) -> Result<site::Model> {
        if let Some(found) = self.sites.get(&id) {
            return Ok(found.clone());
        }
        let found = site::Entity::find_by_id(id)
            .one(self.conn)
            .await?
            .ok_or(Error::NotFound)?;
        self.sites.insert(id, found.clone());
        Ok(found)
    }

    /// New users: seats taken per site for the whole batch (as many as are free), inserted
    /// together, their roles granted, each journaled.
    pub async fn add(&mut self, planned: &[Planned]) -> Result<()> {
        let adds: Vec<&Planned> = planned.iter().filter(|p| p.action == Action::Add).collect();
        if adds.is_empty() {
            return Ok(());
        }
        // Usernames taken since the batch was checked (by someone else, meanwhile).
        let taken: HashSet<String> = user::Entity::find()
            .select_only()
            .column(user::Column::Username)
            .filter(user::Column::Username.is_in(adds.iter().map(|p| p.row.username.clone())))
            .into_tuple::<String>()
            .all(self.conn)
            .await?
            .into_iter()
            .collect();
        let mut by_site: BTreeMap<i32, Vec<&Planned>> = BTreeMap::new();
        for p in adds {
            if taken.contains(&p.row.username) {
                self.refuse(p.row.row, Code::UsernameTaken);
            } else {
                by_site.entry(p.site_id).or_default().push(p);
            }
        }
        let now = Utc::now();
        let mut accepted: Vec<&Planned> = Vec::new();
        for (site_id, list) in by_site {
            let wanted = i32::try_from(list.len()).unwrap_or(i32::MAX);
            let seats = if take_seats(self.conn, site_id, wanted, wanted).await? {
                wanted
            } else {
                let site = site::Entity::find_by_id(site_id)
                    .one(self.conn)
                    .await?
                    .ok_or(Error::NotFound)?;
                let free = (site.seat_limit - site.used_seats).clamp(0, wanted);
                if free > 0 && take_seats(self.conn, site_id, free, free).await? {
                    free
                } else {
                    0
                }
            };
            let seats = usize::try_from(seats).unwrap_or_default();
            for (i, p) in list.into_iter().enumerate() {
                if i < seats {
                    accepted.push(p);
                } else {
                    self.refuse(p.row.row, Code::NoFreeSeat);
                }
            }
        }
        let models: Vec<user::ActiveModel> = accepted
            .iter()
            .map(|p| {
                let hash = self.hashes.get(&p.row.row).cloned();
                user::ActiveModel {
                    public_id: Set(Uuid::new_v4()),
                    site_id: Set(p.site_id),
                    username: Set(p.row.username.clone()),
                    first_name: Set(p.row.first_name.clone().unwrap_or_default()),
                    last_name: Set(p.row.last_name.clone().unwrap_or_default()),
                    email: Set(p.row.email.clone()),
                    email_verified: Set(false),
                    // An initial password from a file is known to others: changed at once.
                    must_change_password: Set(hash.is_some()),
                    password_hash: Set(hash),
                    active: Set(true),
                    expires_on: Set(p.row.expires_on),
                    locale: Set(None),
                    created_at: Set(now),
                    last_sign_in_at: Set(None),
                    is_operator: Set(false),
                    service_account: Set(false),
                    pending: Set(None),
                    personnel_number: Set(p.row.personnel_number.clone()),
                    ..Default::default()
                }
            })
            .collect();
        for chunk in models.chunks(BATCH) {
            user::Entity::insert_many(chunk.to_vec())
                .exec(self.conn)
                .await?;
        }
        let needing_ids: Vec<&&Planned> = accepted
            .iter()
            .filter(|p| !p.roles.is_empty() || !p.row.properties.is_empty())
            .collect();
        // Every new user's number: the journal names each entry's user by it.
        let mut ids: HashMap<String, i32> = HashMap::new();
        if !accepted.is_empty() {
            ids = user::Entity::find()
                .select_only()
                .column(user::Column::Username)
                .column(user::Column::Id)
                .filter(
                    user::Column::Username.is_in(accepted.iter().map(|p| p.row.username.clone())),
                )
                .into_tuple::<(String, i32)>()
                .all(self.conn)
                .await?
                .into_iter()
                .collect();
            for p in needing_ids {
                if let Some(id) = ids.get(&p.row.username) {
                    grant(self.conn, *id, p.site_id, &p.roles).await?;
                    for (definition, _, value) in &p.row.properties {
                        write_value(self.conn, *id, *definition, Some(value)).await?;
                    }
                }
            }
        }
        let mut homes = HashMap::new();
        for p in &accepted {
            if let Entry::Vacant(slot) = homes.entry(p.site_id) {
                slot.insert(self.site(p.site_id).await?);
            }
        }
        let mut events = Vec::with_capacity(accepted.len());
        for p in &accepted {
            let Some(site) = homes.get(&p.site_id) else {
                continue;
            };
            let mut changes = vec![Change::set("username", &p.row.username)];
            if let Some(date) = p.row.expires_on {
                changes.push(Change::set("expires_on", date));
            }
            for (_, key, value) in &p.row.properties {
                changes.push(Change::set(&format!("property:{key}"), value));
            }
            events.push(Event {
                action: audit::Action::UserCreate,
                target: crate::audit::Target {
                    label: label(&p.row),
                    user: ids.get(&p.row.username).copied(),
                },
                site,
                changes,
            });
        }
        audit::record_many(self.conn, self.principal, events).await?;
        for p in accepted {
            self.outcome.insert(p.row.row, (ADDED, Vec::new()));
        }
        Ok(())
    }

    /// Updates (fields given in the file, a move when a subsite is named) and deletions, one
    /// by one: each moves seats of its own.
    pub async fn update_or_delete(&mut self, planned: &[Planned]) -> Result<()> {
        let targets: HashMap<i32, user::Model> = user::Entity::find()
            .filter(user::Column::Id.is_in(planned.iter().filter_map(|p| p.user_id)))
            .all(self.conn)
            .await?
            .into_iter()
            .map(|u| (u.id, u))
            .collect();
        for p in planned.iter().filter(|p| p.action != Action::Add) {
            // Deleted since the batch was checked.
            let Some(target) = p.user_id.and_then(|id| targets.get(&id)) else {
                self.refuse(p.row.row, Code::ImportUserUnknown);
                continue;
            };
            if p.action == Action::Delete {
                let site = self.site(target.site_id).await?;
                let erased = remove_unchecked(self.conn, target).await?;
                audit::record(
                    self.conn,
                    self.principal,
                    Event {
                        action: audit::Action::UserDelete,
                        target: erased,
                        site: &site,
                        changes: Vec::new(),
                    },
                )
                .await?;
                self.outcome.insert(p.row.row, (DELETED, Vec::new()));
                continue;
            }
            if p.site_id != target.site_id {
                if !take_seats(self.conn, p.site_id, 1, 1).await? {
                    self.refuse(p.row.row, Code::NoFreeSeat);
                    continue;
                }
                release_seats(self.conn, target.site_id, 1, 1).await?;
            }
            let hash = self.hashes.get(&p.row.row).cloned();
            let (model, mut changes) = self.changed(target, p, hash.is_some()).await?;
            let mut model = model;
            if !p.row.properties.is_empty() {
                let before: HashMap<i32, String> = property_value::Entity::find()
                    .filter(property_value::Column::UserId.eq(target.id))
                    .all(self.conn)
                    .await?
                    .into_iter()
                    .map(|v| (v.definition_id, v.value))
                    .collect();
                for (definition, key, value) in &p.row.properties {
                    let was = before.get(definition).cloned().unwrap_or_default();
                    if &was != value {
                        write_value(self.conn, target.id, *definition, Some(value)).await?;
                        changes.push(Change::new(&format!("property:{key}"), was, value));
                    }
                }
            }
            if let Some(hash) = hash {
                model.password_hash = Set(Some(hash));
                model.must_change_password = Set(true);
                crate::users::end_sessions(self.conn, target.id).await?;
            }
            model.update(self.conn).await?;
            grant(self.conn, target.id, p.site_id, &p.roles).await?;
            let site = self.site(p.site_id).await?;
            audit::record(
                self.conn,
                self.principal,
                Event {
                    action: audit::Action::UserUpdate,
                    target: crate::audit::Target::user(target),
                    site: &site,
                    changes,
                },
            )
            .await?;
            self.outcome.insert(p.row.row, (UPDATED, Vec::new()));
        }
        Ok(())
    }

    /// The fields the row sets (empty cells leave a field alone), with the journal's changes.
    async fn changed(
        &mut self,
        target: &user::Model,
        p: &Planned,
        password: bool,
    ) -> Result<(user::ActiveModel, Vec<Change>)> {
        let mut model: user::ActiveModel = target.clone().into();
        let mut changes = Vec::new();
        let row = &p.row;
        if let Some(v) = &row.first_name {
            changes.push(Change::new("first_name", &target.first_name, v));
            model.first_name = Set(v.clone());
        }
        if let Some(v) = &row.last_name {
            changes.push(Change::new("last_name", &target.last_name, v));
            model.last_name = Set(v.clone());
        }
        if let Some(v) = &row.email {
            if target.email.as_ref() != Some(v) {
                model.email_verified = Set(false);
            }
            changes.push(Change::new(
                "email",
                target.email.clone().unwrap_or_default(),
                v,
            ));
            model.email = Set(Some(v.clone()));
        }
        if let Some(v) = row.expires_on {
            let before = target.expires_on.map(|d| d.to_string()).unwrap_or_default();
            changes.push(Change::new("expires_on", before, v));
            model.expires_on = Set(Some(v));
        }
        if let Some(v) = &row.personnel_number {
            let before = target.personnel_number.clone().unwrap_or_default();
            changes.push(Change::new("personnel_number", before, v));
            model.personnel_number = Set(Some(v.clone()));
        }
        if p.site_id != target.site_id {
            let from = self.site(target.site_id).await?;
            let to = self.site(p.site_id).await?;
            changes.push(Change::sites("site", Some(&from), &to));
            model.site_id = Set(p.site_id);
        }
        if password {
            changes.push(Change::new("password", "", "••••"));
        }
        Ok((model, changes))
    }
}

fn label(row: &ImportRow) -> String {
    format!(
        "{} {} ({})",
        row.first_name.as_deref().unwrap_or_default(),
        row.last_name.as_deref().unwrap_or_default(),
        row.username
    )
}

/// Grants the roles on the site, those the user does not hold there yet.
async fn grant(
    conn: &impl ConnectionTrait,
    user_id: i32,
    site_id: i32,
    roles: &[i32],
) -> Result<()> {
    if roles.is_empty() {
        return Ok(());
    }
    let held: HashSet<i32> = role_grant::Entity::find()
        .select_only()
        .column(role_grant::Column::RoleId)
        .filter(role_grant::Column::UserId.eq(user_id))
        .filter(role_grant::Column::SiteId.eq(site_id))
        .into_tuple::<i32>()
        .all(conn)
        .await?
        .into_iter()
        .collect();
    for role in roles.iter().filter(|r| !held.contains(r)) {
        role_grant::ActiveModel {
            user_id: Set(user_id),
            site_id: Set(site_id),
            role_id: Set(*role),
            ..Default::default()
        }
        .insert(conn)
        .await?;
    }
    Ok(())
}

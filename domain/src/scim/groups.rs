//! Groups as sites (RFC 7643 §4.2): a group is a site below the connection's site, its members
//! the users placed in it. Adding a member moves the user into the site; removing one moves
//! them back to the connection's site. A member's seat travels with them: a group that is full
//! grows by a seat taken from its parent, and gives the seat back when a member leaves, so that
//! a provider's moves never strand seats. Every write is one transaction under the rules of the
//! pages: each member is a target (`users::target`: their site and authority over them), the
//! group's parent must allow resizing it, and a new member must not join a dynamic group
//! giving what the connection could not give.
use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, ExprTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use serde_json::{json, Value};
use uuid::Uuid;

use super::filter::{find, Filter};
use super::patch;
use super::users::{version_allows, version_of, MAX_PAGE, MAX_SCAN};
use crate::access::{self, Operation};
use crate::audit::{self, Action, Change, Event};
use crate::entities::{site, site_external_id, user};
use crate::error::{Code, Error, Result};
use crate::identifiers::Scheme;
use crate::sites::{self, release_seats, take_seats, Resolved};
use crate::{validate, Db, Principal};

pub const GROUP_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";

/// A member as a group lists them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScimMember {
    pub id: Uuid,
    pub display: String,
}

/// A group as SCIM shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScimGroup {
    pub id: Uuid,
    pub display_name: String,
    pub external_id: Option<String>,
    /// None when the caller asked without them (`excludedAttributes=members`).
    pub members: Option<Vec<ScimMember>>,
    pub created: DateTime<Utc>,
}

impl ScimGroup {
    /// The resource as JSON (without `meta.location`, which the endpoint adds).
    pub fn to_json(&self) -> Value {
        let mut resource = json!({
            "schemas": [GROUP_SCHEMA],
            "id": self.id.to_string(),
            "displayName": self.display_name,
        });
        let Some(object) = resource.as_object_mut() else {
            return resource;
        };
        if let Some(id) = &self.external_id {
            object.insert("externalId".into(), Value::String(id.clone()));
        }
        if let Some(members) = &self.members {
            let members: Vec<Value> = members
                .iter()
                .map(|m| {
                    json!({
                        "value": m.id.to_string(),
                        "$ref": format!("/scim/v2/Users/{}", m.id),
                        "type": "User",
                    })
                })
                .collect();
            object.insert("members".into(), Value::Array(members));
        }
        let version = version_of(&resource);
        if let Some(object) = resource.as_object_mut() {
            object.insert(
                "meta".into(),
                json!({
                    "resourceType": "Group",
                    "created": self.created.to_rfc3339(),
                    "version": version,
                }),
            );
        }
        resource
    }

    pub fn version(&self) -> String {
        self.to_json()["meta"]["version"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }
}

/// A page of groups.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupPage {
    pub total: u64,
    pub start_index: u64,
    pub resources: Vec<ScimGroup>,
}

/// What a provider sends for a group.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScimGroupInput {
    pub display_name: String,
    pub external_id: Option<String>,
    /// The members' ids as sent (checked when written).
    pub members: Vec<String>,
}

impl ScimGroupInput {
    pub fn from_json(resource: &Value) -> ScimGroupInput {
        let text = |v: Option<&Value>| v.and_then(Value::as_str).map(str::to_string);
        ScimGroupInput {
            display_name: text(find(resource, "displayName")).unwrap_or_default(),
            external_id: text(find(resource, "externalId")).filter(|s| !s.trim().is_empty()),
            members: find(resource, "members")
                .and_then(Value::as_array)
                .map(|members| {
                    members
                        .iter()
                        .filter_map(|m| text(find(m, "value")))
                        .collect()
                })
                .unwrap_or_default(),
        }
    }
}

/// The connection's site, checked: the principal views sites there.
async fn home(db: &Db, principal: &Principal, site: Uuid) -> Result<Resolved> {
    let resolved = sites::resolve(db, site).await?;
    access::require(principal, Operation::ViewSites, &resolved.scope)?;
    Ok(resolved)
}

/// A group of the connection: a site strictly below its site (anything else: not found).
async fn group_site(db: &Db, principal: &Principal, home: &Resolved, id: Uuid) -> Result<Resolved> {
    let group = sites::resolve(db, id).await?;
    let below = group.site.id != home.site.id && group.scope.ancestry.contains(&home.site.id);
    if !below {
        return Err(Error::NotFound);
    }
    access::require(principal, Operation::ViewSites, &group.scope)?;
    Ok(group)
}

/// The groups below `site` that match `filter`, one page; with their members unless
/// `members` is false (members are read for the page only, or for every candidate when the
/// filter names them).
#[allow(clippy::too_many_arguments)]
pub async fn list(
    db: &Db,
    principal: &Principal,
    site: Uuid,
    filter: Option<&str>,
    start_index: u64,
    count: u64,
    members: bool,
) -> Result<GroupPage> {
    let home = home(db, principal, site).await?;
    let filter = filter
        .filter(|f| !f.trim().is_empty())
        .map(Filter::parse)
        .transpose()?;
    let rows = site::Entity::find()
        .filter(site::Column::Id.in_subquery(sites::subtree([home.site.id])))
        .filter(site::Column::Id.ne(home.site.id))
        .order_by_asc(site::Column::Id)
        .limit(MAX_SCAN + 1)
        .all(db.conn())
        .await?;
    if rows.len() as u64 > MAX_SCAN {
        return Err(Error::Refused(Code::ScimTooMany));
    }
    let names_members = filter.as_ref().is_some_and(|f| f.names("members"));
    let mut groups = resources(db, rows, names_members).await?;
    if let Some(filter) = &filter {
        groups.retain(|g| filter.matches(&g.to_json()));
    }
    let start_index = Ord::max(start_index, 1);
    let total = groups.len() as u64;
    let mut page: Vec<ScimGroup> = groups
        .into_iter()
        .skip((start_index - 1) as usize)
        .take(Ord::min(count, MAX_PAGE) as usize)
        .collect();
    if members && !names_members {
        let ids: Vec<Uuid> = page.iter().map(|g| g.id).collect();
        let found = members_of(db.conn(), &ids).await?;
        for group in &mut page {
            group.members = Some(found.get(&group.id).cloned().unwrap_or_default());
        }
    } else if !members {
        for group in &mut page {
            group.members = None;
        }
    }
    Ok(GroupPage {
        total,
        start_index,
        resources: page,
    })
}

/// One group, with its members unless `members` is false.
pub async fn get(
    db: &Db,
    principal: &Principal,
    site: Uuid,
    id: Uuid,
    members: bool,
) -> Result<ScimGroup> {
    let home = home(db, principal, site).await?;
    let group = group_site(db, principal, &home, id).await?;
    resources(db, vec![group.site], members)
        .await?
        .into_iter()
        .next()
        .ok_or(Error::NotFound)
}

/// The sites as groups, with their external ids (and members, when asked).
async fn resources(db: &Db, rows: Vec<site::Model>, members: bool) -> Result<Vec<ScimGroup>> {
    let mut external = HashMap::new();
    for chunk in rows.chunks(5000) {
        for found in site_external_id::Entity::find()
            .filter(site_external_id::Column::Scheme.eq(Scheme::Scim.as_str()))
            .filter(site_external_id::Column::SiteId.is_in(chunk.iter().map(|s| s.id)))
            .all(db.conn())
            .await?
        {
            external.insert(found.site_id, found.value);
        }
    }
    let mut groups: Vec<ScimGroup> = rows
        .into_iter()
        .map(|s| ScimGroup {
            id: s.public_id,
            display_name: s.name,
            external_id: external.remove(&s.id),
            members: None,
            created: s.created_at,
        })
        .collect();
    if members {
        let ids: Vec<Uuid> = groups.iter().map(|g| g.id).collect();
        let found = members_of(db.conn(), &ids).await?;
        for group in &mut groups {
            group.members = Some(found.get(&group.id).cloned().unwrap_or_default());
        }
    }
    Ok(groups)
}

/// The users placed in each of the sites (at most [`MAX_SCAN`] in all: `tooMany` beyond).
async fn members_of(
    conn: &impl ConnectionTrait,
    sites: &[Uuid],
) -> Result<HashMap<Uuid, Vec<ScimMember>>> {
    let mut found: HashMap<Uuid, Vec<ScimMember>> = HashMap::new();
    let mut read = 0u64;
    for chunk in sites.chunks(5000) {
        let rows: Vec<(Uuid, String, String, Uuid)> = user::Entity::find()
            .select_only()
            .column(user::Column::PublicId)
            .column(user::Column::FirstName)
            .column(user::Column::LastName)
            .column_as(site::Column::PublicId, "site_public_id")
            .inner_join(site::Entity)
            .filter(site::Column::PublicId.is_in(chunk.iter().copied()))
            .filter(user::Column::ServiceAccount.eq(false))
            .order_by_asc(user::Column::Id)
            .limit(MAX_SCAN + 1 - read)
            .into_tuple()
            .all(conn)
            .await?;
        read += rows.len() as u64;
        if read > MAX_SCAN {
            return Err(Error::Refused(Code::ScimTooMany));
        }
        for (id, first, last, site) in rows {
            found.entry(site).or_default().push(ScimMember {
                id,
                display: format!("{first} {last}"),
            });
        }
    }
    Ok(found)
}

/// A group's fields as checked for writing.
struct Checked {
    name: String,
    external_id: Option<String>,
    members: Vec<Uuid>,
}

fn check(input: ScimGroupInput) -> Result<Checked> {
    let unknown = || Error::invalid("members", Code::ScimMemberUnknown);
    let mut members = Vec::new();
    for value in &input.members {
        let id = Uuid::parse_str(value.trim()).map_err(|_| unknown())?;
        if !members.contains(&id) {
            members.push(id);
        }
    }
    Ok(Checked {
        name: validate::site_name(&input.display_name)?,
        external_id: input
            .external_id
            .as_deref()
            .map(crate::identifiers::valid)
            .transpose()?
            .map(str::to_string),
        members,
    })
}

/// Creates a group: a site below the connection's site, with no seats of its own (its members
/// bring theirs).
pub async fn create(
    db: &Db,
    principal: &Principal,
    site: Uuid,
    input: ScimGroupInput,
) -> Result<ScimGroup> {
    let home = home(db, principal, site).await?;
    access::require(principal, Operation::CreateSite, &home.scope)?;
    let checked = check(input)?;
    let arriving = targets(db, principal, &home, &checked.members).await?;
    let txn = db.write().await?;
    let created = sites::insert_site(&*txn, Some(&home.scope.ancestry), &checked.name, 0).await?;
    audit::record(
        &*txn,
        principal,
        Event {
            action: Action::SiteCreate,
            target: created.name.clone().into(),
            site: &created,
            changes: vec![
                Change::set("name", &created.name),
                Change::set("seat_limit", 0),
            ],
        },
    )
    .await?;
    let organisation = home.scope.root_id().ok_or(Error::NotFound)?;
    if let Some(value) = &checked.external_id {
        insert_external(&*txn, organisation, created.id, value).await?;
    }
    let mut ancestry = vec![created.id];
    ancestry.extend(home.scope.ancestry.iter().copied());
    let group = Resolved {
        scope: crate::access::SiteScope {
            ancestry: ancestry.clone(),
        },
        ancestors: std::iter::once(created.clone())
            .chain(home.ancestors.iter().cloned())
            .collect(),
        site: created.clone(),
    };
    for target in &arriving {
        crate::groups::guard::check_user(
            &*txn,
            principal,
            target,
            &ancestry,
            target.pending.is_none() && !target.service_account,
        )
        .await?;
        join(&*txn, principal, &group, target).await?;
    }
    txn.commit().await?;
    get(db, principal, site, created.public_id, true).await
}

/// The members to be, as targets of the connection: users below its site, under its
/// authority; anything else is an unknown member (saying nothing of who it is).
async fn targets(
    db: &Db,
    principal: &Principal,
    home: &Resolved,
    ids: &[Uuid],
) -> Result<Vec<user::Model>> {
    let mut found = Vec::with_capacity(ids.len());
    for id in ids {
        let target = match crate::users::target(db, principal, Operation::EditUser, *id).await {
            Ok(target) => target,
            Err(Error::NotFound | Error::Forbidden | Error::Refused(_)) => {
                return Err(Error::invalid("members", Code::ScimMemberUnknown))
            }
            Err(other) => return Err(other),
        };
        if !target.site.scope.ancestry.contains(&home.site.id) || target.user.service_account {
            return Err(Error::invalid("members", Code::ScimMemberUnknown));
        }
        found.push(target.user);
    }
    Ok(found)
}

/// Moves a user into the group, their seat with them (the group grows when it is full).
async fn join(
    conn: &impl ConnectionTrait,
    principal: &Principal,
    group: &Resolved,
    member: &user::Model,
) -> Result<()> {
    if member.site_id == group.site.id {
        return Ok(());
    }
    let parent = group.site.parent_id.ok_or(Error::NotFound)?;
    release_seats(conn, member.site_id, 1, 1).await?;
    if !take_seats(conn, group.site.id, 1, 1).await? {
        if !take_seats(conn, parent, 1, 0).await? {
            return Err(Error::Refused(Code::NoFreeSeat));
        }
        resize(conn, group.site.id, 1).await?;
        if !take_seats(conn, group.site.id, 1, 1).await? {
            return Err(Error::Refused(Code::NoFreeSeat));
        }
    }
    place(conn, principal, member, group, member.site_id).await
}

/// Moves a user out of the group to the connection's site; the group gives the seat back.
async fn leave(
    conn: &impl ConnectionTrait,
    principal: &Principal,
    group: &Resolved,
    home: &Resolved,
    member: &user::Model,
) -> Result<()> {
    let parent = group.site.parent_id.ok_or(Error::NotFound)?;
    release_seats(conn, group.site.id, 1, 1).await?;
    resize(conn, group.site.id, -1).await?;
    release_seats(conn, parent, 1, 0).await?;
    if !take_seats(conn, home.site.id, 1, 1).await? {
        return Err(Error::Refused(Code::NoFreeSeat));
    }
    place(conn, principal, member, home, group.site.id).await
}

async fn resize(conn: &impl ConnectionTrait, site_id: i32, by: i32) -> Result<()> {
    site::Entity::update_many()
        .col_expr(
            site::Column::SeatLimit,
            Expr::col(site::Column::SeatLimit).add(by),
        )
        .filter(site::Column::Id.eq(site_id))
        .exec(conn)
        .await?;
    Ok(())
}

async fn place(
    conn: &impl ConnectionTrait,
    principal: &Principal,
    member: &user::Model,
    to: &Resolved,
    from: i32,
) -> Result<()> {
    user::Entity::update_many()
        .col_expr(user::Column::SiteId, Expr::value(to.site.id))
        .filter(user::Column::Id.eq(member.id))
        .exec(conn)
        .await?;
    let from_site = site::Entity::find_by_id(from).one(conn).await?;
    audit::record(
        conn,
        principal,
        Event {
            action: Action::UserUpdate,
            target: crate::audit::Target::user(member),
            site: &to.site,
            changes: vec![Change::sites("site", from_site.as_ref(), &to.site)],
        },
    )
    .await
}

async fn insert_external(
    conn: &impl ConnectionTrait,
    organisation: i32,
    site_id: i32,
    value: &str,
) -> Result<()> {
    site_external_id::ActiveModel {
        organisation_id: Set(organisation),
        site_id: Set(site_id),
        scheme: Set(Scheme::Scim.as_str().to_string()),
        value: Set(value.to_string()),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(conn)
    .await
    .map_err(|e| Error::from_db_unique(e, Code::ExternalIdTaken))?;
    Ok(())
}

/// PUT: the group becomes what the provider sends (members left out leave it).
pub async fn replace(
    db: &Db,
    principal: &Principal,
    site: Uuid,
    id: Uuid,
    input: ScimGroupInput,
    if_match: Option<&str>,
) -> Result<ScimGroup> {
    let (home, group, before) = current(db, principal, site, id, if_match).await?;
    write(db, principal, home, group, before, check(input)?).await
}

/// PATCH: the operations applied to the group as it is, then written as a replace.
pub async fn patch(
    db: &Db,
    principal: &Principal,
    site: Uuid,
    id: Uuid,
    body: &Value,
    if_match: Option<&str>,
) -> Result<ScimGroup> {
    let (home, group, before) = current(db, principal, site, id, if_match).await?;
    let operations = patch::parse(body)?;
    let mut resource = before.to_json();
    patch::apply(&mut resource, &operations, &[])?;
    let input = ScimGroupInput::from_json(&resource);
    write(db, principal, home, group, before, check(input)?).await
}

async fn current(
    db: &Db,
    principal: &Principal,
    site: Uuid,
    id: Uuid,
    if_match: Option<&str>,
) -> Result<(Resolved, Resolved, ScimGroup)> {
    let home = home(db, principal, site).await?;
    let group = group_site(db, principal, &home, id).await?;
    access::require(principal, Operation::EditSite, &group.scope)?;
    let before = resources(db, vec![group.site.clone()], true)
        .await?
        .into_iter()
        .next()
        .ok_or(Error::NotFound)?;
    if !version_allows(if_match, &before.version()) {
        return Err(Error::Refused(Code::ScimVersionMismatch));
    }
    Ok((home, group, before))
}

async fn write(
    db: &Db,
    principal: &Principal,
    home: Resolved,
    group: Resolved,
    before: ScimGroup,
    after: Checked,
) -> Result<ScimGroup> {
    let had: HashSet<Uuid> = before.members.iter().flatten().map(|m| m.id).collect();
    let adding: Vec<Uuid> = after
        .members
        .iter()
        .filter(|id| !had.contains(id))
        .copied()
        .collect();
    let removing: Vec<Uuid> = had
        .iter()
        .filter(|id| !after.members.contains(id))
        .copied()
        .collect();
    if !adding.is_empty() || !removing.is_empty() {
        // The group's seats change with its members: resizing it is its parent's to allow.
        let parent = group.scope.parent().ok_or(Error::NotFound)?;
        access::require(principal, Operation::ResizeSite, &parent)?;
        access::require(principal, Operation::EditUser, &group.scope)?;
    }
    let arriving = targets(db, principal, &home, &adding).await?;
    let leaving = targets(db, principal, &home, &removing).await?;
    let organisation = home.scope.root_id().ok_or(Error::NotFound)?;

    let txn = db.write().await?;
    if after.name != group.site.name {
        site::Entity::update_many()
            .col_expr(site::Column::Name, Expr::value(after.name.clone()))
            .filter(site::Column::Id.eq(group.site.id))
            .exec(&*txn)
            .await?;
        audit::record(
            &*txn,
            principal,
            Event {
                action: Action::SiteUpdate,
                target: after.name.clone().into(),
                site: &group.site,
                changes: vec![Change::new("name", &group.site.name, &after.name)],
            },
        )
        .await?;
    }
    if after.external_id != before.external_id {
        site_external_id::Entity::delete_many()
            .filter(site_external_id::Column::SiteId.eq(group.site.id))
            .filter(site_external_id::Column::Scheme.eq(Scheme::Scim.as_str()))
            .exec(&*txn)
            .await?;
        if let Some(value) = &after.external_id {
            insert_external(&*txn, organisation, group.site.id, value).await?;
        }
    }
    for member in &leaving {
        leave(&*txn, principal, &group, &home, member).await?;
    }
    for member in &arriving {
        crate::groups::guard::check_user(
            &*txn,
            principal,
            member,
            &group.scope.ancestry,
            member.pending.is_none() && !member.service_account,
        )
        .await?;
        join(&*txn, principal, &group, member).await?;
    }
    txn.commit().await?;
    let written = site::Entity::find_by_id(group.site.id)
        .one(db.conn())
        .await?
        .ok_or(Error::NotFound)?;
    resources(db, vec![written], true)
        .await?
        .pop()
        .ok_or(Error::NotFound)
}

/// DELETE: the group's site is deleted when it holds no users and no subsites (refused
/// otherwise, as on the administrator page).
pub async fn delete(
    db: &Db,
    principal: &Principal,
    site: Uuid,
    id: Uuid,
    if_match: Option<&str>,
) -> Result<()> {
    let home = home(db, principal, site).await?;
    let group = group_site(db, principal, &home, id).await?;
    if if_match.is_some() {
        let before = resources(db, vec![group.site.clone()], true)
            .await?
            .into_iter()
            .next()
            .ok_or(Error::NotFound)?;
        if !version_allows(if_match, &before.version()) {
            return Err(Error::Refused(Code::ScimVersionMismatch));
        }
    }
    sites::delete(db, principal, id).await
}

//! The preview of an import: every parsed row checked against the database and against the
//! rest of the file, nothing written. Says what would be added, updated and deleted, every
//! problem with its row and column, and per site whether the seats suffice for the whole file.
use std::collections::{BTreeMap, HashMap, HashSet};

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::columns::Column;
use super::roles::RoleNames;
use super::rows::{Action, ImportRow, Parsed, RowIssue};
use crate::access::{self, Operation, SiteScope};
use crate::entities::{site, user};
use crate::error::{Code, Result};
use crate::groups::guard::{self, Guard, Prospect};
use crate::{sites, Db, Principal};

/// What an upload may do, as administrators know it from Moodle's user upload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// `+` rows only create; an existing username is an error.
    AddOnly,
    /// `+` rows create, or update the user when the username exists; `*` rows update.
    AddAndUpdate,
    /// Only existing users change; `+` rows for new usernames are errors.
    UpdateOnly,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    pub mode: Mode,
    /// `-` rows delete only when this is ticked.
    pub allow_deletes: bool,
    /// Through the organisation's HR configuration (see [`super::sync`]): rows add or update,
    /// matched as it says, placements moved only when it allows.
    pub sync: bool,
}

/// What a valid row will do, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Planned {
    pub row: ImportRow,
    /// Add, Update or Delete after the mode is applied (a `+` of an existing user updates).
    pub action: Action,
    /// The site the user goes to (adds, and updates that name a subsite).
    pub site_id: i32,
    /// The existing user, for updates and deletes.
    pub user_id: Option<i32>,
    /// The roles of the roles column, granted on the user's site.
    pub roles: Vec<i32>,
}

/// A site that would run out of seats: "adds 30 users to De Klimop, 3 seats free".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeatShortage {
    pub site_name: String,
    pub adding: usize,
    pub free: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Preview {
    pub planned: Vec<Planned>,
    pub issues: Vec<RowIssue>,
    /// What happens differently from what the file says, without stopping the row (an HR
    /// sync that does not move an employee placed elsewhere).
    pub warnings: Vec<RowIssue>,
    pub shortages: Vec<SeatShortage>,
}

impl Preview {
    pub fn count(&self, action: Action) -> usize {
        self.planned.iter().filter(|p| p.action == action).count()
    }
}

fn issue(row: &ImportRow, column: Column, code: Code, details: Vec<String>) -> RowIssue {
    RowIssue {
        row: row.row,
        column: Some(column),
        code,
        details,
    }
}

/// What checking rows needs to know about the importing site's tree: loaded once for a
/// preview, and once for a whole apply run rather than for each of its batches (a run into
/// an organisation of 5,000 sites would read them all again every few hundred rows).
pub(crate) struct Tree {
    target: sites::Resolved,
    /// The importing site's subtree, by id.
    subtree: HashMap<i32, site::Model>,
    paths: SitePaths,
    role_names: RoleNames,
    sync: Option<super::sync::SyncConfig>,
    options: Options,
    dates: HashMap<i32, Option<chrono::NaiveDate>>,
    /// Who it was loaded for: their grants decide which roles they may give.
    authority: Authority,
    loaded: std::time::Instant,
}

/// How long a kept tree is taken as current for rows it cannot place (see
/// [`Tree::may_miss`]).
const FRESH: std::time::Duration = std::time::Duration::from_secs(2);

impl Tree {
    /// The tree below `site`, when `principal` may import there.
    pub(crate) async fn load(
        db: &Db,
        principal: &Principal,
        site: Uuid,
        options: Options,
    ) -> Result<Tree> {
        let target = sites::resolve(db, site).await?;
        access::require(principal, Operation::ImportUsers, &target.scope)?;
        let subtree: HashMap<i32, site::Model> = site::Entity::find()
            .filter(site::Column::Id.in_subquery(sites::subtree([target.site.id])))
            .all(db.conn())
            .await?
            .into_iter()
            .map(|s| (s.id, s))
            .collect();
        let paths = SitePaths::new(&subtree, target.site.id);
        let role_names = RoleNames::load(db, principal, &target.scope).await?;
        let sync = match options.sync {
            true => Some(
                super::sync::config_by_site_id(db, target.site.id)
                    .await?
                    .ok_or(crate::Error::Refused(Code::ImportNoConfig))?,
            ),
            false => None,
        };
        let options = match sync {
            // An HR export adds and updates; it never deletes.
            Some(_) => Options {
                mode: Mode::AddAndUpdate,
                allow_deletes: false,
                sync: true,
            },
            None => options,
        };
        let dates = subtree
            .values()
            .chain(target.ancestors.iter())
            .map(|s| (s.id, s.expires_on))
            .collect();
        Ok(Tree {
            target,
            subtree,
            paths,
            role_names,
            sync,
            options,
            dates,
            authority: authority(principal),
            loaded: std::time::Instant::now(),
        })
    }

    /// Whether `checked` (rows checked against this tree) refused rows that a newer tree might
    /// take: a subsite not found (created or renamed since) or a username taken outside the
    /// subtree (a user moved into a site created since). Then, unless the tree is only seconds
    /// old, the rows are checked again against the tree as it is now; a file full of such rows
    /// reloads at most every few seconds.
    pub(crate) fn may_miss(&self, checked: &Preview) -> bool {
        self.loaded.elapsed() > FRESH
            && checked
                .issues
                .iter()
                .any(|i| matches!(i.code, Code::ImportSubsiteUnknown | Code::UsernameTaken))
    }

    /// Whether this tree may still check rows for `principal` (their grants unchanged) and
    /// still places `sites` (of the subtree) and the importing site where the database does
    /// now: a site moved or deleted since it was loaded means loading it again. Reads only the
    /// ancestries of the named sites.
    pub(crate) async fn holds_for(
        &self,
        db: &Db,
        principal: &Principal,
        sites: impl IntoIterator<Item = i32>,
    ) -> Result<bool> {
        use crate::entities::site_closure;
        if authority(principal) != self.authority {
            return Ok(false);
        }
        let mut expected: HashMap<i32, HashSet<i32>> = HashMap::new();
        for site in sites.into_iter().chain(self.target.scope.site_id()) {
            let ancestry = self.paths.scope(site, &self.target.scope).ancestry;
            expected.insert(site, ancestry.into_iter().collect());
        }
        let ids: Vec<i32> = expected.keys().copied().collect();
        let mut found: HashMap<i32, HashSet<i32>> = HashMap::new();
        for chunk in ids.chunks(500) {
            for row in site_closure::Entity::find()
                .filter(site_closure::Column::DescendantId.is_in(chunk.to_vec()))
                .all(db.conn())
                .await?
            {
                found
                    .entry(row.descendant_id)
                    .or_default()
                    .insert(row.ancestor_id);
            }
        }
        Ok(found == expected)
    }
}

/// A principal's reach (operator or not, and the permissions held on each site), to tell
/// whether it changed.
type Authority = (bool, BTreeMap<i32, access::Permissions>);

fn authority(principal: &Principal) -> Authority {
    match principal {
        Principal::Anonymous => (false, BTreeMap::new()),
        Principal::User(actor) => {
            let mut held: BTreeMap<i32, access::Permissions> = BTreeMap::new();
            for grant in &actor.grants {
                let on_site = held.entry(grant.site_id).or_default();
                *on_site = on_site.union(grant.permissions);
            }
            (actor.operator, held)
        }
    }
}

/// Checks a parsed file for an import into `site` (and its subsites) by `principal`.
pub async fn preview(
    db: &Db,
    principal: &Principal,
    site: Uuid,
    parsed: &Parsed,
    options: Options,
) -> Result<Preview> {
    let tree = Tree::load(db, principal, site, options).await?;
    check(db, principal, &tree, parsed).await
}

/// Checks parsed rows against `tree` (loaded for `principal`) and the users they name.
pub(crate) async fn check(
    db: &Db,
    principal: &Principal,
    tree: &Tree,
    parsed: &Parsed,
) -> Result<Preview> {
    let Tree {
        target,
        subtree,
        paths,
        role_names,
        sync,
        options,
        dates,
        ..
    } = tree;
    let options = *options;
    let rows = match sync {
        Some(config) if config.match_on == super::sync::MatchOn::PersonnelNumber => {
            by_personnel_number(db, &parsed.rows, target.site.id).await?
        }
        _ => parsed.rows.clone(),
    };

    let mut existing: HashMap<String, user::Model> = HashMap::new();
    let usernames: Vec<String> = rows.iter().map(|r| r.username.clone()).collect();
    for chunk in usernames.chunks(500) {
        for found in user::Entity::find()
            .filter(user::Column::Username.is_in(chunk.to_vec()))
            .all(db.conn())
            .await?
        {
            existing.insert(found.username.clone(), found);
        }
    }

    // Users whose authority is not contained in the importer's are out of reach of updates
    // and deletions (an update could set their password or e-mail address).
    let found_ids: Vec<i32> = existing
        .values()
        .filter(|u| subtree.contains_key(&u.site_id))
        .map(|u| u.id)
        .collect();
    let authorities = crate::users::authorities(db.conn(), &found_ids).await?;
    let out_of_reach = |user: &user::Model| {
        authorities
            .get(&user.id)
            .is_some_and(|authority| !access::contains(principal, authority))
    };
    let root = target.scope.root_id().ok_or(crate::Error::NotFound)?;
    let guard = Guard::load(db.conn(), principal, root).await?;
    let current_values = if guard.is_empty() {
        HashMap::new()
    } else {
        crate::groups::guard::values_of(db.conn(), &found_ids).await?
    };
    let acting = principal.user_id();
    let mut planned = Vec::new();
    let mut issues = parsed.issues.clone();
    let mut warnings = Vec::new();
    let site_name = |id: i32| subtree.get(&id).map(|s| s.name.clone()).unwrap_or_default();
    for row in &rows {
        // Users outside the importing subtree are as unknown as users that do not exist.
        let found = existing
            .get(&row.username)
            .filter(|u| subtree.contains_key(&u.site_id));
        let taken = existing.contains_key(&row.username);
        let site_id = match &row.subsite {
            Some(name) => match paths.find(name) {
                Some(id) => id,
                None => {
                    issues.push(issue(
                        row,
                        Column::Subsite,
                        Code::ImportSubsiteUnknown,
                        vec![name.clone()],
                    ));
                    continue;
                }
            },
            None => found.map_or(target.site.id, |u| u.site_id),
        };
        // An employee the HR file places elsewhere: moved only when the organisation ends old
        // placements automatically; otherwise they stay, and the preview says so.
        let site_id = match (found, &sync) {
            (Some(user), Some(config)) if user.site_id != site_id && !config.end_old_placements => {
                warnings.push(issue(
                    row,
                    Column::Subsite,
                    Code::ImportDoublePlacement,
                    vec![site_name(user.site_id), site_name(site_id)],
                ));
                user.site_id
            }
            _ => site_id,
        };
        let action = match (row.action, found, options.mode) {
            (Action::Add, None, Mode::UpdateOnly) => {
                Err((Column::Action, Code::ImportAddNotAllowed))
            }
            (Action::Add, None, _) if taken => Err((Column::Username, Code::UsernameTaken)),
            (Action::Add, None, _) => Ok(Action::Add),
            (Action::Add, Some(_), Mode::AddOnly) => Err((Column::Username, Code::UsernameTaken)),
            (Action::Add | Action::Update, Some(_), Mode::AddAndUpdate | Mode::UpdateOnly) => {
                Ok(Action::Update)
            }
            (Action::Update, _, Mode::AddOnly) => {
                Err((Column::Action, Code::ImportUpdateNotAllowed))
            }
            (Action::Update, None, _) => Err((Column::Username, Code::ImportUserUnknown)),
            (Action::Delete, _, _) if !options.allow_deletes => {
                Err((Column::Action, Code::ImportDeleteNotAllowed))
            }
            (Action::Delete, None, _) => Err((Column::Username, Code::ImportUserUnknown)),
            (Action::Delete, Some(u), _) if Some(u.id) == acting => {
                Err((Column::Username, Code::CannotDeleteSelf))
            }
            (Action::Delete, Some(_), _) => Ok(Action::Delete),
        };
        let action = match (action, found) {
            (Ok(Action::Update | Action::Delete), Some(user)) if out_of_reach(user) => {
                Err((Column::Username, Code::UserOutOfReach))
            }
            (action, _) => action,
        };
        let action = match action {
            Ok(action) => action,
            Err((column, code)) => {
                issues.push(issue(row, column, code, Vec::new()));
                continue;
            }
        };
        let mut roles = Vec::new();
        let mut role_issues = Vec::new();
        for name in &row.roles {
            let usable = |defined_on: i32| {
                paths.is_within(site_id, defined_on) || target.scope.within(defined_on)
            };
            match role_names.resolve(name, usable) {
                Ok(id) => roles.push(id),
                Err(code) => role_issues.push(issue(row, Column::Roles, code, vec![name.clone()])),
            }
        }
        if !role_issues.is_empty() && action != Action::Delete {
            issues.append(&mut role_issues);
            continue;
        }
        // The same check as the single-user operations, on every site the row touches.
        let operation = match action {
            Action::Add => Operation::CreateUser,
            Action::Update => Operation::EditUser,
            Action::Delete => Operation::DeleteUser,
        };
        let touched = [Some(site_id), found.map(|u| u.site_id)];
        if touched
            .into_iter()
            .flatten()
            .any(|s| !access::allows(principal, operation, &paths.scope(s, &target.scope)))
        {
            issues.push(issue(row, Column::Action, Code::Forbidden, Vec::new()));
            continue;
        }
        // A date already past is allowed (the account stops at once), but said before applying.
        if let (Some(day), false) = (row.expires_on, action == Action::Delete) {
            if day < wire::time::today() {
                warnings.push(issue(
                    row,
                    Column::ExpiresOn,
                    Code::ExpiryInPast,
                    vec![day.to_string()],
                ));
            }
        }
        // A user's date cannot go beyond the one their site imposes.
        if let (Some(day), false) = (row.expires_on, action == Action::Delete) {
            let bound = paths
                .scope(site_id, &target.scope)
                .ancestry
                .iter()
                .filter_map(|id| dates.get(id).copied().flatten())
                .min();
            if let Some(bound) = bound.filter(|bound| day > *bound) {
                issues.push(issue(
                    row,
                    Column::ExpiresOn,
                    Code::ExpiryBeyondInherited,
                    vec![bound.to_string()],
                ));
                continue;
            }
        }
        // No one becomes a member of a group giving what the importer could not give.
        if action != Action::Delete && !guard.is_empty() {
            let mut values = found
                .and_then(|u| current_values.get(&u.id))
                .cloned()
                .unwrap_or_default();
            for (definition, _, value) in &row.properties {
                values.insert(*definition, value.clone());
            }
            let ancestry = paths.scope(site_id, &target.scope).ancestry;
            let prospect = Prospect {
                user_id: found.map(|u| u.id),
                ancestry: &ancestry,
                eligible: found.is_none_or(guard::eligible),
                values: &values,
            };
            if guard.refuses(&prospect) {
                issues.push(issue(
                    row,
                    Column::Action,
                    Code::GroupGrantNotHeld,
                    Vec::new(),
                ));
                continue;
            }
        }
        planned.push(Planned {
            row: row.clone(),
            action,
            site_id,
            user_id: found.map(|u| u.id),
            roles,
        });
    }
    issues.sort_by_key(|i| i.row);

    // Seats over the whole file: users arriving in a site (adds, and moves by update) against
    // its free seats plus those the file's deletions and moves away free.
    let mut arriving: BTreeMap<i32, i64> = BTreeMap::new();
    for p in &planned {
        let moves_from = found_site(p, &existing);
        match p.action {
            Action::Add => *arriving.entry(p.site_id).or_default() += 1,
            Action::Update if moves_from.is_some_and(|from| from != p.site_id) => {
                *arriving.entry(p.site_id).or_default() += 1;
                if let Some(from) = moves_from {
                    *arriving.entry(from).or_default() -= 1;
                }
            }
            Action::Delete => {
                if let Some(from) = moves_from {
                    *arriving.entry(from).or_default() -= 1;
                }
            }
            Action::Update => {}
        }
    }
    let shortages = arriving
        .into_iter()
        .filter_map(|(site_id, net)| {
            let site = subtree.get(&site_id)?;
            let free = i64::from(site.seat_limit - site.used_seats);
            (net > free).then(|| SeatShortage {
                site_name: site.name.clone(),
                adding: usize::try_from(net).unwrap_or_default(),
                free,
            })
        })
        .collect();
    warnings.sort_by_key(|i| i.row);
    Ok(Preview {
        planned,
        issues,
        warnings,
        shortages,
    })
}

/// Rows matched on the personnel number: a row whose number belongs to a user of the subtree
/// takes that user's username (whatever the file's username column says).
async fn by_personnel_number(
    db: &Db,
    rows: &[ImportRow],
    importing: i32,
) -> Result<Vec<ImportRow>> {
    let numbers: Vec<String> = rows
        .iter()
        .filter_map(|r| r.personnel_number.clone())
        .collect();
    let mut usernames: HashMap<String, String> = HashMap::new();
    for chunk in numbers.chunks(500) {
        for found in user::Entity::find()
            .filter(user::Column::PersonnelNumber.is_in(chunk.to_vec()))
            .filter(user::Column::SiteId.in_subquery(sites::subtree([importing])))
            .all(db.conn())
            .await?
        {
            if let Some(number) = found.personnel_number {
                usernames.insert(number, found.username);
            }
        }
    }
    Ok(rows
        .iter()
        .map(|r| {
            let mut row = r.clone();
            if let Some(username) = r.personnel_number.as_ref().and_then(|n| usernames.get(n)) {
                row.username = username.clone();
            }
            row
        })
        .collect())
}

fn found_site(p: &Planned, existing: &HashMap<String, user::Model>) -> Option<i32> {
    p.user_id
        .and_then(|_| existing.get(&p.row.username))
        .map(|u| u.site_id)
}

/// Subsites by name or by path below the importing site (`School A/Klas 1`), case-insensitive;
/// a bare name that occurs twice is ambiguous and matches nothing (the path is needed then).
struct SitePaths {
    by_path: HashMap<String, i32>,
    by_name: HashMap<String, Option<i32>>,
    parents: HashMap<i32, Option<i32>>,
}

impl SitePaths {
    fn new(subtree: &HashMap<i32, site::Model>, root: i32) -> SitePaths {
        let mut by_path = HashMap::new();
        let mut by_name: HashMap<String, Option<i32>> = HashMap::new();
        for site in subtree.values() {
            let mut parts = Vec::new();
            let mut at = Some(site);
            while let Some(s) = at.filter(|s| s.id != root) {
                parts.push(s.name.trim().to_lowercase());
                at = s.parent_id.and_then(|p| subtree.get(&p));
            }
            parts.reverse();
            by_path.insert(parts.join("/"), site.id);
            let name = site.name.trim().to_lowercase();
            by_name
                .entry(name)
                .and_modify(|found| *found = None)
                .or_insert(Some(site.id));
        }
        let parents = subtree.values().map(|s| (s.id, s.parent_id)).collect();
        SitePaths {
            by_path,
            by_name,
            parents,
        }
    }

    /// The scope of a site in the subtree: its path up to the importing site, then the
    /// importing site's own ancestry.
    fn scope(&self, site: i32, importing: &SiteScope) -> SiteScope {
        let mut ancestry = Vec::new();
        let mut at = Some(site);
        while let Some(id) = at {
            if importing.site_id() == Some(id) {
                break;
            }
            ancestry.push(id);
            at = self.parents.get(&id).copied().flatten();
        }
        ancestry.extend(importing.ancestry.iter().copied());
        SiteScope { ancestry }
    }

    /// Whether `ancestor` is `site` or above it, within the subtree.
    fn is_within(&self, site: i32, ancestor: i32) -> bool {
        let mut at = Some(site);
        while let Some(id) = at {
            if id == ancestor {
                return true;
            }
            at = self.parents.get(&id).copied().flatten();
        }
        false
    }

    fn find(&self, raw: &str) -> Option<i32> {
        let key = raw
            .split('/')
            .map(|p| p.trim().to_lowercase())
            .collect::<Vec<_>>()
            .join("/");
        self.by_path
            .get(&key)
            .copied()
            .or_else(|| self.by_name.get(&key).copied().flatten())
    }
}

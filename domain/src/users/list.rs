//! The paged, sorted, searchable user list of a site (optionally with all its subsites).
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::{Alias, Expr, Func, NullOrdering};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbBackend, EntityTrait, ExprTrait, FromQueryResult,
    JoinType, Order, QueryFilter, QueryOrder, QuerySelect, QueryTrait, RelationTrait, Select,
};
use uuid::Uuid;

use super::cursor::{Cursor, Position, SortKey};
use crate::access::{self, Operation};
use crate::entities::{site, user};
use crate::error::Result;
use crate::sites::resolve;
use crate::{Db, Principal};

pub const PAGE_SIZE: u64 = 25;

/// The most matching users a page counts: past it the list says "more than 10,000" (an exact
/// count of a million users would read them all on every page).
pub const COUNT_LIMIT: u64 = 10_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum UserSort {
    #[default]
    Name,
    Username,
    Created,
    /// By the value of the property named in `UserQuery::sort_key`.
    Property,
}

#[derive(Debug, Clone, Default)]
pub struct UserQuery {
    pub search: String,
    pub include_subsites: bool,
    pub sort: UserSort,
    pub descending: bool,
    /// Zero-based.
    pub page: u64,
    /// Only users whose property (by key) has this value: text properties contain it (in any
    /// case), other types equal it.
    pub property: Option<(String, String)>,
    /// The property key the list is sorted by (with `UserSort::Property`) and whose value
    /// the list shows.
    pub sort_key: String,
    /// The page lies after (or before) this row's place in the order: found through the index,
    /// without reading the rows before it. None: the page is found by its number.
    pub position: Option<Position>,
}

/// The user list's filter as the page (and its export link) names it, before its rules.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    pub search: String,
    pub include_subsites: bool,
    /// `username`, `created` or `property`; anything else sorts by name.
    pub sort: String,
    pub descending: bool,
    pub page: u64,
    /// The property key shown (and sorted by, with `sort = "property"`).
    pub property: String,
    /// The value the shown property must have (ignored when empty).
    pub property_value: String,
    /// The page after this cursor (`Cursor::encode`; ignored when damaged or of another order).
    pub after: String,
    /// The page before this cursor (when `after` is empty).
    pub before: String,
}

impl ListFilter {
    /// The property filter (key, value): only with both a property and a value.
    pub(crate) fn property_filter(&self) -> Option<(String, String)> {
        (!self.property.is_empty() && !self.property_value.trim().is_empty())
            .then(|| (self.property.clone(), self.property_value.clone()))
    }
}

impl From<ListFilter> for UserQuery {
    /// Sorting by property needs a property; filtering by one needs a value as well.
    fn from(f: ListFilter) -> Self {
        let property = f.property_filter();
        let sort = match f.sort.as_str() {
            "username" => UserSort::Username,
            "created" => UserSort::Created,
            "property" if !f.property.is_empty() => UserSort::Property,
            _ => UserSort::Name,
        };
        let fitting = |text: &str| Cursor::decode_for(text, sort);
        let position = match (fitting(&f.after), fitting(&f.before)) {
            (Some(after), _) => Some(Position::After(after)),
            (None, Some(before)) => Some(Position::Before(before)),
            (None, None) => None,
        };
        UserQuery {
            search: f.search,
            include_subsites: f.include_subsites,
            sort,
            descending: f.descending,
            page: f.page,
            property,
            sort_key: f.property,
            position,
        }
    }
}

/// The properties a query names, checked against the organisation's definitions.
#[derive(Debug, Clone, Default)]
pub struct PropertyParts {
    pub filter: Vec<crate::properties::filter::Checked>,
    /// The shown (and maybe sorted by) property: its id and type.
    pub shown: Option<(i32, crate::properties::Kind)>,
}

impl PropertyParts {
    /// Checks the query's property filter and shown property in the organisation of `site`.
    pub async fn of(
        db: &Db,
        scope: &crate::access::SiteScope,
        query: &UserQuery,
    ) -> Result<PropertyParts> {
        if query.property.is_none() && query.sort_key.is_empty() {
            return Ok(PropertyParts::default());
        }
        let root = scope.root_id().ok_or(crate::Error::NotFound)?;
        let definitions = crate::properties::of_organisation(db.conn(), root).await?;
        let filter = match &query.property {
            Some((key, value)) => {
                use crate::properties::filter::{check, Condition, Op};
                let text = definitions
                    .iter()
                    .any(|d| &d.key == key && d.kind == crate::properties::Kind::Text.as_str());
                let condition = Condition {
                    key: key.clone(),
                    op: if text { Op::Contains } else { Op::Equals },
                    value: value.clone(),
                };
                check(&[condition], &definitions)?
            }
            None => Vec::new(),
        };
        let shown = definitions
            .iter()
            .find(|d| d.key == query.sort_key)
            .map(|d| {
                (
                    d.id,
                    crate::properties::Kind::parse(&d.kind)
                        .unwrap_or(crate::properties::Kind::Text),
                )
            });
        if shown.is_none() && !query.sort_key.is_empty() {
            return Err(crate::Error::RefusedAt(
                crate::Code::PropertyUnknown,
                vec![query.sort_key.clone()],
            ));
        }
        Ok(PropertyParts { filter, shown })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct UserRow {
    pub id: i32,
    pub public_id: Uuid,
    pub username: String,
    pub first_name: String,
    pub last_name: String,
    pub email: Option<String>,
    pub active: bool,
    /// Why the account cannot sign in yet: `verify`, `approval`.
    pub pending: Option<String>,
    pub expires_on: Option<NaiveDate>,
    pub personnel_number: Option<String>,
    pub locale: Option<String>,
    pub service_account: bool,
    pub created_at: DateTime<Utc>,
    pub site_public_id: Uuid,
    pub site_name: String,
    /// The value of the shown property (`UserQuery::sort_key`), if any.
    pub property_value: Option<String>,
}

impl UserRow {
    /// Why the account cannot sign in yet, if it cannot.
    pub fn pending_state(&self) -> Option<wire::Pending> {
        self.pending.as_deref().and_then(wire::Pending::parse)
    }
}

#[derive(Debug, Clone)]
pub struct UserPage {
    pub rows: Vec<UserRow>,
    /// Each row's licence (by user id), when the principal may view licences there.
    pub licences: Option<std::collections::HashMap<i32, crate::licences::Status>>,
    /// The users matching the filter in all pages, at most [`COUNT_LIMIT`].
    pub total: u64,
    /// Whether `total` is the count (false: there are more than [`COUNT_LIMIT`]).
    pub total_exact: bool,
    pub page: u64,
    pub page_size: u64,
    /// The place of the page's last row, when more rows follow it.
    pub next: Option<Cursor>,
    /// The place of the page's first row, when rows come before it.
    pub previous: Option<Cursor>,
}

/// Where a list looks: a site (alone or with its subsites) of an organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Listed {
    pub site_id: i32,
    /// The root of the site's tree: users carry it (migration 42), and the list's indexes
    /// begin with it.
    pub organisation_id: i32,
}

impl Listed {
    pub fn of(scope: &crate::access::SiteScope) -> Result<Listed> {
        match (scope.site_id(), scope.root_id()) {
            (Some(site_id), Some(organisation_id)) => Ok(Listed {
                site_id,
                organisation_id,
            }),
            _ => Err(crate::Error::NotFound),
        }
    }
}

/// How many users a list holds: exact, or at least `total` (a bounded count stopped there).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Count {
    pub total: u64,
    pub exact: bool,
}

/// A page of the list, with its count only when that costs nothing more than the page: the
/// first page holds every match, or nothing filters the list (the sites' user counters add
/// up). Otherwise [`count_users`] counts, separately (the page does not wait for it).
#[derive(Debug, Clone)]
pub struct ListedPage {
    pub rows: Vec<UserRow>,
    pub licences: Option<std::collections::HashMap<i32, crate::licences::Status>>,
    pub count: Option<Count>,
    pub page: u64,
    pub page_size: u64,
    pub next: Option<Cursor>,
    pub previous: Option<Cursor>,
}

/// Lists the users of a site the principal may view users of, with their count. The subtree
/// filter is the access filter: everything below a site the principal can see is theirs to see.
pub async fn list(
    db: &Db,
    principal: &Principal,
    site_id: Uuid,
    query: UserQuery,
) -> Result<UserPage> {
    let (scope, listed, parts) = prepared(db, principal, site_id, &query).await?;
    let page = page_of(db, principal, &scope, listed, &query, &parts).await?;
    let count = match page.count {
        Some(count) => count,
        None => counted(db, listed, &query, &parts).await?,
    };
    Ok(UserPage {
        rows: page.rows,
        licences: page.licences,
        total: count.total,
        total_exact: count.exact,
        page: page.page,
        page_size: page.page_size,
        next: page.next,
        previous: page.previous,
    })
}

/// A page of the list without a count that would cost more than the page (see
/// [`ListedPage`]).
pub async fn page(
    db: &Db,
    principal: &Principal,
    site_id: Uuid,
    query: UserQuery,
) -> Result<ListedPage> {
    let (scope, listed, parts) = prepared(db, principal, site_id, &query).await?;
    page_of(db, principal, &scope, listed, &query, &parts).await
}

/// How many users the list `query` holds (counted up to [`COUNT_LIMIT`] when filtered).
pub async fn count_users(
    db: &Db,
    principal: &Principal,
    site_id: Uuid,
    query: UserQuery,
) -> Result<Count> {
    let (_, listed, parts) = prepared(db, principal, site_id, &query).await?;
    counted(db, listed, &query, &parts).await
}

/// The list's site when the principal may list its users, where the list looks, and the
/// properties the query names, checked.
async fn prepared(
    db: &Db,
    principal: &Principal,
    site_id: Uuid,
    query: &UserQuery,
) -> Result<(crate::access::SiteScope, Listed, PropertyParts)> {
    let site = resolve(db, site_id).await?;
    access::require(principal, Operation::ListUsers, &site.scope)?;
    let parts = PropertyParts::of(db, &site.scope, query).await?;
    let listed = Listed::of(&site.scope)?;
    Ok((site.scope, listed, parts))
}

/// The count of a list: from the sites' user counters when nothing filters it, else bounded.
async fn counted(
    db: &Db,
    listed: Listed,
    query: &UserQuery,
    parts: &PropertyParts,
) -> Result<Count> {
    if unfiltered(query, parts) {
        return placed(db, listed.site_id, query.include_subsites).await;
    }
    let counted = count(db, listed, query, parts, COUNT_LIMIT).await?;
    Ok(Count {
        total: Ord::min(counted, COUNT_LIMIT),
        exact: counted <= COUNT_LIMIT,
    })
}

/// Whether nothing but the placement decides which users the list holds.
fn unfiltered(query: &UserQuery, parts: &PropertyParts) -> bool {
    crate::validate::contains_pattern(&query.search).is_none() && parts.filter.is_empty()
}

/// The users placed in a site and its subsites (see [`placed`]).
pub(crate) async fn placed_in(db: &Db, site_id: i32) -> Result<u64> {
    Ok(placed(db, site_id, true).await?.total)
}

/// The users placed in a site (and its subsites), exactly, from the sites' counters of their
/// own users (kept with every write that places, moves or removes a user): as cheap for a
/// million users as for ten.
async fn placed(db: &Db, site_id: i32, include_subsites: bool) -> Result<Count> {
    use crate::entities::site_closure;
    use sea_orm::sea_query::Query;
    // Each site's counter looked up by its key, from the closure's rows of the subtree: a join
    // left to the planner read all 50,000 sites of the large_org benchmark for a subtree of 500
    // (a hash join, 9 ms on PostgreSQL; 0.7 ms this way).
    let counter = |site: Expr| {
        Expr::SubQuery(
            None,
            Box::new(
                Query::select()
                    .column((site::Entity, site::Column::OwnUsers))
                    .from(site::Entity)
                    .and_where(Expr::col((site::Entity, site::Column::Id)).eq(site))
                    .to_owned()
                    .into(),
            ),
        )
    };
    let statement = if include_subsites {
        Query::select()
            .expr_as(
                counter(Expr::col((
                    site_closure::Entity,
                    site_closure::Column::DescendantId,
                )))
                .sum(),
                Alias::new("n"),
            )
            .from(site_closure::Entity)
            .and_where(Expr::col(site_closure::Column::AncestorId).eq(site_id))
            .to_owned()
    } else {
        Query::select()
            .expr_as(Expr::col(site::Column::OwnUsers).sum(), Alias::new("n"))
            .from(site::Entity)
            .and_where(Expr::col(site::Column::Id).eq(site_id))
            .to_owned()
    };
    let total: Option<i64> = match db.conn().query_one(&statement).await? {
        Some(row) => row.try_get("", "n")?,
        None => None,
    };
    Ok(Count {
        total: total.and_then(|n| u64::try_from(n).ok()).unwrap_or(0),
        exact: true,
    })
}

async fn page_of(
    db: &Db,
    principal: &Principal,
    scope: &crate::access::SiteScope,
    listed: Listed,
    query: &UserQuery,
    parts: &PropertyParts,
) -> Result<ListedPage> {
    let backend = db.backend();
    // One row more than a page: whether another page follows (precedes, going back).
    let walked = match walked_query(listed, query, parts, backend) {
        Some(walk) => {
            let rows = walk.into_model::<UserRow>().all(db.conn()).await?;
            // Fewer matches than a page in the entries walked, and the list goes on past them:
            // the search index finds the rest.
            let short = rows.len() as u64 <= PAGE_SIZE;
            (!short || !beyond_the_walk(db, listed, query, parts).await?).then_some(rows)
        }
        None => None,
    };
    let mut rows = match walked {
        Some(rows) => rows,
        None => {
            list_query(listed, query, parts, backend)
                .into_model::<UserRow>()
                .all(db.conn())
                .await?
        }
    };
    let beyond = rows.len() as u64 > PAGE_SIZE;
    rows.truncate(PAGE_SIZE as usize);
    let backwards = matches!(query.position, Some(Position::Before(_)));
    if backwards {
        rows.reverse();
    }
    let (more_after, more_before) = match query.position {
        Some(Position::Before(_)) => (true, beyond),
        Some(Position::After(_)) => (beyond, true),
        None => (beyond, query.page > 0),
    };
    let next = more_after
        .then(|| rows.last().and_then(|r| Cursor::of(r, query.sort)))
        .flatten();
    let previous = more_before
        .then(|| rows.first().and_then(|r| Cursor::of(r, query.sort)))
        .flatten();
    let shown = query.page * PAGE_SIZE + rows.len() as u64;
    let count = if query.page == 0 && !more_after {
        // The first page holds them all.
        Some(Count {
            total: shown,
            exact: true,
        })
    } else if unfiltered(query, parts) {
        Some(placed(db, listed.site_id, query.include_subsites).await?)
    } else {
        None
    };
    let licences = if access::allows(principal, Operation::ViewLicences, scope) {
        let ids: Vec<i32> = rows.iter().map(|r| r.id).collect();
        let today = wire::time::today();
        Some(crate::licences::statuses(db.conn(), &ids, today).await?)
    } else {
        None
    };
    Ok(ListedPage {
        rows,
        licences,
        count,
        page: query.page,
        page_size: PAGE_SIZE,
        next,
        previous,
    })
}

/// The SQL statement behind a page of the list and one row more (also run bare by the
/// benchmark). After a cursor the page is the next rows past it in the order; before one, the
/// rows before it, last first (the caller turns them round); without, the page by its number.
pub fn list_query(
    listed: Listed,
    query: &UserQuery,
    parts: &PropertyParts,
    backend: DbBackend,
) -> Select<user::Entity> {
    let (past, descending) = reading(query);
    let mut matching = matching_query(listed, query, parts, backend);
    if let Some(past) = past {
        matching = matching.filter(past);
    }
    paged(sorted(matching, query, parts, descending), query)
}

/// The most entries of the list's order a searched page walks (see [`walked_query`]): a few
/// milliseconds on either database.
pub const WALKED: u64 = 20_000;

/// A searched page found by walking the list's order from where the page begins, checking each
/// entry's folded text in the order's index (migration 44) without reading its row, and stopping
/// at a page and one row more, or after [`WALKED`] entries: the page's cost follows the entries
/// before its matches, not the number of matches (which the search index would give all, to be
/// sorted). Fewer rows than that mean the walk may have stopped short: the caller asks
/// [`list_query`] then. None when the list has no search, an order or filter by property (not
/// in the indexes), or an order whose index does not carry the folded text (SQLite's username
/// and creation orders, see migration 44).
pub fn walked_query(
    listed: Listed,
    query: &UserQuery,
    parts: &PropertyParts,
    backend: DbBackend,
) -> Option<Select<user::Entity>> {
    let index = match query.sort {
        UserSort::Name => "idx_users_org_name",
        UserSort::Username => "idx_users_org_username",
        UserSort::Created => "idx_users_org_created",
        UserSort::Property => return None,
    };
    if !parts.filter.is_empty()
        || !migrations::order_walkable(backend == DbBackend::Postgres, index)
    {
        return None;
    }
    let hit = search_hit(&query.search, backend)?;
    let (walk, descending) = entries_from_the_page(listed, query, parts);
    let walk = walk.expr_as(hit, "hit").limit(WALKED).into_query();
    let mut found = sea_orm::sea_query::Query::select();
    found
        .column(Alias::new("id"))
        .from_subquery(walk, Alias::new("walk"))
        .and_where(Expr::cust("walk.hit"))
        .limit(PAGE_SIZE + 1);
    if query.position.is_none() {
        found.offset(query.page.saturating_mul(PAGE_SIZE));
    }
    let page = user::Entity::find().filter(user::Column::Id.in_subquery(found));
    Some(sorted(page, query, parts, descending).limit(PAGE_SIZE + 1))
}

/// Whether the list holds entries past those a walk reads (from where the page begins): only then
/// can a walk that found less than a page have missed matches.
async fn beyond_the_walk(
    db: &Db,
    listed: Listed,
    query: &UserQuery,
    parts: &PropertyParts,
) -> Result<bool> {
    let (entries, _) = entries_from_the_page(listed, query, parts);
    let last: Option<i32> = entries
        .offset(WALKED)
        .limit(1)
        .into_tuple()
        .one(db.conn())
        .await?;
    Ok(last.is_some())
}

/// The ids of the list's entries (placement and property filter, no search) from where the page
/// begins, in the order it is read, and whether that order is descending.
fn entries_from_the_page(
    listed: Listed,
    query: &UserQuery,
    parts: &PropertyParts,
) -> (Select<user::Entity>, bool) {
    let (past, descending) = reading(query);
    let mut entries = placed_query(listed, query, parts)
        .select_only()
        .column(user::Column::Id);
    if let Some(past) = past {
        entries = entries.filter(past);
    }
    (ordered(entries, query, parts, descending), descending)
}

/// Where a page lies in the order, and which way it is read: from the rows past a cursor (after
/// it; before it, read backwards) or from the start.
fn reading(query: &UserQuery) -> (Option<Expr>, bool) {
    match &query.position {
        None => (None, query.descending),
        Some(Position::After(cursor)) => {
            (Some(beyond(cursor, !query.descending)), query.descending)
        }
        // Read the other way from the cursor: the rows nearest it first.
        Some(Position::Before(cursor)) => {
            (Some(beyond(cursor, query.descending)), !query.descending)
        }
    }
}

/// A page and one row more of `select`: by its number when no cursor places it.
fn paged(select: Select<user::Entity>, query: &UserQuery) -> Select<user::Entity> {
    let select = select.limit(PAGE_SIZE + 1);
    match query.position {
        None => select.offset(query.page.saturating_mul(PAGE_SIZE)),
        Some(_) => select,
    }
}

/// The rows past `cursor` in its order: after it (`upwards`) or before it.
fn beyond(cursor: &Cursor, upwards: bool) -> Expr {
    let id = Expr::col((user::Entity, user::Column::PublicId));
    let (columns, values): (Vec<Expr>, Vec<Expr>) = match &cursor.key {
        SortKey::Name { last, first } => (
            vec![
                Expr::col((user::Entity, user::Column::LastName)),
                Expr::col((user::Entity, user::Column::FirstName)),
                id,
            ],
            vec![
                Expr::val(last.clone()),
                Expr::val(first.clone()),
                Expr::val(cursor.id),
            ],
        ),
        SortKey::Username(name) => (
            vec![Expr::col((user::Entity, user::Column::Username)), id],
            vec![Expr::val(name.clone()), Expr::val(cursor.id)],
        ),
        SortKey::Created(at) => (
            vec![Expr::col((user::Entity, user::Column::CreatedAt)), id],
            vec![Expr::val(*at), Expr::val(cursor.id)],
        ),
    };
    let (columns, values) = (Expr::tuple(columns), Expr::tuple(values));
    if upwards {
        columns.gt(values)
    } else {
        columns.lt(values)
    }
}

/// How many users match the filter, reading at most `limit + 1` of them: a number above `limit`
/// means "more than `limit`".
pub async fn count(
    db: &Db,
    listed: Listed,
    query: &UserQuery,
    parts: &PropertyParts,
    limit: u64,
) -> Result<u64> {
    let backend = db.backend();
    let matching = matching_query(listed, query, parts, backend)
        .select_only()
        .column_as(Expr::val(1), "one")
        .limit(limit.saturating_add(1))
        .into_query();
    let statement = sea_orm::sea_query::Query::select()
        .expr_as(Expr::cust("COUNT(*)"), Alias::new("n"))
        .from_subquery(matching, Alias::new("matching"))
        .to_owned();
    let row = db.conn().query_one(&statement).await?;
    let n: i64 = match row {
        Some(row) => row.try_get("", "n")?,
        None => 0,
    };
    Ok(u64::try_from(n).unwrap_or(0))
}

/// The users matching the filter (placement, properties, search), unsorted and without columns.
fn matching_query(
    listed: Listed,
    query: &UserQuery,
    parts: &PropertyParts,
    backend: DbBackend,
) -> Select<user::Entity> {
    let select = placed_query(listed, query, parts);
    match search_condition(&query.search, backend, listed.organisation_id) {
        Some(found) => select.filter(found),
        None => select,
    }
}

/// The users the list's placement and property filter hold, unsorted and without columns.
fn placed_query(listed: Listed, query: &UserQuery, parts: &PropertyParts) -> Select<user::Entity> {
    // The organisation first: the list's indexes (and PostgreSQL's search index) begin with it;
    // for the whole organisation it is the whole condition.
    let organisation =
        Expr::col((user::Entity, Alias::new(ORGANISATION))).eq(listed.organisation_id);
    let placement = if !query.include_subsites {
        Condition::all()
            .add(organisation)
            .add(user::Column::SiteId.eq(listed.site_id))
    } else if listed.site_id == listed.organisation_id {
        Condition::all().add(organisation)
    } else {
        Condition::all()
            .add(organisation)
            .add(user::Column::SiteId.in_subquery(crate::sites::subtree([listed.site_id])))
    };
    user::Entity::find()
        .filter(placement)
        .filter(crate::properties::filter::condition(&parts.filter))
}

/// The search as a condition through the search index of each database, accents and case folded
/// ("emile" finds "Émile"): PostgreSQL's trigram index on the folded text (stored in
/// `search_text`); SQLite's FTS5 trigram table (three characters at least; shorter searches
/// check the folded text, see [`search_hit`]). Both indexes hold each user's organisation
/// (migration 43): the search reads the matches of the list's organisation only.
fn search_condition(search: &str, backend: DbBackend, organisation: i32) -> Option<Condition> {
    let text = search.trim();
    let condition = match backend {
        DbBackend::Sqlite if text.chars().count() >= 3 => {
            crate::validate::contains_pattern(search)?;
            Condition::all().add(Expr::cust_with_values(
                "users.id IN (SELECT rowid FROM user_search WHERE user_search MATCH ?)",
                [format!(
                    "organisation : {} AND text : {}",
                    phrase(&format!("~{organisation}~")),
                    phrase(text)
                )],
            ))
        }
        DbBackend::Postgres => Condition::all().add(search_like(search)?),
        _ => Condition::all().add(search_hit(search, backend)?),
    };
    Some(condition)
}

/// Whether a user's folded text (`users.search_text`, which the list's order indexes carry:
/// migrations 43 and 44) holds the search, folded alike, as a pattern PostgreSQL's trigram
/// index answers: the pattern folded with its `licentia_fold` once (a subquery).
fn search_like(search: &str) -> Option<Expr> {
    let pattern = crate::validate::contains_pattern(search)?;
    Some(Expr::cust_with_values(
        "users.search_text LIKE (SELECT licentia_fold($1)) ESCAPE '\\'",
        [pattern],
    ))
}

/// Whether a user's folded text holds the search, folded alike, as a plain substring (`strpos`,
/// `instr`: no pattern to match; on PostgreSQL a walk of 6,974 entries took 1.42 ms against
/// 1.75 ms with `LIKE`):
/// PostgreSQL folds the search with its `licentia_fold` once (a subquery); for SQLite it is
/// folded here as its column is (SQLite would fold it again for every entry). Each backend's
/// own placeholder (`$1`, `?`).
fn search_hit(search: &str, backend: DbBackend) -> Option<Expr> {
    let text = search.trim().to_lowercase();
    if text.is_empty() {
        return None;
    }
    Some(match backend {
        DbBackend::Postgres => Expr::cust_with_values(
            "strpos(users.search_text, (SELECT licentia_fold($1))) > 0",
            [text],
        ),
        _ => Expr::cust_with_values(
            "instr(users.search_text, ?) > 0",
            [migrations::folded_for_sqlite(&text)],
        ),
    })
}

/// An FTS5 phrase of `text` itself, quotes doubled (no query syntax).
fn phrase(text: &str) -> String {
    format!("\"{}\"", text.replace('"', "\"\""))
}

/// A user's organisation (the root of their site's tree), kept by the database (migration 42).
const ORGANISATION: &str = "organisation_id";

/// Every user matching the filter, sorted, not paged (the export, bulk actions).
pub fn filtered_query(
    listed: Listed,
    query: &UserQuery,
    parts: &PropertyParts,
    backend: DbBackend,
) -> Select<user::Entity> {
    sorted(
        matching_query(listed, query, parts, backend),
        query,
        parts,
        query.descending,
    )
}

/// The list's columns of `select`, in the query's order (`descending` or not), the public id
/// last: every row has its own place (the keyset pages rely on it).
fn sorted(
    select: Select<user::Entity>,
    query: &UserQuery,
    parts: &PropertyParts,
    descending: bool,
) -> Select<user::Entity> {
    let select = select
        .select_only()
        .columns([
            user::Column::Id,
            user::Column::PublicId,
            user::Column::Username,
            user::Column::FirstName,
            user::Column::LastName,
            user::Column::Email,
            user::Column::Active,
            user::Column::Pending,
            user::Column::ExpiresOn,
            user::Column::PersonnelNumber,
            user::Column::Locale,
            user::Column::ServiceAccount,
            user::Column::CreatedAt,
        ])
        .column_as(site::Column::PublicId, "site_public_id")
        .column_as(site::Column::Name, "site_name")
        .column_as(shown_value(parts), "property_value")
        .join(JoinType::InnerJoin, user::Relation::Site.def());
    ordered(select, query, parts, descending)
}

/// `select` in the query's order (`descending` or not), the public id last: every row has its
/// own place (the keyset pages rely on it).
fn ordered(
    select: Select<user::Entity>,
    query: &UserQuery,
    parts: &PropertyParts,
    descending: bool,
) -> Select<user::Entity> {
    let order = if descending { Order::Desc } else { Order::Asc };
    let select = match query.sort {
        UserSort::Name => select
            .order_by(user::Column::LastName, order.clone())
            .order_by(user::Column::FirstName, order.clone()),
        UserSort::Username => select.order_by(user::Column::Username, order.clone()),
        UserSort::Created => select.order_by(user::Column::CreatedAt, order.clone()),
        // Users without a value come last, either way.
        UserSort::Property => match parts.shown {
            Some((_, crate::properties::Kind::Number)) => select.order_by_with_nulls(
                Func::cast_as(shown_value(parts), "NUMERIC"),
                order.clone(),
                NullOrdering::Last,
            ),
            _ => select.order_by_with_nulls(shown_value(parts), order.clone(), NullOrdering::Last),
        },
    };
    select.order_by(user::Column::PublicId, order)
}

/// The shown property's value of each user, as a correlated subquery (NULL without one).
fn shown_value(parts: &PropertyParts) -> Expr {
    use crate::entities::property_value;
    match parts.shown {
        Some((definition, _)) => Expr::SubQuery(
            None,
            Box::new(
                sea_orm::sea_query::Query::select()
                    .column(property_value::Column::Value)
                    .from(property_value::Entity)
                    .and_where(property_value::Column::DefinitionId.eq(definition))
                    .and_where(
                        Expr::col((property_value::Entity, property_value::Column::UserId))
                            .equals((user::Entity, user::Column::Id)),
                    )
                    .to_owned()
                    .into(),
            ),
        ),
        None => Func::cast_as(Expr::val(Option::<String>::None), "TEXT").into(),
    }
}

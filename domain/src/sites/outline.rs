//! The structure tree on demand: what the administrator page shows of it is the top of the
//! principal's reach, the way down to the selected site and the children of each site on that
//! way, never the whole tree. More children load when a site opens ([`children`]); a search
//! runs here and answers matching sites with their paths ([`search`]). Every read is bounded:
//! an operator with a thousand organisations and fifty thousand sites gets a page as light as
//! a school's.
use std::collections::{HashMap, HashSet};

use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, ExprTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use super::read::{in_readable, resolve, SiteNode};
use crate::access::{self, Operation, Readable};
use crate::entities::{site, site_closure};
use crate::error::Result;
use crate::{Db, Principal};

/// The most tops of the tree shown at once (organisations, for an operator; the search finds
/// the others, and the selected site's top is always among them).
pub const ROOTS_SHOWN: u64 = 25;
/// The most children of one site shown at once; more come with "more".
pub const CHILDREN_SHOWN: u64 = 200;
/// The most sites a search answers.
pub const FOUND_SHOWN: u64 = 50;

/// A site of the tree and how many children it has (whether it can open).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutlineNode {
    pub node: SiteNode,
    pub children: u64,
}

/// Some children of a site, by name, and whether more follow.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Children {
    pub nodes: Vec<OutlineNode>,
    pub more: bool,
}

/// What the page shows of the tree at first.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Outline {
    /// The tops of the principal's reach, by name.
    pub roots: Children,
    /// The sites open at first (the selected site and its ancestors within reach) and their
    /// children.
    pub open: Vec<(Uuid, Children)>,
}

/// A site a search found, with the names of its ancestors within reach (top first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub node: OutlineNode,
    pub path: Vec<String>,
}

/// The tops of the principal's reach, and the way down to `selected` (when it is within reach)
/// with the children of every site on it: a handful of statements whatever the tree's size.
pub async fn outline(db: &Db, principal: &Principal, selected: Option<Uuid>) -> Result<Outline> {
    let readable = access::readable(principal, Operation::ViewSites)?;
    if readable.is_empty() {
        return Ok(Outline::default());
    }
    let mut rows_of_roots = tops(db, &readable).await?;
    let mut way: Vec<(i32, Uuid)> = Vec::new();
    if let Some(selected) = selected {
        let resolved = resolve(db, selected).await?;
        access::require(principal, Operation::ViewSites, &resolved.scope)?;
        {
            // The ancestry runs from the site up to its organisation: the open sites are the
            // ones from the top of the reach down to the selected site.
            let ancestry = &resolved.scope.ancestry;
            let top = super::read::reach_top(&readable, ancestry);
            let ids: Vec<i32> = ancestry[..top].iter().rev().copied().collect();
            // The resolved site carries its ancestors: their public ids need no statement.
            let public: HashMap<i32, Uuid> = resolved
                .ancestors
                .iter()
                .map(|s| (s.id, s.public_id))
                .collect();
            way = ids
                .into_iter()
                .filter_map(|id| public.get(&id).map(|p| (id, *p)))
                .collect();
        }
    }
    // The first page of children of every site on the way, in one statement.
    let mut children: HashMap<i32, Vec<site::Model>> = HashMap::new();
    if !way.is_empty() {
        let marks = vec!["?"; way.len()].join(", ");
        let sql = format!(
            "SELECT * FROM (SELECT sites.*, ROW_NUMBER() OVER \
             (PARTITION BY parent_id ORDER BY name, id) AS place FROM sites \
             WHERE parent_id IN ({marks})) ranked WHERE place <= ? ORDER BY name, id"
        );
        let mut values: Vec<sea_orm::Value> = way.iter().map(|(id, _)| (*id).into()).collect();
        values.push(i64::try_from(CHILDREN_SHOWN + 1).unwrap_or(i64::MAX).into());
        let rows = site::Entity::find()
            .from_raw_sql(crate::sql::statement(db.backend(), &sql, values))
            .all(db.conn())
            .await?;
        for row in rows {
            if let Some(parent) = row.parent_id {
                children.entry(parent).or_default().push(row);
            }
        }
    }
    // Each site on the way shows among its parent's children, even past their first page.
    let mut kept_past = HashSet::new();
    for pair in way.windows(2) {
        let (parent, child) = (pair[0].0, pair[1].0);
        let list = children.entry(parent).or_default();
        let shown = list
            .iter()
            .take(CHILDREN_SHOWN as usize)
            .any(|s| s.id == child);
        if !shown {
            if let Some(row) = site::Entity::find_by_id(child).one(db.conn()).await? {
                list.truncate(CHILDREN_SHOWN as usize);
                list.push(row);
                kept_past.insert(parent);
            }
        }
    }
    // The top the way starts from shows among the tops, even past the first ones.
    let mut roots_more = rows_of_roots.len() as u64 > ROOTS_SHOWN;
    rows_of_roots.truncate(ROOTS_SHOWN as usize);
    if let Some((top, _)) = way.first() {
        if !rows_of_roots.iter().any(|s| s.id == *top) {
            if let Some(row) = site::Entity::find_by_id(*top).one(db.conn()).await? {
                rows_of_roots.push(row);
                roots_more = true;
            }
        }
    }
    // Children counted for every node shown, in one statement.
    let mut all: Vec<i32> = rows_of_roots.iter().map(|s| s.id).collect();
    all.extend(children.values().flatten().map(|s| s.id));
    let counts = child_counts(db, all).await?;
    let roots = Children {
        nodes: rows_of_roots
            .into_iter()
            .map(|s| node_of(s, None, &counts))
            .collect(),
        more: roots_more,
    };
    let open = way
        .iter()
        .map(|(id, public)| {
            let mut rows = children.remove(id).unwrap_or_default();
            let past = kept_past.contains(id);
            let more = past || rows.len() as u64 > CHILDREN_SHOWN;
            if !past {
                rows.truncate(CHILDREN_SHOWN as usize);
            }
            let nodes = rows
                .into_iter()
                .map(|s| node_of(s, Some(*public), &counts))
                .collect();
            (*public, Children { nodes, more })
        })
        .collect();
    Ok(Outline { roots, open })
}

/// The children of a site the principal may view, by name, from the `offset`-th on.
pub async fn children(
    db: &Db,
    principal: &Principal,
    parent: Uuid,
    offset: u64,
) -> Result<Children> {
    let resolved = resolve(db, parent).await?;
    access::require(principal, Operation::ViewSites, &resolved.scope)?;
    let rows = site::Entity::find()
        .filter(site::Column::ParentId.eq(resolved.site.id))
        .order_by_asc(site::Column::Name)
        .order_by_asc(site::Column::Id)
        .offset(offset)
        .limit(CHILDREN_SHOWN + 1)
        .all(db.conn())
        .await?;
    let more = rows.len() as u64 > CHILDREN_SHOWN;
    let counts = child_counts(db, rows.iter().map(|s| s.id).collect()).await?;
    let nodes = rows
        .into_iter()
        .take(CHILDREN_SHOWN as usize)
        .map(|s| node_of(s, Some(parent), &counts))
        .collect();
    Ok(Children { nodes, more })
}

/// The sites within reach whose name contains `text` (any case), by name, with their paths;
/// only those in `within`'s subtree when it is named (a site the principal may see, or
/// refused as unknown).
pub async fn search(
    db: &Db,
    principal: &Principal,
    text: &str,
    within: Option<Uuid>,
) -> Result<Vec<Found>> {
    let readable = access::readable(principal, Operation::ViewSites)?;
    let within = match within {
        Some(site) => {
            let site = resolve(db, site).await?;
            access::require(principal, Operation::ViewSites, &site.scope)?;
            Some(site.site.id)
        }
        None => None,
    };
    let Some(pattern) = crate::validate::contains_pattern(text) else {
        return Ok(Vec::new());
    };
    if readable.is_empty() {
        return Ok(Vec::new());
    }
    let mut select = site::Entity::find().filter(in_readable(site::Column::Id, &readable));
    if let Some(within) = within {
        select = select.filter(site::Column::Id.in_subquery(super::subtree([within])));
    }
    let rows = select
        .filter(
            sea_orm::sea_query::Func::lower(Expr::col((site::Entity, site::Column::Name)))
                .like(sea_orm::sea_query::LikeExpr::new(pattern).escape('\\')),
        )
        .order_by_asc(site::Column::Name)
        .order_by_asc(site::Column::Id)
        .limit(FOUND_SHOWN)
        .all(db.conn())
        .await?;
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    // Every ancestor of every site found, in one read of the closure and one of the names.
    let found: Vec<i32> = rows.iter().map(|s| s.id).collect();
    let links = site_closure::Entity::find()
        .filter(site_closure::Column::DescendantId.is_in(found.clone()))
        .filter(site_closure::Column::Depth.gt(0))
        .all(db.conn())
        .await?;
    let ancestor_ids: HashSet<i32> = links.iter().map(|l| l.ancestor_id).collect();
    let ancestors: HashMap<i32, String> = site::Entity::find()
        .filter(site::Column::Id.is_in(ancestor_ids))
        .all(db.conn())
        .await?
        .into_iter()
        .map(|s| (s.id, s.name))
        .collect();
    let reach: Option<HashSet<i32>> = match &readable {
        Readable::All => None,
        Readable::Subtrees(roots) => Some(roots.iter().copied().collect()),
    };
    let counts = child_counts(db, found.clone()).await?;
    let nodes: Vec<OutlineNode> = rows
        .into_iter()
        .map(|s| node_of(s, None, &counts))
        .collect();
    let mut by_site: HashMap<i32, Vec<(i32, i32)>> = HashMap::new();
    for link in links {
        by_site
            .entry(link.descendant_id)
            .or_default()
            .push((link.depth, link.ancestor_id));
    }
    Ok(nodes
        .into_iter()
        .zip(found)
        .map(|(node, id)| {
            let mut way = by_site.remove(&id).unwrap_or_default();
            // Top first; a path stops at the top of the reach (nothing above it is shown).
            way.sort_unstable_by_key(|w| std::cmp::Reverse(w.0));
            if let Some(reach) = &reach {
                if let Some(at) = way.iter().position(|(_, a)| reach.contains(a)) {
                    way.drain(..at);
                } else {
                    way.clear();
                }
            }
            let path = way
                .iter()
                .filter_map(|(_, a)| ancestors.get(a).cloned())
                .collect();
            Found { node, path }
        })
        .collect())
}

/// The tops of a reach (their rows, one more than shown): every organisation for `All`, else
/// the reach's sites that lie in no other site of it.
async fn tops(db: &Db, readable: &Readable) -> Result<Vec<site::Model>> {
    // One site of reach (the usual administrator): that site, as the request resolved it.
    if let Readable::Subtrees(reach) = readable {
        if let [only] = reach.as_slice() {
            return Ok(vec![super::read::resolve_by_id(db, *only).await?.site]);
        }
    }
    let select = match readable {
        Readable::All => return first_roots(db).await,
        Readable::Subtrees(reach) => {
            let inner: HashSet<i32> = if reach.len() > 1 {
                site_closure::Entity::find()
                    .filter(site_closure::Column::DescendantId.is_in(reach.clone()))
                    .filter(site_closure::Column::AncestorId.is_in(reach.clone()))
                    .filter(site_closure::Column::Depth.gt(0))
                    .all(db.conn())
                    .await?
                    .into_iter()
                    .map(|l| l.descendant_id)
                    .collect()
            } else {
                HashSet::new()
            };
            let tops: Vec<i32> = reach
                .iter()
                .copied()
                .filter(|id| !inner.contains(id))
                .collect();
            site::Entity::find().filter(site::Column::Id.is_in(tops))
        }
    };
    Ok(select
        .order_by_asc(site::Column::Name)
        .order_by_asc(site::Column::Id)
        .limit(ROOTS_SHOWN + 1)
        .all(db.conn())
        .await?)
}

/// The first organisations by name, one more than the tree shows (whether there are more),
/// read once for the request: the operator's tree shows them and the page opens on the first
/// ([`super::read::home_site`]).
pub(crate) async fn first_roots(db: &Db) -> Result<Vec<site::Model>> {
    db.kept(
        |m| &m.roots,
        (),
        || async {
            Ok(site::Entity::find()
                .filter(site::Column::ParentId.is_null())
                .order_by_asc(site::Column::Name)
                .order_by_asc(site::Column::Id)
                .limit(ROOTS_SHOWN + 1)
                .all(db.conn())
                .await?)
        },
    )
    .await
}

/// How many children each of these sites has (one statement).
async fn child_counts(db: &Db, ids: Vec<i32>) -> Result<HashMap<i32, u64>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(site::Entity::find()
        .select_only()
        .column(site::Column::ParentId)
        .column_as(Expr::col(site::Column::Id).count(), "n")
        .filter(site::Column::ParentId.is_in(ids))
        .group_by(site::Column::ParentId)
        .into_tuple::<(i32, i64)>()
        .all(db.conn())
        .await?
        .into_iter()
        .map(|(id, n)| (id, u64::try_from(n).unwrap_or(0)))
        .collect())
}

fn node_of(s: site::Model, parent: Option<Uuid>, counts: &HashMap<i32, u64>) -> OutlineNode {
    OutlineNode {
        children: counts.get(&s.id).copied().unwrap_or(0),
        node: SiteNode {
            id: s.public_id,
            parent_id: parent,
            name: s.name,
            seat_limit: s.seat_limit,
            used_seats: s.used_seats,
            archived: s.archived_on.is_some(),
        },
    }
}

//! The structure tree on demand (see `domain::sites::outline`): what the administrator page
//! shows at first, a site's children when it opens, and the search.
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::sites::SiteNode;
use crate::error::AppError;

/// A site of the tree and how many children it has.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutlineNode {
    pub node: SiteNode,
    pub children: u64,
}

/// Some children of a site, by name, and whether more follow.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Children {
    pub nodes: Vec<OutlineNode>,
    pub more: bool,
}

/// The tops of the reader's reach, and the children of each site open at first (the selected
/// site and its ancestors).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Outline {
    pub roots: Children,
    pub open: Vec<(Uuid, Children)>,
}

/// A site a search found, with its ancestors' names (top first).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FoundSite {
    pub node: OutlineNode,
    pub path: Vec<String>,
}

#[cfg(feature = "ssr")]
mod convert {
    use super::*;

    impl From<domain::sites::OutlineNode> for OutlineNode {
        fn from(n: domain::sites::OutlineNode) -> Self {
            OutlineNode {
                node: n.node.into(),
                children: n.children,
            }
        }
    }

    impl From<domain::sites::Children> for Children {
        fn from(c: domain::sites::Children) -> Self {
            Children {
                nodes: c.nodes.into_iter().map(Into::into).collect(),
                more: c.more,
            }
        }
    }
}

#[server(endpoint = "site_outline")]
pub async fn site_outline(site: Option<Uuid>) -> Result<Outline, AppError> {
    let (db, principal) = crate::ssr::principal().await?;
    // No site named: the page opens on the reader's home site, and so does the tree.
    let site = match site {
        Some(site) => Some(site),
        None => domain::sites::home_site(&db, &principal).await.ok(),
    };
    let o = domain::sites::outline(&db, &principal, site).await?;
    Ok(Outline {
        roots: o.roots.into(),
        open: o.open.into_iter().map(|(id, c)| (id, c.into())).collect(),
    })
}

#[server(endpoint = "site_children")]
pub async fn site_children(parent: Uuid, offset: u64) -> Result<Children, AppError> {
    let (db, principal) = crate::ssr::principal().await?;
    Ok(domain::sites::children(&db, &principal, parent, offset)
        .await?
        .into())
}

/// The sites whose name holds `text`, in the reader's reach or in `within`'s subtree.
#[server(endpoint = "search_sites")]
pub async fn search_sites(text: String, within: Option<Uuid>) -> Result<Vec<FoundSite>, AppError> {
    let (db, principal) = crate::ssr::principal().await?;
    let found = domain::sites::search(&db, &principal, &text, within).await?;
    Ok(found
        .into_iter()
        .map(|f| FoundSite {
            node: f.node.into(),
            path: f.path,
        })
        .collect())
}

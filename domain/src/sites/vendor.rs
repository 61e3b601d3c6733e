//! The vendor's own organisation, home of the operators. It is marked by `sites.is_vendor` on
//! its root (one at most, by a unique index), never found by its name; and its name is
//! reserved: no customer's organisation may be called the same (ignoring case and spaces),
//! or a customer could pass for the vendor.
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use crate::entities::site;
use crate::error::{Code, Error, Result};

/// The name the vendor's organisation is created with; reserved whatever it is called later.
pub const VENDOR_ORGANISATION: &str = "Licentia";

/// The vendor's organisation (its root site), if it exists yet.
pub async fn vendor_root(conn: &impl ConnectionTrait) -> Result<Option<site::Model>> {
    Ok(site::Entity::find()
        .filter(site::Column::IsVendor.eq(true))
        .filter(site::Column::ParentId.is_null())
        .one(conn)
        .await?)
}

/// Refuses `name` for an organisation (a root site; `site_id` none: a new one) when it is the
/// vendor's name. The vendor's own root may keep or change its name.
pub async fn check_root_name(
    conn: &impl ConnectionTrait,
    field: &'static str,
    name: &str,
    site_id: Option<i32>,
) -> Result<()> {
    let vendor = vendor_root(conn).await?;
    if let (Some(vendor), Some(id)) = (&vendor, site_id) {
        if vendor.id == id {
            return Ok(());
        }
    }
    let reserved = same_name(name, VENDOR_ORGANISATION)
        || vendor.is_some_and(|vendor| same_name(name, &vendor.name));
    if reserved {
        return Err(Error::invalid(field, Code::SiteNameReserved));
    }
    Ok(())
}

/// Two names are the same when they differ only in case and white space.
pub fn same_name(a: &str, b: &str) -> bool {
    let folded = |s: &str| -> String {
        s.chars()
            .filter(|c| !c.is_whitespace())
            .flat_map(char::to_lowercase)
            .collect()
    };
    folded(a) == folded(b)
}

#[cfg(test)]
mod tests {
    use super::same_name;

    #[test]
    fn should_compare_names_without_case_and_spaces() {
        assert!(same_name("Licentia", " licentia "));
        assert!(same_name("Licentia", "LI CEN\tTIA"));
        assert!(!same_name("Licentia", "Licentia2"));
    }
}

//! Custom properties as extra columns of the import: a header naming one of the organisation's
//! properties (by key, or by its label in Dutch, French or English) is that property's column;
//! its cells are checked against the property's type like any other cell.
use std::collections::HashMap;

use super::columns::normalise;
use crate::entities::property_definition;
use crate::error::{Error, Result};
use crate::properties::{Definition, Kind};
use crate::{sites, Db};

/// A property as a column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PropertyColumn {
    pub definition_id: i32,
    pub key: String,
    pub kind: Kind,
    pub choices: Vec<String>,
}

/// The organisation's properties by every header name that means them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PropertyHeaders {
    by_name: HashMap<String, PropertyColumn>,
}

impl PropertyHeaders {
    pub fn of(definitions: &[property_definition::Model]) -> PropertyHeaders {
        let mut by_name = HashMap::new();
        for d in definitions {
            let described = Definition::of(d);
            let column = PropertyColumn {
                definition_id: d.id,
                key: d.key.clone(),
                kind: described.kind,
                choices: described.choices.clone(),
            };
            for name in [&d.key, &d.label_nl, &d.label_fr, &d.label_en] {
                by_name
                    .entry(normalise(name))
                    .or_insert_with(|| column.clone());
            }
        }
        PropertyHeaders { by_name }
    }

    /// The properties of the organisation `site_id` belongs to.
    pub async fn load(db: &Db, site_id: i32) -> Result<PropertyHeaders> {
        let resolved = sites::resolve_by_id(db, site_id).await?;
        let root = resolved.scope.root_id().ok_or(Error::NotFound)?;
        let definitions = crate::properties::of_organisation(db.conn(), root).await?;
        Ok(PropertyHeaders::of(&definitions))
    }

    pub(super) fn find(&self, header: &str) -> Option<&PropertyColumn> {
        self.by_name.get(&normalise(header))
    }
}

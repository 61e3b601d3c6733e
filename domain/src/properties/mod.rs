//! Custom properties per organisation (as Class and Klic have them): a definition (key, labels
//! in nl/fr/en, type text / number / date / choice, required or not) owned by the root site,
//! and one value per user, checked against its type and stored normalised. Administrators of
//! the organisation define them; whoever may edit a user sets that user's values.
mod define;
pub mod filter;
mod import;
mod kind;
mod values;

pub(crate) use define::of_organisation;
pub use define::{define, definitions, overview, remove, Definition, DefinitionForm, Overview};
pub use import::{import_values, preview_values, LineProblem, PlannedValue, ValuesPreview};
pub use kind::{parse as parse_kind, Kind, Normalise};
pub(crate) use values::{plan_values, write_planned, write_value, Planned};
pub use values::{set_values, values_of, PropertyValue};

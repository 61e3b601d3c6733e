//! The header row: which column holds what. Names are recognised in Dutch, French and
//! English, without regard to case, accents, spaces or punctuation. The first column is
//! always the action (`+`, `-`, `*`), whatever its header says.
use super::property_columns::{PropertyColumn, PropertyHeaders};
use crate::error::{Code, Error, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Column {
    Action,
    Username,
    FirstName,
    LastName,
    Email,
    Password,
    ExpiresOn,
    PersonnelNumber,
    Subsite,
    Roles,
}

impl Column {
    pub const ALL: [Column; 10] = [
        Column::Action,
        Column::Username,
        Column::FirstName,
        Column::LastName,
        Column::Email,
        Column::Password,
        Column::ExpiresOn,
        Column::PersonnelNumber,
        Column::Subsite,
        Column::Roles,
    ];

    /// The stable key (also the translation key of the column's name).
    pub fn key(self) -> &'static str {
        match self {
            Column::Action => "action",
            Column::Username => "username",
            Column::FirstName => "first_name",
            Column::LastName => "last_name",
            Column::Email => "email",
            Column::Password => "password",
            Column::ExpiresOn => "expires_on",
            Column::PersonnelNumber => "personnel_number",
            Column::Subsite => "subsite",
            Column::Roles => "roles",
        }
    }

    /// The header this column is written under in a rewritten upload (the template's own).
    pub fn header(self) -> &'static str {
        self.names()[0]
    }

    /// Whether `raw` is a header this column is recognised by (in any language).
    pub(super) fn is_named(self, raw: &str) -> bool {
        self.names().contains(&normalise(raw).as_str())
    }

    /// Header names recognised (normalised: lower case, letters and digits only), the
    /// template's own first.
    fn names(self) -> &'static [&'static str] {
        match self {
            Column::Action => &["actie", "action"],
            Column::Username => &[
                "gebruikersnaam",
                "nomdutilisateur",
                "username",
                "identifiant",
                "login",
                "gebruiker",
                "utilisateur",
                "user",
            ],
            Column::FirstName => &["voornaam", "prenom", "firstname", "givenname"],
            Column::LastName => &[
                "achternaam",
                "nom",
                "lastname",
                "familienaam",
                "nomdefamille",
                "surname",
                "familyname",
            ],
            Column::Email => &[
                "emailadres",
                "email",
                "adresseemail",
                "courriel",
                "mail",
                "emailaddress",
            ],
            Column::Password => &[
                "wachtwoord",
                "motdepasse",
                "password",
                "initieelwachtwoord",
                "motdepasseinitial",
                "initialpassword",
            ],
            Column::ExpiresOn => &[
                "vervaldatum",
                "datedexpiration",
                "expirydate",
                "einddatum",
                "expiration",
                "expires",
                "expirationdate",
            ],
            Column::PersonnelNumber => &[
                "personeelsnummer",
                "matricule",
                "personnelnumber",
                "stamnummer",
                "numerodepersonnel",
                "employeenumber",
            ],
            Column::Subsite => &[
                "subsite", "soussite", "site", "klas", "classe", "class", "school", "ecole",
            ],
            Column::Roles => &["rollen", "roles", "rol", "role"],
        }
    }
}

/// Lower case, accents dropped, only letters and digits (`E-mail adres` → `emailadres`).
pub(super) fn normalise(header: &str) -> String {
    header
        .chars()
        .filter_map(|c| {
            let c = match c {
                'à' | 'á' | 'â' | 'ä' | 'À' | 'Á' | 'Â' | 'Ä' => 'a',
                'è' | 'é' | 'ê' | 'ë' | 'È' | 'É' | 'Ê' | 'Ë' => 'e',
                'ì' | 'í' | 'î' | 'ï' | 'Î' | 'Ï' => 'i',
                'ò' | 'ó' | 'ô' | 'ö' | 'Ô' | 'Ö' => 'o',
                'ù' | 'ú' | 'û' | 'ü' | 'Û' | 'Ü' => 'u',
                'ç' | 'Ç' => 'c',
                other => other,
            };
            c.is_alphanumeric()
                .then(|| c.to_lowercase().next().unwrap_or(c))
        })
        .collect()
}

/// Where each column is in the table (by index).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Columns {
    positions: Vec<(Column, usize)>,
    /// The organisation's properties the file has columns for.
    properties: Vec<(PropertyColumn, usize)>,
}

impl Columns {
    /// Recognises a header row without custom properties.
    pub fn recognise(header: &[String]) -> Result<Columns> {
        Columns::recognise_with(header, &PropertyHeaders::default())
    }

    /// Recognises a header row. Unknown headers are refused by name (a typo must not drop a
    /// column silently); usernames are required, and so is a known action column first. A
    /// header naming one of `properties` is that property's column.
    pub fn recognise_with(header: &[String], properties: &PropertyHeaders) -> Result<Columns> {
        if header.iter().all(|h| h.trim().is_empty()) {
            return Err(Error::invalid("file", Code::ImportNoHeader));
        }
        let mut positions = vec![(Column::Action, 0)];
        let mut property_positions: Vec<(PropertyColumn, usize)> = Vec::new();
        let mut unknown = Vec::new();
        for (index, raw) in header.iter().enumerate().skip(1) {
            let name = normalise(raw);
            if name.is_empty() {
                continue;
            }
            let found = Column::ALL
                .into_iter()
                .skip(1)
                .find(|column| column.names().contains(&name.as_str()));
            match found {
                Some(column) if positions.iter().any(|(c, _)| *c == column) => {
                    unknown.push(raw.trim().to_string());
                }
                Some(column) => positions.push((column, index)),
                None => match properties.find(raw) {
                    Some(p) if property_positions.iter().any(|(q, _)| q.key == p.key) => {
                        unknown.push(raw.trim().to_string());
                    }
                    Some(p) => property_positions.push((p.clone(), index)),
                    None => unknown.push(raw.trim().to_string()),
                },
            }
        }
        if !unknown.is_empty() {
            return Err(Error::RefusedAt(Code::ImportUnknownColumn, unknown));
        }
        if !positions.iter().any(|(c, _)| *c == Column::Username) {
            return Err(Error::RefusedAt(
                Code::ImportMissingColumn,
                vec![Column::Username.key().to_string()],
            ));
        }
        Ok(Columns {
            positions,
            properties: property_positions,
        })
    }

    /// The property columns, with their index.
    pub fn properties(&self) -> &[(PropertyColumn, usize)] {
        &self.properties
    }

    pub fn has(&self, column: Column) -> bool {
        self.positions.iter().any(|(c, _)| *c == column)
    }

    /// The cell of `column` in `row` (empty when the column or the cell is absent).
    pub fn cell<'a>(&self, row: &'a [String], column: Column) -> &'a str {
        self.positions
            .iter()
            .find(|(c, _)| *c == column)
            .and_then(|(_, index)| row.get(*index))
            .map(|s| s.trim())
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn should_recognise_headers_in_three_languages() {
        for names in [
            [
                "Actie",
                "Gebruikersnaam",
                "Voornaam",
                "Achternaam",
                "E-mailadres",
                "Vervaldatum",
            ],
            [
                "Action",
                "Nom d'utilisateur",
                "Prénom",
                "Nom",
                "Adresse e-mail",
                "Date d'expiration",
            ],
            [
                "Action",
                "Username",
                "First name",
                "Last name",
                "E-mail",
                "Expiry date",
            ],
        ] {
            let columns =
                Columns::recognise(&header(&names)).unwrap_or_else(|e| panic!("{names:?}: {e:?}"));
            let row = header(&["+", "an", "An", "Peeters", "an@x.be", "2027-06-30"]);
            assert_eq!(columns.cell(&row, Column::LastName), "Peeters");
            assert_eq!(columns.cell(&row, Column::ExpiresOn), "2027-06-30");
            assert_eq!(columns.cell(&row, Column::Roles), "");
        }
    }

    #[test]
    fn should_refuse_unknown_duplicate_and_missing_columns() {
        let code = |names: &[&str]| {
            Columns::recognise(&header(names))
                .err()
                .map(|e| (e.code(), e.details().to_vec()))
        };
        assert_eq!(
            code(&["Actie", "Gebruikersnaam", "Schoenmaat"]),
            Some((Code::ImportUnknownColumn, vec!["Schoenmaat".to_string()]))
        );
        assert_eq!(
            code(&["Actie", "Voornaam", "Prénom"]).map(|c| c.0),
            Some(Code::ImportUnknownColumn)
        );
        assert_eq!(
            code(&["Actie", "Voornaam"]).map(|c| c.0),
            Some(Code::ImportMissingColumn)
        );
        assert_eq!(code(&["", " "]).map(|c| c.0), Some(Code::ImportNoHeader));
    }
}

//! The self-registration form of a site, as its administrators configure it: which optional
//! fields it shows and which of those it requires (phone, address, personnel number, date of
//! birth, the part of the organisation to join), whether it offers the newsletter, a
//! disclaimer to accept, and whether the sign-in page shows the register panel beside it.
use chrono::NaiveDate;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::access::{self, Operation};
use crate::audit::{self, Action, Change, Event};
use crate::entities::site;
use crate::error::{Code, Error, Result};
use crate::{sites, validate, Db, Principal};

/// Whether the form shows a field, and whether it must be filled in (the wire's own).
pub use wire::FieldRule;

/// The rule named `raw` (empty: off), or why it is none.
pub fn parse_rule(raw: &str) -> Result<FieldRule> {
    match raw.trim() {
        "" => Ok(FieldRule::Off),
        name => FieldRule::parse(name).ok_or(Error::invalid(
            "registration_form",
            Code::RegistrationFormInvalid,
        )),
    }
}

/// A site's form (the standard one by default: none of the optional fields).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct RegistrationFields {
    pub phone: FieldRule,
    pub address: FieldRule,
    pub personnel_number: FieldRule,
    pub birth_date: FieldRule,
    /// A subsite of the code's site to register in (e.g. the class).
    pub organisation_part: FieldRule,
    /// Offer the newsletter (a consent is never required).
    pub newsletter: bool,
    /// A text the user must accept; empty: none.
    pub disclaimer: String,
    /// The sign-in page (opened with the site's code) shows the register panel beside it.
    pub beside_sign_in: bool,
    /// Registering needs a proof-of-work challenge solved by the browser (against robots).
    pub challenge: bool,
}

/// The longest disclaimer.
pub const MAX_DISCLAIMER: usize = 2000;

impl RegistrationFields {
    pub(crate) fn of(site: &site::Model) -> RegistrationFields {
        site.registration_form
            .as_deref()
            .and_then(|json| serde_json::from_str(json).ok())
            .unwrap_or_default()
    }
}

/// The registration form of a site, for whoever sees the site.
pub async fn form_of(db: &Db, principal: &Principal, site: Uuid) -> Result<RegistrationFields> {
    let resolved = sites::resolve(db, site).await?;
    access::require(principal, Operation::ViewSites, &resolved.scope)?;
    Ok(RegistrationFields::of(&resolved.site))
}

/// Sets the registration form of a site (whoever edits the site).
pub async fn set_form(
    db: &Db,
    principal: &Principal,
    site: Uuid,
    mut fields: RegistrationFields,
) -> Result<RegistrationFields> {
    let resolved = sites::resolve(db, site).await?;
    access::require(principal, Operation::EditSite, &resolved.scope)?;
    fields.disclaimer = fields.disclaimer.trim().to_string();
    if fields.disclaimer.chars().count() > MAX_DISCLAIMER {
        return Err(Error::invalid("disclaimer", Code::DisclaimerTooLong));
    }
    let before = RegistrationFields::of(&resolved.site);
    let json = serde_json::to_string(&fields)
        .map_err(|e| Error::Internal(format!("registration form: {e}")))?;
    let txn = db.write().await?;
    site::Entity::update_many()
        .col_expr(site::Column::RegistrationForm, Expr::value(Some(json)))
        .filter(site::Column::Id.eq(resolved.site.id))
        .exec(&*txn)
        .await?;
    audit::record(
        &*txn,
        principal,
        Event {
            action: Action::SiteUpdate,
            target: resolved.site.name.clone().into(),
            site: &resolved.site,
            changes: vec![Change::new(
                "registration_form",
                summary(&before),
                summary(&fields),
            )],
        },
    )
    .await?;
    txn.commit().await?;
    Ok(fields)
}

/// The form in a line, for the journal: `phone: required, address: optional, …`.
fn summary(f: &RegistrationFields) -> String {
    let mut parts: Vec<String> = [
        ("phone", f.phone),
        ("address", f.address),
        ("personnel_number", f.personnel_number),
        ("birth_date", f.birth_date),
        ("organisation_part", f.organisation_part),
    ]
    .into_iter()
    .filter(|(_, rule)| rule.shown())
    .map(|(name, rule)| format!("{name}: {}", rule.as_str()))
    .collect();
    if f.newsletter {
        parts.push("newsletter".into());
    }
    if !f.disclaimer.is_empty() {
        parts.push("disclaimer".into());
    }
    if f.beside_sign_in {
        parts.push("beside_sign_in".into());
    }
    if f.challenge {
        parts.push("challenge".into());
    }
    parts.join(", ")
}

/// The optional fields as typed on the registration form.
#[derive(Debug, Clone, Default)]
pub struct ExtraAnswers {
    pub phone: String,
    pub address: String,
    pub personnel_number: String,
    /// ISO date.
    pub birth_date: String,
    /// A subsite of the code's site.
    pub part: Option<Uuid>,
    pub newsletter: bool,
    pub disclaimer_accepted: bool,
    /// The solved challenge (JSON), when the form asks for one.
    pub proof: String,
}

/// The answers checked against the form.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Checked {
    pub phone: Option<String>,
    pub address: Option<String>,
    pub personnel_number: Option<String>,
    pub birth_date: Option<NaiveDate>,
    pub part: Option<Uuid>,
    pub newsletter: bool,
    pub disclaimer_accepted: bool,
}

fn needed<T>(rule: FieldRule, field: &'static str, value: Option<T>) -> Result<Option<T>> {
    match (rule, value) {
        (FieldRule::Off, _) => Ok(None),
        (FieldRule::Required, None) => Err(Error::invalid(field, Code::FieldRequired)),
        (_, value) => Ok(value),
    }
}

pub(crate) fn check(
    fields: &RegistrationFields,
    answers: &ExtraAnswers,
    today: NaiveDate,
) -> Result<Checked> {
    let text = |raw: &str, max: usize, field: &'static str| -> Result<Option<String>> {
        let t = raw.trim();
        if t.chars().count() > max {
            return Err(Error::invalid(field, Code::NameTooLong));
        }
        Ok(Some(t.to_string()).filter(|t| !t.is_empty()))
    };
    let birth_date = match answers.birth_date.trim() {
        "" => None,
        raw => {
            let day = NaiveDate::parse_from_str(raw, "%Y-%m-%d")
                .map_err(|_| Error::invalid("birth_date", Code::DateInvalid))?;
            if day >= today {
                return Err(Error::invalid("birth_date", Code::BirthDateInFuture));
            }
            Some(day)
        }
    };
    if !fields.disclaimer.is_empty() && !answers.disclaimer_accepted {
        return Err(Error::invalid("disclaimer", Code::DisclaimerNotAccepted));
    }
    Ok(Checked {
        phone: needed(
            fields.phone,
            "phone",
            validate::optional_phone(&answers.phone)?,
        )?,
        address: needed(
            fields.address,
            "address",
            text(&answers.address, 300, "address")?,
        )?,
        personnel_number: needed(
            fields.personnel_number,
            "personnel_number",
            text(&answers.personnel_number, 40, "personnel_number")?,
        )?,
        birth_date: needed(fields.birth_date, "birth_date", birth_date)?,
        part: needed(fields.organisation_part, "part", answers.part)?,
        newsletter: fields.newsletter && answers.newsletter,
        disclaimer_accepted: !fields.disclaimer.is_empty(),
    })
}

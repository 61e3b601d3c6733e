//! The API's request and response bodies (and their schemas in the OpenAPI document).
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// An account as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct User {
    pub id: Uuid,
    pub username: String,
    pub first_name: String,
    pub last_name: String,
    pub email: Option<String>,
    pub active: bool,
    /// Their own expiry date, if they have one (a site's date may apply too).
    pub expires_on: Option<NaiveDate>,
    /// Preferred language (`nl`, `fr`, `en`), if chosen.
    pub locale: Option<String>,
    pub site_id: Uuid,
    /// An external party's account (no password, cannot sign in).
    pub service_account: bool,
}

/// The state of a user's licence: `none`, `active` (since `since`), `upcoming` (from `since`)
/// or `expired` (since `since`).
#[derive(Debug, Serialize, ToSchema)]
pub struct Licence {
    /// A valid licence that covers the product asked about (or any, when none was).
    pub valid: bool,
    #[schema(example = "active")]
    pub status: String,
    pub since: Option<NaiveDate>,
    /// The last day of the valid licence.
    pub until: Option<NaiveDate>,
    /// The product keys the valid licence covers.
    pub products: Vec<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProductQuery {
    /// A product key (`reader`); without it, any valid licence counts.
    pub product: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct Credentials {
    pub username: String,
    pub password: String,
    /// For an account with a second factor: the code its authenticator app shows now (six
    /// digits), or one of its recovery codes. Without it such an account is refused with 403
    /// `application_code_required`; ask the user and send both again.
    pub code: Option<String>,
    /// The product the application is; its answer's `valid` is for that product.
    pub product: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Authenticated {
    pub user: User,
    pub licence: Licence,
    /// The user must choose a new password (on the sign-in page) before they may do anything
    /// else there; the application should send them to change it.
    pub must_change_password: bool,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct OpenSession {
    /// The product key of the application.
    pub product: String,
    /// The fingerprint of the device the application runs on (1 to 128 characters): the
    /// device is registered, within the devices the licence allows.
    pub device: Option<String>,
}

/// An application session: open while heartbeats arrive (at most 10 minutes apart).
#[derive(Debug, Serialize, ToSchema)]
pub struct AppSession {
    pub id: Uuid,
    pub user_id: Uuid,
    pub product: String,
    pub opened_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Site {
    pub id: Uuid,
    pub parent_id: Option<Uuid>,
    pub name: String,
    pub seat_limit: i32,
    pub used_seats: i32,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UserListQuery {
    /// Part of a name, username or e-mail address.
    pub search: Option<String>,
    /// Also the users of every subsite.
    pub include_subsites: Option<bool>,
    /// Zero-based page of 25.
    #[param(minimum = 0, maximum = 100000)]
    pub page: Option<u64>,
    /// The page after this place: a previous answer's `next` (then pass its `page` + 1 as
    /// `page`). Found through the list's index, as fast at the end of the list as at its start.
    #[param(max_length = 1024)]
    pub after: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UserPage {
    pub users: Vec<User>,
    /// The matching users, counted up to 10,000.
    pub total: u64,
    /// False when more than `total` users match (the count stops at 10,000).
    pub total_exact: bool,
    pub page: u64,
    pub page_size: u64,
    /// The place of this page's last row when a page follows: the next page's `after`.
    pub next: Option<String>,
}

impl From<domain::users::Account> for User {
    fn from(u: domain::users::Account) -> Self {
        User {
            id: u.id,
            username: u.username,
            first_name: u.first_name,
            last_name: u.last_name,
            email: u.email,
            active: u.active,
            expires_on: u.expires_on,
            locale: u.locale,
            site_id: u.site,
            service_account: u.service_account,
        }
    }
}

impl From<domain::licences::LicenceCheck> for Licence {
    fn from(c: domain::licences::LicenceCheck) -> Self {
        use domain::licences::Status;
        let (status, since) = match c.status {
            Status::None => ("none", None),
            Status::ActiveSince(d) => ("active", Some(d)),
            Status::ActiveFrom(d) => ("upcoming", Some(d)),
            Status::ExpiredSince(d) => ("expired", Some(d)),
        };
        Licence {
            valid: c.valid,
            status: status.to_string(),
            since,
            until: c.until,
            products: c.products,
        }
    }
}

impl From<domain::applications::AppSession> for AppSession {
    fn from(s: domain::applications::AppSession) -> Self {
        AppSession {
            id: s.public_id,
            user_id: s.user_id,
            product: s.product,
            opened_at: s.opened_at,
            last_seen_at: s.last_seen_at,
        }
    }
}

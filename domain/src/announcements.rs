//! Announcements (as Klic has them): the vendor's operators post maintenance, outage and update
//! notices with a time window, in Dutch, French and English. At their first sign-in users
//! choose "inform me" or "no updates"; those informed see a banner while a notice runs and get
//! it by e-mail in their language (queued by a job, batch by batch, resumable); the others see
//! a bell they can use to opt in later. The choice is in the profile too.
use chrono::{DateTime, NaiveDateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::access::{self, Operation};
use crate::entities::{announcement, user};
use crate::error::{Code, Error, Result};
use crate::mail::{self, Template};
use crate::{jobs, Db, Principal};

pub use wire::AnnouncementKind as Kind;
/// A user's choice.
pub use wire::UpdatesChoice;
/// The job that mails an announcement to the users who want it.
pub const JOB_KIND: &str = "announcement.mail";
/// Users mailed per transaction.
const BATCH: u64 = 500;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailJob {
    pub announcement: i32,
}

/// The operator's form; times as `YYYY-MM-DDTHH:MM` in UTC.
#[derive(Debug, Clone, Default)]
pub struct AnnouncementForm {
    pub kind: String,
    pub title_nl: String,
    pub title_fr: String,
    pub title_en: String,
    pub body_nl: String,
    pub body_fr: String,
    pub body_en: String,
    pub starts_at: String,
    pub ends_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Announcement {
    pub public_id: Uuid,
    pub kind: Kind,
    pub titles: [String; 3],
    pub bodies: [String; 3],
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub created_by: String,
}

fn index(locale: &str) -> usize {
    match locale {
        "fr" => 1,
        "en" => 2,
        _ => 0,
    }
}

impl Announcement {
    fn of(m: &announcement::Model) -> Announcement {
        Announcement {
            public_id: m.public_id,
            kind: Kind::parse(&m.kind).unwrap_or(Kind::Maintenance),
            titles: [m.title_nl.clone(), m.title_fr.clone(), m.title_en.clone()],
            bodies: [m.body_nl.clone(), m.body_fr.clone(), m.body_en.clone()],
            starts_at: m.starts_at,
            ends_at: m.ends_at,
            created_by: m.created_by.clone(),
        }
    }

    pub fn title(&self, locale: &str) -> &str {
        &self.titles[index(locale)]
    }

    pub fn body(&self, locale: &str) -> &str {
        &self.bodies[index(locale)]
    }
}

fn text(field: &'static str, raw: &str, max: usize) -> Result<String> {
    let t = raw.trim();
    if t.is_empty() {
        return Err(Error::invalid(field, Code::FieldRequired));
    }
    if t.chars().count() > max {
        return Err(Error::invalid(field, Code::NameTooLong));
    }
    Ok(t.to_string())
}

fn moment(field: &'static str, raw: &str) -> Result<DateTime<Utc>> {
    NaiveDateTime::parse_from_str(raw.trim(), "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(raw.trim(), "%Y-%m-%dT%H:%M:%S"))
        .map(wire::time::from_local)
        .map_err(|_| Error::invalid(field, Code::DateInvalid))
}

/// Posts an announcement and queues its mail to the users who want updates.
pub async fn create(
    db: &Db,
    principal: &Principal,
    form: AnnouncementForm,
    now: DateTime<Utc>,
) -> Result<Announcement> {
    access::require_operator(principal, Operation::ManageAnnouncements)?;
    let kind = Kind::parse(form.kind.trim())
        .ok_or(Error::invalid("kind", Code::AnnouncementKindInvalid))?;
    let titles = [
        text("title_nl", &form.title_nl, 150)?,
        text("title_fr", &form.title_fr, 150)?,
        text("title_en", &form.title_en, 150)?,
    ];
    let bodies = [
        text("body_nl", &form.body_nl, 4000)?,
        text("body_fr", &form.body_fr, 4000)?,
        text("body_en", &form.body_en, 4000)?,
    ];
    let starts_at = moment("starts_at", &form.starts_at)?;
    let ends_at = moment("ends_at", &form.ends_at)?;
    if ends_at <= starts_at {
        return Err(Error::invalid("ends_at", Code::DateRangeReversed));
    }
    if ends_at <= now {
        return Err(Error::invalid("ends_at", Code::AnnouncementOver));
    }
    let [title_nl, title_fr, title_en] = titles;
    let [body_nl, body_fr, body_en] = bodies;
    let txn = db.write().await?;
    let created = announcement::ActiveModel {
        public_id: Set(Uuid::new_v4()),
        kind: Set(kind.as_str().to_string()),
        title_nl: Set(title_nl),
        title_fr: Set(title_fr),
        title_en: Set(title_en),
        body_nl: Set(body_nl),
        body_fr: Set(body_fr),
        body_en: Set(body_en),
        starts_at: Set(starts_at),
        ends_at: Set(ends_at),
        created_by: Set(actor_name(principal)),
        mailed_up_to: Set(0),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&*txn)
    .await?;
    jobs::enqueue(
        &*txn,
        JOB_KIND,
        &MailJob {
            announcement: created.id,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(Announcement::of(&created))
}

fn actor_name(principal: &Principal) -> String {
    match principal {
        Principal::User(actor) => actor.username.clone(),
        Principal::Anonymous => String::new(),
    }
}

/// Every announcement, newest first (the operators' list).
pub async fn all(db: &Db, principal: &Principal) -> Result<Vec<Announcement>> {
    access::require_operator(principal, Operation::ManageAnnouncements)?;
    Ok(announcement::Entity::find()
        .order_by_desc(announcement::Column::StartsAt)
        .limit(200)
        .all(db.conn())
        .await?
        .iter()
        .map(Announcement::of)
        .collect())
}

/// Withdraws an announcement (its mails already sent stay sent).
pub async fn remove(db: &Db, principal: &Principal, id: Uuid) -> Result<()> {
    access::require_operator(principal, Operation::ManageAnnouncements)?;
    let txn = db.write().await?;
    let removed = announcement::Entity::delete_many()
        .filter(announcement::Column::PublicId.eq(id))
        .exec(&*txn)
        .await?;
    if removed.rows_affected == 0 {
        return Err(Error::NotFound);
    }
    txn.commit().await
}

/// What the signed-in user sees: their choice, and the announcements running now (shown as
/// a banner when they want updates, counted on the bell when not).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Current {
    /// None yet: the page asks.
    pub choice: Option<UpdatesChoice>,
    pub running: Vec<Announcement>,
}

pub async fn current(db: &Db, principal: &Principal, now: DateTime<Utc>) -> Result<Current> {
    let user_id = principal.user_id().ok_or(Error::Unauthenticated)?;
    let me = crate::users::row_of(db, user_id)
        .await?
        .ok_or(Error::Unauthenticated)?;
    let running = announcement::Entity::find()
        .filter(announcement::Column::StartsAt.lte(now))
        .filter(announcement::Column::EndsAt.gt(now))
        .order_by_asc(announcement::Column::StartsAt)
        .all(db.conn())
        .await?
        .iter()
        .map(Announcement::of)
        .collect();
    Ok(Current {
        choice: me.updates_choice.as_deref().and_then(UpdatesChoice::parse),
        running,
    })
}

/// Records the signed-in user's choice: `inform` or `none`.
pub async fn set_choice(db: &Db, principal: &Principal, choice: &str) -> Result<()> {
    let user_id = principal.user_id().ok_or(Error::Unauthenticated)?;
    let choice =
        UpdatesChoice::parse(choice).ok_or(Error::invalid("choice", Code::UpdatesChoiceInvalid))?;
    let txn = db.write().await?;
    user::Entity::update_many()
        .col_expr(
            user::Column::UpdatesChoice,
            Expr::value(Some(choice.as_str())),
        )
        .filter(user::Column::Id.eq(user_id))
        .exec(&*txn)
        .await?;
    txn.commit().await
}

/// Mails the next batch of opted-in users (active, with an address, in their language); false
/// when all have been mailed. Each batch moves the announcement's checkpoint in the same
/// transaction as its mails, so a run cut short resumes without mailing anyone twice.
pub async fn mail_batch(db: &Db, job: MailJob) -> Result<bool> {
    let Some(found) = announcement::Entity::find_by_id(job.announcement)
        .one(db.conn())
        .await?
    else {
        return Ok(false);
    };
    let users = user::Entity::find()
        .filter(user::Column::Id.gt(found.mailed_up_to))
        .filter(user::Column::UpdatesChoice.eq(UpdatesChoice::Inform.as_str()))
        .filter(user::Column::Active.eq(true))
        .filter(user::Column::Email.is_not_null())
        .order_by_asc(user::Column::Id)
        .limit(BATCH)
        .all(db.conn())
        .await?;
    let Some(last) = users.last().map(|u| u.id) else {
        return Ok(false);
    };
    let shown = Announcement::of(&found);
    let txn = db.write().await?;
    let moved = announcement::Entity::update_many()
        .col_expr(announcement::Column::MailedUpTo, Expr::value(last))
        .filter(announcement::Column::Id.eq(found.id))
        .filter(announcement::Column::MailedUpTo.eq(found.mailed_up_to))
        .exec(&*txn)
        .await?;
    if moved.rows_affected != 1 {
        // Another worker mailed this batch meanwhile.
        return Ok(true);
    }
    for u in &users {
        let (Some(to), locale) = (&u.email, u.locale.clone().unwrap_or_else(|| "nl".into())) else {
            continue;
        };
        mail::queue(
            &*txn,
            to,
            Some(&locale),
            Template::Announcement {
                name: format!("{} {}", u.first_name, u.last_name),
                notice: shown.kind.as_str().to_string(),
                title: shown.title(&locale).to_string(),
                body: shown.body(&locale).to_string(),
                starts_at: wire::time::local(shown.starts_at)
                    .format("%Y-%m-%d %H:%M")
                    .to_string(),
                ends_at: wire::time::local(shown.ends_at)
                    .format("%Y-%m-%d %H:%M")
                    .to_string(),
            },
        )
        .await?;
    }
    txn.commit().await?;
    Ok(true)
}

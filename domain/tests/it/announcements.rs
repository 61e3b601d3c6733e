//! Announcements: only operators post them, checked (kind, texts in three languages, a window
//! that ends in the future); users see the ones running now and choose whether they want
//! them; the mail goes to the users who do, in their language, batch by batch without anyone
//! mailed twice.
use chrono::{TimeZone, Utc};
use domain::announcements::{self, AnnouncementForm, MailJob};
use domain::entities::{job, user};
use domain::mail::{Mail, Template};
use domain::{Code, Db, Error, Principal};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use crate::db_test;
use crate::helpers::*;

fn form(kind: &str, starts: &str, ends: &str) -> AnnouncementForm {
    AnnouncementForm {
        kind: kind.into(),
        title_nl: "Onderhoud zaterdag".into(),
        title_fr: "Maintenance samedi".into(),
        title_en: "Maintenance on Saturday".into(),
        body_nl: "Licentia is onbereikbaar.".into(),
        body_fr: "Licentia est indisponible.".into(),
        body_en: "Licentia is unavailable.".into(),
        starts_at: starts.into(),
        ends_at: ends.into(),
    }
}

async fn principal_of(db: &Db, username: &str) -> Principal {
    let found = user::Entity::find()
        .filter(user::Column::Username.eq(username))
        .one(db.conn())
        .await
        .unwrap()
        .unwrap();
    Principal::load(db, found.id).await.unwrap()
}

async fn operator(db: &Db) -> Principal {
    operator_named(db, "olga").await
}

fn queued_mails(jobs: &[job::Model]) -> Vec<Mail> {
    jobs.iter()
        .filter(|j| j.kind == domain::mail::JOB_KIND)
        .filter_map(|j| serde_json::from_str::<Mail>(&j.payload).ok())
        .collect()
}

db_test!(
    should_post_show_and_mail_announcements,
    |db: Db| async move {
        let demo = demo(&db).await;
        let olga = operator(&db).await;
        let now = Utc.with_ymd_and_hms(2026, 12, 1, 9, 0, 0).unwrap();
        // Only operators post; bad forms change nothing.
        assert_eq!(
            announcements::create(
                &db,
                &demo.admin,
                form("maintenance", "2026-12-05T08:00", "2026-12-05T10:00"),
                now
            )
            .await
            .err(),
            Some(Error::Forbidden)
        );
        for (bad, want) in [
            (
                form("party", "2026-12-05T08:00", "2026-12-05T10:00"),
                Error::invalid("kind", Code::AnnouncementKindInvalid),
            ),
            (
                form("outage", "2026-12-05T10:00", "2026-12-05T08:00"),
                Error::invalid("ends_at", Code::DateRangeReversed),
            ),
            (
                form("outage", "2026-11-01T10:00", "2026-11-02T08:00"),
                Error::invalid("ends_at", Code::AnnouncementOver),
            ),
            (
                form("outage", "tomorrow", "2026-12-05T08:00"),
                Error::invalid("starts_at", Code::DateInvalid),
            ),
            (
                AnnouncementForm {
                    title_fr: " ".into(),
                    ..form("update", "2026-12-05T08:00", "2026-12-05T10:00")
                },
                Error::invalid("title_fr", Code::FieldRequired),
            ),
        ] {
            assert_eq!(
                announcements::create(&db, &olga, bad, now).await.err(),
                Some(want)
            );
        }
        assert!(announcements::all(&db, &olga).await.unwrap().is_empty());

        // Lotte wants updates (in French), Pieter does not, Sofie has not chosen.
        let lotte = principal_of(&db, "lotte.janssens").await;
        let pieter = principal_of(&db, "pieter.claes").await;
        announcements::set_choice(&db, &lotte, "inform")
            .await
            .unwrap();
        announcements::set_choice(&db, &pieter, "none")
            .await
            .unwrap();
        assert_eq!(
            announcements::set_choice(&db, &pieter, "sometimes")
                .await
                .err(),
            Some(Error::invalid("choice", Code::UpdatesChoiceInvalid))
        );
        user::Entity::update_many()
            .col_expr(user::Column::Locale, Expr::value("fr"))
            .filter(user::Column::Username.eq("lotte.janssens"))
            .exec(db.conn())
            .await
            .unwrap();

        let posted = announcements::create(
            &db,
            &olga,
            form("maintenance", "2026-12-05T08:00", "2026-12-05T10:00"),
            now,
        )
        .await
        .unwrap();
        assert_eq!(posted.title("en"), "Maintenance on Saturday");
        // Before its window nobody sees it; during it everyone does (the page decides how).
        let before = announcements::current(&db, &lotte, now).await.unwrap();
        assert_eq!(
            (before.choice.map(|c| c.as_str()), before.running.len()),
            (Some("inform"), 0)
        );
        // 08:30 in Brussels on the 5th (the form's times are Belgian wall-clock times).
        let during = Utc.with_ymd_and_hms(2026, 12, 5, 7, 30, 0).unwrap();
        assert_eq!(
            announcements::current(&db, &pieter, during)
                .await
                .unwrap()
                .running
                .len(),
            1
        );
        let sofie = principal_of(&db, "sofie.maes").await;
        assert_eq!(
            announcements::current(&db, &sofie, during)
                .await
                .unwrap()
                .choice,
            None
        );

        // The mail: to Lotte only, in French; a second pass mails nobody again.
        let job_row = job::Entity::find()
            .filter(job::Column::Kind.eq(announcements::JOB_KIND))
            .one(db.conn())
            .await
            .unwrap()
            .unwrap();
        let payload: MailJob = serde_json::from_str(&job_row.payload).unwrap();
        assert!(announcements::mail_batch(&db, payload).await.unwrap());
        assert!(!announcements::mail_batch(&db, payload).await.unwrap());
        let mails = queued_mails(&job::Entity::find().all(db.conn()).await.unwrap());
        let sent: Vec<(String, String, String)> = mails
            .iter()
            .filter_map(|m| match &m.template {
                Template::Announcement { title, .. } => {
                    Some((m.to.clone(), m.locale.clone(), title.clone()))
                }
                _ => None,
            })
            .collect();
        assert_eq!(
            sent,
            [(
                "lotte.janssens@horizon.example".to_string(),
                "fr".to_string(),
                "Maintenance samedi".to_string()
            )]
        );
        // Withdrawn: gone for everyone.
        announcements::remove(&db, &olga, posted.public_id)
            .await
            .unwrap();
        assert!(announcements::current(&db, &pieter, during)
            .await
            .unwrap()
            .running
            .is_empty());
        assert_eq!(
            announcements::remove(&db, &olga, posted.public_id)
                .await
                .err(),
            Some(Error::NotFound)
        );
    }
);

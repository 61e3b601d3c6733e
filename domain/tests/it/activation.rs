//! Activation codes: batches made by operators only, a code redeemed once under 20
//! concurrent redemptions, the licence it gives (without changing the organisation's seat
//! limit), revoked batches, guessing throttled, and the CSV of who redeemed what.
use chrono::Duration;
use domain::activation::{self, BatchForm};
use domain::entities::{site, subscription};
use domain::{licences, sites, Code, Db, Error, Principal};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use uuid::Uuid;

use crate::applications::world;
use crate::db_test;
use crate::helpers::*;

fn today() -> chrono::NaiveDate {
    wire::time::today()
}

fn form(size: &str) -> BatchForm {
    BatchForm {
        name: "Bookshop De Boekenwurm".into(),
        bundle: None,
        days: "365".into(),
        size: size.into(),
    }
}

/// `n` users of De Klimop without a licence, as themselves.
async fn people(db: &Db, klimop: Uuid, n: usize) -> Vec<(Uuid, Principal)> {
    let site = sites::resolve(db, klimop).await.unwrap().site;
    // Room for them in De Klimop and its organisation.
    for id in [Some(site.id), site.parent_id].into_iter().flatten() {
        let found = site::Entity::find_by_id(id)
            .one(db.conn())
            .await
            .unwrap()
            .unwrap();
        let mut grown: site::ActiveModel = found.clone().into();
        grown.seat_limit = Set(found.seat_limit + i32::try_from(n).unwrap());
        grown.update(db.conn()).await.unwrap();
    }
    let mut out = Vec::new();
    let txn = db.write().await.unwrap();
    for i in 0..n {
        let form = user_form(&format!("reader.{i:02}"))
            .validate()
            .await
            .unwrap();
        let made = domain::users::insert_unchecked(&*txn, site.id, form)
            .await
            .unwrap();
        out.push(made);
    }
    txn.commit().await.unwrap();
    let mut principals = Vec::new();
    for made in out {
        principals.push((made.public_id, Principal::load(db, made.id).await.unwrap()));
    }
    principals
}

db_test!(
    should_redeem_a_code_once_under_concurrency,
    |db: Db| async move {
        let w = world(&db).await;
        assert_eq!(
            activation::create_batch(&db, &w.admin, form("5"))
                .await
                .map(|_| ()),
            Err(Error::Forbidden)
        );
        assert_eq!(
            activation::create_batch(&db, &w.operator, form("0"))
                .await
                .map(|_| ()),
            Err(Error::invalid("size", Code::ActivationNumberInvalid))
        );
        let batch = activation::create_batch(&db, &w.operator, form("5"))
            .await
            .unwrap();
        let (_, codes) = activation::codes(&db, &w.operator, batch.public_id)
            .await
            .unwrap();
        assert_eq!(codes.len(), 5);
        let code = codes[0].code.clone();
        assert_eq!(code.len(), 19, "{code}");
        let readers = people(&db, w.klimop, 20).await;
        // The organisation's limit follows its subscription's 100 seats (more than it uses), so
        // that a seat added by a code would show.
        subscription::Entity::update_many()
            .col_expr(
                subscription::Column::Seats,
                sea_orm::sea_query::Expr::value(100),
            )
            .filter(subscription::Column::Serial.eq("40000001"))
            .exec(db.conn())
            .await
            .unwrap();
        domain::subscriptions::sync_root_limits(&db, today())
            .await
            .unwrap();
        let root = root_limit(&db, &w.admin).await;
        assert_eq!(root, 100);
        let tries = readers.iter().map(|(_, me)| {
            let (db, me, code) = (db.clone(), me.clone(), code.clone());
            tokio::spawn(async move { activation::redeem(&db, &me, &code, today()).await })
        });
        let results: Vec<_> = futures::future::join_all(tries)
            .await
            .into_iter()
            .map(Result::unwrap)
            .collect();
        let redeemed: Vec<usize> = results
            .iter()
            .enumerate()
            .filter(|(_, r)| r.is_ok())
            .map(|(i, _)| i)
            .collect();
        assert_eq!(redeemed.len(), 1, "{results:?}");
        assert!(results
            .iter()
            .all(|r| r.is_ok() || *r == Err(Error::invalid("code", Code::ActivationCodeInvalid))));
        let (winner, as_winner) = &readers[redeemed[0]];
        let given = results[redeemed[0]].clone().unwrap();
        assert_eq!(given.until, today() + Duration::days(364));
        let check = licences::check(&db, as_winner, *winner, Some("reader"), today())
            .await
            .unwrap();
        assert!(check.valid);
        // The organisation's seat limit is untouched by a code's one-seat subscription.
        domain::subscriptions::sync_root_limits(&db, today())
            .await
            .unwrap();
        assert_eq!(root_limit(&db, &w.admin).await, root);
        // Who redeemed it, in the list and the CSV; the batch counts it.
        let (info, codes) = activation::codes(&db, &w.operator, batch.public_id)
            .await
            .unwrap();
        assert_eq!(info.redeemed, 1);
        assert!(codes[0].redeemed_by.as_deref().unwrap().contains("reader."));
        let (name, csv) = activation::export_csv(&db, &w.operator, batch.public_id, "en")
            .await
            .unwrap();
        assert!(name.ends_with(".csv"));
        let csv = String::from_utf8(csv).unwrap();
        assert!(csv.contains("Redeemed by") && csv.contains(&codes[1].code));
        assert_eq!(csv.lines().count(), 6);
        // Typed in lower case with spaces: the same code (already used).
        let other = &readers[(redeemed[0] + 1) % 20];
        assert_eq!(
            activation::redeem(
                &db,
                &other.1,
                &code.to_lowercase().replace('-', " "),
                today()
            )
            .await
            .map(|_| ()),
            Err(Error::invalid("code", Code::ActivationCodeInvalid))
        );
        // A revoked batch's codes stop working; a fresh one of another batch works.
        activation::revoke_batch(&db, &w.operator, batch.public_id)
            .await
            .unwrap();
        assert_eq!(
            activation::redeem(&db, &other.1, &codes[1].code, today())
                .await
                .map(|_| ()),
            Err(Error::invalid("code", Code::ActivationCodeInvalid))
        );
        let fresh = activation::create_batch(&db, &w.operator, form("1"))
            .await
            .unwrap();
        let (_, fresh) = activation::codes(&db, &w.operator, fresh.public_id)
            .await
            .unwrap();
        assert!(activation::redeem(&db, &other.1, &fresh[0].code, today())
            .await
            .is_ok());
    }
);

async fn root_limit(db: &Db, admin: &Principal) -> i32 {
    let root = sites::tree(db, admin)
        .await
        .unwrap()
        .into_iter()
        .find(|n| n.parent_id.is_none())
        .unwrap();
    root.seat_limit
}

db_test!(should_throttle_guessing, |db: Db| async move {
    let w = world(&db).await;
    let (_, me) = &w.pupil;
    for _ in 0..5 {
        assert_eq!(
            activation::redeem(&db, me, "AAAA-BBBB-CCCC-DDDD", today())
                .await
                .map(|_| ()),
            Err(Error::invalid("code", Code::ActivationCodeInvalid))
        );
    }
    assert!(matches!(
        activation::redeem(&db, me, "AAAA-BBBB-CCCC-DDDD", today()).await,
        Err(Error::RefusedAt(Code::TooManyAttempts, _))
    ));
});

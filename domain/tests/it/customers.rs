//! The vendor's console: the customer list's figures against a recount from the tables, its
//! pages, sorts and search; a customer's detail; the renewals list.
use std::collections::HashMap;

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use domain::customers::{self, CustomerQuery, RenewalQuery};
use domain::entities::{role, role_grant, site, subscription, user};
use domain::{Db, Error, Principal};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use uuid::Uuid;
use wire::{CustomerRow, CustomerSort, RenewalState, SubscriptionCounts};

use crate::db_test;
use crate::helpers::*;

fn day(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

/// A small deterministic generator (the same data on both databases, every run).
struct Dice(u64);

impl Dice {
    fn roll(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

async fn organisation(db: &Db, name: &str, seats: i32) -> site::Model {
    let txn = db.write().await.unwrap();
    let root = domain::sites::insert_site(&*txn, None, name, seats)
        .await
        .unwrap();
    txn.commit().await.unwrap();
    root
}

#[allow(clippy::too_many_arguments)]
async fn subscription(
    db: &Db,
    serial: &str,
    root: Option<i32>,
    seats: i32,
    assigned: i32,
    from: NaiveDate,
    until: NaiveDate,
    activation: Option<i32>,
) {
    subscription::ActiveModel {
        serial: Set(serial.into()),
        seats: Set(seats),
        valid_from: Set(from),
        valid_until: Set(until),
        contact_email: Set(Some(format!("{serial}@example.org"))),
        locale: Set("nl".into()),
        site_id: Set(root),
        claimed_at: Set(root.map(|_| Utc::now())),
        created_at: Set(Utc::now()),
        assigned: Set(assigned),
        activation_batch_id: Set(activation),
        expiry_announced: Set(false),
        ..Default::default()
    }
    .insert(db.conn())
    .await
    .unwrap();
}

/// A batch of activation codes (what a redeemed code's subscription refers to).
async fn activation_batch(db: &Db) -> i32 {
    domain::entities::activation_batch::ActiveModel {
        public_id: Set(Uuid::new_v4()),
        name: Set("Batch".into()),
        days: Set(20),
        size: Set(10),
        redeemed: Set(1),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(db.conn())
    .await
    .unwrap()
    .id
}

/// A user of `root` holding `role` there, with or without an e-mail address, signed in at
/// `signed_in` (if ever).
async fn holder(
    db: &Db,
    root: &site::Model,
    username: &str,
    role: &str,
    email: bool,
    signed_in: Option<chrono::DateTime<Utc>>,
) {
    let form = user_form(username).validate().await.unwrap();
    let txn = db.write().await.unwrap();
    let created = domain::users::insert_unchecked(&*txn, root.id, form)
        .await
        .unwrap();
    txn.commit().await.unwrap();
    user::ActiveModel {
        id: Set(created.id),
        email: Set(email.then(|| format!("{username}@example.org"))),
        last_sign_in_at: Set(signed_in),
        ..Default::default()
    }
    .update(db.conn())
    .await
    .unwrap();
    domain::roles::grant_builtin_unchecked(db.conn(), created.id, role, root.id)
        .await
        .unwrap();
}

/// Each customer's figures on `today`, counted from the tables one by one.
async fn recount(db: &Db, today: NaiveDate) -> Vec<CustomerRow> {
    let roots = site::Entity::find()
        .filter(site::Column::ParentId.is_null())
        .filter(site::Column::IsVendor.eq(false))
        .all(db.conn())
        .await
        .unwrap();
    let subscriptions = subscription::Entity::find().all(db.conn()).await.unwrap();
    let users: HashMap<i32, user::Model> = user::Entity::find()
        .all(db.conn())
        .await
        .unwrap()
        .into_iter()
        .map(|u| (u.id, u))
        .collect();
    let roles: HashMap<i32, role::Model> = role::Entity::find()
        .all(db.conn())
        .await
        .unwrap()
        .into_iter()
        .map(|r| (r.id, r))
        .collect();
    let grants = role_grant::Entity::find().all(db.conn()).await.unwrap();
    let sites: HashMap<i32, site::Model> = site::Entity::find()
        .all(db.conn())
        .await
        .unwrap()
        .into_iter()
        .map(|s| (s.id, s))
        .collect();
    let organisation_of = |mut id: i32| loop {
        match sites[&id].parent_id {
            Some(parent) => id = parent,
            None => return id,
        }
    };
    roots
        .into_iter()
        .map(|root| {
            let held: Vec<&subscription::Model> = subscriptions
                .iter()
                .filter(|s| s.site_id == Some(root.id))
                .collect();
            let running =
                |s: &&&subscription::Model| s.valid_from <= today && today <= s.valid_until;
            let sold: Vec<&&subscription::Model> = held
                .iter()
                .filter(|s| s.activation_batch_id.is_none())
                .collect();
            let mut administrators: Vec<&user::Model> = grants
                .iter()
                .filter(|g| {
                    let key = roles[&g.role_id].builtin_key.as_deref();
                    !matches!(key, Some("user") | Some("application"))
                })
                .map(|g| &users[&g.user_id])
                .filter(|u| !u.service_account && organisation_of(u.site_id) == root.id)
                .collect();
            administrators.sort_by_key(|u| u.id);
            administrators.dedup_by_key(|u| u.id);
            CustomerRow {
                id: root.public_id,
                name: root.name.clone(),
                seats_used: i64::from(root.used_seats),
                seat_limit: i64::from(root.seat_limit),
                licences_assigned: held
                    .iter()
                    .filter(running)
                    .map(|s| i64::from(s.assigned))
                    .sum(),
                licences_valid: held
                    .iter()
                    .filter(running)
                    .map(|s| i64::from(s.seats))
                    .sum(),
                subscriptions: SubscriptionCounts {
                    upcoming: sold.iter().filter(|s| s.valid_from > today).count() as u32,
                    current: sold.iter().filter(|s| running(&&***s)).count() as u32,
                    ended: sold.iter().filter(|s| s.valid_until < today).count() as u32,
                },
                next_expiry: sold
                    .iter()
                    .filter(|s| s.valid_until >= today)
                    .map(|s| s.valid_until)
                    .min(),
                administrators: administrators.len() as i64,
                administrators_with_email: administrators
                    .iter()
                    .filter(|u| u.email.is_some())
                    .count() as i64,
                last_administrator_sign_in: administrators
                    .iter()
                    .filter_map(|u| u.last_sign_in_at)
                    .max(),
                created_at: root.created_at,
            }
        })
        .collect()
}

/// Every customer, page after page, in one sort.
async fn all_pages(
    db: &Db,
    operator: &Principal,
    sort: CustomerSort,
    descending: bool,
    search: &str,
    today: NaiveDate,
) -> (Vec<CustomerRow>, u64) {
    let mut rows = Vec::new();
    let mut total = 0;
    for page in 0.. {
        let found = customers::list(
            db,
            operator,
            CustomerQuery {
                search: search.into(),
                sort,
                descending,
                page,
            },
            today,
        )
        .await
        .unwrap();
        total = found.total;
        assert!(found.rows.len() as u64 <= customers::PAGE_SIZE);
        if found.rows.is_empty() {
            break;
        }
        rows.extend(found.rows);
    }
    (rows, total)
}

/// Seeds 40 customers with subscriptions of every state, activation codes, administrators
/// with and without e-mail, and users of the built-in User role (not administrators).
async fn customers_seeded(db: &Db, today: NaiveDate) {
    let mut dice = Dice(23);
    let at = |days: i64| {
        Utc.from_utc_datetime(
            &(today - Duration::days(days))
                .and_hms_opt(9, 30, 0)
                .unwrap(),
        )
    };
    for o in 0..40u64 {
        let name = match o % 4 {
            0 => format!("École {o:02}"),
            1 => format!("Scholengroep {o:02}"),
            2 => format!("Praktijk {o:02}"),
            _ => format!("Ecole libre {o:02}"),
        };
        let root = organisation(db, &name, 10 + dice.roll(500) as i32).await;
        for s in 0..dice.roll(5) {
            let start = today + Duration::days(dice.roll(900) as i64 - 600);
            let until = start + Duration::days(30 + dice.roll(700) as i64);
            let seats = 1 + dice.roll(300) as i32;
            subscription(
                db,
                &format!("{:08}", 10_000_000 + o * 100 + s),
                Some(root.id),
                seats,
                dice.roll(seats as u64 + 1) as i32,
                start,
                until,
                None,
            )
            .await;
        }
        if o % 7 == 3 {
            // A redeemed activation code: a licence, not a subscription of the customer.
            let batch = Some(activation_batch(db).await);
            if let Some(batch) = batch {
                subscription(
                    db,
                    &format!("{:08}", 20_000_000 + o),
                    Some(root.id),
                    1,
                    1,
                    today - Duration::days(10),
                    today + Duration::days(10),
                    Some(batch),
                )
                .await;
            }
        }
        for a in 0..dice.roll(4) {
            let role = if a % 2 == 0 {
                domain::roles::ADMINISTRATOR
            } else {
                domain::roles::LICENCE_MANAGER
            };
            let signed_in = (dice.roll(3) > 0).then(|| at(dice.roll(400) as i64));
            holder(
                db,
                &root,
                &format!("c{o}.a{a}"),
                role,
                dice.roll(2) == 0,
                signed_in,
            )
            .await;
        }
        if o % 5 == 0 {
            holder(
                db,
                &root,
                &format!("c{o}.user"),
                domain::roles::USER,
                true,
                Some(at(0)),
            )
            .await;
        }
    }
    // A subscription not claimed yet belongs to nobody.
    subscription(
        db,
        "99999999",
        None,
        50,
        0,
        today,
        today + Duration::days(30),
        None,
    )
    .await;
}

db_test!(
    should_count_each_customers_figures_as_a_recount_does,
    |db: Db| async move {
        let today = day("2027-03-15");
        let demo = demo(&db).await;
        let operator = operator_named(&db, "olga.customers").await;
        customers_seeded(&db, today).await;
        let mut expected = recount(&db, today).await;
        // The vendor's own organisation is no customer; the demo organisation is one.
        assert_eq!(expected.len(), 41);
        assert!(expected.iter().any(|c| c.id == demo.root));
        expected.sort_by_key(|c| c.id);

        for sort in CustomerSort::ALL.iter().copied() {
            for descending in [false, true] {
                let (rows, total) = all_pages(&db, &operator, sort, descending, "", today).await;
                assert_eq!(total, 41, "{sort:?}");
                // In order, each customer once, each figure as recounted.
                let key = |c: &CustomerRow| -> Option<String> {
                    match sort {
                        CustomerSort::Name => None,
                        CustomerSort::SeatsUsed => Some(format!("{:012}", c.seats_used)),
                        CustomerSort::LicencesAssigned => {
                            Some(format!("{:012}", c.licences_assigned))
                        }
                        CustomerSort::NextExpiry => c.next_expiry.map(|d| d.to_string()),
                        CustomerSort::LastSignIn => {
                            c.last_administrator_sign_in.map(|d| d.to_rfc3339())
                        }
                        CustomerSort::Created => Some(c.created_at.to_rfc3339()),
                    }
                };
                if sort != CustomerSort::Name {
                    let keys: Vec<Option<String>> = rows.iter().map(key).collect();
                    let valued: Vec<&String> = keys.iter().flatten().collect();
                    let mut sorted = valued.clone();
                    sorted.sort();
                    if descending {
                        sorted.reverse();
                    }
                    assert_eq!(valued, sorted, "{sort:?} descending {descending}");
                    // Customers without a value come last, either way.
                    let first_none = keys.iter().position(Option::is_none).unwrap_or(keys.len());
                    assert!(keys[first_none..].iter().all(Option::is_none), "{sort:?}");
                }
                let mut seen = rows.clone();
                seen.sort_by_key(|c| c.id);
                assert_eq!(seen, expected, "{sort:?} descending {descending}");
            }
        }
        let codes = subscription::Entity::find()
            .filter(subscription::Column::ActivationBatchId.is_not_null())
            .all(db.conn())
            .await
            .unwrap();
        assert_eq!(codes.len(), 6);
        assert!(expected.iter().any(|c| c.subscriptions.upcoming > 0));
        assert!(expected.iter().any(|c| c.subscriptions.ended > 0));
        assert!(expected.iter().any(|c| c.next_expiry.is_none()));
        assert!(expected
            .iter()
            .any(|c| c.administrators > c.administrators_with_email));

        // The search folds case and accents: "ecole" finds both spellings, and nothing else.
        let (found, total) =
            all_pages(&db, &operator, CustomerSort::Name, false, " ÉCOLE ", today).await;
        assert_eq!(total, 20);
        assert!(found.iter().all(|c| c.name.to_lowercase().contains("cole")));
        let (none, total) =
            all_pages(&db, &operator, CustomerSort::Name, false, "Licentia", today).await;
        assert_eq!((none.len(), total), (0, 0));

        // One customer's detail: the same figures, its subscriptions and administrators.
        let one = expected.iter().max_by_key(|c| c.administrators).unwrap();
        let detail = customers::customer(&db, &operator, one.id, today)
            .await
            .unwrap();
        assert_eq!(&detail.figures, one);
        assert_eq!(detail.administrators.len() as i64, one.administrators);
        assert!(detail.sites >= 1);
        let counts = one.subscriptions;
        let sold = detail
            .subscriptions
            .iter()
            .filter(|s| !s.activation_code)
            .count() as u32;
        assert_eq!(sold, counts.upcoming + counts.current + counts.ended);
    }
);

db_test!(
    should_show_customers_to_operators_only_and_nothing_but_roots,
    |db: Db| async move {
        let today = day("2027-03-15");
        let demo = demo(&db).await;
        let operator = operator_named(&db, "olga.roots").await;
        // An administrator of every customer is no operator.
        assert_eq!(
            customers::list(&db, &demo.admin, CustomerQuery::default(), today)
                .await
                .unwrap_err(),
            Error::Forbidden
        );
        assert_eq!(
            customers::customer(&db, &demo.admin, demo.root, today)
                .await
                .unwrap_err(),
            Error::Forbidden
        );
        // A subsite, the vendor's organisation, or nothing: not found.
        let vendor = domain::sites::vendor_root(db.conn())
            .await
            .unwrap()
            .unwrap();
        for id in [demo.regenboog, vendor.public_id, Uuid::new_v4()] {
            assert_eq!(
                customers::customer(&db, &operator, id, today)
                    .await
                    .unwrap_err(),
                Error::NotFound
            );
            assert_eq!(
                customers::open_for_support(&db, &operator, id)
                    .await
                    .unwrap_err(),
                Error::NotFound
            );
        }
        // A support visit is journaled on the customer, and shows on its page.
        customers::open_for_support(&db, &operator, demo.root)
            .await
            .unwrap();
        let detail = customers::customer(&db, &operator, demo.root, today)
            .await
            .unwrap();
        assert_eq!(detail.events[0].action, "support.open");
        assert_eq!(detail.events[0].actor, "olga.roots");
    }
);

db_test!(
    should_list_renewals_ending_renewed_upcoming_and_lapsed,
    |db: Db| async move {
        let today = day("2027-03-15");
        let operator = operator_named(&db, "olga.renewals").await;
        let d = |days: i64| today + Duration::days(days);
        // Ends in 20 days, nothing after it.
        let ending = organisation(&db, "Ending", 100).await;
        subscription(
            &db,
            "40000001",
            Some(ending.id),
            100,
            80,
            d(-345),
            d(20),
            None,
        )
        .await;
        // Ends in 50 days, renewed: the renewal is upcoming.
        let renewed = organisation(&db, "Renewed", 100).await;
        subscription(
            &db,
            "40000002",
            Some(renewed.id),
            100,
            90,
            d(-315),
            d(50),
            None,
        )
        .await;
        subscription(
            &db,
            "40000003",
            Some(renewed.id),
            120,
            0,
            d(51),
            d(416),
            None,
        )
        .await;
        // Ended 10 days ago, nothing after it: lapsed; its older subscription is not shown.
        let lapsed = organisation(&db, "Lapsed", 100).await;
        subscription(
            &db,
            "40000004",
            Some(lapsed.id),
            50,
            50,
            d(-740),
            d(-376),
            None,
        )
        .await;
        subscription(
            &db,
            "40000005",
            Some(lapsed.id),
            50,
            40,
            d(-375),
            d(-10),
            None,
        )
        .await;
        // Ended, but the customer goes on with a running one: not on the list.
        let going_on = organisation(&db, "Going on", 100).await;
        subscription(
            &db,
            "40000006",
            Some(going_on.id),
            50,
            40,
            d(-400),
            d(-35),
            None,
        )
        .await;
        subscription(
            &db,
            "40000007",
            Some(going_on.id),
            50,
            40,
            d(-34),
            d(330),
            None,
        )
        .await;
        // Lapsed two years ago: too old to show.
        let gone = organisation(&db, "Gone", 100).await;
        subscription(
            &db,
            "40000008",
            Some(gone.id),
            50,
            40,
            d(-1000),
            d(-700),
            None,
        )
        .await;

        let list = |within_days: u32| {
            let (db, operator) = (db.clone(), operator.clone());
            async move {
                customers::renewals(&db, &operator, RenewalQuery { within_days }, today)
                    .await
                    .unwrap()
                    .into_iter()
                    .map(|r| (r.serial, r.state))
                    .collect::<Vec<_>>()
            }
        };
        let s = |serial: &str, state| (serial.to_string(), state);
        assert_eq!(
            list(30).await,
            vec![
                s("40000001", RenewalState::Ending),
                s("40000003", RenewalState::Upcoming),
                s("40000005", RenewalState::Lapsed),
            ]
        );
        assert_eq!(
            list(60).await,
            vec![
                s("40000001", RenewalState::Ending),
                s("40000002", RenewalState::Renewed),
                s("40000003", RenewalState::Upcoming),
                s("40000005", RenewalState::Lapsed),
            ]
        );
        let full = customers::renewals(&db, &operator, RenewalQuery { within_days: 30 }, today)
            .await
            .unwrap();
        assert_eq!(full[0].customer, ending.public_id);
        assert_eq!((full[0].seats, full[0].assigned), (100, 80));
        let demo = demo(&db).await;
        assert_eq!(
            customers::renewals(&db, &demo.admin, RenewalQuery { within_days: 30 }, today)
                .await
                .unwrap_err(),
            Error::Forbidden
        );
    }
);

/// An operator's e-mail address, language and choice of the weekly mail.
async fn operator_mailed(db: &Db, username: &str, locale: &str, wanted: bool) -> Principal {
    let operator = operator_named(db, username).await;
    let found = user::Entity::find()
        .filter(user::Column::Username.eq(username))
        .one(db.conn())
        .await
        .unwrap()
        .unwrap();
    let mut active: user::ActiveModel = found.into();
    active.email = Set(Some(format!("{username}@vendor.example")));
    active.locale = Set(Some(locale.into()));
    active.update(db.conn()).await.unwrap();
    customers::set_digest(db, &operator, wanted).await.unwrap();
    assert_eq!(
        customers::digest_wanted(db, &operator).await.unwrap(),
        wanted
    );
    operator
}

/// The renewals mails queued, oldest first.
async fn digests(db: &Db) -> Vec<domain::mail::Mail> {
    use sea_orm::QueryOrder;
    domain::entities::job::Entity::find()
        .filter(domain::entities::job::Column::Kind.eq(domain::mail::JOB_KIND))
        .order_by_asc(domain::entities::job::Column::Id)
        .all(db.conn())
        .await
        .unwrap()
        .iter()
        .filter_map(|j| serde_json::from_str::<domain::mail::Mail>(&j.payload).ok())
        .filter(|m| matches!(m.template, domain::mail::Template::RenewalsDigest { .. }))
        .collect()
}

fn local_time(wall: &str) -> chrono::DateTime<Utc> {
    wire::time::from_local(chrono::NaiveDateTime::parse_from_str(wall, "%Y-%m-%d %H:%M").unwrap())
}

db_test!(
    should_mail_the_renewals_once_a_week_to_the_operators_who_asked,
    |db: Db| async move {
        // Monday 15 March 2027.
        let today = day("2027-03-15");
        let d = |days: i64| today + Duration::days(days);
        let fr = operator_mailed(&db, "olga.fr", "fr", true).await;
        operator_mailed(&db, "olga.en", "en", true).await;
        operator_mailed(&db, "olga.none", "nl", false).await;
        // An administrator cannot ask for it.
        let demo = demo(&db).await;
        assert_eq!(
            customers::set_digest(&db, &demo.admin, true)
                .await
                .unwrap_err(),
            Error::Forbidden
        );
        // A week with nothing ending and nothing lapsed: no mail, and the week is done.
        assert_eq!(
            customers::send_digest_due(&db, local_time("2027-03-08 09:00"))
                .await
                .unwrap(),
            0
        );
        let ending = organisation(&db, "École Ending", 100).await;
        subscription(
            &db,
            "50000001",
            Some(ending.id),
            100,
            80,
            d(-345),
            d(20),
            None,
        )
        .await;
        assert_eq!(
            customers::send_digest_due(&db, local_time("2027-03-12 09:00"))
                .await
                .unwrap(),
            0,
            "that week was done"
        );
        let lapsed = organisation(&db, "Lapsed this week", 100).await;
        subscription(
            &db,
            "50000002",
            Some(lapsed.id),
            50,
            50,
            d(-368),
            d(-3),
            None,
        )
        .await;
        let old = organisation(&db, "Lapsed long ago", 100).await;
        subscription(&db, "50000003", Some(old.id), 50, 50, d(-400), d(-30), None).await;
        // Before Monday 7:00, nothing yet; then once, to the two who asked; not again.
        assert_eq!(
            customers::send_digest_due(&db, local_time("2027-03-15 06:30"))
                .await
                .unwrap(),
            0
        );
        assert!(digests(&db).await.is_empty());
        assert_eq!(
            customers::send_digest_due(&db, local_time("2027-03-15 07:10"))
                .await
                .unwrap(),
            2
        );
        for later in ["2027-03-15 08:10", "2027-03-21 23:00"] {
            assert_eq!(
                customers::send_digest_due(&db, local_time(later))
                    .await
                    .unwrap(),
                0
            );
        }
        let mails = digests(&db).await;
        let mut to: Vec<&str> = mails.iter().map(|m| m.to.as_str()).collect();
        to.sort();
        assert_eq!(to, ["olga.en@vendor.example", "olga.fr@vendor.example"]);
        let french = mails.iter().find(|m| m.locale == "fr").unwrap();
        let domain::mail::Template::RenewalsDigest {
            ending: n_ending,
            lapsed: n_lapsed,
            lines,
            ..
        } = &french.template
        else {
            unreachable!()
        };
        assert_eq!((*n_ending, *n_lapsed), (1, 1));
        let serials: Vec<&str> = lines.iter().map(|l| l.serial.as_str()).collect();
        assert_eq!(serials, ["50000001", "50000002"], "not the old lapse");
        let rendered = domain::mail::render(french, "https://licentia.example");
        assert!(
            rendered.text.contains("École Ending (50000001)\u{a0}: se termine le 04/04/2027, 80 licences attribuées sur 100"),
            "{}",
            rendered.text
        );
        assert!(rendered
            .text
            .contains("https://licentia.example/operator/renewals?within=30"));
        let english = mails.iter().find(|m| m.locale == "en").unwrap();
        assert!(domain::mail::render(english, "https://x")
            .text
            .contains("lapsed on 12 Mar 2027"));

        // The next week, again; an operator who changed their mind gets none.
        customers::set_digest(&db, &fr, false).await.unwrap();
        assert_eq!(
            customers::send_digest_due(&db, local_time("2027-03-22 07:30"))
                .await
                .unwrap(),
            1
        );
    }
);

db_test!(
    should_send_the_week_once_when_processes_race,
    |db: Db| async move {
        let today = day("2027-03-15");
        operator_mailed(&db, "olga.race", "nl", true).await;
        let ending = organisation(&db, "Race", 100).await;
        let d = |days: i64| today + Duration::days(days);
        subscription(
            &db,
            "50000010",
            Some(ending.id),
            100,
            80,
            d(-345),
            d(20),
            None,
        )
        .await;
        let now = local_time("2027-03-15 09:00");
        let sent =
            futures::future::join_all((0..8).map(|_| customers::send_digest_due(&db, now))).await;
        let total: usize = sent.into_iter().map(|r| r.unwrap()).sum();
        assert_eq!(total, 1);
        assert_eq!(digests(&db).await.len(), 1);
    }
);

db_test!(
    should_export_the_renewals_in_the_readers_language,
    |db: Db| async move {
        let today = day("2027-03-15");
        let operator = operator_named(&db, "olga.file").await;
        let ending = organisation(&db, "=Ending", 100).await;
        let d = |days: i64| today + Duration::days(days);
        subscription(
            &db,
            "50000020",
            Some(ending.id),
            100,
            80,
            d(-345),
            d(20),
            None,
        )
        .await;
        let query = RenewalQuery { within_days: 30 };
        let (name, bytes) = customers::renewals_file(
            &db,
            &operator,
            query,
            today,
            domain::sheet::Format::Csv,
            "fr",
        )
        .await
        .unwrap();
        assert_eq!(name, "renouvellements dans 30 jours 2027-03-15.csv");
        let text = String::from_utf8(bytes).unwrap();
        let mut lines = text.trim_start_matches('\u{feff}').lines();
        assert_eq!(
            lines.next().unwrap(),
            "Client;Statut;Numéro de série;Valable à partir du;Valable jusqu’au;Licences attribuées;Places;E-mail du client"
        );
        assert_eq!(
            lines.next().unwrap(),
            "'=Ending;\"se termine, non renouvelé\";50000020;2026-04-04;2027-04-04;80;100;50000020@example.org"
        );
        let (_, xlsx) = customers::renewals_file(
            &db,
            &operator,
            query,
            today,
            domain::sheet::Format::Xlsx,
            "nl",
        )
        .await
        .unwrap();
        assert!(xlsx.starts_with(b"PK"));
        let demo = demo(&db).await;
        assert_eq!(
            customers::renewals_file(
                &db,
                &demo.admin,
                query,
                today,
                domain::sheet::Format::Csv,
                "nl"
            )
            .await
            .unwrap_err(),
            Error::Forbidden
        );
    }
);

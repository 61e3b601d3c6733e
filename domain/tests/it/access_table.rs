//! The access table: every domain operation (the domain's own list, `Operation::ALL`) × every
//! kind of principal, run against a real database. Reads must return exactly the expected
//! rows; writes must be allowed or refused as expected. An operation without a row fails.
use std::collections::HashMap;

use domain::access::{Operation, Permission, Permissions};
use domain::audit::JournalQuery;
use domain::entities::{role, role_grant, site, user};
use domain::roles::RoleForm;
use domain::sites::{NewSiteForm, SiteForm};
use domain::subscriptions::{self, SubscriptionForm};
use domain::users::UserQuery;
use domain::{onboarding, roles, sites, users, Db, Error, Principal};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use uuid::Uuid;

use crate::db_test;
use crate::helpers::*;

const WHO: [&str; 8] = [
    "anonymous",
    "plain user",
    "sibling subtree admin",
    "subsite admin",
    "parent admin",
    "licence manager",
    "users:view role",
    "operator",
];

#[derive(Debug, Clone, PartialEq, Eq)]
enum Outcome {
    Rows(Vec<String>),
    Done,
    NotFound,
    Forbidden,
    Unauthenticated,
    Other(String),
}
use Outcome::*;

fn rows(names: &[&str]) -> Outcome {
    let mut names: Vec<String> = names.iter().map(|s| s.to_string()).collect();
    names.sort();
    Rows(names)
}

struct Fixture {
    principals: Vec<Principal>,
    root: Uuid,
    klimop: Uuid,
    kim: Uuid,
    administrator: Uuid,
    user_role: Uuid,
}

async fn site_id(db: &Db, public_id: Uuid) -> site::Model {
    sites::resolve(db, public_id).await.unwrap().site
}

async fn add_user(db: &Db, site: Uuid, username: &str) -> user::Model {
    let resolved = sites::resolve(db, site).await.unwrap();
    let new_user = user_form(username).validate().await.unwrap();
    let txn = db.write().await.unwrap();
    let created = users::insert_unchecked(&*txn, resolved.site.id, new_user)
        .await
        .unwrap();
    txn.commit().await.unwrap();
    created
}

async fn add_role(db: &Db, owner: i32, name: &str, permissions: Permissions) -> role::Model {
    role::ActiveModel {
        public_id: Set(Uuid::new_v4()),
        site_id: Set(Some(owner)),
        builtin_key: Set(None),
        name: Set(name.into()),
        permissions: Set(permissions.to_stored()),
        ..Default::default()
    }
    .insert(db.conn())
    .await
    .unwrap()
}

async fn grant(db: &Db, user_id: i32, role_id: i32, site_id: i32) {
    role_grant::ActiveModel {
        user_id: Set(user_id),
        role_id: Set(role_id),
        site_id: Set(site_id),
        ..Default::default()
    }
    .insert(db.conn())
    .await
    .unwrap();
}

async fn fixture(db: &Db) -> Fixture {
    let demo = demo(db).await;
    // Room for the probes: the root gets 100 seats, De Klimop 75 (not journaled: set-up).
    site::Entity::update_many()
        .col_expr(site::Column::SeatLimit, Expr::value(100))
        .filter(site::Column::ParentId.is_null())
        .exec(db.conn())
        .await
        .unwrap();
    let klimop = site_id(db, demo.klimop).await;
    let root = site_id(db, demo.root).await;
    let regenboog = site_id(db, demo.regenboog).await;
    site::Entity::update_many()
        .col_expr(site::Column::SeatLimit, Expr::value(75))
        .filter(site::Column::Id.eq(klimop.id))
        .exec(db.conn())
        .await
        .unwrap();
    site::Entity::update_many()
        .col_expr(site::Column::UsedSeats, Expr::value(81))
        .filter(site::Column::Id.eq(root.id))
        .exec(db.conn())
        .await
        .unwrap();

    let plain = domain::entities::user::Entity::find()
        .filter(user::Column::Username.eq("lotte.janssens"))
        .one(db.conn())
        .await
        .unwrap()
        .unwrap();
    let sibling = admin_of(db, demo.regenboog, "regenboog.admin").await;
    let subsite = admin_of(db, demo.klimop, "klimop.admin").await;
    let manager = add_user(db, demo.root, "manager").await;
    roles::grant_builtin_unchecked(db.conn(), manager.id, roles::LICENCE_MANAGER, root.id)
        .await
        .unwrap();
    let viewer_role = add_role(
        db,
        root.id,
        "Users viewer",
        [Permission::UsersView].into_iter().collect(),
    )
    .await;
    add_role(
        db,
        regenboog.id,
        "Regenboog helper",
        [Permission::UsersView].into_iter().collect(),
    )
    .await;
    let viewer = add_user(db, demo.root, "viewer").await;
    grant(db, viewer.id, viewer_role.id, root.id).await;
    let kim = add_user(db, demo.klimop, "kim.klimop").await;
    roles::grant_builtin_unchecked(db.conn(), kim.id, roles::LICENCE_MANAGER, klimop.id)
        .await
        .unwrap();
    domain::operators::create(
        db,
        domain::users::NewUserForm {
            username: "operator".into(),
            first_name: "Olga".into(),
            last_name: "Operator".into(),
            password: "Operator-2026".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let operator_id = user::Entity::find()
        .filter(user::Column::Username.eq("operator"))
        .one(db.conn())
        .await
        .unwrap()
        .unwrap()
        .id;
    let builtin = |key: &'static str| async move {
        role::Entity::find()
            .filter(role::Column::BuiltinKey.eq(key))
            .one(db.conn())
            .await
            .unwrap()
            .unwrap()
            .public_id
    };
    domain::sso::link(
        db,
        &Principal::load(db, kim.id).await.unwrap(),
        domain::sso::Identity {
            provider: "google".into(),
            issuer: "http://127.0.0.1:55601".into(),
            subject: "kim".into(),
            email: None,
            tenant: None,
            claims: Default::default(),
        },
    )
    .await
    .unwrap();
    let always = (
        chrono::NaiveDate::from_ymd_opt(2020, 1, 1).unwrap(),
        chrono::NaiveDate::from_ymd_opt(2099, 12, 31).unwrap(),
    );
    crate::helpers::subscription(db, root.id, "90000001", 100, always).await;
    // Kim holds a licence and has a session of the reader open.
    let operator = Principal::load(db, operator_id).await.unwrap();
    domain::products::create_product(db, &operator, "reader", "Reader")
        .await
        .unwrap();
    domain::properties::define(
        db,
        &operator,
        demo.root,
        domain::properties::DefinitionForm {
            key: "department".into(),
            label_nl: "Afdeling".into(),
            label_fr: "Département".into(),
            label_en: "Department".into(),
            kind: "text".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    // A dynamic group of De Klimop (set-up: not journaled).
    domain::entities::dynamic_group::ActiveModel {
        public_id: Set(Uuid::new_v4()),
        site_id: Set(klimop.id),
        name: Set("Klimop staff".into()),
        rule: Set("[]".into()),
        active: Set(true),
        schedule: Set("manual".into()),
        last_joined: Set(0),
        last_left: Set(0),
        last_ungranted: Set(0),
        created_at: Set(chrono::Utc::now()),
        ..Default::default()
    }
    .insert(db.conn())
    .await
    .unwrap();
    let kim_self = Principal::load(db, kim.id).await.unwrap();
    let today = wire::time::today();
    domain::licences::claim(db, &kim_self, today).await.unwrap();
    domain::applications::open(db, &kim_self, kim.public_id, "reader", None, today)
        .await
        .unwrap();
    site::Entity::update_many()
        .col_expr(site::Column::InstitutionNumber, Expr::value("KLIMOP1"))
        .filter(site::Column::Id.eq(klimop.id))
        .exec(db.conn())
        .await
        .unwrap();
    let waiting = add_user(db, demo.klimop, "waiting.one").await;
    set_pending(db, waiting.id).await;
    let txn = db.write().await.unwrap();
    domain::mail::queue(
        &*txn,
        "fixture@example.org",
        None,
        domain::mail::Template::RegistrationRejected {
            name: "Fixture".into(),
            site: "De Klimop".into(),
        },
    )
    .await
    .unwrap();
    txn.commit().await.unwrap();
    Fixture {
        principals: vec![
            Principal::Anonymous,
            Principal::load(db, plain.id).await.unwrap(),
            sibling,
            subsite,
            demo.admin,
            Principal::load(db, manager.id).await.unwrap(),
            Principal::load(db, viewer.id).await.unwrap(),
            Principal::load(db, operator_id).await.unwrap(),
        ],
        root: demo.root,
        klimop: demo.klimop,
        kim: kim.public_id,
        administrator: builtin(roles::ADMINISTRATOR).await,
        user_role: builtin(roles::USER).await,
    }
}

/// Puts a user in the approval queue of their site.
async fn set_pending(db: &Db, user_id: i32) {
    user::Entity::update_many()
        .col_expr(user::Column::Pending, Expr::value("approval"))
        .filter(user::Column::Id.eq(user_id))
        .exec(db.conn())
        .await
        .unwrap();
}

/// A fresh empty subsite of De Klimop (no seats), created without checks.
async fn scratch_site(db: &Db, fx: &Fixture, name: &str) -> Uuid {
    let klimop = sites::resolve(db, fx.klimop).await.unwrap();
    let txn = db.write().await.unwrap();
    let created = sites::insert_site(&*txn, Some(&klimop.scope.ancestry), name, 0)
        .await
        .unwrap();
    txn.commit().await.unwrap();
    created.public_id
}

/// Runs `operation` as `principal`; reads return their rows, writes nothing.
async fn probe(
    db: &Db,
    fx: &Fixture,
    n: usize,
    operation: Operation,
    p: &Principal,
) -> Result<Vec<String>, Error> {
    let tag = format!("p{n}");
    let none = |_| Vec::new();
    match operation {
        Operation::ViewSites => {
            let names: Vec<String> = sites::tree(db, p)
                .await?
                .into_iter()
                .map(|s| s.name)
                .collect();
            // The tree on demand and the site search read through the same rule: every site
            // they show (and every name of a search's path) is one the whole tree holds.
            let outline = sites::outline(db, p, None).await?;
            let mut shown: Vec<String> = outline
                .roots
                .nodes
                .iter()
                .map(|n| n.node.name.clone())
                .collect();
            for found in sites::search(db, p, "e", None).await? {
                shown.push(found.node.node.name);
                shown.extend(found.path);
            }
            for root in &outline.roots.nodes {
                shown.extend(
                    sites::children(db, p, root.node.id, 0)
                        .await?
                        .nodes
                        .into_iter()
                        .map(|n| n.node.name),
                );
            }
            for name in shown {
                assert!(
                    names.contains(&name),
                    "{name} shown beyond the tree: {names:?}"
                );
            }
            Ok(names)
        }
        Operation::CreateSite => sites::create(
            db,
            p,
            fx.klimop,
            NewSiteForm {
                name: format!("Site {tag}"),
                seat_limit: "0".into(),
            },
        )
        .await
        .map(|_| Vec::new()),
        Operation::EditSite | Operation::ResizeSite => {
            let current = site_id(db, fx.klimop).await;
            let limit = if operation == Operation::ResizeSite {
                current.seat_limit + 1
            } else {
                current.seat_limit
            };
            sites::update(
                db,
                p,
                fx.klimop,
                SiteForm {
                    name: format!("De Klimop{}", if limit > 0 { "" } else { "?" }),
                    seat_limit: limit.to_string(),
                    registration_code: String::new(),
                    expires_on: String::new(),
                    ..Default::default()
                },
            )
            .await
            .map(|_| Vec::new())
        }
        Operation::DeleteSite => {
            let victim = scratch_site(db, fx, &format!("Delete {tag}")).await;
            sites::delete(db, p, victim).await.map(none)
        }
        Operation::MoveSite => {
            let moving = scratch_site(db, fx, &format!("Move {tag}")).await;
            let into = scratch_site(db, fx, &format!("Into {tag}")).await;
            sites::move_site(db, p, moving, into)
                .await
                .map(|_| Vec::new())
        }
        Operation::ListUsers => {
            let query = UserQuery {
                include_subsites: true,
                ..Default::default()
            };
            // Its count asks the same question (and is refused the same way).
            users::count_users(db, p, fx.klimop, query.clone()).await?;
            Ok(users::list(db, p, fx.klimop, query)
                .await?
                .rows
                .into_iter()
                .map(|r| r.username)
                .collect())
        }
        Operation::CreateUser => users::create(db, p, fx.klimop, user_form(&format!("new.{tag}")))
            .await
            .map(|_| Vec::new()),
        Operation::SetUserActive => {
            let victim = add_user(db, fx.klimop, &format!("inactive.{tag}")).await;
            users::set_active(db, p, victim.public_id, false)
                .await
                .map(none)
        }
        Operation::DeleteUser => {
            let victim = add_user(db, fx.klimop, &format!("deleted.{tag}")).await;
            users::delete(db, p, victim.public_id).await.map(none)
        }
        Operation::EditUser => {
            let victim = add_user(db, fx.klimop, &format!("expiring.{tag}")).await;
            let date = chrono::NaiveDate::from_ymd_opt(2027, 8, 31);
            users::bulk(
                db,
                p,
                fx.klimop,
                users::Selection::Users(vec![victim.public_id]),
                users::BulkAction::SetExpiry(date),
            )
            .await
            .map(|_| Vec::new())
        }
        Operation::ListRoles => Ok(roles::list(db, p)
            .await?
            .into_iter()
            .map(|r| r.name)
            .collect()),
        Operation::CreateRole => roles::create(
            db,
            p,
            fx.klimop,
            RoleForm {
                name: format!("Role {tag}"),
                permissions: vec!["users.view".into()],
            },
        )
        .await
        .map(|_| Vec::new()),
        Operation::EditRole | Operation::DeleteRole => {
            let klimop = site_id(db, fx.klimop).await;
            let victim = add_role(
                db,
                klimop.id,
                &format!("{operation:?} {tag}"),
                [Permission::UsersView].into_iter().collect(),
            )
            .await;
            if operation == Operation::EditRole {
                let form = RoleForm {
                    name: format!("Edited {tag}"),
                    permissions: vec!["users.view".into(), "sites.view".into()],
                };
                roles::update(db, p, victim.public_id, form)
                    .await
                    .map(|_| Vec::new())
            } else {
                roles::delete(db, p, victim.public_id).await.map(none)
            }
        }
        Operation::ListRoleMembers => Ok(roles::members(db, p, fx.administrator)
            .await?
            .into_iter()
            .map(|m| format!("{}@{}", m.username, m.site_name))
            .collect()),
        Operation::ViewUserGrants => Ok(roles::user_grants(db, p, fx.kim, None)
            .await?
            .grants
            .into_iter()
            .map(|g| format!("{}@{}", g.role_name, g.site_name))
            .collect()),
        Operation::SetUserGrants => {
            let victim = add_user(db, fx.klimop, &format!("granted.{tag}")).await;
            roles::set_user_grants(db, p, victim.public_id, fx.klimop, vec![fx.user_role])
                .await
                .map(|_| Vec::new())
        }
        Operation::ViewJournal => Ok(domain::audit::list(db, p, JournalQuery::default())
            .await?
            .entries
            .into_iter()
            .map(|e| format!("{} {}", e.action, e.target))
            .collect()),
        Operation::ListPendingUsers => Ok(onboarding::pending(db, p, fx.klimop)
            .await?
            .into_iter()
            .map(|u| u.username)
            .collect()),
        Operation::DecideRegistration => {
            let victim = add_user(db, fx.klimop, &format!("waiting.{tag}")).await;
            set_pending(db, victim.id).await;
            onboarding::decide(db, p, victim.public_id, true)
                .await
                .map(none)
        }
        Operation::ImportUsers => {
            let table = domain::import::Table {
                first_row: 1,
                rows: vec![
                    vec![
                        "Actie".into(),
                        "Gebruikersnaam".into(),
                        "Voornaam".into(),
                        "Achternaam".into(),
                    ],
                    vec![
                        "+".into(),
                        format!("import.{tag}"),
                        "Im".into(),
                        "Port".into(),
                    ],
                ],
            };
            let parsed = domain::import::parse_rows(&table)?;
            let options = domain::import::Options {
                mode: domain::import::Mode::AddAndUpdate,
                allow_deletes: false,
                sync: false,
            };
            Ok(domain::import::preview(db, p, fx.klimop, &parsed, options)
                .await?
                .planned
                .into_iter()
                .map(|planned| planned.row.username)
                .collect())
        }
        Operation::ViewUserLinks => Ok(domain::sso::links_of(db, p, fx.kim)
            .await?
            .into_iter()
            .map(|l| l.provider)
            .collect()),
        Operation::RemoveUserLink => {
            let victim = add_user(db, fx.klimop, &format!("linked.{tag}")).await;
            let own = Principal::load(db, victim.id).await?;
            let identity = domain::sso::Identity {
                provider: "google".into(),
                issuer: "http://127.0.0.1:55601".into(),
                subject: format!("linked-{tag}"),
                email: None,
                tenant: None,
                claims: Default::default(),
            };
            domain::sso::link(db, &own, identity).await?;
            domain::sso::unlink(db, p, victim.public_id, "google")
                .await
                .map(none)
        }
        Operation::ResetSecondFactors => {
            // One plain user of De Klimop for every principal (seats are few).
            let existing = user::Entity::find()
                .filter(user::Column::Username.eq("factored.victim"))
                .one(db.conn())
                .await?;
            let victim = match existing {
                Some(found) => found,
                None => add_user(db, fx.klimop, "factored.victim").await,
            };
            domain::factors::reset(db, p, victim.public_id)
                .await
                .map(|_| Vec::new())
        }
        Operation::ViewSecondFactors => domain::factors::count_of(db, p, fx.kim)
            .await
            .map(|n| vec![n.to_string()]),
        Operation::ManageSignInPolicy => domain::factors::set_policy(
            db,
            p,
            fx.klimop,
            domain::factors::Policy {
                who: wire::SecondFactorPolicy::Administrators,
                grace_days: 7,
                tenants: Vec::new(),
            },
        )
        .await
        .map(|_| Vec::new()),
        Operation::ManageFederations => domain::federation::save(
            db,
            p,
            fx.klimop,
            wire::Federation {
                id: None,
                name: "Entree".into(),
                issuer: "https://login.entree.example".into(),
                client_id: "licentia".into(),
                client_secret: String::new(),
                has_secret: false,
                scopes: String::new(),
                identify_by: wire::FederationIdentifier::EckId,
                identifier_claim: String::new(),
                email_domains: Vec::new(),
                create_users: false,
                site_claim: String::new(),
                class_claim: String::new(),
                roles: Vec::new(),
            },
        )
        .await
        .map(|_| Vec::new()),
        Operation::ViewLicences => {
            let today = wire::time::today();
            let c = domain::licences::counters(db, p, fx.klimop, today).await?;
            Ok(vec![format!(
                "{}/{} valid, {} without",
                c.valid_unused, c.valid_total, c.without_licence
            )])
        }
        Operation::AssignLicence => {
            let victim = add_user(db, fx.klimop, &format!("licensed.{tag}")).await;
            let today = wire::time::today();
            domain::licences::assign(db, p, victim.public_id, today)
                .await
                .map(|_| Vec::new())
        }
        Operation::ClaimSubscription => {
            let serial = format!("{}", 800_000 + n);
            subscriptions::insert(
                db,
                SubscriptionForm {
                    serial: serial.clone(),
                    seats: "10".into(),
                    valid_from: "2020-01-01".into(),
                    valid_until: "2099-12-31".into(),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
            let today = wire::time::today();
            subscriptions::claim_additional(db, p, fx.root, &serial, today)
                .await
                .map(|_| Vec::new())
        }
        Operation::OrderLicences => {
            let today = wire::time::today();
            domain::purchases::request(
                db,
                p,
                domain::purchases::RequestForm {
                    quantity: "5".into(),
                    activation_on: (today + chrono::Duration::days(30)).to_string(),
                    email: format!("{tag}@example.org"),
                    ..Default::default()
                },
                today,
            )
            .await
            .map(|_| Vec::new())
        }
        Operation::ManageApiTokens => {
            // Tokens are issued for oneself or a service account (here one in De Klimop).
            let today = wire::time::today();
            let party = domain::api_tokens::create_service_account(
                db,
                &fx.principals[4],
                fx.klimop,
                &format!("Party {tag}"),
                false,
            )
            .await
            .unwrap();
            domain::api_tokens::issue(db, p, party.public_id, token_form(&tag), today)
                .await
                .map(|_| Vec::new())
        }
        Operation::ManageOwnApiTokens => {
            let today = wire::time::today();
            let own = match p.user_id() {
                Some(id) => {
                    user::Entity::find_by_id(id)
                        .one(db.conn())
                        .await
                        .unwrap()
                        .unwrap()
                        .public_id
                }
                None => fx.kim,
            };
            domain::api_tokens::issue(db, p, own, token_form(&tag), today)
                .await
                .map(|_| Vec::new())
        }
        Operation::CreateServiceAccount => domain::api_tokens::create_service_account(
            db,
            p,
            fx.klimop,
            &format!("Party {tag}"),
            false,
        )
        .await
        .map(|_| Vec::new()),
        Operation::ConnectApplication => {
            let value = serde_json::json!({ "speed": n });
            domain::applications::put_settings(db, p, fx.kim, "reader", &value)
                .await
                .map(|_| Vec::new())
        }
        Operation::ViewAppSessions => Ok(domain::applications::sessions_of(db, p, fx.kim)
            .await?
            .into_iter()
            .map(|s| s.product)
            .collect()),
        Operation::EndAppSession => {
            let today = wire::time::today();
            let kim = users_principal(db, fx.kim).await;
            let session = domain::applications::open(db, &kim, fx.kim, "reader", None, today)
                .await
                .unwrap();
            domain::applications::end(db, p, session.public_id)
                .await
                .map(|_| Vec::new())
        }
        Operation::ViewUsage => domain::usage::series(
            db,
            p,
            domain::usage::UsageQuery {
                whose: domain::usage::Whose::Site(fx.klimop),
                product: None,
                from: wire::time::today() - chrono::Duration::days(6),
                to: wire::time::today(),
            },
        )
        .await
        .map(|_| Vec::new()),
        Operation::ViewCustomers => domain::customers::list(
            db,
            p,
            domain::customers::CustomerQuery::default(),
            wire::time::today(),
        )
        .await
        .map(|_| Vec::new()),
        Operation::ManageSubscriptions => subscriptions::create(
            db,
            p,
            SubscriptionForm {
                serial: format!("{}", 700_000 + n),
                seats: "10".into(),
                valid_from: "2026-09-01".into(),
                valid_until: "2027-08-31".into(),
                ..Default::default()
            },
        )
        .await
        .map(|_| Vec::new()),
        Operation::ManageProperties => domain::properties::define(
            db,
            p,
            fx.klimop,
            domain::properties::DefinitionForm {
                key: format!("prop_{tag}"),
                label_nl: "Eigenschap".into(),
                label_fr: "Propriété".into(),
                label_en: "Property".into(),
                kind: "number".into(),
                ..Default::default()
            },
        )
        .await
        .map(|_| Vec::new()),
        Operation::ViewProperties => Ok(domain::properties::definitions(db, p, fx.klimop)
            .await?
            .into_iter()
            .map(|d| d.key)
            .collect()),
        Operation::ConfigureImport => domain::import::sync::save_config(
            db,
            p,
            fx.klimop,
            domain::import::sync::SyncForm {
                mapping: format!("Nr {tag} = personnel_number"),
                match_on: "personnel_number".into(),
                date_format: "auto".into(),
                end_old_placements: false,
            },
        )
        .await
        .map(|_| Vec::new()),
        Operation::ManageWebhooks => domain::webhooks::register(
            db,
            p,
            domain::webhooks::NewEndpoint {
                site: Some(fx.klimop),
                url: format!("https://hooks.example/{tag}"),
                events: vec!["user.created".into()],
                description: String::new(),
            },
        )
        .await
        .map(|_| Vec::new()),
        Operation::ManageGroups => domain::groups::save(
            db,
            p,
            domain::groups::GroupForm {
                site: fx.klimop,
                name: format!("Group {tag}"),
                active: true,
                ..Default::default()
            },
        )
        .await
        .map(|_| Vec::new()),
        Operation::ViewGroups => Ok(domain::groups::list(db, p, fx.klimop)
            .await?
            .into_iter()
            .map(|g| g.name)
            .collect()),
        Operation::LinkInstitution => {
            // Set again: the site edits before this one clear it.
            site::Entity::update_many()
                .col_expr(site::Column::InstitutionNumber, Expr::value("KLIMOP1"))
                .filter(site::Column::PublicId.eq(fx.klimop))
                .exec(db.conn())
                .await
                .unwrap();
            domain::institutions::link(db, p, "kim.klimop", "KLIMOP1")
                .await
                .map(|_| Vec::new())
        }
        Operation::ManageAnnouncements => domain::announcements::create(
            db,
            p,
            domain::announcements::AnnouncementForm {
                kind: "update".into(),
                title_nl: format!("Versie {tag}"),
                title_fr: format!("Version {tag}"),
                title_en: format!("Version {tag}"),
                body_nl: "Nieuw".into(),
                body_fr: "Nouveau".into(),
                body_en: "New".into(),
                starts_at: "2099-01-01T08:00".into(),
                ends_at: "2099-01-02T08:00".into(),
            },
            chrono::Utc::now(),
        )
        .await
        .map(|_| Vec::new()),
        Operation::ManageProducts => {
            domain::products::create_product(db, p, &format!("product-{n}"), "Product")
                .await
                .map(|_| Vec::new())
        }
        Operation::ViewOutbox => Ok(domain::mail::outbox(db, p, 50)
            .await?
            .into_iter()
            .map(|m| m.to)
            .collect()),
    }
}

fn token_form(tag: &str) -> domain::api_tokens::NewToken {
    domain::api_tokens::NewToken {
        name: format!("Token {tag}"),
        expires_on: "2099-12-31".into(),
        ..Default::default()
    }
}

/// The principal of a user, by public id.
async fn users_principal(db: &Db, public_id: Uuid) -> Principal {
    let found = user::Entity::find()
        .filter(user::Column::PublicId.eq(public_id))
        .one(db.conn())
        .await
        .unwrap()
        .unwrap();
    Principal::load(db, found.id).await.unwrap()
}

fn outcome(result: Result<Vec<String>, Error>, read: bool) -> Outcome {
    match result {
        Ok(mut names) if read => {
            names.sort();
            Rows(names)
        }
        Ok(_) => Done,
        Err(Error::NotFound) => NotFound,
        Err(Error::Forbidden) => Forbidden,
        Err(Error::Unauthenticated) => Unauthenticated,
        Err(other) => Other(format!("{other:?}")),
    }
}

/// Expected outcomes, columns in the order of `WHO`.
fn table() -> HashMap<Operation, [Outcome; 8]> {
    let u = || Unauthenticated;
    let n = || NotFound;
    let f = || Forbidden;
    let d = || Done;
    let all_sites = ["Scholengroep Horizon", "De Regenboog", "De Klimop"];
    let klimop_users = ["klimop.admin", "kim.klimop", "waiting.one"];
    let builtin = ["Administrator", "Application", "Licence manager", "User"];
    let with = |extra: &[&'static str]| {
        let mut all: Vec<&str> = builtin.to_vec();
        all.extend_from_slice(extra);
        rows(&all)
    };
    let mut t = HashMap::new();
    t.insert(
        Operation::ViewSites,
        [
            u(),
            rows(&[]),
            rows(&["De Regenboog"]),
            rows(&["De Klimop"]),
            rows(&all_sites),
            rows(&all_sites),
            rows(&[]),
            rows(&[&all_sites[..], &["Licentia"]].concat()),
        ],
    );
    let write_in_klimop = || [u(), n(), n(), d(), d(), f(), f(), d()];
    t.insert(Operation::CreateSite, write_in_klimop());
    t.insert(Operation::EditSite, write_in_klimop());
    // De Klimop's seats are the parent's: its own administrator may not change them.
    t.insert(
        Operation::ResizeSite,
        [u(), n(), n(), f(), d(), f(), f(), d()],
    );
    t.insert(Operation::DeleteSite, write_in_klimop());
    t.insert(Operation::MoveSite, write_in_klimop());
    t.insert(
        Operation::ListUsers,
        [
            u(),
            n(),
            n(),
            rows(&klimop_users),
            rows(&klimop_users),
            rows(&klimop_users),
            rows(&klimop_users),
            rows(&klimop_users),
        ],
    );
    t.insert(Operation::CreateUser, write_in_klimop());
    t.insert(Operation::SetUserActive, write_in_klimop());
    t.insert(Operation::DeleteUser, write_in_klimop());
    t.insert(Operation::EditUser, write_in_klimop());
    t.insert(
        Operation::ListRoles,
        [
            u(),
            n(),
            with(&["Users viewer", "Regenboog helper"]),
            with(&["Users viewer"]),
            with(&["Users viewer", "Regenboog helper"]),
            n(),
            n(),
            with(&["Users viewer", "Regenboog helper"]),
        ],
    );
    t.insert(Operation::CreateRole, write_in_klimop());
    t.insert(Operation::EditRole, write_in_klimop());
    t.insert(Operation::DeleteRole, write_in_klimop());
    t.insert(
        Operation::ListRoleMembers,
        [
            u(),
            n(),
            rows(&["regenboog.admin@De Regenboog"]),
            rows(&["klimop.admin@De Klimop"]),
            rows(&[
                "directeur@Scholengroep Horizon",
                "regenboog.admin@De Regenboog",
                "klimop.admin@De Klimop",
            ]),
            n(),
            n(),
            rows(&[
                "directeur@Scholengroep Horizon",
                "regenboog.admin@De Regenboog",
                "klimop.admin@De Klimop",
                "operator@Licentia",
            ]),
        ],
    );
    let kim = || rows(&["Licence manager@De Klimop"]);
    t.insert(
        Operation::ViewUserGrants,
        [u(), n(), n(), kim(), kim(), f(), f(), kim()],
    );
    t.insert(Operation::SetUserGrants, write_in_klimop());
    // Kim's link and licence claim are journaled in De Klimop.
    let kim_link = "sso.link Test User (kim.klimop)";
    let kim_claim = "licence.claim Test User (kim.klimop)";
    let both = || {
        rows(&[
            "site.create De Regenboog",
            "site.create De Klimop",
            kim_link,
            kim_claim,
            "property.define department",
        ])
    };
    t.insert(
        Operation::ViewJournal,
        [
            u(),
            n(),
            rows(&["site.create De Regenboog"]),
            rows(&["site.create De Klimop", kim_link, kim_claim]),
            both(),
            n(),
            n(),
            both(),
        ],
    );
    let waiting = || rows(&["waiting.one"]);
    t.insert(
        Operation::ListPendingUsers,
        [
            u(),
            n(),
            n(),
            waiting(),
            waiting(),
            waiting(),
            waiting(),
            waiting(),
        ],
    );
    t.insert(Operation::DecideRegistration, write_in_klimop());
    let google = || rows(&["google"]);
    let out_of_reach = || Other("Refused(UserOutOfReach)".into());
    t.insert(
        Operation::ViewUserLinks,
        [
            u(),
            n(),
            n(),
            google(),
            google(),
            google(),
            // Kim manages licences in De Klimop: more than users:view holds.
            out_of_reach(),
            google(),
        ],
    );
    t.insert(Operation::RemoveUserLink, write_in_klimop());
    t.insert(Operation::ResetSecondFactors, write_in_klimop());
    // Kim's count: as his links, out of reach for whoever holds less than he does.
    let none_set = || rows(&["0"]);
    t.insert(
        Operation::ViewSecondFactors,
        [
            u(),
            n(),
            n(),
            none_set(),
            none_set(),
            none_set(),
            out_of_reach(),
            none_set(),
        ],
    );
    // The organisation's policy: its own administrators, on the root.
    t.insert(
        Operation::ManageSignInPolicy,
        [u(), n(), n(), n(), d(), f(), f(), d()],
    );
    // The organisation's federations: the same hands.
    t.insert(
        Operation::ManageFederations,
        [u(), n(), n(), n(), d(), f(), f(), d()],
    );
    // The organisation's 100 licences, none assigned; De Klimop's three users have none.
    let counted = || rows(&["99/100 valid, 2 without"]);
    t.insert(
        Operation::ViewLicences,
        [
            u(),
            n(),
            n(),
            counted(),
            counted(),
            counted(),
            f(),
            counted(),
        ],
    );
    t.insert(
        Operation::AssignLicence,
        [u(), n(), n(), d(), d(), d(), f(), d()],
    );
    // Properties are the organisation's: defined on its root, read where users are read.
    t.insert(
        Operation::ManageProperties,
        [u(), n(), n(), n(), d(), f(), f(), d()],
    );
    let department = || rows(&["department"]);
    t.insert(
        Operation::ViewProperties,
        [
            u(),
            n(),
            n(),
            department(),
            department(),
            department(),
            department(),
            department(),
        ],
    );
    // The HR configuration is the organisation's: set on its root by its administrators.
    t.insert(
        Operation::ConfigureImport,
        [u(), n(), n(), n(), d(), f(), f(), d()],
    );
    // Webhooks of a site are its settings: whoever manages those there.
    t.insert(Operation::ManageWebhooks, write_in_klimop());
    // Groups select users of a site: managed with the users, seen with them.
    t.insert(Operation::ManageGroups, write_in_klimop());
    let staff = || rows(&["Klimop staff"]);
    t.insert(
        Operation::ViewGroups,
        [u(), n(), n(), staff(), staff(), staff(), staff(), staff()],
    );
    // Adding a subscription is for the organisation's own administrators.
    t.insert(
        Operation::ClaimSubscription,
        [u(), n(), n(), n(), d(), f(), f(), d()],
    );
    // A purchase request is for the requester's own organisation.
    t.insert(
        Operation::OrderLicences,
        [u(), n(), d(), d(), d(), d(), f(), d()],
    );
    // Tokens of someone else need tokens.manage_all on their site; one's own tokens
    // tokens.manage_own on one's own (the licence manager and the viewer have neither).
    t.insert(
        Operation::ManageApiTokens,
        [u(), n(), n(), d(), d(), f(), f(), d()],
    );
    t.insert(
        Operation::ManageOwnApiTokens,
        [u(), n(), d(), d(), d(), f(), f(), d()],
    );
    t.insert(
        Operation::CreateServiceAccount,
        [u(), n(), n(), d(), d(), f(), f(), d()],
    );
    t.insert(
        Operation::ConnectApplication,
        [u(), n(), n(), d(), d(), f(), f(), d()],
    );
    let reader = || rows(&["reader"]);
    t.insert(
        Operation::ViewAppSessions,
        [
            u(),
            n(),
            n(),
            reader(),
            reader(),
            reader(),
            out_of_reach(),
            reader(),
        ],
    );
    t.insert(
        Operation::EndAppSession,
        [u(), n(), n(), d(), d(), f(), f(), d()],
    );
    // A preview writes nothing: it reads as the rows it would import.
    let import = |n: usize| rows(&[&format!("import.p{n}")]);
    t.insert(
        Operation::ImportUsers,
        [u(), n(), n(), import(3), import(4), f(), f(), import(7)],
    );
    let operator_only = || [u(), f(), f(), f(), f(), f(), f(), d()];
    t.insert(Operation::ManageSubscriptions, operator_only());
    t.insert(Operation::ManageProducts, operator_only());
    t.insert(Operation::LinkInstitution, operator_only());
    t.insert(Operation::ManageAnnouncements, operator_only());
    t.insert(Operation::ViewCustomers, operator_only());
    t.insert(
        Operation::ViewUsage,
        [u(), n(), n(), d(), d(), d(), d(), d()],
    );
    t.insert(
        Operation::ViewOutbox,
        [
            u(),
            f(),
            f(),
            f(),
            f(),
            f(),
            f(),
            rows(&["fixture@example.org"]),
        ],
    );
    t
}

fn is_read(operation: Operation) -> bool {
    matches!(
        operation,
        Operation::ViewSites
            | Operation::ListUsers
            | Operation::ListRoles
            | Operation::ListRoleMembers
            | Operation::ViewUserGrants
            | Operation::ViewJournal
            | Operation::ListPendingUsers
            | Operation::ViewOutbox
            | Operation::ImportUsers
            | Operation::ViewUserLinks
            | Operation::ViewSecondFactors
            | Operation::ViewLicences
            | Operation::ViewAppSessions
            | Operation::ViewProperties
            | Operation::ViewGroups
    )
}

db_test!(
    should_decide_every_operation_for_every_kind_of_principal,
    |db: Db| async move {
        let table = table();
        for operation in Operation::ALL {
            assert!(
                table.contains_key(operation),
                "{operation:?} has no row in the access table"
            );
        }
        assert_eq!(table.len(), Operation::ALL.len());
        let fx = fixture(&db).await;
        // Reads first, so that the writes' rows do not show up in them.
        let mut order: Vec<Operation> = Operation::ALL.to_vec();
        order.sort_by_key(|op| !is_read(*op));
        let mut failures = Vec::new();
        for operation in order {
            for (n, (principal, want)) in fx.principals.iter().zip(&table[&operation]).enumerate() {
                let got = outcome(
                    probe(&db, &fx, n, operation, principal).await,
                    is_read(operation),
                );
                if &got != want {
                    failures.push(format!(
                        "{operation:?} by {}: expected {want:?}, got {got:?}",
                        WHO[n]
                    ));
                }
            }
        }
        assert!(failures.is_empty(), "\n{}", failures.join("\n"));
        assert_counters_exact(&db).await;
    }
);

//! Rule 1 of delegation as a table: authority over the target user. Every operation that acts
//! on a user, by every kind of actor, on every kind of target placed in De Klimop: allowed only
//! when the actor holds the operation's permission there AND the target's authority is
//! contained in the actor's. The expected containment is written out by hand below (not
//! computed by the rule under test).
use chrono::NaiveDate;
use domain::access::{Permission, Permissions};
use domain::entities::{
    app_session, device, product, role, role_grant, site, sso_link, subscription, user,
};
use domain::import::{self, Mode, Options, Table};
use domain::properties::{self, DefinitionForm};
use domain::users::{BulkAction, Selection};
use domain::{
    api_tokens, applications, licences, roles, sites, sso, users, Code, Db, Error, Principal,
};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, ExprTrait, QueryFilter, Set};
use uuid::Uuid;

use crate::db_test;
use crate::helpers::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    Plain,
    PeerAdmin,
    /// Placed in De Klimop, Administrator on the root (a director homed at one school).
    Director,
    ServiceAccount,
}

const TARGETS: [Target; 4] = [
    Target::Plain,
    Target::PeerAdmin,
    Target::Director,
    Target::ServiceAccount,
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Actor {
    SubsiteAdmin,
    ParentAdmin,
    LicenceManager,
    CustomRole,
}

/// Whether the actor's authority contains the target's: by hand, per the rule's text.
fn contains(actor: Actor, target: Target) -> bool {
    use Target::*;
    match actor {
        Actor::SubsiteAdmin => target != Director,
        Actor::ParentAdmin => true,
        // Licence manager of the root: sites/users/licences view, licences assign and order.
        Actor::LicenceManager => target == Plain,
        // Users view/manage/import, tokens for all, roles assign, licences view/assign on
        // De Klimop: no sites.view, no apps.connect.
        Actor::CustomRole => target == Plain,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Deactivate,
    Activate,
    Delete,
    BulkExpiry,
    BulkDelete,
    ImportUpdate,
    ImportDelete,
    SetProperty,
    PropertyLines,
    ViewLinks,
    Unlink,
    ResetFactors,
    ViewAppSessions,
    EndAppSession,
    ViewDevices,
    RemoveDevice,
    IssueToken,
    RevokeToken,
    AssignLicence,
    UnassignLicence,
    SetGrants,
}

const OPS: [Op; 21] = [
    Op::Deactivate,
    Op::Activate,
    Op::Delete,
    Op::BulkExpiry,
    Op::BulkDelete,
    Op::ImportUpdate,
    Op::ImportDelete,
    Op::SetProperty,
    Op::PropertyLines,
    Op::ViewLinks,
    Op::Unlink,
    Op::ResetFactors,
    Op::ViewAppSessions,
    Op::EndAppSession,
    Op::ViewDevices,
    Op::RemoveDevice,
    Op::IssueToken,
    Op::RevokeToken,
    Op::AssignLicence,
    Op::UnassignLicence,
    Op::SetGrants,
];

/// The permissions an operation needs on the target's site.
fn needs(op: Op) -> Vec<Permission> {
    use Permission::*;
    match op {
        Op::Deactivate
        | Op::Activate
        | Op::Delete
        | Op::SetProperty
        | Op::Unlink
        | Op::ResetFactors
        | Op::EndAppSession
        | Op::RemoveDevice => vec![UsersManage],
        Op::BulkExpiry | Op::BulkDelete => vec![UsersView, UsersManage],
        Op::ImportUpdate | Op::ImportDelete | Op::PropertyLines => vec![UsersImport, UsersManage],
        Op::ViewLinks | Op::ViewAppSessions | Op::ViewDevices => vec![UsersView],
        Op::IssueToken | Op::RevokeToken => vec![TokensManageAll],
        Op::AssignLicence | Op::UnassignLicence => vec![LicencesAssign],
        Op::SetGrants => vec![UsersView, RolesAssign],
    }
}

fn actor_permissions(actor: Actor) -> Permissions {
    match actor {
        Actor::SubsiteAdmin | Actor::ParentAdmin => Permissions::all(),
        Actor::LicenceManager => roles::builtin_permissions(roles::LICENCE_MANAGER),
        Actor::CustomRole => custom_permissions(),
    }
}

fn custom_permissions() -> Permissions {
    use Permission::*;
    [
        UsersView,
        UsersManage,
        UsersImport,
        TokensManageAll,
        RolesAssign,
        LicencesView,
        LicencesAssign,
    ]
    .into_iter()
    .collect()
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Outcome {
    Done,
    Forbidden,
    OutOfReach,
    Refused(Code),
    Other(String),
}

fn expected(actor: Actor, target: Target, op: Op) -> Outcome {
    let held = actor_permissions(actor);
    if !needs(op).into_iter().all(|p| held.contains(p)) {
        return Outcome::Forbidden;
    }
    // An application connected on the site (anyone holding apps.connect there) reads every
    // user's application sessions: it serves them, it changes nothing of the account.
    if matches!(op, Op::ViewAppSessions | Op::ViewDevices) && held.contains(Permission::AppsConnect)
    {
        return Outcome::Done;
    }
    if !contains(actor, target) {
        return Outcome::OutOfReach;
    }
    if op == Op::IssueToken && target != Target::ServiceAccount {
        return Outcome::Refused(Code::TokenOwnerNotAllowed);
    }
    Outcome::Done
}

fn outcome(result: Result<(), Error>) -> Outcome {
    match result {
        Ok(()) => Outcome::Done,
        Err(Error::Forbidden) => Outcome::Forbidden,
        Err(Error::Refused(Code::UserOutOfReach)) => Outcome::OutOfReach,
        Err(Error::Refused(code)) => Outcome::Refused(code),
        Err(other) => Outcome::Other(format!("{other:?}")),
    }
}

struct World {
    klimop: Uuid,
    klimop_id: i32,
    root_id: i32,
    operator_like: Principal,
    actors: Vec<(Actor, Principal)>,
    user_role: Uuid,
}

async fn setup(db: &Db) -> World {
    let demo = demo(db).await;
    domain::demo::seed_licences(db).await.unwrap();
    let klimop = sites::resolve(db, demo.klimop).await.unwrap().site;
    let root = sites::resolve(db, demo.root).await.unwrap().site;
    // Room for every probe's target (set-up, not journaled).
    site::Entity::update_many()
        .col_expr(site::Column::SeatLimit, Expr::value(1000))
        .filter(site::Column::Id.eq(klimop.id))
        .exec(db.conn())
        .await
        .unwrap();
    site::Entity::update_many()
        .col_expr(site::Column::SeatLimit, Expr::value(5000))
        .col_expr(
            site::Column::UsedSeats,
            Expr::col(site::Column::UsedSeats).add(1000 - klimop.seat_limit),
        )
        .filter(site::Column::Id.eq(root.id))
        .exec(db.conn())
        .await
        .unwrap();
    subscription::Entity::update_many()
        .col_expr(subscription::Column::Seats, Expr::value(1000))
        .exec(db.conn())
        .await
        .unwrap();
    properties::define(
        db,
        &demo.admin,
        demo.root,
        DefinitionForm {
            key: "department".into(),
            label_nl: "Afdeling".into(),
            label_fr: "Département".into(),
            label_en: "Department".into(),
            kind: "text".into(),
            choices: String::new(),
            required: false,
        },
    )
    .await
    .unwrap();
    let custom = role::ActiveModel {
        public_id: Set(Uuid::new_v4()),
        site_id: Set(Some(root.id)),
        builtin_key: Set(None),
        name: Set("Secretariaat".into()),
        permissions: Set(custom_permissions().to_stored()),
        ..Default::default()
    }
    .insert(db.conn())
    .await
    .unwrap();
    let subsite_admin = admin_of(db, demo.klimop, "klimop.admin").await;
    let parent_admin = admin_of(db, demo.root, "horizon.admin").await;
    let manager = person(db, klimop.id, "licence.manager").await;
    roles::grant_builtin_unchecked(db.conn(), manager.id, roles::LICENCE_MANAGER, root.id)
        .await
        .unwrap();
    let secretary = person(db, klimop.id, "secretary").await;
    role_grant::ActiveModel {
        user_id: Set(secretary.id),
        role_id: Set(custom.id),
        site_id: Set(klimop.id),
        ..Default::default()
    }
    .insert(db.conn())
    .await
    .unwrap();
    let user_role = role::Entity::find()
        .filter(role::Column::BuiltinKey.eq(roles::USER))
        .one(db.conn())
        .await
        .unwrap()
        .unwrap()
        .public_id;
    World {
        klimop: demo.klimop,
        klimop_id: klimop.id,
        root_id: root.id,
        operator_like: demo.admin,
        actors: vec![
            (Actor::SubsiteAdmin, subsite_admin),
            (Actor::ParentAdmin, parent_admin),
            (
                Actor::LicenceManager,
                Principal::load(db, manager.id).await.unwrap(),
            ),
            (
                Actor::CustomRole,
                Principal::load(db, secretary.id).await.unwrap(),
            ),
        ],
        user_role,
    }
}

async fn person(db: &Db, site_id: i32, username: &str) -> user::Model {
    let mut form = user_form(username);
    form.email = format!("{username}@example.org");
    let new_user = form.validate().await.unwrap();
    let txn = db.write().await.unwrap();
    let created = users::insert_unchecked(&*txn, site_id, new_user)
        .await
        .unwrap();
    txn.commit().await.unwrap();
    created
}

/// A fresh target of `kind` in De Klimop, with what the operations need: a personnel number,
/// a linked sign-in, a token, a licence.
async fn target(db: &Db, w: &World, kind: Target, tag: &str) -> user::Model {
    let created = match kind {
        Target::ServiceAccount => {
            api_tokens::create_service_account(db, &w.operator_like, w.klimop, tag, true)
                .await
                .unwrap()
        }
        _ => person(db, w.klimop_id, tag).await,
    };
    match kind {
        Target::PeerAdmin => {
            roles::grant_builtin_unchecked(db.conn(), created.id, roles::ADMINISTRATOR, w.klimop_id)
                .await
                .unwrap()
        }
        Target::Director => {
            roles::grant_builtin_unchecked(db.conn(), created.id, roles::ADMINISTRATOR, w.root_id)
                .await
                .unwrap()
        }
        _ => {}
    }
    user::Entity::update_many()
        .col_expr(
            user::Column::PersonnelNumber,
            Expr::value(format!("pn-{tag}")),
        )
        .filter(user::Column::Id.eq(created.id))
        .exec(db.conn())
        .await
        .unwrap();
    sso_link::ActiveModel {
        user_id: Set(created.id),
        provider: Set("google".into()),
        issuer: Set("https://issuer.example".into()),
        subject: Set(format!("sub-{tag}")),
        email: Set(None),
        created_at: Set(chrono::Utc::now()),
        last_used_at: Set(None),
        ..Default::default()
    }
    .insert(db.conn())
    .await
    .unwrap();
    licences::assign(db, &w.operator_like, created.public_id, today())
        .await
        .unwrap();
    user::Entity::find_by_id(created.id)
        .one(db.conn())
        .await
        .unwrap()
        .unwrap()
}

fn today() -> NaiveDate {
    wire::time::today()
}

fn table(lines: &[&str]) -> Table {
    Table {
        first_row: 1,
        rows: lines
            .iter()
            .map(|line| line.split(';').map(str::to_string).collect())
            .collect(),
    }
}

/// The first problem of an import preview's only row, or done when it is planned.
fn import_outcome(preview: Result<import::Preview, Error>) -> Result<(), Error> {
    let preview = preview?;
    match preview.issues.first() {
        Some(issue) => Err(match issue.code {
            Code::Forbidden => Error::Forbidden,
            code => Error::Refused(code),
        }),
        None if preview.planned.len() == 1 => Ok(()),
        None => Err(Error::Internal("nothing planned".into())),
    }
}

/// The bulk report's refusal of its only user, if any.
fn bulk_outcome(report: Result<users::BulkReport, Error>) -> Result<(), Error> {
    let report = report?;
    match report.skipped.first() {
        Some((_, code)) => Err(Error::Refused(*code)),
        None => Ok(()),
    }
}

async fn run(db: &Db, w: &World, op: Op, p: &Principal, t: &user::Model) -> Result<(), Error> {
    let id = t.public_id;
    let options = |allow_deletes| Options {
        mode: Mode::AddAndUpdate,
        allow_deletes,
        sync: false,
    };
    match op {
        Op::Deactivate => users::set_active(db, p, id, false).await,
        Op::Activate => {
            user::Entity::update_many()
                .col_expr(user::Column::Active, Expr::value(false))
                .filter(user::Column::Id.eq(t.id))
                .exec(db.conn())
                .await
                .unwrap();
            users::set_active(db, p, id, true).await
        }
        Op::Delete => users::delete(db, p, id).await,
        Op::BulkExpiry => bulk_outcome(
            users::bulk(
                db,
                p,
                w.klimop,
                Selection::Users(vec![id]),
                BulkAction::SetExpiry(Some(today())),
            )
            .await,
        ),
        Op::BulkDelete => bulk_outcome(
            users::bulk(
                db,
                p,
                w.klimop,
                Selection::Users(vec![id]),
                BulkAction::Delete,
            )
            .await,
        ),
        Op::ImportUpdate | Op::ImportDelete => {
            let line = match op {
                Op::ImportUpdate => format!("*;{};Nieuw", t.username),
                _ => format!("-;{};", t.username),
            };
            let parsed =
                import::parse_rows(&table(&["Actie;Gebruikersnaam;Voornaam", &line])).unwrap();
            import_outcome(
                import::preview(db, p, w.klimop, &parsed, options(op == Op::ImportDelete)).await,
            )
        }
        Op::SetProperty => {
            properties::set_values(db, p, id, &[("department".into(), "IT".into())]).await
        }
        Op::PropertyLines => {
            let line = format!(
                "{};department;Care\n",
                t.personnel_number.clone().unwrap_or_default()
            );
            let preview = properties::preview_values(db, p, w.klimop, line.as_bytes()).await?;
            match preview.problems.first() {
                Some(problem) => Err(Error::Refused(problem.code)),
                None if preview.changes.len() == 1 => Ok(()),
                None => Err(Error::Internal("nothing planned".into())),
            }
        }
        Op::ViewLinks => sso::links_of(db, p, id).await.map(|_| ()),
        Op::Unlink => sso::unlink(db, p, id, "google").await,
        Op::ResetFactors => domain::factors::reset(db, p, id).await.map(|_| ()),
        Op::ViewAppSessions => applications::sessions_of(db, p, id).await.map(|_| ()),
        Op::EndAppSession => {
            // An application's session of the target, as an application would have opened it.
            let product = product::Entity::find()
                .one(db.conn())
                .await
                .unwrap()
                .unwrap();
            let session = Uuid::new_v4();
            app_session::ActiveModel {
                public_id: Set(session),
                user_id: Set(t.id),
                product_id: Set(product.id),
                opened_at: Set(chrono::Utc::now()),
                last_seen_at: Set(chrono::Utc::now()),
                ..Default::default()
            }
            .insert(db.conn())
            .await
            .unwrap();
            applications::end(db, p, session).await
        }
        Op::ViewDevices => applications::devices_of(db, p, id).await.map(|_| ()),
        Op::RemoveDevice => {
            // A device of the target, as an application would have registered it.
            let product = product::Entity::find()
                .one(db.conn())
                .await
                .unwrap()
                .unwrap();
            let device = Uuid::new_v4();
            device::ActiveModel {
                public_id: Set(device),
                user_id: Set(t.id),
                product_id: Set(product.id),
                fingerprint: Set(device.to_string()),
                name: Set(None),
                first_seen_at: Set(chrono::Utc::now()),
                last_seen_at: Set(chrono::Utc::now()),
                ..Default::default()
            }
            .insert(db.conn())
            .await
            .unwrap();
            applications::remove_device(db, p, device).await
        }
        Op::IssueToken => api_tokens::issue(
            db,
            p,
            id,
            api_tokens::NewToken {
                name: "Probe".into(),
                expires_on: String::new(),
                ..Default::default()
            },
            today(),
        )
        .await
        .map(|_| ()),
        Op::RevokeToken => {
            let issued = api_tokens::issue_unchecked(
                db,
                &t.username,
                api_tokens::NewToken {
                    name: "Existing".into(),
                    expires_on: String::new(),
                    ..Default::default()
                },
                today(),
            )
            .await
            .unwrap();
            api_tokens::revoke(db, p, issued.token.public_id).await
        }
        Op::AssignLicence => {
            licences::unassign(db, &w.operator_like, id, today())
                .await
                .unwrap();
            licences::assign(db, p, id, today()).await.map(|_| ())
        }
        Op::UnassignLicence => licences::unassign(db, p, id, today()).await,
        Op::SetGrants => {
            let mut wanted: Vec<Uuid> = Vec::new();
            for grant in role_grant::Entity::find()
                .filter(role_grant::Column::UserId.eq(t.id))
                .filter(role_grant::Column::SiteId.eq(w.klimop_id))
                .find_also_related(role::Entity)
                .all(db.conn())
                .await
                .unwrap()
            {
                wanted.extend(grant.1.map(|r| r.public_id));
            }
            wanted.push(w.user_role);
            roles::set_user_grants(db, p, id, w.klimop, wanted)
                .await
                .map(|_| ())
        }
    }
}

db_test!(
    should_act_on_a_user_only_with_authority_over_them,
    |db: Db| async move {
        let w = setup(&db).await;
        let mut failures = Vec::new();
        let mut n = 0;
        for (actor, principal) in &w.actors {
            for target_kind in TARGETS {
                for op in OPS {
                    n += 1;
                    let t = target(&db, &w, target_kind, &format!("t{n}")).await;
                    let got = outcome(run(&db, &w, op, principal, &t).await);
                    let want = expected(*actor, target_kind, op);
                    if got != want {
                        failures.push(format!(
                            "{op:?} by {actor:?} on {target_kind:?}: expected {want:?}, got {got:?}"
                        ));
                    }
                }
            }
        }
        assert!(failures.is_empty(), "\n{}", failures.join("\n"));
        assert_counters_exact(&db).await;
    }
);

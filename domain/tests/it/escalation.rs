//! The delegation invariant, tried at random (proptest): no sequence of operations by an
//! administrator of subtree T gives anyone a permission outside T, or one inside T that the
//! actor does not hold; no account whose credentials the actor controls (created, given a
//! token or a password by them) holds more than the actor; and no one gains a licence where
//! the actor could not assign one. Random organisations (dynamic groups with random rules and
//! grants, set up by the root's administrator), a random subtree administrator (site × role),
//! random operations; after every step the groups run as the server would and the invariant
//! is checked. A fixed seed and a bounded number of cases in CI; `LICENTIA_LONG=1` runs more;
//! `LICENTIA_TRACE_ESCALATION=1` prints every case, step and outcome.
use std::collections::{HashMap, HashSet};

use domain::access::{Permission, Permissions};
use domain::entities::{
    dynamic_group, licence, role, role_grant, site, site_closure, subscription, user,
};
use domain::groups::{self, GroupForm, RunOptions};
use domain::import::{self, Applier, Limits, Mode, Options, Upload};
use domain::properties::filter::{Condition, Op as CondOp};
use domain::properties::{self, DefinitionForm};
use domain::sites::NewSiteForm;
use domain::users::{BulkAction, Selection};
use domain::{api_tokens, roles, sites, users, Db, Error, Principal};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, ExprTrait, QueryFilter, QueryOrder, Set,
};
use uuid::Uuid;

use crate::helpers::*;

/// The sites: the demo's three and three classes below them.
const SITES: [&str; 6] = [
    "Scholengroep Horizon",
    "De Regenboog",
    "De Klimop",
    "Klas A",
    "Klas B",
    "Klas C",
];

#[derive(Debug, Clone)]
enum Grant {
    Role { role: usize, site: usize },
    Licence,
}

#[derive(Debug, Clone)]
struct GroupSpec {
    site: usize,
    conditions: Vec<(usize, usize)>,
    grant: Grant,
}

#[derive(Debug, Clone)]
enum Step {
    Create {
        site: usize,
    },
    SetValue {
        user: usize,
        key: usize,
        value: usize,
    },
    ValueLine {
        user: usize,
        key: usize,
        value: usize,
    },
    Move {
        user: usize,
        site: usize,
    },
    Deactivate {
        user: usize,
    },
    Activate {
        user: usize,
    },
    Grant {
        user: usize,
        site: usize,
        role: usize,
    },
    Token {
        user: usize,
    },
    ImportPassword {
        user: usize,
    },
    ImportRole {
        user: usize,
        role: usize,
    },
    MoveSite {
        site: usize,
        parent: usize,
    },
}

#[derive(Debug, Clone)]
struct Case {
    /// The actor's site (De Regenboog, De Klimop or Klas A) and role.
    actor_site: usize,
    actor_role: usize,
    groups: Vec<GroupSpec>,
    steps: Vec<Step>,
}

const ROLES: [&str; 3] = ["Administrator", "Licence manager", "Secretariaat"];
const KEYS: [&str; 2] = ["department", "level"];
const VALUES: [&str; 5] = ["IT", "Care", "", "5", "1"];
/// (key, operator, value) conditions a rule picks from.
const CONDITIONS: [(usize, CondOp, &str); 5] = [
    (0, CondOp::Equals, "IT"),
    (0, CondOp::NotEquals, "Care"),
    (0, CondOp::IsEmpty, ""),
    (1, CondOp::GreaterThan, "3"),
    (0, CondOp::Contains, "t"),
];

fn step() -> impl Strategy<Value = Step> {
    let u = 0..64usize;
    let s = 0..24usize;
    prop_oneof![
        s.clone().prop_map(|site| Step::Create { site }),
        (u.clone(), 0..2usize, 0..VALUES.len()).prop_map(|(user, key, value)| Step::SetValue {
            user,
            key,
            value
        }),
        (u.clone(), 0..2usize, 0..VALUES.len()).prop_map(|(user, key, value)| Step::ValueLine {
            user,
            key,
            value
        }),
        (u.clone(), s.clone()).prop_map(|(user, site)| Step::Move { user, site }),
        u.clone().prop_map(|user| Step::Deactivate { user }),
        u.clone().prop_map(|user| Step::Activate { user }),
        (u.clone(), s.clone(), 0..ROLES.len()).prop_map(|(user, site, role)| Step::Grant {
            user,
            site,
            role
        }),
        u.clone().prop_map(|user| Step::Token { user }),
        u.clone().prop_map(|user| Step::ImportPassword { user }),
        (u.clone(), 0..ROLES.len()).prop_map(|(user, role)| Step::ImportRole { user, role }),
        (s.clone(), s).prop_map(|(site, parent)| Step::MoveSite { site, parent }),
    ]
}

fn group() -> impl Strategy<Value = GroupSpec> {
    let grant = prop_oneof![
        (0..ROLES.len(), 0..SITES.len()).prop_map(|(role, site)| Grant::Role { role, site }),
        Just(Grant::Licence),
    ];
    (
        0..SITES.len(),
        proptest::collection::vec((0..CONDITIONS.len(), 0..1usize), 0..3),
        grant,
    )
        .prop_map(|(site, conditions, grant)| GroupSpec {
            site,
            conditions,
            grant,
        })
}

fn case() -> impl Strategy<Value = Case> {
    (
        prop_oneof![Just(1usize), Just(2usize), Just(3usize)],
        0..ROLES.len(),
        proptest::collection::vec(group(), 1..4),
        proptest::collection::vec(step(), 1..16),
    )
        .prop_map(|(actor_site, actor_role, groups, steps)| Case {
            actor_site,
            actor_role,
            groups,
            steps,
        })
}

fn cases() -> u32 {
    if std::env::var("LICENTIA_LONG").as_deref() == Ok("1") {
        400
    } else {
        24
    }
}

proptest! {
    #![proptest_config(Config {
        cases: cases(),
        rng_seed: RngSeed::Fixed(0x0001_ce17),
        failure_persistence: None,
        max_shrink_iters: 200,
        ..Config::default()
    })]

    #[test]
    fn should_never_let_a_subtree_administrator_climb(case in case()) {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let result = runtime.block_on(run_case(case));
        prop_assert!(result.is_ok(), "{}", result.err().unwrap_or_default());
    }
}

struct World {
    db: Db,
    sites: Vec<site::Model>,
    roles: Vec<role::Model>,
    actor: Principal,
    actor_id: i32,
    actor_site: i32,
    /// Accounts whose credentials the actor controls.
    controlled: HashSet<i32>,
    created: usize,
}

async fn run_case(case: Case) -> Result<(), String> {
    let db = fresh_sqlite().await;
    let mut w = setup(db, &case).await;
    recompute(&w).await?;
    let before = effective(&w).await;
    let licensed_before = licensed(&w.db).await;
    let held_by_actor: HashMap<i32, Permissions> =
        before.get(&w.actor_id).cloned().unwrap_or_default();
    if std::env::var("LICENTIA_TRACE_ESCALATION").is_ok() {
        eprintln!(
            "case: actor {} role {} groups {:?}",
            case.actor_site, case.actor_role, case.groups
        );
    }
    for (n, step) in case.steps.iter().enumerate() {
        if std::env::var("LICENTIA_TRACE_ESCALATION").is_ok() {
            eprintln!("{step:?}");
        }
        apply(&mut w, step, n)
            .await
            .map_err(|e| format!("{step:?}: {e}"))?;
        recompute(&w).await?;
        let now = effective(&w).await;
        let within_t = within(&w.db, w.actor_site).await;
        for (user, sites) in &now {
            for (site, permissions) in sites {
                let was = before
                    .get(user)
                    .and_then(|s| s.get(site))
                    .copied()
                    .unwrap_or_default();
                let gained: Permissions =
                    permissions.iter().filter(|p| !was.contains(*p)).collect();
                if gained.is_empty() {
                    continue;
                }
                let allowed = if within_t.contains(site) {
                    held_by_actor.get(site).copied().unwrap_or_default()
                } else {
                    Permissions::default()
                };
                if !allowed.includes(gained) {
                    return Err(format!(
                        "after {:?}: user {user} gained {:?} on site {site} (actor holds {:?})",
                        &case.steps[..=n],
                        gained.to_stored(),
                        allowed.to_stored()
                    ));
                }
            }
        }
        for user in &w.controlled {
            for (site, permissions) in now.get(user).into_iter().flatten() {
                let allowed = held_by_actor.get(site).copied().unwrap_or_default();
                if !allowed.includes(*permissions) {
                    return Err(format!(
                        "after {:?}: the actor controls user {user}, who holds {:?} on site {site}",
                        &case.steps[..=n],
                        permissions.to_stored()
                    ));
                }
            }
        }
        let licensed_now = licensed(&w.db).await;
        for (user, home) in &licensed_now {
            if licensed_before.contains_key(user) {
                continue;
            }
            let may_assign = held_by_actor
                .get(home)
                .is_some_and(|p| p.contains(Permission::LicencesAssign));
            if !may_assign {
                return Err(format!(
                    "after {:?}: user {user} got a licence in site {home}",
                    &case.steps[..=n]
                ));
            }
        }
    }
    Ok(())
}

async fn setup(db: Db, case: &Case) -> World {
    let demo = demo(&db).await;
    domain::demo::seed_licences(&db).await.unwrap();
    subscription::Entity::update_many()
        .col_expr(subscription::Column::Seats, Expr::value(1000))
        .exec(db.conn())
        .await
        .unwrap();
    // Room for everyone (set-up, not journaled): the schools get 300 seats each (2 and 3
    // before), which the root's count of used seats follows.
    site::Entity::update_many()
        .col_expr(site::Column::SeatLimit, Expr::value(10_000))
        .col_expr(
            site::Column::UsedSeats,
            Expr::col(site::Column::UsedSeats).add(600 - 5),
        )
        .filter(site::Column::ParentId.is_null())
        .exec(db.conn())
        .await
        .unwrap();
    site::Entity::update_many()
        .col_expr(site::Column::SeatLimit, Expr::value(300))
        .filter(site::Column::PublicId.is_in([demo.klimop, demo.regenboog]))
        .exec(db.conn())
        .await
        .unwrap();
    for (parent, name) in [
        (demo.klimop, "Klas A"),
        (demo.klimop, "Klas B"),
        (demo.regenboog, "Klas C"),
    ] {
        sites::create(
            &db,
            &demo.admin,
            parent,
            NewSiteForm {
                name: name.into(),
                seat_limit: "50".into(),
            },
        )
        .await
        .unwrap();
    }
    assert_counters_exact(&db).await;
    let mut sites_found = Vec::new();
    for name in SITES {
        sites_found.push(
            site::Entity::find()
                .filter(site::Column::Name.eq(name))
                .one(db.conn())
                .await
                .unwrap()
                .unwrap(),
        );
    }
    for (key, kind) in [("department", "text"), ("level", "number")] {
        properties::define(
            &db,
            &demo.admin,
            demo.root,
            DefinitionForm {
                key: key.into(),
                label_nl: key.into(),
                label_fr: key.into(),
                label_en: key.into(),
                kind: kind.into(),
                choices: String::new(),
                required: false,
            },
        )
        .await
        .unwrap();
    }
    let custom = role::ActiveModel {
        public_id: Set(Uuid::new_v4()),
        site_id: Set(Some(sites_found[0].id)),
        builtin_key: Set(None),
        name: Set(ROLES[2].into()),
        permissions: Set([
            Permission::UsersView,
            Permission::UsersManage,
            Permission::UsersImport,
            Permission::RolesAssign,
            Permission::LicencesView,
            Permission::LicencesAssign,
        ]
        .into_iter()
        .collect::<Permissions>()
        .to_stored()),
        ..Default::default()
    }
    .insert(db.conn())
    .await
    .unwrap();
    let builtin = |key: &'static str| {
        let db = db.clone();
        async move {
            role::Entity::find()
                .filter(role::Column::BuiltinKey.eq(key))
                .one(db.conn())
                .await
                .unwrap()
                .unwrap()
        }
    };
    let all_roles = vec![
        builtin(roles::ADMINISTRATOR).await,
        builtin(roles::LICENCE_MANAGER).await,
        custom,
    ];
    // Authority above the actor: directors placed in De Regenboog, De Klimop and Klas A
    // holding Administrator on the root, and an administrator of Klas A.
    for (at, name) in [(1, "director.a"), (2, "director.b"), (3, "director.c")] {
        let director = new_user(&db, sites_found[at].id, name).await;
        grant(&db, director, all_roles[0].id, sites_found[0].id).await;
    }
    let class_admin = new_user(&db, sites_found[3].id, "class.admin").await;
    grant(&db, class_admin, all_roles[0].id, sites_found[3].id).await;
    // Everyone has a personnel number (the value lines find users by it).
    let everyone = user::Entity::find().all(db.conn()).await.unwrap();
    for u in &everyone {
        user::Entity::update_many()
            .col_expr(
                user::Column::PersonnelNumber,
                Expr::value(format!("pn{}", u.id)),
            )
            .filter(user::Column::Id.eq(u.id))
            .exec(db.conn())
            .await
            .unwrap();
    }
    for (n, spec) in case.groups.iter().enumerate() {
        let (grant_product, grant_role, grant_site) = match &spec.grant {
            Grant::Licence => ("reader".to_string(), None, None),
            Grant::Role { role, site } => (
                String::new(),
                Some(all_roles[*role].public_id),
                Some(sites_found[*site].public_id),
            ),
        };
        let mut conditions: Vec<Condition> = spec
            .conditions
            .iter()
            .map(|(c, _)| {
                let (key, op, value) = CONDITIONS[*c];
                Condition {
                    key: KEYS[key].into(),
                    op,
                    value: value.into(),
                }
            })
            .collect();
        conditions.dedup();
        groups::save(
            &db,
            &demo.admin,
            GroupForm {
                id: None,
                site: sites_found[spec.site].public_id,
                name: format!("Group {n}"),
                conditions,
                active: true,
                schedule: "manual".into(),
                grant_product,
                grant_role,
                grant_site,
            },
        )
        .await
        .unwrap();
    }
    let actor_site = sites_found[case.actor_site].id;
    let actor_id = new_user(&db, actor_site, "actor").await;
    grant(&db, actor_id, all_roles[case.actor_role].id, actor_site).await;
    let actor = Principal::load(&db, actor_id).await.unwrap();
    World {
        db,
        sites: sites_found,
        roles: all_roles,
        actor,
        actor_id,
        actor_site,
        controlled: HashSet::from([actor_id]),
        created: 0,
    }
}

async fn new_user(db: &Db, site_id: i32, username: &str) -> i32 {
    let new_user = user_form(username).validate().await.unwrap();
    let txn = db.write().await.unwrap();
    let created = users::insert_unchecked(&*txn, site_id, new_user)
        .await
        .unwrap();
    txn.commit().await.unwrap();
    created.id
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

/// The user at `index`: four times in five one of the actor's subtree (where operations can
/// succeed), else any user of the organisation, in id order.
async fn pick(w: &World, index: usize) -> user::Model {
    let all = user::Entity::find()
        .filter(user::Column::IsOperator.eq(false))
        .order_by_asc(user::Column::Id)
        .all(w.db.conn())
        .await
        .unwrap();
    let inside_sites = within(&w.db, w.actor_site).await;
    let inside: Vec<&user::Model> = all
        .iter()
        .filter(|u| inside_sites.contains(&u.site_id))
        .collect();
    if !index.is_multiple_of(5) && !inside.is_empty() {
        inside[(index / 5) % inside.len()].clone()
    } else {
        all[index % all.len()].clone()
    }
}

/// The site at `index`, likewise: mostly one of the actor's subtree.
async fn pick_site(w: &World, index: usize) -> Uuid {
    let inside_sites = within(&w.db, w.actor_site).await;
    let inside: Vec<&site::Model> = w
        .sites
        .iter()
        .filter(|s| inside_sites.contains(&s.id))
        .collect();
    if !index.is_multiple_of(4) && !inside.is_empty() {
        inside[(index / 4) % inside.len()].public_id
    } else {
        w.sites[index % w.sites.len()].public_id
    }
}

/// Refusals are expected; anything else (an internal error) fails the case.
fn expected(result: Result<(), Error>) -> Result<bool, String> {
    if std::env::var("LICENTIA_TRACE_ESCALATION").is_ok() {
        eprintln!("  -> {result:?}");
    }
    match result {
        Ok(()) => Ok(true),
        Err(Error::Internal(e)) => Err(e),
        Err(_) => Ok(false),
    }
}

async fn apply(w: &mut World, step: &Step, n: usize) -> Result<(), String> {
    let db = w.db.clone();
    let p = w.actor.clone();
    match step {
        Step::Create { site: s } => {
            w.created += 1;
            let mut form = user_form(&format!("made{n}x{}", w.created));
            form.password = "Geheim-wachtwoord-1".into();
            let made = users::create(&db, &p, pick_site(w, *s).await, form).await;
            if std::env::var("LICENTIA_TRACE_ESCALATION").is_ok() {
                eprintln!("create -> {:?}", made.as_ref().map(|r| r.id));
            }
            if let Ok(row) = made {
                w.controlled.insert(row.id);
            } else if let Err(Error::Internal(e)) = made {
                return Err(e);
            }
        }
        Step::SetValue { user, key, value } => {
            let u = pick(w, *user).await;
            expected(
                properties::set_values(
                    &db,
                    &p,
                    u.public_id,
                    &[(KEYS[*key].into(), VALUES[*value].into())],
                )
                .await,
            )?;
        }
        Step::ValueLine { user, key, value } => {
            let u = pick(w, *user).await;
            let line = format!(
                "{};{};{}\n",
                u.personnel_number.unwrap_or_default(),
                KEYS[*key],
                VALUES[*value]
            );
            let home = sites::public_id_of(&db, w.actor_site).await.unwrap();
            expected(
                properties::import_values(&db, &p, home, line.as_bytes())
                    .await
                    .map(|_| ()),
            )?;
        }
        Step::Move { user, site: s } => {
            let u = pick(w, *user).await;
            let home = sites::public_id_of(&db, w.actor_site).await.unwrap();
            expected(
                users::bulk(
                    &db,
                    &p,
                    home,
                    Selection::Users(vec![u.public_id]),
                    BulkAction::Move(pick_site(w, *s).await),
                )
                .await
                .map(|_| ()),
            )?;
        }
        Step::Deactivate { user } | Step::Activate { user } => {
            let u = pick(w, *user).await;
            let active = matches!(step, Step::Activate { .. });
            expected(users::set_active(&db, &p, u.public_id, active).await)?;
        }
        Step::Grant {
            user,
            site: s,
            role,
        } => {
            let u = pick(w, *user).await;
            expected(
                roles::set_user_grants(
                    &db,
                    &p,
                    u.public_id,
                    pick_site(w, *s).await,
                    vec![w.roles[*role].public_id],
                )
                .await
                .map(|_| ()),
            )?;
        }
        Step::Token { user } => {
            let u = pick(w, *user).await;
            let issued = api_tokens::issue(
                &db,
                &p,
                u.public_id,
                api_tokens::NewToken {
                    name: "Mine".into(),
                    expires_on: String::new(),
                    ..Default::default()
                },
                wire::time::today(),
            )
            .await
            .map(|_| ());
            if expected(issued)? {
                w.controlled.insert(u.id);
            }
        }
        Step::ImportPassword { user } => {
            let u = pick(w, *user).await;
            let before = u.password_hash.clone();
            import_lines(
                w,
                &format!(
                    "Actie;Gebruikersnaam;Wachtwoord\n*;{};Nieuw-wachtwoord-9\n",
                    u.username
                ),
            )
            .await?;
            let after = user::Entity::find_by_id(u.id).one(db.conn()).await.unwrap();
            if after.is_some_and(|a| a.password_hash != before) {
                w.controlled.insert(u.id);
            }
        }
        Step::ImportRole { user, role } => {
            let u = pick(w, *user).await;
            import_lines(
                w,
                &format!(
                    "Actie;Gebruikersnaam;Rollen\n*;{};{}\n",
                    u.username, w.roles[*role].name
                ),
            )
            .await?;
        }
        Step::MoveSite { site: s, parent } => {
            expected(
                sites::move_site(&db, &p, pick_site(w, *s).await, pick_site(w, *parent).await)
                    .await
                    .map(|_| ()),
            )?;
        }
    }
    Ok(())
}

/// Imports `csv` into the actor's site to its end, as the worker does.
async fn import_lines(w: &World, csv: &str) -> Result<(), String> {
    let home = sites::public_id_of(&w.db, w.actor_site).await.unwrap();
    let upload = Upload {
        file_name: "rows.csv".into(),
        content: csv.as_bytes().to_vec(),
        options: Options {
            mode: Mode::AddAndUpdate,
            allow_deletes: false,
            sync: false,
        },
        locale: "en".into(),
        teacher_role: None,
    };
    let run = match import::start(&w.db, &w.actor, home, upload, Limits::default()).await {
        Ok(run) => run,
        Err(Error::Internal(e)) => return Err(e),
        Err(_) => return Ok(()),
    };
    let run_id = domain::entities::import_run::Entity::find()
        .filter(domain::entities::import_run::Column::PublicId.eq(run))
        .one(w.db.conn())
        .await
        .unwrap()
        .unwrap()
        .id;
    let mut applier = Applier::load(&w.db, run_id, 10).await.unwrap().unwrap();
    while applier.step(&w.db).await.map_err(|e| format!("{e:?}"))? {}
    Ok(())
}

/// Every group runs, as the scheduler would.
async fn recompute(w: &World) -> Result<(), String> {
    for group in dynamic_group::Entity::find()
        .all(w.db.conn())
        .await
        .unwrap()
    {
        groups::recompute_unchecked(&w.db, group.id, RunOptions::default(), || async { Ok(()) })
            .await
            .map_err(|e| format!("group run: {e:?}"))?;
    }
    Ok(())
}

/// Each user's permissions on each site (the union of their grants on its ancestry).
async fn effective(w: &World) -> HashMap<i32, HashMap<i32, Permissions>> {
    let closure = site_closure::Entity::find().all(w.db.conn()).await.unwrap();
    let grants = role_grant::Entity::find()
        .find_also_related(role::Entity)
        .all(w.db.conn())
        .await
        .unwrap();
    let mut found: HashMap<i32, HashMap<i32, Permissions>> = HashMap::new();
    for (grant, role) in grants {
        let permissions = role
            .map(|r| Permissions::parse(&r.permissions))
            .unwrap_or_default();
        for row in closure.iter().filter(|c| c.ancestor_id == grant.site_id) {
            let at = found
                .entry(grant.user_id)
                .or_default()
                .entry(row.descendant_id)
                .or_default();
            *at = at.union(permissions);
        }
    }
    found
}

/// The sites in the subtree of `top` now.
async fn within(db: &Db, top: i32) -> HashSet<i32> {
    site_closure::Entity::find()
        .filter(site_closure::Column::AncestorId.eq(top))
        .all(db.conn())
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.descendant_id)
        .collect()
}

/// Users holding a licence, with their home site.
async fn licensed(db: &Db) -> HashMap<i32, i32> {
    let holders: HashSet<i32> = licence::Entity::find()
        .all(db.conn())
        .await
        .unwrap()
        .into_iter()
        .map(|l| l.user_id)
        .collect();
    user::Entity::find()
        .filter(user::Column::Id.is_in(holders))
        .all(db.conn())
        .await
        .unwrap()
        .into_iter()
        .map(|u| (u.id, u.site_id))
        .collect()
}

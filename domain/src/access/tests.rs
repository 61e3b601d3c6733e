//! The access decisions as a table: every operation × every kind of principal.
use super::*;
use crate::identity::{Actor, Grant};
use crate::Code;

const ROOT: i32 = 1;
const REGENBOOG: i32 = 2;
const KLIMOP: i32 = 3;

fn scope(site: i32) -> SiteScope {
    SiteScope {
        ancestry: match site {
            ROOT => vec![ROOT],
            other => vec![other, ROOT],
        },
    }
}

fn actor(user_id: i32, site_id: i32, grants: Vec<Grant>) -> Principal {
    Principal::User(Actor {
        user_id,
        site_id,
        username: format!("u{user_id}"),
        operator: false,
        grants,
        client_address: None,
        must_change_password: false,
    })
}

fn admin_of(site: i32) -> Principal {
    actor(
        100 + site,
        site,
        vec![Grant {
            site_id: site,
            permissions: Permissions::all(),
        }],
    )
}

fn principals() -> Vec<(&'static str, Principal)> {
    vec![
        ("anonymous", Principal::Anonymous),
        ("plain user", actor(7, REGENBOOG, vec![])),
        ("sibling subsite admin", admin_of(KLIMOP)),
        ("subsite admin", admin_of(REGENBOOG)),
        ("parent admin", admin_of(ROOT)),
        (
            "licence manager of root",
            actor(
                8,
                ROOT,
                vec![Grant {
                    site_id: ROOT,
                    permissions: [Permission::SitesView, Permission::UsersView]
                        .into_iter()
                        .collect(),
                }],
            ),
        ),
    ]
}

/// What each operation asks of `access`: the permission and the site it is checked on.
fn operations() -> Vec<(&'static str, Operation, SiteScope)> {
    vec![
        (
            "view tree/details of De Regenboog",
            Operation::ViewSites,
            scope(REGENBOOG),
        ),
        ("edit De Regenboog", Operation::EditSite, scope(REGENBOOG)),
        (
            "create subsite under root",
            Operation::CreateSite,
            scope(ROOT),
        ),
        (
            "change seats/delete De Regenboog (parent)",
            Operation::ResizeSite,
            scope(ROOT),
        ),
        (
            "list users of De Regenboog",
            Operation::ListUsers,
            scope(REGENBOOG),
        ),
        (
            "create/activate/delete user in De Regenboog",
            Operation::CreateUser,
            scope(REGENBOOG),
        ),
        ("list users of root", Operation::ListUsers, scope(ROOT)),
    ]
}

#[derive(Debug, PartialEq)]
enum Outcome {
    Allow,
    NotFound,
    Forbidden,
    Unauthenticated,
}

fn outcome(result: Result<()>) -> Outcome {
    match result {
        Ok(()) => Outcome::Allow,
        Err(Error::NotFound) => Outcome::NotFound,
        Err(Error::Forbidden) => Outcome::Forbidden,
        Err(Error::Unauthenticated) => Outcome::Unauthenticated,
        Err(other) => panic!("unexpected {other:?}"),
    }
}

#[test]
fn should_decide_every_operation_for_every_principal() {
    use Outcome::*;
    // Rows: operations; columns: principals in the order of `principals()`.
    let expected: [[Outcome; 6]; 7] = [
        [Unauthenticated, NotFound, NotFound, Allow, Allow, Allow],
        [Unauthenticated, NotFound, NotFound, Allow, Allow, Forbidden],
        [
            Unauthenticated,
            NotFound,
            NotFound,
            NotFound,
            Allow,
            Forbidden,
        ],
        [
            Unauthenticated,
            NotFound,
            NotFound,
            NotFound,
            Allow,
            Forbidden,
        ],
        [Unauthenticated, NotFound, NotFound, Allow, Allow, Allow],
        [Unauthenticated, NotFound, NotFound, Allow, Allow, Forbidden],
        [Unauthenticated, NotFound, NotFound, NotFound, Allow, Allow],
    ];
    let principals = principals();
    for ((operation, permission, target), row) in operations().into_iter().zip(expected) {
        for ((who, principal), want) in principals.iter().zip(row) {
            let got = outcome(require(principal, permission, &target));
            assert_eq!(got, want, "{operation} by {who}");
        }
    }
}

#[test]
fn should_list_only_granted_subtrees() {
    assert_eq!(
        readable(&admin_of(KLIMOP), Operation::ListUsers).ok(),
        Some(Readable::Subtrees(vec![KLIMOP]))
    );
    assert!(readable(&Principal::Anonymous, Operation::ListUsers).is_err());
    let plain = &principals()[1].1;
    assert_eq!(
        readable(plain, Operation::ViewSites).ok(),
        Some(Readable::Subtrees(vec![]))
    );
}

#[test]
fn should_refuse_acting_on_oneself() {
    let admin = admin_of(ROOT);
    assert!(matches!(
        require_not_self(&admin, 101, Code::CannotDeleteSelf),
        Err(Error::Refused(Code::CannotDeleteSelf))
    ));
    assert!(require_not_self(&admin, 5, Code::CannotDeleteSelf).is_ok());
}

#[test]
fn should_round_trip_stored_permissions() {
    let all = Permissions::all();
    assert_eq!(Permissions::parse(&all.to_stored()), all);
    assert!(Permissions::parse("sites.view,bogus").contains(Permission::SitesView));
}

#[test]
fn should_let_operators_do_everything_but_act_on_themselves() {
    let operator = Principal::User(Actor {
        operator: true,
        ..match actor(9, ROOT, vec![]) {
            Principal::User(a) => a,
            Principal::Anonymous => unreachable!(),
        }
    });
    for operation in Operation::ALL {
        assert!(
            allows(&operator, *operation, &scope(KLIMOP)),
            "{operation:?}"
        );
    }
    assert_eq!(
        readable(&operator, Operation::ListUsers).ok(),
        Some(Readable::All)
    );
    assert!(require_not_self(&operator, 9, Code::CannotDeleteSelf).is_err());
}

#[test]
fn should_refuse_handing_out_permissions_not_held() {
    let manager = &principals()[5].1;
    let view: Permissions = [Permission::UsersView].into_iter().collect();
    assert!(require_held(manager, &scope(REGENBOOG), view).is_ok());
    assert!(matches!(
        require_held(manager, &scope(REGENBOOG), Permissions::all()),
        Err(Error::Refused(Code::PermissionNotHeld))
    ));
    assert!(require_held(&admin_of(KLIMOP), &scope(REGENBOOG), view).is_err());
}

#[test]
fn should_group_every_permission_in_its_area() {
    for permission in Permission::ALL {
        assert!(permission.code().starts_with(permission.category().code()));
    }
}

fn authority(grants: &[(i32, Permissions)]) -> Authority {
    Authority {
        operator: false,
        grants: grants.iter().map(|(s, p)| (scope(*s), *p)).collect(),
    }
}

fn of(permissions: &[Permission]) -> Permissions {
    permissions.iter().copied().collect()
}

/// Rule 1 as a table: actor × target, `true` where the actor's authority contains the
/// target's (wherever the target is placed).
#[test]
fn should_contain_a_target_only_when_every_grant_is_held_by_the_actor_there() {
    let licence_manager = of(&[
        Permission::SitesView,
        Permission::UsersView,
        Permission::LicencesView,
        Permission::LicencesAssign,
    ]);
    let custom = of(&[Permission::UsersView, Permission::UsersManage]);
    let custom_actor = actor(
        9,
        REGENBOOG,
        vec![Grant {
            site_id: REGENBOOG,
            permissions: custom,
        }],
    );
    let parent_licence_manager = actor(
        10,
        ROOT,
        vec![Grant {
            site_id: ROOT,
            permissions: licence_manager,
        }],
    );
    let targets: Vec<(&str, Authority)> = vec![
        ("plain user", authority(&[])),
        (
            "user role only",
            authority(&[(REGENBOOG, Permissions::default())]),
        ),
        ("peer admin", authority(&[(REGENBOOG, Permissions::all())])),
        (
            "placed below, administrator above",
            authority(&[(ROOT, Permissions::all())]),
        ),
        (
            "licence manager of the subsite",
            authority(&[(REGENBOOG, licence_manager)]),
        ),
        (
            "custom role of the subsite",
            authority(&[(REGENBOOG, custom)]),
        ),
        (
            "service account with the application role",
            authority(&[(REGENBOOG, of(&[Permission::AppsConnect]))]),
        ),
        (
            "admin of the sibling",
            authority(&[(KLIMOP, Permissions::all())]),
        ),
        (
            "operator",
            Authority {
                operator: true,
                grants: Vec::new(),
            },
        ),
    ];
    let actors: Vec<(&str, Principal, [bool; 9])> = vec![
        (
            "subsite admin",
            admin_of(REGENBOOG),
            [true, true, true, false, true, true, true, false, false],
        ),
        (
            "parent admin",
            admin_of(ROOT),
            [true, true, true, true, true, true, true, true, false],
        ),
        (
            "licence manager of the parent",
            parent_licence_manager,
            [true, true, false, false, true, false, false, false, false],
        ),
        (
            "custom role (users) of the subsite",
            custom_actor,
            [true, true, false, false, false, true, false, false, false],
        ),
        (
            "operator",
            Principal::User(Actor {
                operator: true,
                ..match actor(1, ROOT, vec![]) {
                    Principal::User(a) => a,
                    Principal::Anonymous => unreachable!(),
                }
            }),
            [true; 9],
        ),
    ];
    for (actor_name, principal, expected) in &actors {
        for ((target_name, target), want) in targets.iter().zip(expected) {
            assert_eq!(
                contains(principal, target),
                *want,
                "{actor_name} over {target_name}"
            );
            let decision = require_contains(principal, target);
            assert_eq!(decision.is_ok(), *want);
            if !want {
                assert_eq!(decision, Err(Error::Refused(Code::UserOutOfReach)));
            }
        }
    }
}

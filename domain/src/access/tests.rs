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

fn admin_of(site: i32) -> Principal {
    Principal::User(Actor {
        user_id: 100 + site,
        site_id: site,
        grants: vec![Grant {
            site_id: site,
            permissions: Permissions::all(),
        }],
    })
}

fn principals() -> Vec<(&'static str, Principal)> {
    vec![
        ("anonymous", Principal::Anonymous),
        (
            "plain user",
            Principal::User(Actor {
                user_id: 7,
                site_id: REGENBOOG,
                grants: vec![],
            }),
        ),
        ("sibling subsite admin", admin_of(KLIMOP)),
        ("subsite admin", admin_of(REGENBOOG)),
        ("parent admin", admin_of(ROOT)),
        (
            "licence manager of root",
            Principal::User(Actor {
                user_id: 8,
                site_id: ROOT,
                grants: vec![Grant {
                    site_id: ROOT,
                    permissions: [Permission::SitesView, Permission::UsersView]
                        .into_iter()
                        .collect(),
                }],
            }),
        ),
    ]
}

/// What each operation asks of `access`: the permission and the site it is checked on.
fn operations() -> Vec<(&'static str, Permission, SiteScope)> {
    vec![
        (
            "view tree/details of De Regenboog",
            Permission::SitesView,
            scope(REGENBOOG),
        ),
        (
            "edit De Regenboog",
            Permission::SitesManage,
            scope(REGENBOOG),
        ),
        (
            "create subsite under root",
            Permission::SitesManage,
            scope(ROOT),
        ),
        (
            "change seats/delete De Regenboog (parent)",
            Permission::SitesManage,
            scope(ROOT),
        ),
        (
            "list users of De Regenboog",
            Permission::UsersView,
            scope(REGENBOOG),
        ),
        (
            "create/activate/delete user in De Regenboog",
            Permission::UsersManage,
            scope(REGENBOOG),
        ),
        ("list users of root", Permission::UsersView, scope(ROOT)),
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
        readable_roots(&admin_of(KLIMOP), Permission::UsersView).ok(),
        Some(vec![KLIMOP])
    );
    assert!(readable_roots(&Principal::Anonymous, Permission::UsersView).is_err());
    let plain = &principals()[1].1;
    assert_eq!(
        readable_roots(plain, Permission::SitesView).ok(),
        Some(vec![])
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

//! Custom roles and grants: the rules on who may hand out what.
use domain::access::Permission;
use domain::roles::{self, RoleForm};
use domain::{sites, Code, Error, Principal};

use crate::db_test;
use crate::helpers::*;

fn form(name: &str, permissions: &[Permission]) -> RoleForm {
    RoleForm {
        name: name.into(),
        permissions: permissions.iter().map(|p| p.code().to_string()).collect(),
    }
}

async fn role_id(db: &domain::Db, principal: &Principal, name: &str) -> uuid::Uuid {
    roles::list(db, principal)
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.name == name)
        .unwrap()
        .id
}

db_test!(
    should_refuse_granting_permissions_one_does_not_hold,
    |db: domain::Db| async move {
        let demo = demo(&db).await;
        let assigner_role = roles::create(
            &db,
            &demo.admin,
            demo.klimop,
            form(
                "Assigner",
                &[
                    Permission::UsersView,
                    Permission::RolesView,
                    Permission::RolesAssign,
                ],
            ),
        )
        .await
        .unwrap();
        let assigner = admin_of(&db, demo.klimop, "assigner").await;
        let assigner_user = assigner.user_id().unwrap();
        // Take the Administrator grant away again, give the narrow role instead.
        let assigner_public = user_public_id(&db, assigner_user).await;
        roles::set_user_grants(
            &db,
            &demo.admin,
            assigner_public,
            demo.klimop,
            vec![assigner_role.id],
        )
        .await
        .unwrap();
        let assigner = Principal::load(&db, assigner_user).await.unwrap();
        let teacher = create_user(&db, &demo.admin, demo.klimop, "teacher").await;
        let administrator = role_id(&db, &demo.admin, "Administrator").await;
        let user_role = role_id(&db, &demo.admin, "User").await;

        let refused =
            roles::set_user_grants(&db, &assigner, teacher, demo.klimop, vec![administrator])
                .await
                .unwrap_err();
        assert!(
            matches!(refused, Error::Refused(Code::PermissionNotHeld)),
            "{refused:?}"
        );
        let granted = roles::set_user_grants(&db, &assigner, teacher, demo.klimop, vec![user_role])
            .await
            .unwrap();
        assert!(granted
            .options
            .iter()
            .any(|o| o.name == "User" && o.granted));
        assert!(granted
            .options
            .iter()
            .any(|o| o.name == "Administrator" && !o.assignable));
        // Nor may they put permissions they lack into a role.
        let refused = roles::create(
            &db,
            &assigner,
            demo.klimop,
            form("Sneaky", &[Permission::SitesManage]),
        )
        .await
        .unwrap_err();
        assert!(
            matches!(refused, Error::NotFound | Error::Forbidden),
            "{refused:?}"
        );
        // Outside their subtree a grant is not found.
        let refused =
            roles::set_user_grants(&db, &assigner, teacher, demo.regenboog, vec![user_role])
                .await
                .unwrap_err();
        assert!(matches!(refused, Error::NotFound), "{refused:?}");
    }
);

db_test!(
    should_refuse_removing_ones_own_last_administrator_grant,
    |db: domain::Db| async move {
        let demo = demo(&db).await;
        let me = user_public_id(&db, demo.admin.user_id().unwrap()).await;
        let refused = roles::set_user_grants(&db, &demo.admin, me, demo.root, vec![])
            .await
            .unwrap_err();
        assert!(
            matches!(
                refused,
                Error::Refused(Code::CannotRemoveOwnLastAdministrator)
            ),
            "{refused:?}"
        );
        let administrator = role_id(&db, &demo.admin, "Administrator").await;
        // With a second Administrator grant elsewhere, the first one may go.
        roles::set_user_grants(&db, &demo.admin, me, demo.klimop, vec![administrator])
            .await
            .unwrap();
        roles::set_user_grants(&db, &demo.admin, me, demo.root, vec![])
            .await
            .unwrap();
        let me_now = Principal::load(&db, demo.admin.user_id().unwrap())
            .await
            .unwrap();
        let tree = sites::tree(&db, &me_now).await.unwrap();
        assert_eq!(tree.len(), 1, "only De Klimop is left");
    }
);

db_test!(
    should_refuse_deleting_a_granted_role_and_say_where,
    |db: domain::Db| async move {
        let demo = demo(&db).await;
        let role = roles::create(
            &db,
            &demo.admin,
            demo.root,
            form("Timetable reader", &[Permission::SitesView]),
        )
        .await
        .unwrap();
        let taken = roles::create(&db, &demo.admin, demo.root, form(" Timetable reader ", &[]))
            .await
            .unwrap_err();
        assert!(
            matches!(
                taken,
                Error::Validation {
                    field: "name",
                    code: Code::RoleNameTaken
                }
            ),
            "{taken:?}"
        );
        let teacher = create_user(&db, &demo.admin, demo.klimop, "teacher").await;
        roles::set_user_grants(&db, &demo.admin, teacher, demo.klimop, vec![role.id])
            .await
            .unwrap();
        let refused = roles::delete(&db, &demo.admin, role.id).await.unwrap_err();
        match &refused {
            Error::RefusedAt(Code::RoleInUse, places) => {
                assert_eq!(places, &["Test User (teacher) — De Klimop".to_string()]);
            }
            other => panic!("expected role_in_use, got {other:?}"),
        }
        let members = roles::members(&db, &demo.admin, role.id).await.unwrap();
        assert_eq!(members.len(), 1);
        roles::set_user_grants(&db, &demo.admin, teacher, demo.klimop, vec![])
            .await
            .unwrap();
        roles::delete(&db, &demo.admin, role.id).await.unwrap();
        let builtin = role_id(&db, &demo.admin, "Administrator").await;
        assert!(matches!(
            roles::delete(&db, &demo.admin, builtin).await,
            Err(Error::Refused(Code::BuiltinRoleReadOnly))
        ));
    }
);

db_test!(
    should_offer_roles_of_the_site_and_its_ancestors_only,
    |db: domain::Db| async move {
        let demo = demo(&db).await;
        let group_role = roles::create(&db, &demo.admin, demo.root, form("Group role", &[]))
            .await
            .unwrap();
        let regenboog_role = roles::create(
            &db,
            &demo.admin,
            demo.regenboog,
            form("Regenboog role", &[]),
        )
        .await
        .unwrap();
        let klimop_admin = admin_of(&db, demo.klimop, "klimop.admin").await;
        let teacher = create_user(&db, &demo.admin, demo.klimop, "teacher").await;
        let offered = roles::user_grants(&db, &klimop_admin, teacher, None)
            .await
            .unwrap();
        let names: Vec<&str> = offered.options.iter().map(|o| o.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "Administrator",
                "Licence manager",
                "Application",
                "User",
                "Group role"
            ]
        );
        roles::set_user_grants(
            &db,
            &klimop_admin,
            teacher,
            demo.klimop,
            vec![group_role.id],
        )
        .await
        .unwrap();
        let foreign = roles::set_user_grants(
            &db,
            &klimop_admin,
            teacher,
            demo.klimop,
            vec![regenboog_role.id],
        )
        .await
        .unwrap_err();
        assert!(matches!(foreign, Error::NotFound), "{foreign:?}");
        // The group's role is not the Klimop administrator's to edit.
        let edit = roles::update(&db, &klimop_admin, group_role.id, form("Mine", &[]))
            .await
            .unwrap_err();
        assert!(matches!(edit, Error::NotFound), "{edit:?}");
    }
);

async fn user_public_id(db: &domain::Db, id: i32) -> uuid::Uuid {
    use sea_orm::EntityTrait;
    domain::entities::user::Entity::find_by_id(id)
        .one(db.conn())
        .await
        .unwrap()
        .unwrap()
        .public_id
}

async fn create_user(
    db: &domain::Db,
    admin: &Principal,
    site: uuid::Uuid,
    username: &str,
) -> uuid::Uuid {
    domain::users::create(db, admin, site, user_form(username))
        .await
        .unwrap()
        .public_id
}

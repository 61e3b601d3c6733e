//! SCIM 2.0 through the real router, as an identity provider uses it: look the user up by
//! externalId, create them, read them back; a taken id, a bad filter, a full site and a
//! missing token answered in SCIM's error form.
use http::StatusCode;
use serde_json::{json, Value};

use crate::foreign_ids::world;
use crate::support::http as http_support;

fn barbara(user_name: &str, external_id: &str) -> String {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": user_name,
        "externalId": external_id,
        "name": {"givenName": "Barbara", "familyName": "Jensen"},
        "emails": [{"value": format!("{user_name}@klimop.example"), "type": "work", "primary": true}],
        "active": true
    })
    .to_string()
}

async fn send(
    w: &crate::foreign_ids::World,
    token: &str,
    method: &str,
    path: &str,
    body: Option<String>,
) -> (StatusCode, Value) {
    let (status, bytes) = http_support::api(&w.app, token, method, path, body).await;
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn should_provision_users_as_an_identity_provider_does() {
    let (w, _) = world().await;
    let token = w.token.clone();
    let lookup = "/scim/v2/Users?filter=externalId%20eq%20%22entra-1%22";
    let (status, list) = send(&w, &token, "GET", lookup, None).await;
    assert_eq!(
        (status, list["totalResults"].as_u64()),
        (StatusCode::OK, Some(0))
    );

    let (status, made) = send(
        &w,
        &token,
        "POST",
        "/scim/v2/Users",
        Some(barbara("bjensen", "entra-1")),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{made}");
    assert_eq!(made["userName"], "bjensen");
    assert_eq!(made["externalId"], "entra-1");
    let id = made["id"].as_str().unwrap().to_string();
    assert_eq!(made["meta"]["location"], format!("/scim/v2/Users/{id}"));

    let (status, list) = send(&w, &token, "GET", lookup, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list["totalResults"], 1);
    assert_eq!(list["Resources"][0]["id"], id.as_str());
    let (status, read) = send(&w, &token, "GET", &format!("/scim/v2/Users/{id}"), None).await;
    assert_eq!((status, read), (StatusCode::OK, made));

    // A taken external id: SCIM's uniqueness, nothing created.
    let (status, error) = send(
        &w,
        &token,
        "POST",
        "/scim/v2/Users",
        Some(barbara("other", "entra-1")),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(error["scimType"], "uniqueness");
    assert_eq!(error["status"], "409");
    assert_eq!(
        error["schemas"][0],
        "urn:ietf:params:scim:api:messages:2.0:Error"
    );
    // A filter that is none.
    let (status, error) = send(
        &w,
        &token,
        "GET",
        "/scim/v2/Users?filter=userName%20eq",
        None,
    )
    .await;
    assert_eq!(
        (status, error["scimType"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalidFilter"))
    );
    // De Klimop had two free seats: one more, then it is full.
    let (status, _) = send(
        &w,
        &token,
        "POST",
        "/scim/v2/Users",
        Some(barbara("second", "entra-2")),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, error) = send(
        &w,
        &token,
        "POST",
        "/scim/v2/Users",
        Some(barbara("third", "entra-3")),
    )
    .await;
    assert_eq!(
        (status.is_client_error(), error["code"].as_str()),
        (true, Some("no_free_seat"))
    );
    assert!(domain::sites::seat_counter_mismatches(&w.db)
        .await
        .unwrap()
        .is_empty());
    // A provider's delete deactivates: the user reads back inactive.
    let (status, _) = send(&w, &token, "DELETE", &format!("/scim/v2/Users/{id}"), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, read) = send(&w, &token, "GET", &format!("/scim/v2/Users/{id}"), None).await;
    assert_eq!(read["active"], false);
    // Without a token: 401, SCIM's form, the challenge.
    let (status, error) = send(&w, "", "GET", "/scim/v2/Users", None).await;
    assert_eq!(
        (status, error["status"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("401"))
    );
    let (status, config) = send(&w, &token, "GET", "/scim/v2/ServiceProviderConfig", None).await;
    assert_eq!(
        (status, config["filter"]["supported"].as_bool()),
        (StatusCode::OK, Some(true))
    );
}

/// Gives De Klimop `free` free seats (its limit raised within the root's).
async fn free_seats(db: &domain::Db, klimop: uuid::Uuid, free: i32) {
    use domain::entities::site;
    use sea_orm::{ActiveModelTrait, Set};
    let resolved = domain::sites::resolve(db, klimop).await.unwrap();
    let parent = resolved.ancestors[1].clone();
    let grow = resolved.site.used_seats + free - resolved.site.seat_limit;
    let mut root: site::ActiveModel = parent.clone().into();
    root.seat_limit = Set(parent.seat_limit + grow.max(0));
    root.used_seats = Set(parent.used_seats + grow);
    root.update(db.conn()).await.unwrap();
    let mut row: site::ActiveModel = resolved.site.clone().into();
    row.seat_limit = Set(resolved.site.used_seats + free);
    row.update(db.conn()).await.unwrap();
    assert!(domain::sites::seat_counter_mismatches(db)
        .await
        .unwrap()
        .is_empty());
}

fn patch(operations: Value) -> String {
    json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": operations})
        .to_string()
}

/// What Microsoft Entra ID sends, as its SCIM validator replays it (users: lookup, create,
/// read, PATCH of the work address and the family name, PATCH of `active` as the string
/// "False", the manager it sends and we do not keep, delete; groups: create with an
/// externalId, lookup without members, rename, member added and removed as lists of values).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn should_answer_what_entra_id_sends() {
    let (w, ids) = world().await;
    free_seats(&w.db, ids.klimop, 5).await;
    let t = w.token.clone();
    let enterprise = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
    let (status, found) = send(
        &w,
        &t,
        "GET",
        "/scim/v2/Users?filter=userName+eq+%22test_user_dfeef4c5%22",
        None,
    )
    .await;
    assert_eq!(
        (status, found["totalResults"].as_u64()),
        (StatusCode::OK, Some(0))
    );
    let created = json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", enterprise],
        "externalId": "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
        "userName": "test_user_dfeef4c5",
        "active": true,
        "emails": [{"primary": true, "type": "work", "value": "test_user@klimop.example"}],
        "meta": {"resourceType": "User"},
        "name": {"formatted": "givenName familyName", "familyName": "familyName", "givenName": "givenName"},
        "roles": [],
        enterprise: {"employeeNumber": "P-1"}
    });
    let (status, user) = send(&w, &t, "POST", "/scim/v2/Users", Some(created.to_string())).await;
    assert_eq!(status, StatusCode::CREATED, "{user}");
    let id = user["id"].as_str().unwrap().to_string();
    let at = format!("/scim/v2/Users/{id}");
    let (status, _) = send(&w, &t, "GET", &at, None).await;
    assert_eq!(status, StatusCode::OK);
    let (status, user) = send(
        &w,
        &t,
        "PATCH",
        &at,
        Some(patch(json!([
            {"op": "Replace", "path": "emails[type eq \"work\"].value", "value": "updated@klimop.example"},
            {"op": "Replace", "path": "name.familyName", "value": "updatedFamilyName"}
        ]))),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{user}");
    assert_eq!(user["emails"][0]["value"], "updated@klimop.example");
    assert_eq!(user["name"]["familyName"], "updatedFamilyName");
    assert_eq!(user[enterprise]["employeeNumber"], "P-1");
    let (status, user) = send(
        &w,
        &t,
        "PATCH",
        &at,
        Some(patch(json!([
            {"op": "Add", "path": format!("{enterprise}:manager"), "value": "someone"},
            {"op": "Replace", "path": "active", "value": "False"}
        ]))),
    )
    .await;
    assert_eq!(
        (status, user["active"].as_bool()),
        (StatusCode::OK, Some(false)),
        "{user}"
    );
    // Google's and Okta's form: no path, a value object.
    let (status, user) = send(
        &w,
        &t,
        "PATCH",
        &at,
        Some(patch(json!([{"op": "replace", "value": {"active": true}}]))),
    )
    .await;
    assert_eq!(
        (status, user["active"].as_bool()),
        (StatusCode::OK, Some(true))
    );

    // Groups.
    let (status, group) = send(
        &w,
        &t,
        "POST",
        "/scim/v2/Groups",
        Some(
            json!({
                "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
                "externalId": "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159",
                "displayName": "Klas 3A",
                "meta": {"resourceType": "Group"}
            })
            .to_string(),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{group}");
    let group_id = group["id"].as_str().unwrap().to_string();
    let group_at = format!("/scim/v2/Groups/{group_id}");
    let (status, read) = send(
        &w,
        &t,
        "GET",
        &format!("{group_at}?excludedAttributes=members"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(read.get("members").is_none(), "{read}");
    let (status, found) = send(
        &w,
        &t,
        "GET",
        "/scim/v2/Groups?excludedAttributes=members&filter=displayName+eq+%22Klas+3A%22",
        None,
    )
    .await;
    assert_eq!(
        (status, found["totalResults"].as_u64()),
        (StatusCode::OK, Some(1))
    );
    assert_eq!(
        found["Resources"][0]["externalId"],
        "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159"
    );
    let (status, renamed) = send(
        &w,
        &t,
        "PATCH",
        &group_at,
        Some(patch(
            json!([{"op": "Replace", "path": "displayName", "value": "Klas 3B"}]),
        )),
    )
    .await;
    assert_eq!(
        (status, renamed["displayName"].as_str()),
        (StatusCode::OK, Some("Klas 3B"))
    );
    let (status, joined) = send(
        &w,
        &t,
        "PATCH",
        &group_at,
        Some(patch(
            json!([{"op": "Add", "path": "members", "value": [{"$ref": null, "value": id}]}]),
        )),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{joined}");
    assert_eq!(joined["members"][0]["value"], id.as_str());
    // The member is placed in the group's site, their seat with them.
    let group_site = domain::sites::resolve(&w.db, group_id.parse().unwrap())
        .await
        .unwrap();
    assert_eq!(
        (group_site.site.own_users, group_site.site.seat_limit),
        (1, 1)
    );
    let placed = domain::users::resolve(&w.db, id.parse().unwrap())
        .await
        .unwrap();
    assert_eq!(placed.1.site.public_id.to_string(), group_id);
    assert!(domain::sites::seat_counter_mismatches(&w.db)
        .await
        .unwrap()
        .is_empty());
    let (status, left) = send(
        &w,
        &t,
        "PATCH",
        &group_at,
        Some(patch(
            json!([{"op": "Remove", "path": "members", "value": [{"$ref": null, "value": id}]}]),
        )),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{left}");
    assert_eq!(left["members"], json!([]));
    let back = domain::users::resolve(&w.db, id.parse().unwrap())
        .await
        .unwrap();
    assert_eq!(back.1.site.public_id, ids.klimop);
    let group_site = domain::sites::resolve(&w.db, group_id.parse().unwrap())
        .await
        .unwrap();
    assert_eq!(
        (group_site.site.own_users, group_site.site.seat_limit),
        (0, 0)
    );
    assert!(domain::sites::seat_counter_mismatches(&w.db)
        .await
        .unwrap()
        .is_empty());
    // A group of another school, and the connection's own site, are no groups of it.
    for other in [ids.regenboog, ids.klimop] {
        let (status, _) = send(&w, &t, "GET", &format!("/scim/v2/Groups/{other}"), None).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
    // A member from elsewhere is refused, and nothing moves.
    let (status, error) = send(
        &w,
        &t,
        "PATCH",
        &group_at,
        Some(patch(
            json!([{"op": "add", "path": "members", "value": [{"value": ids.emma}]}]),
        )),
    )
    .await;
    assert_eq!(
        (status, error["scimType"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalidValue"))
    );
    // An empty group is deleted.
    let (status, _) = http_support::api_raw(
        &w.app,
        &t,
        "DELETE",
        &group_at,
        "application/json",
        Vec::new(),
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = send(&w, &t, "GET", &group_at, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = send(&w, &t, "DELETE", &at, None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, gone) = send(&w, &t, "GET", &at, None).await;
    assert_eq!(gone["active"], false, "the token deactivates on delete");
}

/// What Google Workspace sends: a lookup by userName, a create, a full replace (PUT), a
/// path-less PATCH that suspends; and versions: a stale If-Match is refused (412), a current
/// one writes, If-None-Match with the current version answers 304.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn should_answer_what_google_workspace_sends() {
    let (w, ids) = world().await;
    free_seats(&w.db, ids.klimop, 2).await;
    let t = w.token.clone();
    let person = |family: &str| {
        json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
            "userName": "an.peeters@klimop.example",
            "name": {"givenName": "An", "familyName": family},
            "emails": [{"value": "an.peeters@klimop.example", "primary": true}],
            "externalId": "google-118",
            "active": true
        })
        .to_string()
    };
    let (status, made) = send(&w, &t, "POST", "/scim/v2/Users", Some(person("Peeters"))).await;
    assert_eq!(status, StatusCode::CREATED, "{made}");
    let at = format!("/scim/v2/Users/{}", made["id"].as_str().unwrap());
    let stale = made["meta"]["version"].as_str().unwrap().to_string();
    let (status, replaced) = send(&w, &t, "PUT", &at, Some(person("Peeters-Maes"))).await;
    assert_eq!(
        (status, replaced["name"]["familyName"].as_str()),
        (StatusCode::OK, Some("Peeters-Maes"))
    );
    let current = replaced["meta"]["version"].as_str().unwrap().to_string();
    assert_ne!(stale, current);
    let suspend = patch(json!([{"op": "replace", "value": {"active": false}}]));
    let with = |tag: &str, name: &str| {
        http::Request::builder()
            .method("PATCH")
            .uri(&at)
            .header("authorization", format!("Bearer {t}"))
            .header("content-type", "application/scim+json")
            .header(name, tag)
            .body(axum::body::Body::from(suspend.clone()))
            .unwrap()
    };
    use tower::ServiceExt;
    let refused = w
        .app
        .clone()
        .oneshot(with(&stale, "if-match"))
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::PRECONDITION_FAILED);
    let written = w
        .app
        .clone()
        .oneshot(with(&current, "if-match"))
        .await
        .unwrap();
    assert_eq!(written.status(), StatusCode::OK);
    let etag = written.headers()["etag"].to_str().unwrap().to_string();
    let (_, read) = send(&w, &t, "GET", &at, None).await;
    assert_eq!(read["active"], false);
    let unchanged = w
        .app
        .clone()
        .oneshot(
            http::Request::builder()
                .uri(&at)
                .header("authorization", format!("Bearer {t}"))
                .header("if-none-match", &etag)
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(unchanged.status(), StatusCode::NOT_MODIFIED);
}

/// 100 providers' creates at once for 20 free seats: exactly 20 users, the others SCIM's
/// error with a clear detail, the counters right; on SQLite and on PostgreSQL.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn should_hold_the_seat_limit_under_100_concurrent_creates() {
    for url in crate::support::databases::both().await {
        let (w, ids) = crate::foreign_ids::world_on(&url).await;
        free_seats(&w.db, ids.klimop, 20).await;
        let before = domain::sites::resolve(&w.db, ids.klimop)
            .await
            .unwrap()
            .site
            .own_users;
        let mut tasks = Vec::new();
        for i in 0..100 {
            let app = w.app.clone();
            let token = w.token.clone();
            tasks.push(tokio::spawn(async move {
                http_support::api(
                    &app,
                    &token,
                    "POST",
                    "/scim/v2/Users",
                    Some(barbara(&format!("burst{i}"), &format!("burst-{i}"))),
                )
                .await
            }));
        }
        let mut created = 0;
        for task in tasks {
            let (status, bytes) = task.await.unwrap();
            let body: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
            match status {
                StatusCode::CREATED => created += 1,
                _ => {
                    assert_eq!(
                        (status, body["code"].as_str()),
                        (StatusCode::UNPROCESSABLE_ENTITY, Some("no_free_seat")),
                        "{url}: {body}"
                    );
                    assert!(body["detail"].as_str().is_some_and(|d| d.len() > 10));
                }
            }
        }
        assert_eq!(created, 20, "{url}");
        let after = domain::sites::resolve(&w.db, ids.klimop)
            .await
            .unwrap()
            .site;
        assert_eq!(
            (after.own_users - before, after.used_seats, after.seat_limit),
            (20, after.seat_limit, after.seat_limit)
        );
        assert!(domain::sites::seat_counter_mismatches(&w.db)
            .await
            .unwrap()
            .is_empty());
    }
}

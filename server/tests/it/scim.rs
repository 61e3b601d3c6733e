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

//! What the server offers, as RFC 7643 §6 and §7 describe it: the resource types (User with the
//! enterprise extension, Group) and the attributes each keeps. Only what is kept is described:
//! a provider (and a conformance checker) that reads these knows what round-trips.
use serde_json::{json, Value};

use super::groups::GROUP_SCHEMA;
use super::users::{ENTERPRISE_SCHEMA, USER_SCHEMA};

pub const SCHEMA_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:Schema";
pub const RESOURCE_TYPE_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:ResourceType";

/// One attribute's description.
fn attribute(name: &str, kind: &str, description: &str) -> Value {
    json!({
        "name": name,
        "type": kind,
        "multiValued": false,
        "description": description,
        "required": false,
        "caseExact": false,
        "mutability": "readWrite",
        "returned": "default",
        "uniqueness": "none",
    })
}

fn with(mut attribute: Value, changes: Value) -> Value {
    if let (Some(target), Some(changes)) = (attribute.as_object_mut(), changes.as_object()) {
        for (k, v) in changes {
            target.insert(k.clone(), v.clone());
        }
    }
    attribute
}

fn user_schema() -> Value {
    json!({
        "id": USER_SCHEMA,
        "name": "User",
        "description": "A person who may use the organisation's licences.",
        "attributes": [
            with(attribute("userName", "string", "The name the user signs in with; unique."),
                json!({"required": true, "uniqueness": "server"})),
            with(attribute("name", "complex", "The user's name."), json!({
                "required": true,
                "subAttributes": [
                    with(attribute("givenName", "string", "First name."), json!({"required": true})),
                    with(attribute("familyName", "string", "Last name."), json!({"required": true})),
                ],
            })),
            with(attribute("displayName", "string", "The full name."), json!({"mutability": "readOnly"})),
            // Always kept (a user is active or not): required, and true when a provider leaves
            // it out on creation.
            with(attribute("active", "boolean", "Whether the user may sign in and use licences."),
                json!({"required": true})),
            with(attribute("emails", "complex", "The user's e-mail address (one is kept)."), json!({
                "multiValued": true,
                "subAttributes": [
                    attribute("value", "string", "The address."),
                ],
            })),
        ],
        "meta": {"resourceType": "Schema", "location": format!("/scim/v2/Schemas/{USER_SCHEMA}")},
    })
}

fn enterprise_schema(department: bool) -> Value {
    let mut attributes = vec![attribute(
        "employeeNumber",
        "string",
        "The personnel number.",
    )];
    if department {
        attributes.push(attribute(
            "department",
            "string",
            "The organisation's property with the key department.",
        ));
    }
    json!({
        "id": ENTERPRISE_SCHEMA,
        "name": "EnterpriseUser",
        "description": "The enterprise extension: the personnel number, and the department where the organisation keeps one.",
        "attributes": attributes,
        "meta": {"resourceType": "Schema", "location": format!("/scim/v2/Schemas/{ENTERPRISE_SCHEMA}")},
    })
}

fn group_schema() -> Value {
    json!({
        "id": GROUP_SCHEMA,
        "name": "Group",
        "description": "A site below the provisioning site; its members are the users placed in it.",
        "attributes": [
            with(attribute("displayName", "string", "The site's name."), json!({"required": true})),
            with(attribute("members", "complex", "The users placed in the site."), json!({
                "multiValued": true,
                "subAttributes": [
                    with(attribute("value", "string", "The user's id."), json!({"mutability": "immutable"})),
                    with(attribute("$ref", "reference", "The user's location."), json!({
                        "mutability": "immutable",
                        "referenceTypes": ["User"],
                    })),
                    with(attribute("type", "string", "User."), json!({
                        "mutability": "immutable",
                        "canonicalValues": ["User"],
                    })),
                ],
            })),
        ],
        "meta": {"resourceType": "Schema", "location": format!("/scim/v2/Schemas/{GROUP_SCHEMA}")},
    })
}

/// Every schema, as `GET /Schemas` lists them (`department`: whether the connection's
/// organisation keeps one, see [`keeps_department`]).
pub fn schemas(department: bool) -> Vec<Value> {
    let mut all = vec![user_schema(), enterprise_schema(department), group_schema()];
    for schema in &mut all {
        if let Some(object) = schema.as_object_mut() {
            object.insert("schemas".into(), json!([SCHEMA_SCHEMA]));
        }
    }
    all
}

/// One schema by its URI.
pub fn schema(id: &str, department: bool) -> Option<Value> {
    schemas(department)
        .into_iter()
        .find(|s| s["id"].as_str().is_some_and(|i| i.eq_ignore_ascii_case(id)))
}

/// Every resource type, as `GET /ResourceTypes` lists them.
pub fn resource_types() -> Vec<Value> {
    vec![
        json!({
            "schemas": [RESOURCE_TYPE_SCHEMA],
            "id": "User",
            "name": "User",
            "endpoint": "/Users",
            "description": "People",
            "schema": USER_SCHEMA,
            "schemaExtensions": [{"schema": ENTERPRISE_SCHEMA, "required": false}],
            "meta": {"resourceType": "ResourceType", "location": "/scim/v2/ResourceTypes/User"},
        }),
        json!({
            "schemas": [RESOURCE_TYPE_SCHEMA],
            "id": "Group",
            "name": "Group",
            "endpoint": "/Groups",
            "description": "Sites",
            "schema": GROUP_SCHEMA,
            "meta": {"resourceType": "ResourceType", "location": "/scim/v2/ResourceTypes/Group"},
        }),
    ]
}

/// One resource type by its id.
pub fn resource_type(id: &str) -> Option<Value> {
    resource_types()
        .into_iter()
        .find(|t| t["id"].as_str().is_some_and(|i| i.eq_ignore_ascii_case(id)))
}

/// Whether the organisation of `site` keeps a department (a property with that key).
pub async fn keeps_department(db: &crate::Db, site: uuid::Uuid) -> crate::error::Result<bool> {
    let resolved = crate::sites::resolve(db, site).await?;
    let root = resolved
        .scope
        .root_id()
        .ok_or(crate::error::Error::NotFound)?;
    Ok(crate::properties::of_organisation(db.conn(), root)
        .await?
        .iter()
        .any(|d| d.key == super::users::DEPARTMENT))
}

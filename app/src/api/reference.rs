//! The HTTP API's reference, read from its OpenAPI document, for the readable page.
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Operation {
    pub method: String,
    pub path: String,
    pub tag: String,
    pub summary: String,
    pub description: String,
    pub parameters: Vec<Parameter>,
    /// The request body's schema name (or `object`), if it takes one.
    pub body: Option<String>,
    pub responses: Vec<(String, String)>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Parameter {
    pub name: String,
    /// `path` or `query`.
    pub location: String,
    pub required: bool,
    pub kind: String,
    pub description: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Schema {
    pub name: String,
    pub description: String,
    /// (name, type, required, description)
    pub fields: Vec<(String, String, bool, String)>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reference {
    pub title: String,
    pub version: String,
    pub operations: Vec<Operation>,
    pub schemas: Vec<Schema>,
}

#[cfg(feature = "ssr")]
mod read {
    use serde_json::Value;

    use super::*;

    fn text(v: &Value, key: &str) -> String {
        v.get(key)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    }

    /// A schema as a short type: a `$ref`'s name, `array of X`, or the type(s).
    pub fn kind(schema: &Value) -> String {
        if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
            return reference.rsplit('/').next().unwrap_or_default().to_string();
        }
        if let Some(items) = schema.get("items") {
            return format!("[{}]", kind(items));
        }
        for combined in ["oneOf", "anyOf", "allOf"] {
            if let Some(options) = schema.get(combined).and_then(Value::as_array) {
                return options
                    .iter()
                    .map(kind)
                    .filter(|k| k != "null")
                    .collect::<Vec<_>>()
                    .join(" | ");
            }
        }
        let base = match schema.get("type") {
            Some(Value::String(t)) => t.clone(),
            Some(Value::Array(types)) => types
                .iter()
                .filter_map(Value::as_str)
                .filter(|t| *t != "null")
                .collect::<Vec<_>>()
                .join(" | "),
            _ => "object".to_string(),
        };
        match schema.get("format").and_then(Value::as_str) {
            Some(format) => format!("{base} ({format})"),
            None => base,
        }
    }

    fn body_kind(content: Option<&Value>) -> Option<String> {
        content
            .and_then(|c| c.get("content"))
            .and_then(|c| c.get("application/json"))
            .and_then(|c| c.get("schema"))
            .map(kind)
    }

    pub fn reference(document: &Value) -> Reference {
        let mut operations = Vec::new();
        if let Some(paths) = document.get("paths").and_then(Value::as_object) {
            for (path, item) in paths {
                for method in ["get", "post", "put", "delete"] {
                    let Some(op) = item.get(method) else { continue };
                    let parameters = op
                        .get("parameters")
                        .and_then(Value::as_array)
                        .map(|ps| {
                            ps.iter()
                                .map(|p| Parameter {
                                    name: text(p, "name"),
                                    location: text(p, "in"),
                                    required: p
                                        .get("required")
                                        .and_then(Value::as_bool)
                                        .unwrap_or(false),
                                    kind: p.get("schema").map(kind).unwrap_or_default(),
                                    description: text(p, "description"),
                                })
                                .collect()
                        })
                        .unwrap_or_default();
                    let responses = op
                        .get("responses")
                        .and_then(Value::as_object)
                        .map(|rs| {
                            rs.iter()
                                .map(|(status, r)| {
                                    (status.clone(), body_kind(Some(r)).unwrap_or_default())
                                })
                                .collect()
                        })
                        .unwrap_or_default();
                    let description = text(op, "description");
                    operations.push(Operation {
                        method: method.to_uppercase(),
                        path: path.clone(),
                        tag: op
                            .get("tags")
                            .and_then(|t| t.get(0))
                            .and_then(Value::as_str)
                            .unwrap_or_default()
                            .to_string(),
                        summary: text(op, "summary"),
                        description,
                        parameters,
                        body: body_kind(op.get("requestBody")),
                        responses,
                    });
                }
            }
        }
        let mut schemas = Vec::new();
        if let Some(all) = document
            .get("components")
            .and_then(|c| c.get("schemas"))
            .and_then(Value::as_object)
        {
            for (name, schema) in all {
                let required: Vec<&str> = schema
                    .get("required")
                    .and_then(Value::as_array)
                    .map(|r| r.iter().filter_map(Value::as_str).collect())
                    .unwrap_or_default();
                let fields = schema
                    .get("properties")
                    .and_then(Value::as_object)
                    .map(|props| {
                        props
                            .iter()
                            .map(|(field, s)| {
                                (
                                    field.clone(),
                                    kind(s),
                                    required.contains(&field.as_str()),
                                    text(s, "description"),
                                )
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                schemas.push(Schema {
                    name: name.clone(),
                    description: text(schema, "description"),
                    fields,
                });
            }
        }
        Reference {
            title: document
                .get("info")
                .map(|i| text(i, "title"))
                .unwrap_or_default(),
            version: document
                .get("info")
                .map(|i| text(i, "version"))
                .unwrap_or_default(),
            operations,
            schemas,
        }
    }
}

/// The API's operations and schemas, as its OpenAPI document describes them.
#[server(endpoint = "api_reference")]
pub async fn api_reference() -> Result<Reference, AppError> {
    let state = use_context::<crate::ssr::ServerState>()
        .ok_or_else(|| crate::ssr::internal("no server state"))?;
    let document: serde_json::Value = serde_json::from_str(&state.api_document)
        .map_err(|_| crate::ssr::internal("unreadable API document"))?;
    Ok(read::reference(&document))
}

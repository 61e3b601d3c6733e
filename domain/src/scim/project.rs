//! `attributes` and `excludedAttributes` (RFC 7644 §3.9): which attributes of a resource an
//! answer holds. `id` and `schemas` are always returned; paths name an attribute
//! (`userName`), a sub-attribute (`name.givenName`) or an extension's attribute by its URI.
use serde_json::{Map, Value};

use super::filter::AttrPath;

/// The paths of a comma-separated list; unreadable ones are left out.
fn paths(list: &str) -> Vec<AttrPath> {
    list.split(',')
        .filter_map(|p| {
            let p = p.trim();
            (!p.is_empty())
                .then(|| super::filter::PatchPath::parse(p).ok())
                .flatten()
                .filter(|path| path.filter.is_none())
                .map(|path| path.attr)
        })
        .collect()
}

fn always(name: &str) -> bool {
    name.eq_ignore_ascii_case("id") || name.eq_ignore_ascii_case("schemas")
}

/// The object a path's attribute lives in: the resource, or an extension's object.
fn container<'a>(
    resource: &'a mut Map<String, Value>,
    path: &AttrPath,
) -> Option<&'a mut Map<String, Value>> {
    match path.schema.as_deref() {
        Some(uri)
            if !uri
                .to_ascii_lowercase()
                .starts_with("urn:ietf:params:scim:schemas:core:") =>
        {
            let key = resource
                .keys()
                .find(|k| k.eq_ignore_ascii_case(uri))?
                .clone();
            resource.get_mut(&key)?.as_object_mut()
        }
        _ => Some(resource),
    }
}

fn key_in(object: &Map<String, Value>, name: &str) -> Option<String> {
    object
        .keys()
        .find(|k| k.eq_ignore_ascii_case(name))
        .cloned()
}

/// Applies `attributes` (only these) or else `excludedAttributes` (all but these).
pub fn project(resource: &mut Value, attributes: Option<&str>, excluded: Option<&str>) {
    let Some(object) = resource.as_object_mut() else {
        return;
    };
    if let Some(list) = attributes.filter(|l| !l.trim().is_empty()) {
        let wanted = paths(list);
        let mut kept = Map::new();
        for (key, value) in object.iter() {
            if always(key) {
                kept.insert(key.clone(), value.clone());
            }
        }
        for path in &wanted {
            let mut source = object.clone();
            let Some(from) = container(&mut source, path) else {
                continue;
            };
            let Some(name) = key_in(from, &path.name) else {
                continue;
            };
            let mut value = from.get(&name).cloned().unwrap_or(Value::Null);
            if let (Some(sub), Value::Object(inner)) = (&path.sub, &value) {
                let mut only = Map::new();
                if let Some(k) = key_in(inner, sub) {
                    only.insert(k.clone(), inner.get(&k).cloned().unwrap_or(Value::Null));
                }
                // Several sub-attributes of one attribute add up.
                if let Some(Value::Object(had)) =
                    target_of(&mut kept, path).and_then(|t| t.get(&name).cloned())
                {
                    only.extend(had);
                }
                value = Value::Object(only);
            }
            if let Some(target) = target_of(&mut kept, path) {
                target.insert(name, value);
            }
        }
        *object = kept;
    } else if let Some(list) = excluded {
        for path in paths(list) {
            if always(&path.name) && path.schema.is_none() {
                continue;
            }
            let Some(from) = container(object, &path) else {
                continue;
            };
            let Some(name) = key_in(from, &path.name) else {
                continue;
            };
            match &path.sub {
                Some(sub) => {
                    if let Some(Value::Object(inner)) = from.get_mut(&name) {
                        if let Some(k) = key_in(inner, sub) {
                            inner.remove(&k);
                        }
                    }
                }
                None => {
                    from.remove(&name);
                }
            }
        }
    }
}

/// Where a kept path goes in the answer (an extension's object made on first use).
fn target_of<'a>(
    kept: &'a mut Map<String, Value>,
    path: &AttrPath,
) -> Option<&'a mut Map<String, Value>> {
    match path.schema.as_deref() {
        Some(uri)
            if !uri
                .to_ascii_lowercase()
                .starts_with("urn:ietf:params:scim:schemas:core:") =>
        {
            let entry = kept
                .entry(uri.to_string())
                .or_insert_with(|| Value::Object(Map::new()));
            entry.as_object_mut()
        }
        _ => Some(kept),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

    fn user() -> Value {
        json!({
            "schemas": ["u"], "id": "1", "userName": "b",
            "name": {"givenName": "B", "familyName": "J"},
            ENTERPRISE: {"employeeNumber": "7"},
            "meta": {"version": "v"},
        })
    }

    #[test]
    fn only_the_attributes_asked_for() {
        let mut u = user();
        project(
            &mut u,
            Some(format!("userName,name.familyName,{ENTERPRISE}:employeeNumber").as_str()),
            None,
        );
        assert_eq!(
            u,
            json!({"schemas": ["u"], "id": "1", "userName": "b", "name": {"familyName": "J"},
                   ENTERPRISE: {"employeeNumber": "7"}})
        );
    }

    #[test]
    fn all_but_the_attributes_excluded() {
        let mut u = user();
        project(&mut u, None, Some("name.givenName, meta, id"));
        assert_eq!(
            u,
            json!({"schemas": ["u"], "id": "1", "userName": "b", "name": {"familyName": "J"},
                   ENTERPRISE: {"employeeNumber": "7"}})
        );
    }
}

//! SCIM's PATCH (RFC 7644 §3.5.2): operations `add`, `remove` and `replace`, each with an
//! optional path, applied in order to a resource as JSON. The result is then written as a
//! replace would write it, under the same rules; a PATCH that cannot be applied as a whole
//! changes nothing. What Entra ID and Google Workspace send is read as they send it: operation
//! names in any case, `replace` without a path and a value object, value paths such as
//! `emails[type eq "work"].value` (which add the element when none matches yet), and member
//! removal as `remove` of `members` with a list of values.
use serde_json::{Map, Value};

use super::filter::{find, CompValue, CompareOp, Filter, PatchPath};
use crate::error::{Code, Error, Result};

pub const PATCH_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
/// The most operations one PATCH holds.
pub const MAX_OPERATIONS: usize = 1000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Add,
    Remove,
    Replace,
}

/// One operation as read.
#[derive(Debug, Clone, PartialEq)]
pub struct Operation {
    pub op: Op,
    pub path: Option<PatchPath>,
    pub value: Value,
}

fn malformed() -> Error {
    Error::invalid("Operations", Code::ScimPatchInvalid)
}

fn invalid_path() -> Error {
    Error::invalid("path", Code::ScimPathInvalid)
}

fn no_target() -> Error {
    Error::invalid("path", Code::ScimNoTarget)
}

/// Reads a PatchOp request body.
pub fn parse(body: &Value) -> Result<Vec<Operation>> {
    let operations = find(body, "Operations")
        .and_then(Value::as_array)
        .ok_or_else(malformed)?;
    if operations.is_empty() || operations.len() > MAX_OPERATIONS {
        return Err(malformed());
    }
    operations.iter().map(operation).collect()
}

fn operation(raw: &Value) -> Result<Operation> {
    let name = find(raw, "op")
        .and_then(Value::as_str)
        .map(str::to_ascii_lowercase);
    let op = match name.as_deref() {
        Some("add") => Op::Add,
        Some("remove") => Op::Remove,
        Some("replace") => Op::Replace,
        _ => return Err(malformed()),
    };
    let path = match find(raw, "path") {
        None | Some(Value::Null) => None,
        Some(Value::String(text)) => Some(PatchPath::parse(text)?),
        Some(_) => return Err(invalid_path()),
    };
    let value = find(raw, "value").cloned().unwrap_or(Value::Null);
    match (op, &path) {
        (Op::Remove, None) => Err(no_target()),
        (Op::Add | Op::Replace, None) if !value.is_object() => Err(malformed()),
        (Op::Add, Some(_)) if value.is_null() => Err(malformed()),
        _ => Ok(Operation { op, path, value }),
    }
}

/// Applies `operations` in order to `resource`, whose extension objects are named by
/// `extensions` (schema URIs).
pub fn apply(resource: &mut Value, operations: &[Operation], extensions: &[&str]) -> Result<()> {
    for operation in operations {
        match &operation.path {
            // Removing an extension as a whole.
            Some(path)
                if operation.op == Op::Remove && extension_named(path, extensions).is_some() =>
            {
                let uri = extension_named(path, extensions).unwrap_or_default();
                if let Some(object) = resource.as_object_mut() {
                    let name = key(object, uri);
                    object.remove(&name);
                }
            }
            // A path naming an extension as a whole: its attributes, one by one.
            Some(path) if extension_named(path, extensions).is_some() => {
                let uri = extension_named(path, extensions).unwrap_or_default();
                let mut whole = Map::new();
                whole.insert(uri.to_string(), operation.value.clone());
                each_attribute(resource, operation.op, &whole, extensions)?;
            }
            Some(path) => at_path(resource, operation.op, path, &operation.value, extensions)?,
            None => {
                let Value::Object(attributes) = &operation.value else {
                    return Err(malformed());
                };
                each_attribute(resource, operation.op, attributes, extensions)?;
            }
        }
    }
    Ok(())
}

/// A path-less operation: each attribute of the value as if a path named it (a key may be a
/// path itself, `name.givenName`, or an extension's URI with an object of its attributes).
fn each_attribute(
    resource: &mut Value,
    op: Op,
    attributes: &Map<String, Value>,
    extensions: &[&str],
) -> Result<()> {
    for (name, value) in attributes {
        match extensions.iter().find(|uri| uri.eq_ignore_ascii_case(name)) {
            Some(uri) => {
                let Value::Object(inner) = value else {
                    return Err(malformed());
                };
                for (inner_name, inner_value) in inner {
                    let path = PatchPath::parse(&format!("{uri}:{inner_name}"))?;
                    at_path(resource, op, &path, inner_value, extensions)?;
                }
            }
            None => {
                let path = PatchPath::parse(name)?;
                at_path(resource, op, &path, value, extensions)?;
            }
        }
    }
    Ok(())
}

/// The extension a path names as a whole (`urn:…:enterprise:2.0:User`).
fn extension_named<'a>(path: &PatchPath, extensions: &[&'a str]) -> Option<&'a str> {
    let schema = path.attr.schema.as_deref()?;
    if path.filter.is_some() || path.attr.sub.is_some() {
        return None;
    }
    let whole = format!("{schema}:{}", path.attr.name);
    extensions
        .iter()
        .find(|uri| uri.eq_ignore_ascii_case(&whole))
        .copied()
}

/// The key under which `object` holds `name` (in any case), or `name` for a new one.
fn key(object: &Map<String, Value>, name: &str) -> String {
    object
        .keys()
        .find(|k| k.eq_ignore_ascii_case(name))
        .cloned()
        .unwrap_or_else(|| name.to_string())
}

/// The object a path's attribute lives in: the resource, or the extension object its schema
/// names (made when a value is added to it).
fn container<'a>(
    resource: &'a mut Value,
    schema: Option<&str>,
    extensions: &[&str],
) -> Result<&'a mut Map<String, Value>> {
    let root = resource.as_object_mut().ok_or_else(malformed)?;
    let Some(schema) = schema else {
        return Ok(root);
    };
    if schema
        .to_ascii_lowercase()
        .starts_with("urn:ietf:params:scim:schemas:core:")
    {
        return Ok(root);
    }
    let uri = extensions
        .iter()
        .find(|uri| uri.eq_ignore_ascii_case(schema))
        .ok_or_else(invalid_path)?;
    let name = key(root, uri);
    let extension = root
        .entry(name)
        .or_insert_with(|| Value::Object(Map::new()));
    if !extension.is_object() {
        *extension = Value::Object(Map::new());
    }
    extension.as_object_mut().ok_or_else(malformed)
}

fn at_path(
    resource: &mut Value,
    op: Op,
    path: &PatchPath,
    value: &Value,
    extensions: &[&str],
) -> Result<()> {
    let container = container(resource, path.attr.schema.as_deref(), extensions)?;
    let name = key(container, &path.attr.name);
    match &path.filter {
        None => match &path.attr.sub {
            Some(sub) => sub_attribute(container, &name, sub, op, value),
            None => {
                attribute(container, name, op, value);
                Ok(())
            }
        },
        Some(filter) => elements(container, name, filter, path.sub.as_deref(), op, value),
    }
}

/// `name.sub` without a filter: the sub-attribute of a complex attribute (of each element of
/// a multi-valued one).
fn sub_attribute(
    container: &mut Map<String, Value>,
    name: &str,
    sub: &str,
    op: Op,
    value: &Value,
) -> Result<()> {
    if op == Op::Remove && !container.contains_key(name) {
        return Ok(());
    }
    let parent = container
        .entry(name.to_string())
        .or_insert_with(|| Value::Object(Map::new()));
    if parent.is_null() {
        *parent = Value::Object(Map::new());
    }
    let targets: Vec<&mut Map<String, Value>> = match parent {
        Value::Object(object) => vec![object],
        Value::Array(items) => items.iter_mut().filter_map(Value::as_object_mut).collect(),
        _ => return Err(invalid_path()),
    };
    for target in targets {
        let sub = key(target, sub);
        set(target, sub, op, value);
    }
    Ok(())
}

/// A whole attribute.
fn attribute(container: &mut Map<String, Value>, name: String, op: Op, value: &Value) {
    match (op, container.get_mut(&name)) {
        // `remove` of some values of a multi-valued attribute (as Entra ID removes members).
        (Op::Remove, Some(Value::Array(items))) if value.is_array() => {
            let gone: Vec<&Value> = value.as_array().into_iter().flatten().collect();
            items.retain(|item| !gone.iter().any(|g| same_element(item, g)));
        }
        (Op::Add, Some(Value::Array(items))) => {
            let added: Vec<Value> = match value {
                Value::Array(values) => values.clone(),
                single => vec![single.clone()],
            };
            for new in added {
                if !items.iter().any(|item| same_element(item, &new)) {
                    items.push(new);
                }
            }
        }
        _ => set(container, name, op, value),
    }
}

/// Sets, merges or removes `name` in `object`.
fn set(object: &mut Map<String, Value>, name: String, op: Op, value: &Value) {
    match (op, object.get_mut(&name), value) {
        (Op::Remove, ..) => {
            object.remove(&name);
        }
        // A complex attribute: the sub-attributes given replace theirs, the others stay.
        (_, Some(Value::Object(existing)), Value::Object(given)) => {
            for (sub, sub_value) in given {
                let sub = key(existing, sub);
                existing.insert(sub, sub_value.clone());
            }
        }
        _ => {
            object.insert(name, value.clone());
        }
    }
}

/// Two elements of a multi-valued attribute are the same when their `value`s are (or, for
/// simple elements, when they are equal).
fn same_element(a: &Value, b: &Value) -> bool {
    match (find(a, "value"), find(b, "value")) {
        (Some(x), Some(y)) => x == y,
        _ => a == b,
    }
}

/// `name[filter]` and `name[filter].sub`: the matching elements of a multi-valued attribute.
fn elements(
    container: &mut Map<String, Value>,
    name: String,
    filter: &Filter,
    sub: Option<&str>,
    op: Op,
    value: &Value,
) -> Result<()> {
    let items = container
        .entry(name)
        .or_insert_with(|| Value::Array(Vec::new()));
    if items.is_null() {
        *items = Value::Array(Vec::new());
    }
    let Value::Array(items) = items else {
        return Err(invalid_path());
    };
    let mut matching: Vec<usize> = (0..items.len())
        .filter(|&i| filter.matches(&items[i]))
        .collect();
    if matching.is_empty() {
        // Entra ID sets `emails[type eq "work"].value` on a user without a work address:
        // the element the filter describes is made.
        let seed = match op {
            Op::Remove => None,
            Op::Add | Op::Replace => seed(filter),
        };
        let seed = seed.ok_or_else(no_target)?;
        items.push(Value::Object(seed));
        matching.push(items.len() - 1);
    }
    if op == Op::Remove && sub.is_none() {
        for i in matching.into_iter().rev() {
            items.remove(i);
        }
        return Ok(());
    }
    for i in matching {
        let Some(element) = items[i].as_object_mut() else {
            return Err(invalid_path());
        };
        match sub {
            Some(sub) => {
                let sub = key(element, sub);
                set(element, sub, op, value);
            }
            None => match value {
                Value::Object(given) => {
                    for (k, v) in given {
                        let k = key(element, k);
                        element.insert(k, v.clone());
                    }
                }
                _ => return Err(malformed()),
            },
        }
    }
    Ok(())
}

/// The element a filter of equalities describes (`type eq "work"`,
/// `type eq "work" and primary eq true`), or none.
fn seed(filter: &Filter) -> Option<Map<String, Value>> {
    match filter {
        Filter::Compare(path, CompareOp::Eq, value) if path.sub.is_none() => {
            let value = match value {
                CompValue::Str(s) => Value::String(s.clone()),
                CompValue::Bool(b) => Value::Bool(*b),
                CompValue::Num(n) => serde_json::Number::from_f64(*n).map(Value::Number)?,
                CompValue::Null => return None,
            };
            let mut element = Map::new();
            element.insert(path.name.clone(), value);
            Some(element)
        }
        Filter::And(a, b) => {
            let mut element = seed(a)?;
            element.extend(seed(b)?);
            Some(element)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

    fn patched(mut resource: Value, body: Value) -> Result<Value> {
        let operations = parse(&body)?;
        apply(&mut resource, &operations, &[ENTERPRISE])?;
        Ok(resource)
    }

    fn ops(list: Value) -> Value {
        json!({"schemas": [PATCH_SCHEMA], "Operations": list})
    }

    fn user() -> Value {
        json!({
            "userName": "barbara",
            "active": true,
            "name": {"givenName": "Barbara", "familyName": "Jensen"},
            "emails": [{"value": "bjensen@example.com", "type": "work", "primary": true}],
        })
    }

    #[test]
    fn entra_replaces_active_without_a_path() {
        let out = patched(
            user(),
            ops(json!([{"op": "Replace", "value": {"active": false}}])),
        );
        assert_eq!(out.ok().and_then(|u| u["active"].as_bool()), Some(false));
    }

    #[test]
    fn entra_replaces_the_work_address_and_the_family_name() {
        let out = patched(
            user(),
            ops(json!([
                {"op": "Replace", "path": "emails[type eq \"work\"].value", "value": "b@school.be"},
                {"op": "Replace", "path": "name.familyName", "value": "Janssens"}
            ])),
        )
        .unwrap_or_default();
        assert_eq!(out["emails"][0]["value"], "b@school.be");
        assert_eq!(out["emails"][0]["primary"], true);
        assert_eq!(out["name"]["familyName"], "Janssens");
        assert_eq!(out["name"]["givenName"], "Barbara");
    }

    #[test]
    fn a_value_path_with_no_match_adds_the_element_it_describes() {
        let mut without = user();
        without["emails"] = json!([]);
        let out = patched(
            without,
            ops(
                json!([{"op": "add", "path": "emails[type eq \"work\"].value", "value": "x@y.be"}]),
            ),
        )
        .unwrap_or_default();
        assert_eq!(out["emails"], json!([{"type": "work", "value": "x@y.be"}]));
    }

    #[test]
    fn the_enterprise_extension_by_path_and_by_object() {
        let out = patched(
            user(),
            ops(json!([
                {"op": "add", "path": format!("{ENTERPRISE}:employeeNumber"), "value": "P-7"},
                {"op": "replace", "value": {ENTERPRISE: {"department": "Wiskunde"}}}
            ])),
        )
        .unwrap_or_default();
        assert_eq!(out[ENTERPRISE]["employeeNumber"], "P-7");
        assert_eq!(out[ENTERPRISE]["department"], "Wiskunde");
        let whole = patched(
            user(),
            ops(json!([{"op": "replace", "path": ENTERPRISE, "value": {"employeeNumber": "P-8"}}])),
        )
        .unwrap_or_default();
        assert_eq!(whole[ENTERPRISE]["employeeNumber"], "P-8");
    }

    #[test]
    fn members_added_and_removed_as_entra_and_rfc_send_them() {
        let group = json!({"displayName": "3A", "members": [{"value": "a"}, {"value": "b"}]});
        let out = patched(
            group,
            ops(json!([
                {"op": "Add", "path": "members", "value": [{"value": "c"}, {"value": "a"}]},
                {"op": "Remove", "path": "members", "value": [{"value": "b"}]},
                {"op": "remove", "path": "members[value eq \"a\"]"}
            ])),
        )
        .unwrap_or_default();
        assert_eq!(out["members"], json!([{"value": "c"}]));
    }

    #[test]
    fn dotted_keys_and_case_in_a_path_less_value() {
        let out = patched(
            user(),
            ops(
                json!([{"op": "replace", "value": {"NAME.givenname": "Babs", "UserName": "babs"}}]),
            ),
        )
        .unwrap_or_default();
        assert_eq!(out["name"]["givenName"], "Babs");
        assert_eq!(out["userName"], "babs");
    }

    #[test]
    fn refused_as_scim_names_it() {
        let code = |body: Value| patched(user(), body).err().map(|e| e.code());
        assert_eq!(code(json!({})), Some(Code::ScimPatchInvalid));
        assert_eq!(code(ops(json!([]))), Some(Code::ScimPatchInvalid));
        assert_eq!(
            code(ops(json!([{"op": "move", "path": "active"}]))),
            Some(Code::ScimPatchInvalid)
        );
        assert_eq!(
            code(ops(json!([{"op": "remove"}]))),
            Some(Code::ScimNoTarget)
        );
        assert_eq!(
            code(ops(
                json!([{"op": "remove", "path": "emails[type eq \"home\"]"}])
            )),
            Some(Code::ScimNoTarget)
        );
        assert_eq!(
            code(ops(json!([{"op": "replace", "path": "emails[type eq"}]))),
            Some(Code::ScimPathInvalid)
        );
        assert_eq!(
            code(ops(json!([{"op": "replace", "path": "1abc", "value": 1}]))),
            Some(Code::ScimPathInvalid)
        );
        assert_eq!(
            code(ops(
                json!([{"op": "replace", "path": "urn:other:ext:x", "value": 1}])
            )),
            Some(Code::ScimPathInvalid)
        );
        assert_eq!(
            code(ops(json!([{"op": "add", "value": "x"}]))),
            Some(Code::ScimPatchInvalid)
        );
    }

    #[test]
    fn removes_a_sub_attribute_and_a_whole_one() {
        let out = patched(
            user(),
            ops(json!([
                {"op": "remove", "path": "name.givenName"},
                {"op": "remove", "path": "emails"}
            ])),
        )
        .unwrap_or_default();
        assert_eq!(out["name"], json!({"familyName": "Jensen"}));
        assert!(out.get("emails").is_none());
    }
}

//! The SCIM filter language (RFC 7644 §3.4.2.2, with errata 7319 and 7322): parsed into a
//! [`Filter`] and evaluated on a resource as JSON. Attribute names are case-insensitive;
//! string comparisons too, except for the case-exact `id` and `externalId` (RFC 7643 §4.1).
//! Precedence: `not` over `and` over `or`. A value path (`emails[type eq "work"]`) may not
//! nest another. Bounded: at most [`MAX_LEN`] characters and [`MAX_DEPTH`] levels.
use std::cmp::Ordering;

use serde_json::Value;

use crate::error::{Code, Error, Result};

/// The longest filter read.
pub const MAX_LEN: usize = 2048;
/// The deepest nesting of parentheses, `not` and value paths.
pub const MAX_DEPTH: usize = 16;

/// An attribute path: `userName`, `name.givenName`, `emails.value`, or with its schema
/// `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttrPath {
    /// The schema URI, when the path names one.
    pub schema: Option<String>,
    pub name: String,
    pub sub: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompareOp {
    Eq,
    Ne,
    Co,
    Sw,
    Ew,
    Gt,
    Lt,
    Ge,
    Le,
}

/// A comparison value (JSON).
#[derive(Debug, Clone, PartialEq)]
pub enum CompValue {
    Str(String),
    Num(f64),
    Bool(bool),
    Null,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Filter {
    Compare(AttrPath, CompareOp, CompValue),
    Present(AttrPath),
    And(Box<Filter>, Box<Filter>),
    Or(Box<Filter>, Box<Filter>),
    Not(Box<Filter>),
    /// `emails[type eq "work" and value co "@school.be"]`: some element of the multi-valued
    /// attribute matches the inner filter (whose paths are the element's sub-attributes).
    ValuePath(AttrPath, Box<Filter>),
}

fn invalid() -> Error {
    Error::invalid("filter", Code::ScimFilterInvalid)
}

impl Filter {
    /// Reads a filter, or refuses it (`scim_filter_invalid`: SCIM's `invalidFilter`).
    pub fn parse(text: &str) -> Result<Filter> {
        if text.chars().count() > MAX_LEN {
            return Err(invalid());
        }
        let tokens = tokenize(text)?;
        let mut parser = Parser {
            tokens,
            at: 0,
            depth: 0,
            in_value_path: false,
        };
        let filter = parser.or()?;
        if parser.at != parser.tokens.len() {
            return Err(invalid());
        }
        Ok(filter)
    }

    /// Whether the filter looks at the attribute `name` (in any case).
    pub fn names(&self, name: &str) -> bool {
        match self {
            Filter::And(a, b) | Filter::Or(a, b) => a.names(name) || b.names(name),
            Filter::Not(f) => f.names(name),
            Filter::Present(path) | Filter::Compare(path, ..) | Filter::ValuePath(path, _) => {
                path.name.eq_ignore_ascii_case(name)
            }
        }
    }

    /// Whether `resource` (a SCIM resource as JSON) matches.
    pub fn matches(&self, resource: &Value) -> bool {
        match self {
            Filter::And(a, b) => a.matches(resource) && b.matches(resource),
            Filter::Or(a, b) => a.matches(resource) || b.matches(resource),
            Filter::Not(f) => !f.matches(resource),
            Filter::Present(path) => values(resource, path).iter().any(|v| present(v)),
            Filter::Compare(path, op, want) => {
                let found = values(resource, path);
                if found.is_empty() {
                    // Absent compares as null: `eq null` holds, `ne "x"` holds.
                    return match op {
                        CompareOp::Eq => *want == CompValue::Null,
                        CompareOp::Ne => *want != CompValue::Null,
                        _ => false,
                    };
                }
                let exact = case_exact(path);
                match op {
                    CompareOp::Ne => !found.iter().any(|v| compare(v, CompareOp::Eq, want, exact)),
                    _ => found.iter().any(|v| compare(v, *op, want, exact)),
                }
            }
            Filter::ValuePath(path, inner) => {
                let parent = attribute(resource, path.schema.as_deref(), &path.name);
                match parent {
                    Some(Value::Array(items)) => items.iter().any(|item| inner.matches(item)),
                    Some(item @ Value::Object(_)) => inner.matches(item),
                    _ => false,
                }
            }
        }
    }
}

/// The path of a PATCH operation (RFC 7644 §3.5.2): an attribute path (`active`,
/// `name.familyName`, the enterprise extension's `…:User:employeeNumber`), or a value path
/// with an optional sub-attribute (`emails[type eq "work"].value`, `members[value eq "…"]`).
#[derive(Debug, Clone, PartialEq)]
pub struct PatchPath {
    /// The attribute (with its sub-attribute when no value filter is given).
    pub attr: AttrPath,
    /// Which elements of a multi-valued attribute.
    pub filter: Option<Filter>,
    /// The sub-attribute of those elements.
    pub sub: Option<String>,
}

fn invalid_path() -> Error {
    Error::invalid("path", Code::ScimPathInvalid)
}

impl PatchPath {
    /// Reads a path, or refuses it (`scim_path_invalid`: SCIM's `invalidPath`).
    pub fn parse(text: &str) -> Result<PatchPath> {
        let text = text.trim();
        if text.is_empty() || text.chars().count() > MAX_LEN {
            return Err(invalid_path());
        }
        let Some(open) = text.find('[') else {
            return Ok(PatchPath {
                attr: attr_path(text).map_err(|_| invalid_path())?,
                filter: None,
                sub: None,
            });
        };
        let close = text
            .rfind(']')
            .filter(|&c| c > open)
            .ok_or_else(invalid_path)?;
        let attr = attr_path(&text[..open]).map_err(|_| invalid_path())?;
        if attr.sub.is_some() {
            return Err(invalid_path());
        }
        let mut parser = Parser {
            tokens: tokenize(&text[open + 1..close]).map_err(|_| invalid_path())?,
            at: 0,
            depth: 1,
            in_value_path: true,
        };
        let filter = parser.or().map_err(|_| invalid_path())?;
        if parser.at != parser.tokens.len() {
            return Err(invalid_path());
        }
        let rest = &text[close + 1..];
        let sub = match rest.strip_prefix('.') {
            Some(sub) if valid_name(sub) => Some(sub.to_string()),
            None if rest.is_empty() => None,
            _ => return Err(invalid_path()),
        };
        Ok(PatchPath {
            attr,
            filter: Some(filter),
            sub,
        })
    }
}

fn present(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
        _ => true,
    }
}

fn case_exact(path: &AttrPath) -> bool {
    path.sub.is_none()
        && ["id", "externalId"]
            .iter()
            .any(|n| n.eq_ignore_ascii_case(&path.name))
}

/// The attribute `name` of an object, by name in any case, within `schema`'s extension
/// object when the path names a schema other than the resource's core one.
fn attribute<'a>(resource: &'a Value, schema: Option<&str>, name: &str) -> Option<&'a Value> {
    let object = match schema {
        Some(uri)
            if !uri
                .to_ascii_lowercase()
                .starts_with("urn:ietf:params:scim:schemas:core:") =>
        {
            find(resource, uri)?
        }
        _ => resource,
    };
    find(object, name)
}

/// An object's member by name in any case (SCIM's names are case-insensitive).
pub fn field<'a>(object: &'a Value, name: &str) -> Option<&'a Value> {
    find(object, name)
}

pub(crate) fn find<'a>(object: &'a Value, name: &str) -> Option<&'a Value> {
    object
        .as_object()?
        .iter()
        .find(|(key, _)| key.eq_ignore_ascii_case(name))
        .map(|(_, value)| value)
}

/// The simple values a path names: a sub-attribute of each element of a multi-valued
/// attribute, or `value` of each when the path names a complex multi-valued attribute.
fn values<'a>(resource: &'a Value, path: &AttrPath) -> Vec<&'a Value> {
    let Some(found) = attribute(resource, path.schema.as_deref(), &path.name) else {
        return Vec::new();
    };
    let items: Vec<&Value> = match found {
        Value::Array(items) => items.iter().collect(),
        other => vec![other],
    };
    let sub = path
        .sub
        .as_deref()
        .or(items.iter().any(|i| i.is_object()).then_some("value"));
    match sub {
        Some(sub) => items.into_iter().filter_map(|i| find(i, sub)).collect(),
        None => items,
    }
}

fn compare(found: &Value, op: CompareOp, want: &CompValue, exact: bool) -> bool {
    match (found, want) {
        (Value::String(have), CompValue::Str(want)) => {
            let (have, want) = if exact {
                (have.clone(), want.clone())
            } else {
                (have.to_lowercase(), want.to_lowercase())
            };
            match op {
                CompareOp::Eq => have == want,
                CompareOp::Ne => have != want,
                CompareOp::Co => have.contains(&want),
                CompareOp::Sw => have.starts_with(&want),
                CompareOp::Ew => have.ends_with(&want),
                _ => ordered(have.cmp(&want), op),
            }
        }
        (Value::Number(have), CompValue::Num(want)) => match have.as_f64() {
            Some(have) => have.partial_cmp(want).is_some_and(|o| ordered(o, op)),
            None => false,
        },
        (Value::Bool(have), CompValue::Bool(want)) => match op {
            CompareOp::Eq => have == want,
            CompareOp::Ne => have != want,
            _ => false,
        },
        (Value::Null, CompValue::Null) => op == CompareOp::Eq,
        _ => op == CompareOp::Ne,
    }
}

fn ordered(ordering: Ordering, op: CompareOp) -> bool {
    match op {
        CompareOp::Eq => ordering == Ordering::Equal,
        CompareOp::Ne => ordering != Ordering::Equal,
        CompareOp::Gt => ordering == Ordering::Greater,
        CompareOp::Lt => ordering == Ordering::Less,
        CompareOp::Ge => ordering != Ordering::Less,
        CompareOp::Le => ordering != Ordering::Greater,
        CompareOp::Co | CompareOp::Sw | CompareOp::Ew => false,
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Open,
    Close,
    OpenBracket,
    CloseBracket,
    Str(String),
    /// An attribute path, an operator, a keyword or a number.
    Word(String),
}

fn tokenize(text: &str) -> Result<Vec<Token>> {
    let mut tokens = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some(&(start, c)) = chars.peek() {
        match c {
            c if c.is_whitespace() => {
                chars.next();
            }
            '(' | ')' | '[' | ']' => {
                chars.next();
                tokens.push(match c {
                    '(' => Token::Open,
                    ')' => Token::Close,
                    '[' => Token::OpenBracket,
                    _ => Token::CloseBracket,
                });
            }
            '"' => {
                // A JSON string: read up to the closing quote that is not escaped.
                chars.next();
                let mut escaped = false;
                let mut end = None;
                for (i, c) in chars.by_ref() {
                    match (escaped, c) {
                        (true, _) => escaped = false,
                        (false, '\\') => escaped = true,
                        (false, '"') => {
                            end = Some(i);
                            break;
                        }
                        _ => {}
                    }
                }
                let end = end.ok_or_else(invalid)?;
                let literal = &text[start..=end];
                let value: String = serde_json::from_str(literal).map_err(|_| invalid())?;
                tokens.push(Token::Str(value));
            }
            _ => {
                let mut end = text.len();
                while let Some(&(i, c)) = chars.peek() {
                    if c.is_whitespace() || matches!(c, '(' | ')' | '[' | ']' | '"') {
                        end = i;
                        break;
                    }
                    chars.next();
                }
                tokens.push(Token::Word(text[start..end].to_string()));
            }
        }
    }
    Ok(tokens)
}

struct Parser {
    tokens: Vec<Token>,
    at: usize,
    depth: usize,
    in_value_path: bool,
}

impl Parser {
    fn peek_word(&self, word: &str) -> bool {
        matches!(self.tokens.get(self.at), Some(Token::Word(w)) if w.eq_ignore_ascii_case(word))
    }

    fn next(&mut self) -> Option<Token> {
        let token = self.tokens.get(self.at).cloned();
        self.at += 1;
        token
    }

    fn expect(&mut self, token: Token) -> Result<()> {
        if self.next() == Some(token) {
            Ok(())
        } else {
            Err(invalid())
        }
    }

    fn deeper(&mut self) -> Result<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(invalid());
        }
        Ok(())
    }

    fn or(&mut self) -> Result<Filter> {
        let mut left = self.and()?;
        while self.peek_word("or") {
            self.at += 1;
            let right = self.and()?;
            left = Filter::Or(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Filter> {
        let mut left = self.unary()?;
        while self.peek_word("and") {
            self.at += 1;
            let right = self.unary()?;
            left = Filter::And(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Filter> {
        if self.peek_word("not") && self.tokens.get(self.at + 1) == Some(&Token::Open) {
            self.at += 1;
            return Ok(Filter::Not(Box::new(self.group()?)));
        }
        if self.tokens.get(self.at) == Some(&Token::Open) {
            return self.group();
        }
        self.attribute_expression()
    }

    fn group(&mut self) -> Result<Filter> {
        self.expect(Token::Open)?;
        self.deeper()?;
        let inner = self.or()?;
        self.depth -= 1;
        self.expect(Token::Close)?;
        Ok(inner)
    }

    fn attribute_expression(&mut self) -> Result<Filter> {
        let Some(Token::Word(word)) = self.next() else {
            return Err(invalid());
        };
        let path = attr_path(&word)?;
        if self.tokens.get(self.at) == Some(&Token::OpenBracket) {
            if self.in_value_path || path.sub.is_some() {
                return Err(invalid());
            }
            self.at += 1;
            self.deeper()?;
            self.in_value_path = true;
            let inner = self.or()?;
            self.in_value_path = false;
            self.depth -= 1;
            self.expect(Token::CloseBracket)?;
            return Ok(Filter::ValuePath(path, Box::new(inner)));
        }
        let Some(Token::Word(op)) = self.next() else {
            return Err(invalid());
        };
        let op = match op.to_ascii_lowercase().as_str() {
            "pr" => return Ok(Filter::Present(path)),
            "eq" => CompareOp::Eq,
            "ne" => CompareOp::Ne,
            "co" => CompareOp::Co,
            "sw" => CompareOp::Sw,
            "ew" => CompareOp::Ew,
            "gt" => CompareOp::Gt,
            "lt" => CompareOp::Lt,
            "ge" => CompareOp::Ge,
            "le" => CompareOp::Le,
            _ => return Err(invalid()),
        };
        let value = match self.next() {
            Some(Token::Str(s)) => CompValue::Str(s),
            Some(Token::Word(w)) => match w.as_str() {
                "true" => CompValue::Bool(true),
                "false" => CompValue::Bool(false),
                "null" => CompValue::Null,
                number => CompValue::Num(
                    number
                        .parse::<f64>()
                        .ok()
                        .filter(|n| n.is_finite())
                        .ok_or_else(invalid)?,
                ),
            },
            _ => return Err(invalid()),
        };
        // Ordering and substrings make no sense on true, false and null.
        let unordered = matches!(value, CompValue::Bool(_) | CompValue::Null);
        if unordered && !matches!(op, CompareOp::Eq | CompareOp::Ne) {
            return Err(invalid());
        }
        Ok(Filter::Compare(path, op, value))
    }
}

/// An attribute's name (RFC 7643 §2.1: ATTRNAME, with `$ref`).
fn valid_name(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '$')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '$')
}

/// `urn:…:User:name.givenName` → schema, `name`, `givenName`.
fn attr_path(word: &str) -> Result<AttrPath> {
    let (schema, rest) = match word.rfind(':') {
        Some(i) => (Some(word[..i].to_string()), &word[i + 1..]),
        None => (None, word),
    };
    let (name, sub) = match rest.split_once('.') {
        Some((name, sub)) => (name, Some(sub)),
        None => (rest, None),
    };
    if !valid_name(name) || sub.is_some_and(|s| !valid_name(s)) {
        return Err(invalid());
    }
    Ok(AttrPath {
        schema,
        name: name.to_string(),
        sub: sub.map(str::to_string),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parsed(text: &str) -> Filter {
        Filter::parse(text).unwrap_or_else(|e| panic!("{text}: {e:?}"))
    }

    fn path(name: &str) -> AttrPath {
        attr_path(name).unwrap_or_else(|_| panic!("{name}"))
    }

    fn barbara() -> Value {
        json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
            "id": "2819c223-7f76-453a-919d-413861904646",
            "externalId": "ECK-ID-0042",
            "userName": "bjensen",
            "name": {"familyName": "O'Malley", "givenName": "Barbara"},
            "title": "Teacher",
            "userType": "Employee",
            "active": true,
            "emails": [
                {"value": "bjensen@klimop.example", "type": "work", "primary": true},
                {"value": "babs@home.example", "type": "home"}
            ],
            "meta": {"lastModified": "2026-09-01T07:00:00Z"},
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {
                "employeeNumber": "701",
                "department": "Science"
            }
        })
    }

    /// The examples of RFC 7644 §3.4.2.2 read.
    #[test]
    fn should_read_the_examples_of_the_rfc() {
        for text in [
            r#"userName eq "bjensen""#,
            r#"name.familyName co "O'Malley""#,
            r#"userName sw "J""#,
            r#"urn:ietf:params:scim:schemas:core:2.0:User:userName sw "J""#,
            "title pr",
            r#"meta.lastModified gt "2011-05-13T04:42:34Z""#,
            r#"meta.lastModified ge "2011-05-13T04:42:34Z""#,
            r#"title pr and userType eq "Employee""#,
            r#"title pr or userType eq "Intern""#,
            r#"schemas eq "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User""#,
            r#"userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")"#,
            r#"userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")"#,
            r#"userType eq "Employee" and (emails.type eq "work")"#,
            r#"userType eq "Employee" and emails[type eq "work" and value co "@example.com"]"#,
            r#"emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]"#,
            r#"emails[type eq "work" or (type eq "home" and value ew "@example.com")]"#,
        ] {
            parsed(text);
        }
    }

    #[test]
    fn should_bind_not_over_and_over_or() {
        let compare = |name: &str, value: &str| {
            Filter::Compare(path(name), CompareOp::Eq, CompValue::Str(value.into()))
        };
        assert_eq!(
            parsed(r#"a eq "1" or b eq "2" and c eq "3""#),
            Filter::Or(
                Box::new(compare("a", "1")),
                Box::new(Filter::And(
                    Box::new(compare("b", "2")),
                    Box::new(compare("c", "3"))
                ))
            )
        );
        assert_eq!(
            parsed(r#"not (a eq "1") and b eq "2""#),
            Filter::And(
                Box::new(Filter::Not(Box::new(compare("a", "1")))),
                Box::new(compare("b", "2"))
            )
        );
        assert_eq!(
            parsed("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber pr"),
            Filter::Present(AttrPath {
                schema: Some("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User".into()),
                name: "employeeNumber".into(),
                sub: None,
            })
        );
    }

    #[test]
    fn should_match_as_identity_providers_ask() {
        let b = barbara();
        let yes = |text: &str| assert!(parsed(text).matches(&b), "{text}");
        let no = |text: &str| assert!(!parsed(text).matches(&b), "{text}");
        // Entra ID and Google look a user up by userName or externalId before creating them.
        yes(r#"userName eq "bjensen""#);
        yes(r#"USERNAME Eq "BJensen""#);
        yes(r#"externalId eq "ECK-ID-0042""#);
        no(r#"externalId eq "eck-id-0042""#);
        yes(r#"emails.value eq "bjensen@klimop.example""#);
        yes(r#"emails co "@home.example""#);
        yes(r#"emails[type eq "work" and value sw "bjensen"]"#);
        no(r#"emails[type eq "home" and value sw "bjensen"]"#);
        yes(r#"active eq true"#);
        no(r#"active eq false"#);
        yes(r#"name.familyName co "o'm""#);
        yes(r#"meta.lastModified gt "2026-01-01T00:00:00Z""#);
        no(r#"meta.lastModified lt "2026-01-01T00:00:00Z""#);
        yes(
            r#"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq "701""#,
        );
        yes(r#"urn:ietf:params:scim:schemas:core:2.0:User:userName sw "bj""#);
        yes("title pr and not (nickName pr)");
        yes(r#"nickName eq null"#);
        yes(r#"nickName ne "Babs""#);
        no(
            r#"userType ne "Employee" and not (emails co "klimop.example" or emails.value co "example.org")"#,
        );
        yes(r#"userType eq "Intern" or (title ew "cher" and active eq true)"#);
    }

    #[test]
    fn should_refuse_what_is_not_a_filter() {
        let deep = format!(
            "{}a pr{}",
            "(".repeat(MAX_DEPTH + 1),
            ")".repeat(MAX_DEPTH + 1)
        );
        let long = format!(r#"userName eq "{}""#, "x".repeat(MAX_LEN));
        for text in [
            "",
            "userName",
            r#"userName eq"#,
            r#"userName is "bjensen""#,
            r#"userName eq "bjensen"#,
            r#"(userName eq "bjensen""#,
            r#"userName eq "bjensen")"#,
            r#"userName eq "bjensen" and"#,
            r#"userName eq bjensen"#,
            r#"active gt true"#,
            r#"nickName co null"#,
            r#"emails[type eq "work" and x[y eq "1"]]"#,
            r#"emails.value[type eq "work"]"#,
            r#"1abc eq "x""#,
            r#"userName eq "a" userName eq "b""#,
            "userName eq 1e999",
            deep.as_str(),
            long.as_str(),
        ] {
            assert_eq!(
                Filter::parse(text).err(),
                Some(Error::invalid("filter", Code::ScimFilterInvalid)),
                "{text}"
            );
        }
    }
}

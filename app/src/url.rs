//! Percent-encoding of query values: unreserved characters and `/` (allowed in a query, and
//! kept readable in `next=/admin`) stay as they are.
pub fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                (b as char).to_string()
            }
            other => format!("%{other:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn should_encode_everything_but_unreserved_characters_and_slashes() {
        assert_eq!(
            super::encode("/admin?site=1&x=é"),
            "/admin%3Fsite%3D1%26x%3D%C3%A9"
        );
    }
}

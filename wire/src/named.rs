//! Enums that travel and are stored as short names (`"nightly"`, `"approval"`): one macro
//! gives each its serde names, `as_str`, `parse` and `ALL`, so the name is written once.

/// `named_enum! { /// doc  pub enum Name { Variant => "name", ... } }`.
#[macro_export]
macro_rules! named_enum {
    ($(#[$meta:meta])* pub enum $name:ident { $($(#[$vmeta:meta])* $variant:ident => $text:literal,)* }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $text)] $variant,)*
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant,)*];

            /// The name it travels and is stored as.
            pub const fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text,)* }
            }

            /// From its name (exactly; nothing else).
            pub fn parse(text: &str) -> Option<$name> {
                match text { $($text => Some($name::$variant),)* _ => None }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

#[cfg(test)]
mod tests {
    crate::named_enum! {
        /// A test.
        pub enum Weather { Sun => "sun", Rain => "rain", }
    }

    #[test]
    fn should_read_back_every_name_it_writes() {
        for w in Weather::ALL {
            assert_eq!(Weather::parse(w.as_str()), Some(*w));
            let json = serde_json::to_string(w).unwrap_or_default();
            assert_eq!(json, format!("\"{w}\""));
        }
        assert_eq!(Weather::parse("snow"), None);
    }
}

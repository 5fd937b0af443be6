//! Baseline names: folder names under `criterion-baselines/` and criterion baseline names.

use std::fmt;
use std::str::FromStr;

use super::BaselineError;

/// Names criterion uses for its own folders next to saved baselines; restoring a baseline under
/// one of them would overwrite criterion's state.
const RESERVED: [&str; 4] = ["new", "base", "change", "report"];

/// The longest name accepted; criterion truncates path components at 64 bytes, and a name is
/// one path component both in the store and in criterion's folders.
const MAX_LEN: usize = 64;

/// A validated baseline name, e.g. `macos-aarch64-apple-m2-ort1.31.1`.
///
/// Names are single folder names: ASCII letters, digits, `.`, `-`, `_` and `+`, not starting
/// with `.` (so neither `..` nor hidden folders), and none of criterion's own folder names.
///
/// ```
/// use epbench::baseline::BaselineName;
/// assert!("m2-macos15-ort1.31.1".parse::<BaselineName>().is_ok());
/// assert!("../etc".parse::<BaselineName>().is_err());
/// assert!("a/b".parse::<BaselineName>().is_err());
/// assert!("new".parse::<BaselineName>().is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(into = "String")]
pub struct BaselineName(String);

impl BaselineName {
    /// The name as a string (also its folder name).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Turns free text (a machine slug, a version) into a valid name by replacing every
    /// character that names do not allow with `-`.
    pub fn sanitized(text: &str) -> Result<Self, BaselineError> {
        let mut name: String = text
            .chars()
            .map(|c| if allowed(c) { c } else { '-' })
            .collect();
        while name.contains("--") {
            name = name.replace("--", "-");
        }
        // Only ASCII is left, so truncating at a byte count is safe.
        name.truncate(MAX_LEN);
        name.trim_matches(['-', '.']).parse()
    }
}

fn allowed(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '+')
}

impl FromStr for BaselineName {
    type Err = BaselineError;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        let invalid = |reason: &str| BaselineError::InvalidName {
            name: name.to_string(),
            reason: reason.to_string(),
        };
        if name.is_empty() {
            return Err(invalid("it is empty"));
        }
        if name.len() > MAX_LEN {
            return Err(invalid("it is longer than 64 characters"));
        }
        if name.contains(['/', '\\']) {
            return Err(invalid(
                "it must be a single folder name, without `/` or `\\`",
            ));
        }
        if name.starts_with('.') {
            return Err(invalid(
                "it must not start with `.` (no `..`, no hidden folders)",
            ));
        }
        if let Some(bad) = name.chars().find(|&c| !allowed(c)) {
            return Err(invalid(&format!(
                "`{bad}` is not allowed; use letters, digits, `.`, `-`, `_` or `+`"
            )));
        }
        if RESERVED.contains(&name.to_ascii_lowercase().as_str()) {
            return Err(invalid(
                "criterion uses this folder name itself (new, base, change, report)",
            ));
        }
        Ok(BaselineName(name.to_string()))
    }
}

impl fmt::Display for BaselineName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<BaselineName> for String {
    fn from(name: BaselineName) -> Self {
        name.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_paths_and_reserved_names() {
        for bad in [
            "", "..", ".hidden", "a/b", "a\\b", "base", "New", "a b", "x:y",
        ] {
            assert!(bad.parse::<BaselineName>().is_err(), "{bad:?}");
        }
        let long = "a".repeat(65);
        assert!(long.parse::<BaselineName>().is_err());
    }

    #[test]
    fn sanitizes_machine_slugs() {
        let name = BaselineName::sanitized("linux-x86_64-amd epyc 7b13--ort1.31.1").unwrap();
        assert_eq!(name.as_str(), "linux-x86_64-amd-epyc-7b13-ort1.31.1");
        assert!(BaselineName::sanitized("/").is_err());
    }
}

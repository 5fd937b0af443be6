//! The ONNX Runtime a user asks for, as a pip requirement string (`onnxruntime==1.31.1`).

use std::fmt;
use std::str::FromStr;

use super::ProvisioningError;

/// The runtime used when neither `EPBENCH_ORT` nor `--ort` says otherwise.
pub const DEFAULT_REQUIREMENT: &str = "onnxruntime==1.31.1";

/// Which ONNX Runtime build a PyPI package carries. Each flavour is a different wheel with a
/// different set of execution providers compiled in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Flavour {
    /// `onnxruntime`: CPU everywhere, plus CoreML in the macOS wheels.
    Default,
    /// `onnxruntime-openvino`: CPU plus Intel's OpenVINO EP (Linux x86_64, Windows).
    OpenVino,
}

impl Flavour {
    const ALL: [Flavour; 2] = [Flavour::Default, Flavour::OpenVino];

    /// The PyPI package name.
    pub fn package(self) -> &'static str {
        match self {
            Flavour::Default => "onnxruntime",
            Flavour::OpenVino => "onnxruntime-openvino",
        }
    }
}

/// A pinned ONNX Runtime release from PyPI, e.g. `onnxruntime==1.31.1`.
///
/// Only exact pins are accepted: a benchmark result is only worth something if it says which
/// runtime produced it, so "latest" is never implied.
///
/// ```
/// use epbench::provisioning::{Flavour, OrtRequirement};
/// let req: OrtRequirement = "onnxruntime-openvino==1.24.1".parse().unwrap();
/// assert_eq!(req.flavour(), Flavour::OpenVino);
/// assert_eq!(req.version(), "1.24.1");
/// assert_eq!(req.to_string(), "onnxruntime-openvino==1.24.1");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct OrtRequirement {
    flavour: Flavour,
    version: String,
}

impl OrtRequirement {
    /// The package flavour.
    pub fn flavour(&self) -> Flavour {
        self.flavour
    }

    /// The pinned version, e.g. `1.31.1`.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// The requirement from `EPBENCH_ORT`, or [`DEFAULT_REQUIREMENT`] when it is unset or empty.
    pub fn from_env() -> Result<Self, ProvisioningError> {
        match std::env::var("EPBENCH_ORT") {
            Ok(value) if !value.trim().is_empty() => {
                value
                    .parse()
                    .map_err(|e: ProvisioningError| ProvisioningError::BadRequirement {
                        input: value.clone(),
                        reason: format!("{e} (from EPBENCH_ORT)"),
                    })
            }
            _ => Ok(Self::default()),
        }
    }
}

impl Default for OrtRequirement {
    fn default() -> Self {
        DEFAULT_REQUIREMENT
            .parse()
            .unwrap_or_else(|_| unreachable!("the default requirement is well formed"))
    }
}

impl FromStr for OrtRequirement {
    type Err = ProvisioningError;

    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let bad = |reason: String| ProvisioningError::BadRequirement {
            input: input.to_string(),
            reason,
        };
        let trimmed = input.trim();
        let Some((name, version)) = trimmed.split_once("==") else {
            return Err(bad(format!(
                "expected an exact pin such as `{DEFAULT_REQUIREMENT}`; ranges and bare names are \
                 not accepted because results must name the runtime that produced them"
            )));
        };
        // pip treats `-`, `_` and `.` in names as the same and ignores case.
        let normalised = name.trim().to_ascii_lowercase().replace(['_', '.'], "-");
        let flavour = Flavour::ALL
            .into_iter()
            .find(|f| f.package() == normalised)
            .ok_or_else(|| {
                let known: Vec<_> = Flavour::ALL.iter().map(|f| f.package()).collect();
                bad(format!(
                    "unknown package `{}`; epbench knows {}",
                    name.trim(),
                    known.join(", ")
                ))
            })?;
        let version = version.trim();
        let well_formed = !version.is_empty()
            && version.split('.').count() >= 2
            && version
                .split('.')
                .all(|part| !part.is_empty() && part.chars().all(|c| c.is_ascii_alphanumeric()));
        if !well_formed {
            return Err(bad(format!(
                "`{version}` is not a release version such as 1.31.1"
            )));
        }
        Ok(OrtRequirement {
            flavour,
            version: version.to_string(),
        })
    }
}

impl fmt::Display for OrtRequirement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}=={}", self.flavour.package(), self.version)
    }
}

impl TryFrom<String> for OrtRequirement {
    type Error = ProvisioningError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        value.parse()
    }
}

impl From<OrtRequirement> for String {
    fn from(value: OrtRequirement) -> Self {
        value.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_pins_of_both_flavours() {
        let req: OrtRequirement = "onnxruntime==1.30.0".parse().unwrap();
        assert_eq!((req.flavour(), req.version()), (Flavour::Default, "1.30.0"));
        let req: OrtRequirement = " ONNXRuntime_OpenVINO == 1.24.1 ".parse().unwrap();
        assert_eq!(
            (req.flavour(), req.version()),
            (Flavour::OpenVino, "1.24.1")
        );
        assert_eq!(req.to_string(), "onnxruntime-openvino==1.24.1");
    }

    #[test]
    fn rejects_what_is_not_an_exact_pin() {
        for (input, needle) in [
            ("onnxruntime", "exact pin"),
            ("onnxruntime>=1.20", "exact pin"),
            (
                "onnxruntime-gpu==1.31.1",
                "unknown package `onnxruntime-gpu`",
            ),
            ("onnxruntime==", "not a release version"),
            ("onnxruntime==1", "not a release version"),
            ("onnxruntime==1..2", "not a release version"),
            ("onnxruntime==1.31.1; rm -rf /", "not a release version"),
        ] {
            let err = input.parse::<OrtRequirement>().unwrap_err().to_string();
            assert!(err.contains(needle), "{input}: {err}");
            assert!(err.contains(input.trim()), "error names the input: {err}");
        }
    }

    #[test]
    fn default_is_the_documented_release() {
        assert_eq!(OrtRequirement::default().to_string(), DEFAULT_REQUIREMENT);
    }
}

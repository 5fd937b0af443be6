//! The ONNX Runtime a user asks for: a pip requirement string (`onnxruntime==1.31.1`) or a local
//! library (`file:/abs/path/libonnxruntime.so`).

use std::fmt;
use std::path::{Path, PathBuf};
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

/// The ONNX Runtime a user asks for: a pinned release from PyPI (`onnxruntime==1.31.1`) or a
/// library already on disk (`file:/abs/path/libonnxruntime.so`, e.g. a build of one's own).
///
/// Only exact pins are accepted: a benchmark result is only worth something if it says which
/// runtime produced it, so "latest" is never implied. A local library names its file; its
/// version is whatever the library reports once loaded.
///
/// ```
/// use epbench::provisioning::{Flavour, OrtRequirement};
/// let req: OrtRequirement = "onnxruntime-openvino==1.24.1".parse().unwrap();
/// assert_eq!(req.flavour(), Some(Flavour::OpenVino));
/// assert_eq!(req.version(), Some("1.24.1"));
/// assert_eq!(req.to_string(), "onnxruntime-openvino==1.24.1");
/// let local: OrtRequirement = "file:/opt/ort/libonnxruntime.so".parse().unwrap();
/// assert_eq!(local.local_path(), Some(std::path::Path::new("/opt/ort/libonnxruntime.so")));
/// assert_eq!(local.to_string(), "file:/opt/ort/libonnxruntime.so");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum OrtRequirement {
    /// An official wheel from PyPI, fetched with pip and cached.
    Release { flavour: Flavour, version: String },
    /// A shared library on disk, loaded as is (an absolute path).
    Local { path: PathBuf },
}

/// The prefix of a local-library requirement.
pub const LOCAL_PREFIX: &str = "file:";

impl OrtRequirement {
    /// The package flavour of a PyPI release; `None` for a local library.
    pub fn flavour(&self) -> Option<Flavour> {
        match self {
            OrtRequirement::Release { flavour, .. } => Some(*flavour),
            OrtRequirement::Local { .. } => None,
        }
    }

    /// The pinned version of a PyPI release, e.g. `1.31.1`; `None` for a local library, whose
    /// version is known only once it is loaded.
    pub fn version(&self) -> Option<&str> {
        match self {
            OrtRequirement::Release { version, .. } => Some(version),
            OrtRequirement::Local { .. } => None,
        }
    }

    /// The library file of a local requirement.
    pub fn local_path(&self) -> Option<&Path> {
        match self {
            OrtRequirement::Release { .. } => None,
            OrtRequirement::Local { path } => Some(path),
        }
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
        if let Some(path) = trimmed.strip_prefix(LOCAL_PREFIX) {
            return parse_local(path).map_err(bad);
        }
        let Some((name, version)) = trimmed.split_once("==") else {
            return Err(bad(format!(
                "expected an exact pin such as `{DEFAULT_REQUIREMENT}` or a local library such as \
                 `{LOCAL_PREFIX}/abs/path/libonnxruntime.so`; ranges and bare names are not \
                 accepted because results must name the runtime that produced them"
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
        Ok(OrtRequirement::Release {
            flavour,
            version: version.to_string(),
        })
    }
}

/// `file:` paths must be absolute: the requirement is passed to worker processes and recorded in
/// baselines, where a relative path would mean another file. `file://` URLs are accepted too.
fn parse_local(path: &str) -> Result<OrtRequirement, String> {
    let path = path.strip_prefix("//").unwrap_or(path);
    if path.is_empty() {
        return Err(format!(
            "`{LOCAL_PREFIX}` needs the path of an ONNX Runtime shared library"
        ));
    }
    let path = PathBuf::from(path);
    if !path.is_absolute() {
        return Err(format!(
            "`{}` is not an absolute path; write `{LOCAL_PREFIX}/abs/path/libonnxruntime.so`",
            path.display()
        ));
    }
    Ok(OrtRequirement::Local { path })
}

impl fmt::Display for OrtRequirement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OrtRequirement::Release { flavour, version } => {
                write!(f, "{}=={version}", flavour.package())
            }
            OrtRequirement::Local { path } => write!(f, "{LOCAL_PREFIX}{}", path.display()),
        }
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
        assert_eq!(
            (req.flavour(), req.version()),
            (Some(Flavour::Default), Some("1.30.0"))
        );
        let req: OrtRequirement = " ONNXRuntime_OpenVINO == 1.24.1 ".parse().unwrap();
        assert_eq!(
            (req.flavour(), req.version()),
            (Some(Flavour::OpenVino), Some("1.24.1"))
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
    fn parses_local_libraries() {
        for (input, path) in [
            (
                "file:/opt/ort/libonnxruntime.so.1.30.0",
                "/opt/ort/libonnxruntime.so.1.30.0",
            ),
            (" file:///opt/ort/lib.so ", "/opt/ort/lib.so"),
        ] {
            let req: OrtRequirement = input.parse().unwrap();
            assert_eq!(req.local_path(), Some(Path::new(path)), "{input}");
            assert_eq!((req.flavour(), req.version()), (None, None));
            assert_eq!(req.to_string().parse::<OrtRequirement>().unwrap(), req);
        }
        for (input, needle) in [
            ("file:", "needs the path"),
            ("file:lib/libonnxruntime.so", "not an absolute path"),
        ] {
            let err = input.parse::<OrtRequirement>().unwrap_err().to_string();
            assert!(err.contains(needle), "{input}: {err}");
        }
    }

    #[test]
    fn default_is_the_documented_release() {
        assert_eq!(OrtRequirement::default().to_string(), DEFAULT_REQUIREMENT);
    }
}

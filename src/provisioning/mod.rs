//! Obtaining ONNX Runtime: the official PyPI wheels, fetched with pip on first use and cached.
//!
//! `ORT_DYLIB_PATH` (ort's own convention) overrides everything; otherwise the runtime named by
//! an [`OrtRequirement`] is either a local library (`file:/path`, loaded as is) or a PyPI release
//! taken from the [`Cache`], downloading it only when it is missing or damaged.

mod cache;
mod pip;
mod platform;
mod progress;
mod requirement;
mod wheel;

use std::path::{Path, PathBuf};

pub use cache::{Cache, CachedPackage, Manifest, PackageSpec};
pub use pip::default_python;
pub use platform::WheelPlatform;
pub use requirement::{DEFAULT_REQUIREMENT, Flavour, LOCAL_PREFIX, OrtRequirement};
pub use wheel::ExtractedFile;

/// Names the set of files [`ensure_ort`] extracts; bump it when that set changes.
const ORT_SELECTION: &str = "ort-shared-libraries-v1";

/// Where the loaded ONNX Runtime library came from.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LibraryOrigin {
    /// `ORT_DYLIB_PATH` named it; epbench does not know which requirement it satisfies.
    OrtDylibPath,
    /// Extracted from the official wheel of this requirement into epbench's cache.
    Wheel { requirement: OrtRequirement },
    /// A `file:` requirement: a library on disk (the user's own build, say), loaded as is.
    Local { requirement: OrtRequirement },
}

impl LibraryOrigin {
    /// The requirement the library satisfies; `None` under `ORT_DYLIB_PATH`.
    pub fn requirement(&self) -> Option<&OrtRequirement> {
        match self {
            LibraryOrigin::Wheel { requirement } | LibraryOrigin::Local { requirement } => {
                Some(requirement)
            }
            LibraryOrigin::OrtDylibPath => None,
        }
    }

    /// Where the library came from, in words: `official PyPI wheel of onnxruntime==1.31.1`.
    pub fn describe(&self) -> String {
        match self {
            LibraryOrigin::OrtDylibPath => "ORT_DYLIB_PATH".to_string(),
            LibraryOrigin::Wheel { requirement } => {
                format!("official PyPI wheel of {requirement}")
            }
            LibraryOrigin::Local { requirement } => format!("local library, {requirement}"),
        }
    }
}

/// An ONNX Runtime shared library on disk, ready to be loaded.
#[derive(Debug, Clone)]
pub struct OrtLibrary {
    pub path: PathBuf,
    pub origin: LibraryOrigin,
}

/// Finds the ONNX Runtime to load: `ORT_DYLIB_PATH` if set, else `requirement`: a local library
/// as is, or the cached wheel of a release.
pub fn locate_ort(
    requirement: &OrtRequirement,
    cache: &Cache,
) -> Result<OrtLibrary, ProvisioningError> {
    match std::env::var_os("ORT_DYLIB_PATH").filter(|v| !v.is_empty()) {
        Some(path) => library_override(Path::new(&path)),
        None => ensure_ort(requirement, cache),
    }
}

/// The library of a `file:` requirement, checked to be a file.
fn local_library(
    requirement: &OrtRequirement,
    path: &Path,
) -> Result<OrtLibrary, ProvisioningError> {
    if !path.is_file() {
        return Err(ProvisioningError::MissingLocal {
            path: path.to_path_buf(),
        });
    }
    Ok(OrtLibrary {
        path: path.to_path_buf(),
        origin: LibraryOrigin::Local {
            requirement: requirement.clone(),
        },
    })
}

/// An explicitly named library, checked to exist.
pub fn library_override(path: &Path) -> Result<OrtLibrary, ProvisioningError> {
    if !path.is_file() {
        return Err(ProvisioningError::MissingOverride {
            path: path.to_path_buf(),
        });
    }
    Ok(OrtLibrary {
        path: path.to_path_buf(),
        origin: LibraryOrigin::OrtDylibPath,
    })
}

/// Makes sure the official wheel of `requirement` for this machine is in `cache`, extracted and
/// verified, and returns its main library. Provider libraries (OpenVINO's among them) sit in the
/// same folder, where ONNX Runtime looks for them. A local requirement is its own library: it is
/// checked to exist and never copied.
pub fn ensure_ort(
    requirement: &OrtRequirement,
    cache: &Cache,
) -> Result<OrtLibrary, ProvisioningError> {
    if let Some(path) = requirement.local_path() {
        return local_library(requirement, path);
    }
    ensure_ort_for(requirement, cache, WheelPlatform::host()?)
}

/// [`ensure_ort`] for the wheel of any `platform`, not only this machine's: downloaded, checked
/// against its `RECORD` and cached the same way, but never loaded. This is how the macOS arm64
/// library (the one with the CoreML EP) can be fetched and inspected on Linux. A local (`file:`)
/// requirement has no wheel and is an error here.
pub fn ensure_ort_for(
    requirement: &OrtRequirement,
    cache: &Cache,
    platform: WheelPlatform,
) -> Result<OrtLibrary, ProvisioningError> {
    if requirement.local_path().is_some() {
        return Err(ProvisioningError::BadRequirement {
            input: requirement.to_string(),
            reason: "a local library has no PyPI wheel to fetch for another platform".into(),
        });
    }
    let select = |path: &str| {
        let Some(name) = path.strip_prefix("onnxruntime/capi/") else {
            return false;
        };
        !name.contains('/')
            && !name.starts_with("onnxruntime_pybind11_state")
            && (name.contains(".so") || name.ends_with(".dylib"))
    };
    let spec = PackageSpec {
        requirement: requirement.to_string(),
        platform: Some((platform.pip_tags(), platform.slug())),
        selection: ORT_SELECTION,
        select: &select,
    };
    let package = cache.fetch(&spec)?;
    let main = package
        .manifest
        .files
        .iter()
        .find(|f| {
            let name = f.path.rsplit('/').next().unwrap_or(&f.path);
            platform.is_main_library(name)
        })
        .ok_or_else(|| ProvisioningError::CorruptWheel {
            path: cache.entry_dir(&spec),
            reason: format!(
                "the wheel has no ONNX Runtime shared library for {}",
                platform.slug()
            ),
        })?;
    Ok(OrtLibrary {
        path: package.path_of(main),
        origin: LibraryOrigin::Wheel {
            requirement: requirement.clone(),
        },
    })
}

/// Why ONNX Runtime (or another package) could not be provisioned, each with what to do about it.
#[derive(Debug, thiserror::Error)]
pub enum ProvisioningError {
    #[error("`{input}` is not an ONNX Runtime requirement: {reason}")]
    BadRequirement { input: String, reason: String },
    #[error(
        "cannot run pip with `{}` ({reason}). epbench fetches ONNX Runtime from PyPI with pip: \
         install Python 3 with pip (e.g. `apt-get install python3-pip`), point EPBENCH_PYTHON at \
         a Python that has pip, or set ORT_DYLIB_PATH to an ONNX Runtime library you already have",
        python.display()
    )]
    NoPip { python: PathBuf, reason: String },
    #[error(
        "cannot reach PyPI to download {requirement}, and it is not in epbench's cache. Connect to \
         the network once (later runs reuse the cache), or set ORT_DYLIB_PATH. pip said:\n{detail}"
    )]
    Offline { requirement: String, detail: String },
    #[error(
        "PyPI has no wheel of {requirement} for {platform}. Check the version exists \
         (`pip index versions <package>`) and is published for this platform. pip said:\n{detail}"
    )]
    NoSuchWheel {
        requirement: String,
        platform: String,
        detail: String,
    },
    #[error("pip could not download {requirement}:\n{output}")]
    PipFailed { requirement: String, output: String },
    #[error("the wheel {} is damaged or unusable: {reason}", path.display())]
    CorruptWheel { path: PathBuf, reason: String },
    #[error(
        "ONNX Runtime publishes no wheel with a loadable C library for {platform}; epbench supports \
         Linux x86_64/aarch64 and macOS arm64, or set ORT_DYLIB_PATH to a library you built"
    )]
    UnsupportedPlatform { platform: String },
    #[error("ORT_DYLIB_PATH names {}, which is not a file", path.display())]
    MissingOverride { path: PathBuf },
    #[error(
        "the runtime requirement {}{} names no file; give the absolute path of an ONNX Runtime \
         shared library (e.g. file:/path/to/libonnxruntime.so)",
        LOCAL_PREFIX,
        path.display()
    )]
    MissingLocal { path: PathBuf },
    #[error("no per-user cache folder is known for this user; set EPBENCH_CACHE")]
    NoCacheDir,
    #[error("cannot {action} {}: {source}", path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl ProvisioningError {
    pub(crate) fn io(action: &'static str, path: impl AsRef<Path>, source: std::io::Error) -> Self {
        ProvisioningError::Io {
            action,
            path: path.as_ref().to_path_buf(),
            source,
        }
    }
}

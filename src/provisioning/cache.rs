//! The on-disk cache of packages fetched from PyPI.
//!
//! Layout, one folder per requirement and platform:
//! ```text
//! <root>/packages/onnxruntime-1.31.1-linux-x86_64/
//!     entry.lock        serialises concurrent first runs (threads and processes)
//!     wheel/*.whl       the wheel as pip downloaded it, kept so a damaged file can be restored offline
//!     files/...         the selected files, extracted with the wheel's relative paths
//!     manifest.json     written last: its presence means the entry is complete
//! ```
//! Every load re-hashes the extracted files against the manifest, so a truncated or overwritten
//! library is detected and replaced rather than loaded.

use std::fs::{self, File};
use std::path::{Path, PathBuf};

use super::wheel::{self, ExtractedFile};
use super::{ProvisioningError, pip};

/// What to take from PyPI and which files of its wheel to keep.
pub struct PackageSpec<'a> {
    /// A pinned pip requirement, e.g. `onnxruntime==1.31.1`.
    pub requirement: String,
    /// Platform tags for a binary wheel and a slug naming them; `None` for pure-Python wheels.
    pub platform: Option<(&'a [&'a str], &'a str)>,
    /// Names the selection below; a cache entry made with another selection is redone.
    pub selection: &'a str,
    /// Which paths inside the wheel to extract.
    pub select: &'a dyn Fn(&str) -> bool,
}

/// A complete, verified cache entry.
#[derive(Debug, Clone)]
pub struct CachedPackage {
    /// Root under which the wheel's relative paths were extracted.
    pub dir: PathBuf,
    pub manifest: Manifest,
}

impl CachedPackage {
    /// The absolute path of an extracted file.
    pub fn path_of(&self, file: &ExtractedFile) -> PathBuf {
        self.dir.join(&file.path)
    }
}

/// What a cache entry holds, as written to `manifest.json`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Manifest {
    pub requirement: String,
    pub wheel: String,
    pub selection: String,
    pub files: Vec<ExtractedFile>,
}

/// The package cache: a root folder and the Python used to run pip on a miss.
#[derive(Debug, Clone)]
pub struct Cache {
    root: PathBuf,
    python: PathBuf,
}

impl Cache {
    /// `EPBENCH_CACHE`, else the per-user cache folder (`~/.cache/epbench`,
    /// `~/Library/Caches/epbench`), with pip from [`pip::default_python`].
    pub fn from_env() -> Result<Self, ProvisioningError> {
        let root = match std::env::var_os("EPBENCH_CACHE").filter(|v| !v.is_empty()) {
            Some(dir) => PathBuf::from(dir),
            None => directories::BaseDirs::new()
                .map(|dirs| dirs.cache_dir().join("epbench"))
                .ok_or(ProvisioningError::NoCacheDir)?,
        };
        Ok(Self::new(root, pip::default_python()))
    }

    /// A cache at `root` that runs pip with `python` when something is missing.
    pub fn new(root: impl Into<PathBuf>, python: impl Into<PathBuf>) -> Self {
        Self {
            root: root.into(),
            python: python.into(),
        }
    }

    /// The cache's root folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The folder of the entry for `spec`.
    pub fn entry_dir(&self, spec: &PackageSpec<'_>) -> PathBuf {
        let name: String = spec
            .requirement
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                    c
                } else {
                    '-'
                }
            })
            .collect();
        let slug = spec.platform.map_or("any", |(_, slug)| slug);
        self.root
            .join("packages")
            .join(format!("{}-{slug}", name.replace("--", "-")))
    }

    /// Returns the verified entry for `spec`, downloading and extracting what is missing or damaged.
    pub fn fetch(&self, spec: &PackageSpec<'_>) -> Result<CachedPackage, ProvisioningError> {
        let entry = self.entry_dir(spec);
        fs::create_dir_all(&entry).map_err(|e| ProvisioningError::io("create", &entry, e))?;
        let lock_path = entry.join("entry.lock");
        let lock =
            File::create(&lock_path).map_err(|e| ProvisioningError::io("create", &lock_path, e))?;
        lock.lock()
            .map_err(|e| ProvisioningError::io("lock", &lock_path, e))?;

        let files_dir = entry.join("files");
        let manifest_path = entry.join("manifest.json");
        if let Some(manifest) = read_manifest(&manifest_path)
            && manifest.selection == spec.selection
            && manifest.requirement == spec.requirement
        {
            match verify(&files_dir, &manifest) {
                Ok(()) => {
                    return Ok(CachedPackage {
                        dir: files_dir,
                        manifest,
                    });
                }
                Err(problem) => eprintln!(
                    "epbench: cached {} is damaged ({problem}); restoring it",
                    spec.requirement
                ),
            }
        }
        // From here the entry is rebuilt; a reader must not trust the old manifest meanwhile.
        remove_if_exists(&manifest_path)?;

        let wheel_dir = entry.join("wheel");
        let files = match existing_wheel(&wheel_dir) {
            Some(wheel_path) => match self.extract_into(&entry, &wheel_path, spec) {
                Ok(files) => Some((wheel_path, files)),
                Err(ProvisioningError::CorruptWheel { reason, .. }) => {
                    eprintln!(
                        "epbench: cached wheel {} is damaged ({reason}); downloading it again",
                        wheel_path.display()
                    );
                    remove_if_exists(&wheel_path)?;
                    None
                }
                Err(other) => return Err(other),
            },
            None => None,
        };
        let (wheel_path, files) = match files {
            Some(found) => found,
            None => {
                let wheel_path = self.download_into(&entry, &wheel_dir, spec)?;
                let files = self.extract_into(&entry, &wheel_path, spec)?;
                (wheel_path, files)
            }
        };
        if files.is_empty() {
            return Err(ProvisioningError::CorruptWheel {
                path: wheel_path,
                reason: format!(
                    "the wheel has none of the files epbench needs ({})",
                    spec.selection
                ),
            });
        }

        let manifest = Manifest {
            requirement: spec.requirement.clone(),
            wheel: wheel_path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            selection: spec.selection.to_string(),
            files,
        };
        write_atomically(&entry, &manifest_path, &manifest)?;
        Ok(CachedPackage {
            dir: files_dir,
            manifest,
        })
    }

    fn download_into(
        &self,
        entry: &Path,
        wheel_dir: &Path,
        spec: &PackageSpec<'_>,
    ) -> Result<PathBuf, ProvisioningError> {
        let staging = tempfile::tempdir_in(entry)
            .map_err(|e| ProvisioningError::io("create a folder in", entry, e))?;
        let downloaded = pip::download_wheel(
            &self.python,
            &spec.requirement,
            spec.platform.map(|(tags, _)| tags),
            staging.path(),
        )?;
        fs::create_dir_all(wheel_dir).map_err(|e| ProvisioningError::io("create", wheel_dir, e))?;
        let name = downloaded
            .file_name()
            .ok_or_else(|| ProvisioningError::PipFailed {
                requirement: spec.requirement.clone(),
                output: "pip produced a wheel without a file name".into(),
            })?;
        let target = wheel_dir.join(name);
        fs::rename(&downloaded, &target)
            .map_err(|e| ProvisioningError::io("move the wheel to", &target, e))?;
        Ok(target)
    }

    /// Extracts into a fresh folder and swaps it in, so `files/` is never half-written.
    fn extract_into(
        &self,
        entry: &Path,
        wheel_path: &Path,
        spec: &PackageSpec<'_>,
    ) -> Result<Vec<ExtractedFile>, ProvisioningError> {
        let staging = tempfile::tempdir_in(entry)
            .map_err(|e| ProvisioningError::io("create a folder in", entry, e))?;
        let files = wheel::extract(wheel_path, staging.path(), spec.select)?;
        let files_dir = entry.join("files");
        if files_dir.exists() {
            fs::remove_dir_all(&files_dir)
                .map_err(|e| ProvisioningError::io("remove", &files_dir, e))?;
        }
        let staged = staging.keep();
        fs::rename(&staged, &files_dir)
            .map_err(|e| ProvisioningError::io("move extracted files to", &files_dir, e))?;
        Ok(files)
    }
}

fn existing_wheel(dir: &Path) -> Option<PathBuf> {
    fs::read_dir(dir)
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| p.extension().is_some_and(|ext| ext == "whl"))
}

fn read_manifest(path: &Path) -> Option<Manifest> {
    let text = fs::read_to_string(path).ok()?;
    serde_json::from_str(&text).ok()
}

/// Checks every extracted file's size and hash; returns the first problem found.
fn verify(dir: &Path, manifest: &Manifest) -> Result<(), String> {
    for file in &manifest.files {
        let path = dir.join(&file.path);
        let size = fs::metadata(&path)
            .map_err(|e| format!("{}: {e}", file.path))?
            .len();
        if size != file.size {
            return Err(format!(
                "{} has {size} bytes, expected {}",
                file.path, file.size
            ));
        }
        let (_, sha256) = wheel::hash_file(&path).map_err(|e| format!("{}: {e}", file.path))?;
        if sha256 != file.sha256 {
            return Err(format!("{} has the wrong sha256", file.path));
        }
    }
    Ok(())
}

fn remove_if_exists(path: &Path) -> Result<(), ProvisioningError> {
    match fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            Err(ProvisioningError::io("remove", path, e))
        }
        _ => Ok(()),
    }
}

fn write_atomically(dir: &Path, path: &Path, manifest: &Manifest) -> Result<(), ProvisioningError> {
    let text = serde_json::to_string_pretty(manifest)
        .map_err(|e| ProvisioningError::io("serialise", path, std::io::Error::other(e)))?;
    let mut staged = tempfile::NamedTempFile::new_in(dir)
        .map_err(|e| ProvisioningError::io("create a file in", dir, e))?;
    std::io::Write::write_all(&mut staged, text.as_bytes())
        .map_err(|e| ProvisioningError::io("write", staged.path(), e))?;
    staged
        .persist(path)
        .map_err(|e| ProvisioningError::io("write", path, e.error))?;
    Ok(())
}

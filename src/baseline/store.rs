//! The baseline store, `criterion-baselines/` (committed to git): save, list, load, restore.
//!
//! ```text
//! criterion-baselines/<name>/
//!   machine.json                              setup and one entry per run
//!   <directory_name>/{benchmark,estimates,sample,tukey}.json     run 1, criterion's files
//!   runs/<n>/<directory_name>/...             runs 2, 3, ... (`save --append`)
//! ```
//!
//! Run 1 sits where criterion's own baseline files would, so a single-run baseline is exactly a
//! criterion baseline plus `machine.json`. Every save builds the new folder next to the old one
//! and renames it into place, so a crash or a full disk never leaves a half-written baseline (a
//! crash between the two renames of a replacement leaves the old one in a hidden `.tmp-*` folder).

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use super::criterion_files::{self, BenchmarkFolder};
use super::metadata::{BaselineMetadata, RunInfo, utc};
use super::noise::NoiseModel;
use super::run::{Run, RunSet};
use super::{BaselineError, BaselineName};

/// Where baselines live unless told otherwise, relative to the working directory.
pub const DEFAULT_DIR: &str = "criterion-baselines";

const METADATA_FILE: &str = "machine.json";

/// The folder holding runs 2, 3, ... of a baseline.
const EXTRA_RUNS: &str = "runs";

/// Benchmarks finishing further apart than this probably come from different `cargo bench`
/// invocations: criterion leaves `new/` folders of benchmarks that were not rerun.
const STALE_AFTER: Duration = Duration::from_secs(6 * 3600);

/// What to do when the baseline being saved exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SaveMode {
    /// Fail if it exists.
    Create,
    /// Replace it.
    Replace,
    /// Add the run to it (create it if it does not exist): repeated runs teach the noise floor.
    Append,
}

/// What `save` did.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SaveSummary {
    /// The baseline.
    pub name: BaselineName,
    /// Its folder.
    pub path: PathBuf,
    /// The number of the run just saved (1 for a new baseline).
    pub run: usize,
    /// The benchmarks in that run.
    pub benchmarks: usize,
    /// Things the user should check, e.g. benchmarks that look left over from an older run.
    pub warnings: Vec<String>,
}

/// A baseline as `list` shows it; a broken baseline is listed with its error.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Listing {
    /// The baseline's name.
    pub name: String,
    /// Its setup, when readable.
    pub metadata: Option<BaselineMetadata>,
    /// Benchmarks in any run.
    pub benchmarks: usize,
    /// The noise floor a single checked run would get against this baseline, when it has
    /// repeated runs to learn it from.
    pub noise_floor: Option<f64>,
    /// Why the baseline cannot be read, if it cannot.
    pub error: Option<String>,
}

/// What `restore` did.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct RestoreSummary {
    /// The baseline, now also a criterion baseline of the same name.
    pub name: BaselineName,
    /// The run restored.
    pub run: usize,
    /// Benchmarks restored.
    pub benchmarks: usize,
    /// The criterion output directory written to.
    pub criterion_dir: PathBuf,
}

/// A folder of saved baselines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Store {
    root: PathBuf,
}

impl Store {
    /// The store in `root` (which need not exist until the first save).
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Store { root: root.into() }
    }

    /// The store's folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The names of the saved baselines, sorted.
    pub fn names(&self) -> Result<Vec<BaselineName>, BaselineError> {
        if !self.root.is_dir() {
            return Ok(Vec::new());
        }
        let entries = fs::read_dir(&self.root)
            .map_err(|e| BaselineError::io("reading folder", &self.root, e))?;
        let mut names = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|e| BaselineError::io("reading folder", &self.root, e))?;
            // Temporary folders of interrupted saves start with `.` and are not valid names.
            if entry.path().is_dir()
                && let Ok(name) = entry.file_name().to_string_lossy().parse()
            {
                names.push(name);
            }
        }
        names.sort();
        Ok(names)
    }

    /// Loads a baseline: its metadata and every run's samples.
    pub fn load(&self, name: &BaselineName) -> Result<RunSet, BaselineError> {
        let dir = self.existing(name)?;
        let metadata = read_metadata(&dir)?;
        let runs = (1..=metadata.runs.len())
            .map(|run| Ok(Run::from_folders(&self.run_folders(name, &dir, run)?)))
            .collect::<Result<Vec<_>, BaselineError>>()?;
        let extra = dir.join(EXTRA_RUNS);
        let extra_folders = match fs::read_dir(&extra) {
            Ok(entries) => entries
                .filter_map(Result::ok)
                .filter(|entry| entry.path().is_dir())
                .count(),
            Err(_) => 0,
        };
        if extra_folders + 1 != runs.len() {
            return Err(BaselineError::malformed(
                dir.join(METADATA_FILE),
                format!(
                    "lists {} run(s) but the baseline holds {} (run 1 plus {} in {}/)",
                    runs.len(),
                    extra_folders + 1,
                    extra_folders,
                    EXTRA_RUNS
                ),
            ));
        }
        Ok(RunSet {
            label: name.to_string(),
            metadata: Some(metadata),
            runs,
        })
    }

    /// A baseline's `machine.json`, without reading its runs.
    pub fn metadata(&self, name: &BaselineName) -> Result<BaselineMetadata, BaselineError> {
        read_metadata(&self.existing(name)?)
    }

    /// Every baseline with its metadata; broken ones are listed with their error rather than
    /// hiding the others.
    pub fn list(&self) -> Result<Vec<Listing>, BaselineError> {
        Ok(self
            .names()?
            .iter()
            .map(|name| match self.load(name) {
                Ok(set) => Listing {
                    name: name.to_string(),
                    benchmarks: set.ids().len(),
                    noise_floor: NoiseModel::learn(&[&set]).typical_floor(set.runs.len(), 1),
                    metadata: set.metadata,
                    error: None,
                },
                Err(error) => Listing {
                    name: name.to_string(),
                    metadata: None,
                    benchmarks: 0,
                    noise_floor: None,
                    error: Some(error.to_string()),
                },
            })
            .collect())
    }

    /// Saves `folders` (one run, read from criterion's output) as baseline `name`.
    ///
    /// `metadata` describes the setup; its `runs` are ignored, the run is recorded here. With
    /// [`SaveMode::Append`] the setup must equal the saved one.
    pub fn save(
        &self,
        name: &BaselineName,
        folders: &[BenchmarkFolder],
        metadata: BaselineMetadata,
        mode: SaveMode,
    ) -> Result<SaveSummary, BaselineError> {
        if let Some(clash) = folders
            .iter()
            .find(|f| Path::new(&f.id.directory_name).starts_with(EXTRA_RUNS))
        {
            return Err(BaselineError::malformed(
                clash.path.join("benchmark.json"),
                format!(
                    "benchmark `{}` lives in a folder named `{EXTRA_RUNS}`, which baselines keep \
                     their extra runs in; rename its criterion group",
                    clash.id.full_id
                ),
            ));
        }
        fs::create_dir_all(&self.root)
            .map_err(|e| BaselineError::io("creating folder", &self.root, e))?;
        let target = self.root.join(name.as_str());
        let exists = target.exists();
        if exists && mode == SaveMode::Create {
            return Err(BaselineError::AlreadyExists {
                name: name.to_string(),
                store: self.root.clone(),
            });
        }

        let staging = tempfile::Builder::new()
            .prefix(&format!(".tmp-{name}-"))
            .tempdir_in(&self.root)
            .map_err(|e| BaselineError::io("creating a temporary folder in", &self.root, e))?;
        let (mut metadata, run) = if exists && mode == SaveMode::Append {
            let saved = read_metadata(&target)?;
            if saved.setup() != metadata.setup() {
                return Err(BaselineError::DifferentSetup {
                    name: name.to_string(),
                    saved: saved.setup(),
                    current: metadata.setup(),
                });
            }
            copy_tree(&target, staging.path())?;
            let run = saved.runs.len() + 1;
            (saved, run)
        } else {
            (metadata, 1)
        };
        let run_dir = run_dir(staging.path(), run);
        for folder in folders {
            criterion_files::copy_files(&folder.path, &run_dir.join(&folder.id.directory_name))?;
        }
        let finished: Vec<SystemTime> = folders.iter().filter_map(|f| f.finished).collect();
        metadata.runs.push(RunInfo::now(folders.len(), &finished));
        metadata.write(&staging.path().join(METADATA_FILE))?;
        replace(staging.keep(), &target)?;

        Ok(SaveSummary {
            name: name.clone(),
            path: target,
            run,
            benchmarks: folders.len(),
            warnings: stale_warning(&finished).into_iter().collect(),
        })
    }

    /// Copies run `run` (1-based) of baseline `name` into criterion's output directory as
    /// criterion's baseline `name`, so that `cargo bench -- --baseline <name>` compares with it.
    pub fn restore(
        &self,
        name: &BaselineName,
        run: usize,
        criterion_dir: &Path,
    ) -> Result<RestoreSummary, BaselineError> {
        let folders = self.folders(name, run)?;
        for folder in &folders {
            let to = criterion_dir
                .join(&folder.id.directory_name)
                .join(name.as_str());
            criterion_files::copy_files(&folder.path, &to)?;
        }
        Ok(RestoreSummary {
            name: name.clone(),
            run,
            benchmarks: folders.len(),
            criterion_dir: criterion_dir.to_path_buf(),
        })
    }

    /// The criterion folders of run `run` (1-based) of baseline `name`, with everything
    /// criterion wrote for each benchmark (its id, samples and estimates).
    pub fn folders(
        &self,
        name: &BaselineName,
        run: usize,
    ) -> Result<Vec<BenchmarkFolder>, BaselineError> {
        let dir = self.existing(name)?;
        let metadata = read_metadata(&dir)?;
        if run == 0 || run > metadata.runs.len() {
            return Err(BaselineError::NoSuchRun {
                name: name.to_string(),
                runs: metadata.runs.len(),
                run,
            });
        }
        self.run_folders(name, &dir, run)
    }

    fn existing(&self, name: &BaselineName) -> Result<PathBuf, BaselineError> {
        let dir = self.root.join(name.as_str());
        if dir.is_dir() {
            Ok(dir)
        } else {
            Err(BaselineError::UnknownBaseline {
                name: name.to_string(),
                store: self.root.clone(),
                available: self.names()?.iter().map(ToString::to_string).collect(),
            })
        }
    }

    fn run_folders(
        &self,
        name: &BaselineName,
        dir: &Path,
        run: usize,
    ) -> Result<Vec<BenchmarkFolder>, BaselineError> {
        let path = run_dir(dir, run);
        if !path.is_dir() {
            return Err(BaselineError::malformed(
                dir.join(METADATA_FILE),
                format!("lists run {run} but {} is missing", path.display()),
            ));
        }
        let skip: &[&str] = if run == 1 { &[EXTRA_RUNS] } else { &[] };
        let folders = criterion_files::scan(&path, None, skip)?;
        if folders.is_empty() {
            return Err(BaselineError::malformed(
                path,
                format!("run {run} of baseline `{name}` holds no benchmark (no benchmark.json)"),
            ));
        }
        Ok(folders)
    }
}

fn run_dir(baseline: &Path, run: usize) -> PathBuf {
    if run == 1 {
        baseline.to_path_buf()
    } else {
        baseline.join(EXTRA_RUNS).join(run.to_string())
    }
}

fn read_metadata(dir: &Path) -> Result<BaselineMetadata, BaselineError> {
    let path = dir.join(METADATA_FILE);
    if !path.is_file() {
        return Err(BaselineError::malformed(
            path,
            "missing; every baseline folder needs the machine.json `epbench baseline save` writes",
        ));
    }
    let metadata = BaselineMetadata::read(&path)?;
    if metadata.runs.is_empty() {
        return Err(BaselineError::malformed(path, "`runs` is empty"));
    }
    Ok(metadata)
}

/// Moves `staged` to `target`, replacing what is there. Renames are atomic within a file system
/// (the staging folder is created next to the target for that reason); a folder cannot be renamed
/// over a non-empty one, so the old one is moved aside first and put back if the swap fails.
fn replace(staged: PathBuf, target: &Path) -> Result<(), BaselineError> {
    let result = (|| {
        if !target.exists() {
            return fs::rename(&staged, target)
                .map_err(|e| BaselineError::io("moving the saved baseline to", target, e));
        }
        let mut aside = staged.clone().into_os_string();
        aside.push(".old");
        let aside = PathBuf::from(aside);
        fs::rename(target, &aside)
            .map_err(|e| BaselineError::io("moving aside the old baseline", target, e))?;
        if let Err(e) = fs::rename(&staged, target) {
            // Best effort: the user keeps the old baseline; the error says what failed.
            let _ = fs::rename(&aside, target);
            return Err(BaselineError::io("moving the saved baseline to", target, e));
        }
        fs::remove_dir_all(&aside).map_err(|e| BaselineError::io("removing", &aside, e))
    })();
    if staged.exists() {
        let _ = fs::remove_dir_all(&staged);
    }
    result
}

fn copy_tree(from: &Path, to: &Path) -> Result<(), BaselineError> {
    fs::create_dir_all(to).map_err(|e| BaselineError::io("creating folder", to, e))?;
    let entries = fs::read_dir(from).map_err(|e| BaselineError::io("reading folder", from, e))?;
    for entry in entries {
        let entry = entry.map_err(|e| BaselineError::io("reading folder", from, e))?;
        let source = entry.path();
        let destination = to.join(entry.file_name());
        if source.is_dir() {
            copy_tree(&source, &destination)?;
        } else {
            fs::copy(&source, &destination)
                .map_err(|e| BaselineError::io("copying", &source, e))?;
        }
    }
    Ok(())
}

fn stale_warning(finished: &[SystemTime]) -> Option<String> {
    let first = *finished.iter().min()?;
    let last = *finished.iter().max()?;
    let span = last.duration_since(first).ok()?;
    (span > STALE_AFTER).then(|| {
        format!(
            "the saved benchmarks finished between {} and {}: some `new/` folders are probably \
             left from an older `cargo bench`; pass --filter to save only this run's benchmarks",
            utc(first),
            utc(last)
        )
    })
}

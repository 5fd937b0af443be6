//! `epbench baseline`: save, list, restore, compare and check criterion baselines.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Subcommand;
use epbench::Ep;
use epbench::baseline::{
    self, BaselineMetadata, BaselineName, CompareOptions, OrtInfo, RunSet, SaveMode, Store,
    check::DEFAULT_THRESHOLD,
    criterion_files,
    export::{self, Format},
    render,
    run::last_run,
    store,
};
use epbench::machine::Machine;
use epbench::provisioning::OrtRequirement;

use super::output::print_json;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The folder of saved baselines, committed to git.
    #[arg(
        long,
        global = true,
        env = "EPBENCH_BASELINES",
        default_value = store::DEFAULT_DIR,
        value_name = "DIR"
    )]
    store: PathBuf,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Save the last `cargo bench` run (criterion's `new/` folders) as a baseline.
    Save(SaveArgs),
    /// List the saved baselines with the machine and runtime they were measured on.
    List {
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Put a saved baseline back into criterion's folder, for `cargo bench -- --baseline NAME`.
    Restore(RestoreArgs),
    /// Compare baselines side by side: ratios against the first, with confidence intervals.
    Compare(CompareArgs),
    /// Check the last `cargo bench` run against a saved baseline; exit 1 on a regression.
    Check(CheckArgs),
    /// Print a baseline (or a study's results.json) as JSON for a benchmark tracker.
    Export(ExportArgs),
}

#[derive(Debug, clap::Args)]
struct SaveArgs {
    /// The baseline's name [default: <os>-<arch>-<cpu-or-chip>-ort<version>].
    name: Option<BaselineName>,
    /// Criterion's output directory; repeat to save several runs at once [default:
    /// $CRITERION_HOME, else $CARGO_TARGET_DIR/criterion, else target/criterion].
    #[arg(long, value_name = "CRITERION_DIR")]
    from: Vec<PathBuf>,
    /// Save only benchmarks whose id matches this regular expression.
    #[arg(long, value_name = "REGEX")]
    filter: Option<String>,
    /// The execution provider options the benches ran with, e.g. coreml:format=mlprogram
    /// (recorded in machine.json; EPs in the ids are otherwise recorded with default options).
    #[arg(long, value_name = "EP")]
    ep: Vec<Ep>,
    /// Add this run to an existing baseline: repeated runs teach `check` the noise floor.
    #[arg(long, conflicts_with = "force")]
    append: bool,
    /// Replace an existing baseline of the same name.
    #[arg(long)]
    force: bool,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, clap::Args)]
struct RestoreArgs {
    /// The baseline to restore.
    name: BaselineName,
    /// Which of the baseline's runs to restore.
    #[arg(long, default_value_t = 1, value_name = "N")]
    run: usize,
    /// Criterion's output directory [default: as for `save --from`].
    #[arg(long, value_name = "CRITERION_DIR")]
    to: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
struct CompareArgs {
    /// Two or more baselines; changes are shown against the first.
    #[arg(required = true, num_args = 2.., value_name = "BASELINE")]
    names: Vec<BaselineName>,
    /// Show only benchmarks whose id matches this regular expression.
    #[arg(long, value_name = "REGEX")]
    filter: Option<String>,
    /// Mark only changes larger than this percentage.
    #[arg(long, default_value_t = 0.0, value_name = "PCT")]
    threshold: f64,
    /// Use this noise floor (percent) instead of learning it from repeated runs.
    #[arg(long, value_name = "PCT")]
    noise_floor: Option<f64>,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, clap::Args)]
struct CheckArgs {
    /// The saved baseline to check against.
    name: BaselineName,
    /// Criterion's output directory holding the run to check; repeat for several runs of the
    /// same code, which lowers the noise floor [default: as for `save --from`].
    #[arg(long, value_name = "CRITERION_DIR")]
    from: Vec<PathBuf>,
    /// Check another saved baseline instead of the last run.
    #[arg(long, value_name = "BASELINE", conflicts_with = "from")]
    against: Option<BaselineName>,
    /// Fail only on regressions larger than this percentage (and than the noise floor).
    #[arg(long, default_value_t = DEFAULT_THRESHOLD * 100.0, value_name = "PCT")]
    threshold: f64,
    /// Use this noise floor (percent) instead of learning it from repeated runs.
    #[arg(long, value_name = "PCT")]
    noise_floor: Option<f64>,
    /// Check only benchmarks whose id matches this regular expression.
    #[arg(long, value_name = "REGEX")]
    filter: Option<String>,
    /// The execution provider options the checked run used [default: the baseline's].
    #[arg(long, value_name = "EP")]
    ep: Vec<Ep>,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, clap::Args)]
struct ExportArgs {
    /// The saved baseline to export.
    #[arg(required_unless_present = "study", conflicts_with = "study")]
    name: Option<BaselineName>,
    /// Export a study instead: its results.json, or the folder `epbench study` wrote it into
    /// (bmf or github-action-benchmark).
    #[arg(long, value_name = "RESULTS")]
    study: Option<PathBuf>,
    /// bmf (Bencher Metric Format), github-action-benchmark (its customSmallerIsBetter input) or
    /// critcmp (the file `critcmp --export` writes).
    #[arg(long)]
    format: Format,
    /// Export only this run of the baseline [default: all runs combined; critcmp: run 1].
    #[arg(long, value_name = "N", conflicts_with = "study")]
    run: Option<usize>,
    /// Export only benchmarks whose id matches this regular expression.
    #[arg(long, value_name = "REGEX")]
    filter: Option<String>,
}

/// Runs `epbench baseline ...`. `requirement` is the ORT the benches ran with (`--ort` or
/// `EPBENCH_ORT`), recorded with saved runs.
pub fn run(args: &Args, requirement: Option<&OrtRequirement>) -> anyhow::Result<ExitCode> {
    let store = Store::new(&args.store);
    match &args.command {
        Command::Save(save) => run_save(&store, save, requirement),
        Command::List { json } => {
            let listings = store.list()?;
            if *json {
                print_json(&listings)?;
            } else {
                print!("{}", render::listing(&listings));
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Restore(restore) => {
            let dir = restore
                .to
                .clone()
                .unwrap_or_else(criterion_files::default_dir);
            let summary = store.restore(&restore.name, restore.run, &dir)?;
            println!(
                "restored run {} of {} ({} benchmarks) into {} as criterion baseline `{}`; \
                 compare with `cargo bench -- --baseline {}`",
                summary.run,
                summary.name,
                summary.benchmarks,
                summary.criterion_dir.display(),
                summary.name,
                summary.name
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Compare(compare) => run_compare(&store, compare),
        Command::Check(check) => run_check(&store, check, requirement),
        Command::Export(export) => {
            let filter = export
                .filter
                .as_deref()
                .map(baseline::parse_filter)
                .transpose()?;
            let document = match (&export.name, &export.study) {
                (Some(name), _) => export::export_baseline(
                    &store,
                    name,
                    export.format,
                    export.run,
                    filter.as_ref(),
                )?,
                (None, Some(study)) => export::export_study(study, export.format, filter.as_ref())?,
                (None, None) => anyhow::bail!("name a baseline or pass --study RESULTS"),
            };
            print_json(&document)?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn run_save(
    store: &Store,
    args: &SaveArgs,
    requirement: Option<&OrtRequirement>,
) -> anyhow::Result<ExitCode> {
    let filter = args
        .filter
        .as_deref()
        .map(baseline::parse_filter)
        .transpose()?;
    let dirs = dirs_or_default(&args.from);
    let machine = Machine::detect();
    let ort = current_ort(requirement);
    let name = match &args.name {
        Some(name) => name.clone(),
        None => BaselineName::sanitized(&format!("{}-ort{}", machine.slug(), ort.version))?,
    };
    let mut mode = if args.append {
        SaveMode::Append
    } else if args.force {
        SaveMode::Replace
    } else {
        SaveMode::Create
    };
    // Appending without --ep keeps the EP options the baseline was saved with, rather than
    // refusing the run as a different setup.
    let named_eps = match (&args.ep[..], mode) {
        ([], SaveMode::Append) => store.metadata(&name).map(|m| m.eps).unwrap_or_default(),
        _ => args.ep.clone(),
    };
    let mut summaries = Vec::new();
    for dir in &dirs {
        let folders = last_run(dir, filter.as_ref())?;
        let metadata = BaselineMetadata::new(
            machine.clone(),
            ort.clone(),
            &named_eps,
            folders.iter().map(|f| f.id.full_id.as_str()),
        );
        let summary = store.save(&name, &folders, metadata, mode)?;
        for warning in &summary.warnings {
            eprintln!("epbench: warning: {warning}");
        }
        if !args.json {
            println!(
                "saved run {} of baseline {} ({} benchmarks from {}) in {}",
                summary.run,
                summary.name,
                summary.benchmarks,
                dir.display(),
                summary.path.display()
            );
        }
        summaries.push(summary);
        // Further directories are further runs of the same baseline.
        mode = SaveMode::Append;
    }
    if args.json {
        print_json(&summaries)?;
    }
    Ok(ExitCode::SUCCESS)
}

fn run_compare(store: &Store, args: &CompareArgs) -> anyhow::Result<ExitCode> {
    let filter = args
        .filter
        .as_deref()
        .map(baseline::parse_filter)
        .transpose()?;
    let options = options(args.threshold, args.noise_floor)?;
    let mut sides = args
        .names
        .iter()
        .map(|name| store.load(name))
        .collect::<Result<Vec<_>, _>>()?;
    if let Some(filter) = &filter {
        for side in &mut sides {
            side.retain(filter);
        }
    }
    let comparison = baseline::compare(&sides, &options);
    if args.json {
        print_json(&comparison)?;
    } else {
        print!("{}", render::comparison(&comparison));
    }
    Ok(ExitCode::SUCCESS)
}

fn run_check(
    store: &Store,
    args: &CheckArgs,
    requirement: Option<&OrtRequirement>,
) -> anyhow::Result<ExitCode> {
    let filter = args
        .filter
        .as_deref()
        .map(baseline::parse_filter)
        .transpose()?;
    let options = options(args.threshold, args.noise_floor)?;
    let mut reference = store.load(&args.name)?;
    let current = match &args.against {
        Some(other) => {
            let mut other = store.load(other)?;
            if let Some(filter) = &filter {
                other.retain(filter);
            }
            other
        }
        None => {
            let dirs = dirs_or_default(&args.from);
            let mut current =
                RunSet::from_criterion_dirs("last run", &dirs, None, filter.as_ref())?;
            let ids: Vec<String> = current.ids().iter().map(|id| id.to_string()).collect();
            // Without --ep, assume the run used the baseline's EP options: the usual CI case,
            // and otherwise every check would report the EPs as different.
            let named_eps = if args.ep.is_empty() {
                reference
                    .metadata
                    .as_ref()
                    .map(|m| m.eps.clone())
                    .unwrap_or_default()
            } else {
                args.ep.clone()
            };
            current.metadata = Some(BaselineMetadata::new(
                Machine::detect(),
                current_ort(requirement),
                &named_eps,
                ids.iter().map(String::as_str),
            ));
            current
        }
    };
    if let Some(filter) = &filter {
        reference.retain(filter);
    }
    let report = baseline::check(&reference, &current, &options)?;
    if args.json {
        print_json(&report)?;
    } else {
        print!("{}", render::check(&report));
    }
    Ok(ExitCode::from(report.exit_code()))
}

fn options(threshold: f64, noise_floor: Option<f64>) -> anyhow::Result<CompareOptions> {
    Ok(CompareOptions {
        threshold: baseline::fraction_from_percent("--threshold", threshold)?,
        noise_floor: noise_floor
            .map(|pct| baseline::fraction_from_percent("--noise-floor", pct))
            .transpose()?,
        ..CompareOptions::default()
    })
}

fn dirs_or_default(dirs: &[PathBuf]) -> Vec<PathBuf> {
    if dirs.is_empty() {
        vec![criterion_files::default_dir()]
    } else {
        dirs.to_vec()
    }
}

/// The runtime the benches ran with, as ORT reports it. If it cannot be loaded here, the
/// requirement alone is recorded, with a warning, rather than refusing to save the results.
fn current_ort(requirement: Option<&OrtRequirement>) -> OrtInfo {
    match super::load_runtime(requirement) {
        Ok(runtime) => OrtInfo {
            version: runtime.version().to_string(),
            requirement: runtime.requirement().cloned(),
        },
        Err(error) => {
            let requirement = requirement
                .cloned()
                .or_else(|| OrtRequirement::from_env().ok());
            eprintln!(
                "epbench: warning: could not load ONNX Runtime to record its version ({error}); \
                 recording the requirement only"
            );
            OrtInfo {
                version: requirement
                    .as_ref()
                    .and_then(OrtRequirement::version)
                    .unwrap_or("unknown")
                    .to_string(),
                requirement,
            }
        }
    }
}

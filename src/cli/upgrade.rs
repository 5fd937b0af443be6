//! `epbench upgrade-check --from REQ --to REQ`: two ONNX Runtime versions measured in paired,
//! interleaved rounds, with a verdict per benchmark; and the hidden `upgrade-worker` it starts.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use epbench::baseline::{self, Store, store};
use epbench::measure::cpu_time;
use epbench::provisioning::OrtRequirement;
use epbench::runtime::EpKind;
use epbench::suite::Settings;
use epbench::upgrade::check::{DEFAULT_BURST, DEFAULT_THRESHOLD, SideSpec};
use epbench::upgrade::measure::Measure;
use epbench::upgrade::stopping::Stopping;
use epbench::upgrade::{self, SideOptions, UpgradeConfig, render, save, worker};
use indicatif::{ProgressBar, ProgressStyle};

use super::output::print_json;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The runtime upgraded from: a pinned pip requirement (e.g. onnxruntime==1.30.0) or a local
    /// library (file:/abs/path/libonnxruntime.so, e.g. your own build).
    #[arg(long, value_name = "REQ")]
    from: OrtRequirement,
    /// The runtime upgraded to (e.g. onnxruntime==1.31.1).
    #[arg(long, value_name = "REQ")]
    to: OrtRequirement,
    /// Whose benchmarks: cpu (the CPU study and the study's models on the CPU EP), coreml or
    /// openvino (that study, EP and CPU rows).
    #[arg(long, default_value = "cpu", value_name = "EP")]
    ep: EpKind,
    /// Only benchmarks whose id matches this regular expression.
    #[arg(long, value_name = "REGEX")]
    filter: Option<String>,
    /// Measure exactly N paired rounds per benchmark (judged by the fixed-sample sign test)
    /// instead of stopping when decided.
    #[arg(long, value_name = "N", conflicts_with = "budget")]
    rounds: Option<usize>,
    /// Add rounds until every benchmark is decided or this much time of rounds has passed
    /// (e.g. 3m, 90s); preparing and warming up are not counted, re-creating sessions between
    /// rounds is.
    #[arg(long, value_name = "TIME", default_value = "3m", value_parser = parse_budget)]
    budget: Duration,
    /// The clock that decides: cpu (the worker's CPU time per run, without time spent waiting
    /// for a core; the default where the OS reports it) or wall (the latency a user waits for).
    /// The other is judged beside it.
    #[arg(long, value_name = "CLOCK")]
    measure: Option<Measure>,
    /// Fail (exit code 1) also when a benchmark is inconclusive at this run's resolution.
    #[arg(long)]
    strict: bool,
    /// Let ORT's idle intra-op threads spin between runs, as ORT does by default. Without it
    /// they sleep at once: spinning threads take a core from the other side and their spinning
    /// is CPU time, both noise to this check.
    #[arg(long)]
    spinning: bool,
    /// Target length of one burst on one side, in milliseconds.
    #[arg(long, default_value_t = DEFAULT_BURST.as_millis() as u64, value_name = "MS")]
    burst_ms: u64,
    /// A change counts as a regression (or improvement) only beyond this percentage, with 95%
    /// confidence.
    #[arg(long, default_value_t = DEFAULT_THRESHOLD * 100.0, value_name = "PCT")]
    threshold: f64,
    /// Overrides on the `from` side for A/B experiments: threads=N, opt=disabled|basic|extended|all,
    /// slowdown=K% (busy-wait K% of the deciding clock, to validate the check).
    #[arg(long, default_value = "", value_name = "KEY=VALUE,...")]
    from_options: SideOptions,
    /// Overrides on the `to` side, e.g. threads=1, opt=disabled or slowdown=5%.
    #[arg(long, default_value = "", value_name = "KEY=VALUE,...")]
    to_options: SideOptions,
    /// Save the result as baselines NAME-from and NAME-to (see `epbench baseline compare`).
    #[arg(long, value_name = "NAME")]
    save: Option<String>,
    /// The folder of saved baselines.
    #[arg(long, env = "EPBENCH_BASELINES", default_value = store::DEFAULT_DIR, value_name = "DIR")]
    store: PathBuf,
    /// Where zoo models are built.
    #[arg(long, default_value = epbench::zoo::DEFAULT_OUT_DIR)]
    models: PathBuf,
    /// Print JSON instead of the table.
    #[arg(long)]
    json: bool,
}

fn parse_budget(input: &str) -> Result<Duration, String> {
    let budget = humantime::parse_duration(input)
        .map_err(|e| format!("`{input}`: {e} (expected a time such as 3m or 90s)"))?;
    if budget.is_zero() {
        return Err("the budget must be longer than zero".into());
    }
    Ok(budget)
}

/// Runs the check: exit 0 when nothing regressed and outputs agree, 1 otherwise; errors
/// (a runtime that does not load, bad arguments) become exit code 2.
pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let threshold = baseline::fraction_from_percent("--threshold", args.threshold)?;
    let filter = args
        .filter
        .as_deref()
        .map(baseline::parse_filter)
        .transpose()?;
    let settings = Settings::from_env().map_err(anyhow::Error::msg)?;
    if args.burst_ms == 0 {
        anyhow::bail!("--burst-ms must be at least 1");
    }
    let measure = match args.measure {
        Some(Measure::Cpu) if !cpu_time::available() => {
            anyhow::bail!("--measure cpu: this OS does not report a process's CPU time")
        }
        Some(measure) => measure,
        None if cpu_time::available() => Measure::Cpu,
        None => Measure::Wall,
    };
    let store = Store::new(&args.store);
    let names = args.save.as_deref().map(save::pair_names).transpose()?;
    if let Some(names) = &names {
        save::ensure_free(&store, names)?;
    }
    if std::env::var_os("ORT_DYLIB_PATH").is_some_and(|v| !v.is_empty()) {
        eprintln!("epbench: warning: ignoring ORT_DYLIB_PATH: upgrade-check loads --from and --to");
    }
    let config = UpgradeConfig {
        worker_exe: std::env::current_exe()?,
        from: SideSpec {
            requirement: args.from.clone(),
            options: args.from_options,
        },
        to: SideSpec {
            requirement: args.to.clone(),
            options: args.to_options,
        },
        ep: args.ep,
        filter,
        stopping: match args.rounds {
            Some(rounds) => Stopping::Fixed { rounds },
            None => Stopping::Adaptive {
                budget: args.budget,
            },
        },
        burst: Duration::from_millis(args.burst_ms),
        threshold,
        measure,
        strict: args.strict,
        spinning: args.spinning,
        intra_threads: settings.intra_threads,
        models_dir: args.models.clone(),
    };
    let progress = ProgressBar::new(0);
    if let Ok(style) = ProgressStyle::with_template(
        "{spinner} [{elapsed_precise}] {bar:30} {pos}/{len} eta {eta} {msg}",
    ) {
        progress.set_style(style);
    }
    progress.enable_steady_tick(Duration::from_millis(200));
    let report = upgrade::upgrade_check(&config, &progress);
    progress.finish_and_clear();
    let report = report?;

    if args.json {
        print_json(&report)?;
    } else {
        print!("{}", render::report(&report));
    }
    if let Some(names) = &names {
        if save::has_measurements(&report) {
            save::save_pair(&store, names, &report)?;
            eprintln!(
                "epbench: saved baselines {} and {} in {}; compare them with `epbench baseline \
                 compare {} {}`",
                names[0],
                names[1],
                store.root().display(),
                names[0],
                names[1]
            );
        } else {
            eprintln!("epbench: warning: nothing was measured, so no baseline was saved");
        }
    }
    Ok(ExitCode::from(report.exit_code()))
}

/// The worker: serves the protocol on the stdout it was started with; everything else that
/// writes to stdout is sent to stderr.
pub fn run_worker() -> anyhow::Result<ExitCode> {
    let output = worker::protocol_output()?;
    let input = std::io::stdin().lock();
    worker::serve(input, std::io::BufWriter::new(output)).map_err(anyhow::Error::msg)?;
    Ok(ExitCode::SUCCESS)
}

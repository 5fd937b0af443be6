//! `epbench study --ep EP`: the whole study for this machine as report.md, results.json and plots.

use std::path::PathBuf;
use std::process::ExitCode;

use epbench::baseline::{BaselineName, Store, store};
use epbench::provisioning::OrtRequirement;
use epbench::runtime::EpKind;
use epbench::study::analysis::BetweenRunNoise;
use epbench::study::{self, StudyOptions};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The accelerator EP under study (cpu runs the CPU-only study: threads, optimisation level).
    #[arg(long)]
    ep: EpKind,
    /// Fewer timed iterations for a fast pass.
    #[arg(long)]
    quick: bool,
    /// Where report.md, results.json and the plots go (default: epbench-out/study-<ep>).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Only benchmarks whose id (`<ep>/<finding>/<variant>/<provider>`) matches this regex.
    #[arg(long, value_name = "REGEX")]
    filter: Option<String>,
    /// Intra-op threads for every session (default: all cores).
    #[arg(long)]
    threads: Option<usize>,
    /// Where zoo models are built.
    #[arg(long, default_value = epbench::zoo::DEFAULT_OUT_DIR)]
    models: PathBuf,
    /// Learn the between-run noise floor from this saved baseline's repeated runs (saved with
    /// `epbench baseline save NAME --append` on this machine) and put it beside every interval;
    /// without it the intervals cover the noise within this run only.
    #[arg(long, value_name = "BASELINE")]
    noise_from: Option<BaselineName>,
    /// The folder of saved baselines.
    #[arg(long, env = "EPBENCH_BASELINES", default_value = store::DEFAULT_DIR, value_name = "DIR")]
    store: PathBuf,
}

pub fn run(args: &Args, requirement: Option<&OrtRequirement>) -> anyhow::Result<ExitCode> {
    let filter = args
        .filter
        .as_deref()
        .map(regex::Regex::new)
        .transpose()
        .map_err(|e| anyhow::anyhow!("--filter is not a valid regex: {e}"))?;
    let intra_threads = match args.threads {
        Some(0) => anyhow::bail!("--threads must be at least 1"),
        Some(n) => n,
        None => std::thread::available_parallelism().map_or(1, |n| n.get()),
    };
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from(format!("epbench-out/study-{}", args.ep)));
    let noise = args
        .noise_from
        .as_ref()
        .map(|name| BetweenRunNoise::from_baseline(&Store::new(&args.store), name))
        .transpose()?;
    let runtime = super::load_runtime(requirement)?;
    eprintln!("epbench: {} study on {}", args.ep, runtime.describe());
    let options = StudyOptions {
        ep: args.ep,
        quick: args.quick,
        intra_threads,
        filter,
        models_dir: args.models.clone(),
        profiles_dir: out.join("profiles"),
        noise,
    };
    let results = study::run(runtime, &options)?;
    let written = study::write(&results, &out)?;
    print!("{}", study::summary::render(&results));
    println!(
        "wrote {} files into {} in {:.0} s (report.md, results.json, plots)",
        written.len(),
        out.display(),
        results.wall_time_s
    );
    Ok(ExitCode::SUCCESS)
}

//! `epbench profile MODEL --ep EP`: the study's profile summary, measured.

use std::path::PathBuf;
use std::process::ExitCode;

use epbench::measure::run::{ProfiledRun, Runs, profile_model};
use epbench::provisioning::OrtRequirement;
use epbench::runtime::{Ep, SessionConfig};
use epbench::workload::{Feeds, ModelRef};

use super::output::print_json;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// A zoo variant (see `epbench models list`) or an .onnx file.
    model: String,
    /// The execution provider, e.g. cpu, openvino, coreml:format=mlprogram.
    #[arg(long, default_value = "cpu")]
    ep: Ep,
    /// Timed runs.
    #[arg(long, default_value_t = Runs::default().iterations)]
    iters: usize,
    /// Untimed warm-up runs before the timed ones.
    #[arg(long, default_value_t = Runs::default().warmup)]
    warmup: usize,
    /// Intra-op threads (default: ORT's choice).
    #[arg(long)]
    threads: Option<usize>,
    /// Where zoo models are built.
    #[arg(long, default_value = epbench::zoo::DEFAULT_OUT_DIR)]
    models: PathBuf,
    /// Keep ORT's JSON profile in this folder (default: a temporary folder, deleted).
    #[arg(long)]
    keep_profile: Option<PathBuf>,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

#[derive(serde::Serialize)]
struct Report<'a> {
    model: &'a str,
    ep: &'a Ep,
    ort_version: &'a str,
    latency_ms: &'a epbench::measure::latency::LatencyStats,
    throughput_per_s: Option<f64>,
    session_create_ms: f64,
    #[serde(flatten)]
    profile: &'a epbench::measure::profile::ProfileSummary,
}

pub fn run(args: &Args, requirement: Option<&OrtRequirement>) -> anyhow::Result<ExitCode> {
    if args.iters == 0 {
        anyhow::bail!("--iters must be at least 1");
    }
    let runtime = super::load_runtime(requirement)?;
    runtime.require(&args.ep)?;
    let model = ModelRef::parse(&args.model)?.resolve(&args.models)?;
    let mut config = SessionConfig::new(args.ep.clone());
    if let Some(threads) = args.threads {
        config = config.intra_threads(threads);
    }
    let scratch = tempfile::tempdir()?;
    let profile_dir = match &args.keep_profile {
        Some(dir) => {
            std::fs::create_dir_all(dir)?;
            dir.clone()
        }
        None => scratch.path().to_path_buf(),
    };
    let runs = Runs {
        warmup: args.warmup,
        iterations: args.iters,
    };
    let result = profile_model(&model, &config, runs, &mut Feeds::default(), &profile_dir)?;
    if args.json {
        print_json(&Report {
            model: &result.model,
            ep: &result.ep,
            ort_version: runtime.version(),
            latency_ms: &result.latency,
            throughput_per_s: result.throughput_per_s,
            session_create_ms: result.session_create_ms,
            profile: &result.profile,
        })?;
    } else {
        print_text(&result, runtime.describe(), args.keep_profile.is_some());
    }
    Ok(ExitCode::SUCCESS)
}

fn print_text(result: &ProfiledRun, runtime: String, kept: bool) {
    println!("{} on {} ({runtime})", result.model, result.ep);
    println!(
        "  {} warm-up + {} timed runs; session created in {:.1} ms",
        result.runs.warmup, result.runs.iterations, result.session_create_ms
    );
    print!(
        "{}",
        result
            .profile
            .render_text(Some((&result.latency, result.batch)))
    );
    if kept {
        println!("ORT profile: {}", result.profile_file.display());
    }
}

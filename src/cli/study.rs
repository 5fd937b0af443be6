//! `epbench study --ep EP`: the whole study for this machine as report.md, results.json and plots;
//! with `--model FILE...`, the study of the user's own models, with a verdict for each.

use std::path::PathBuf;
use std::process::ExitCode;

use epbench::baseline::{BaselineName, Store, store};
use epbench::provisioning::OrtRequirement;
use epbench::rewrite::DimFixes;
use epbench::runtime::EpKind;
use epbench::study::analysis::BetweenRunNoise;
use epbench::study::model::{ModelRequest, ModelSet};
use epbench::study::{self, StudyOptions};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The accelerator EP under study (cpu runs the CPU-only study: threads, optimisation level).
    #[arg(long)]
    ep: EpKind,
    /// Fewer timed iterations for a fast pass.
    #[arg(long)]
    quick: bool,
    /// Study these models instead of the zoo (an .onnx file, repeatable): EP vs CPU, the EP's
    /// options matrix, `epbench fix`'s rewrites as variants, batch scaling, cold start, and a
    /// verdict for each.
    #[arg(long = "model", value_name = "FILE")]
    model_files: Vec<PathBuf>,
    /// With --model: sizes of dynamic dims by name for synthesised inputs, e.g.
    /// `batch_size=1,sequence_length=128` (repeatable; others: 1 for the first axis, 128 else).
    #[arg(long, value_name = "NAME=SIZE,...", requires = "model_files")]
    dims: Vec<String>,
    /// With --model: real inputs, a numpy .npz with one array per model input.
    #[arg(long, value_name = "FILE.npz", requires = "model_files")]
    inputs: Option<PathBuf>,
    /// Where report.md, results.json and the plots go (default: epbench-out/study-<ep>, or
    /// epbench-out/study-<ep>-<model> with --model).
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
    let mut dims = DimFixes::default();
    for d in &args.dims {
        dims.add_dims(d)?;
    }
    let out = args.out.clone().unwrap_or_else(|| {
        let model = args
            .model_files
            .first()
            .and_then(|m| m.file_stem())
            .map_or_else(String::new, |stem| format!("-{}", stem.to_string_lossy()));
        PathBuf::from(format!("epbench-out/study-{}{model}", args.ep))
    });
    let noise = args
        .noise_from
        .as_ref()
        .map(|name| BetweenRunNoise::from_baseline(&Store::new(&args.store), name))
        .transpose()?;
    let runtime = super::load_runtime(requirement)?;
    eprintln!("epbench: {} study on {}", args.ep, runtime.describe());
    let models = if args.model_files.is_empty() {
        None
    } else {
        let request = ModelRequest {
            files: args.model_files.clone(),
            dims,
            inputs: args.inputs.clone(),
        };
        Some(ModelSet::load(
            &request,
            args.ep,
            &out.join("models"),
            intra_threads,
        )?)
    };
    let options = StudyOptions {
        ep: args.ep,
        quick: args.quick,
        intra_threads,
        filter,
        models_dir: args.models.clone(),
        profiles_dir: out.join("profiles"),
        noise,
        models,
    };
    let results = study::run(runtime, &options)?;
    let written = study::write(&results, &out)?;
    print!("{}", study::summary::render(&results));
    for model in results.model.iter().flat_map(|m| &m.models) {
        println!("verdict for {}: {}", model.name, model.verdict.headline);
    }
    println!(
        "wrote {} files into {} in {:.0} s (report.md, results.json, plots)",
        written.len(),
        out.display(),
        results.wall_time_s
    );
    Ok(ExitCode::SUCCESS)
}

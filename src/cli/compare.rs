//! `epbench compare MODEL --ep A [--ep B] [--reference MODEL2]`: a model's outputs on one EP
//! against a reference's on another, with the same inputs and a tolerance that says why.

use std::path::PathBuf;
use std::process::ExitCode;

use epbench::correctness::{Comparison, Target, compare_models};
use epbench::provisioning::OrtRequirement;
use epbench::runtime::{Ep, OptLevel, SessionConfig};
use epbench::workload::ModelRef;

use super::output::print_json;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The model under test: a zoo variant (see `epbench models list`) or an .onnx file.
    model: String,
    /// The EP under test, then optionally the reference's EP (default cpu), e.g.
    /// `--ep openvino` or `--ep coreml:units=cpu_only --ep cpu`.
    #[arg(long = "ep", value_name = "EP", required = true)]
    eps: Vec<Ep>,
    /// The reference model (default: MODEL itself), e.g. the fp32 variant of an fp16 model.
    #[arg(long, value_name = "MODEL2")]
    reference: Option<String>,
    /// ORT's graph optimisation level for MODEL: disable, basic, extended, all.
    #[arg(long, value_name = "LEVEL", default_value = "all")]
    opt_level: OptLevel,
    /// ORT's graph optimisation level for the reference.
    #[arg(long, value_name = "LEVEL", default_value = "all")]
    reference_opt_level: OptLevel,
    /// Intra-op threads for both sessions (default: ORT's choice).
    #[arg(long)]
    threads: Option<usize>,
    /// Where zoo models are built.
    #[arg(long, default_value = epbench::zoo::DEFAULT_OUT_DIR)]
    models: PathBuf,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

#[derive(serde::Serialize)]
struct Report<'a> {
    ort_version: &'a str,
    #[serde(flatten)]
    comparison: &'a Comparison,
}

/// Exit code 0 when every output matches, 1 on a mismatch; errors (bad arguments, an EP or a
/// model that cannot be loaded) are returned and become exit code 2.
pub fn run(args: &Args, requirement: Option<&OrtRequirement>) -> anyhow::Result<ExitCode> {
    let (candidate_ep, reference_ep) = match args.eps.as_slice() {
        [candidate] => (candidate.clone(), Ep::Cpu),
        [candidate, reference] => (candidate.clone(), reference.clone()),
        _ => anyhow::bail!(
            "give --ep once (the EP under test, compared with cpu) or twice (the EP under test, then the reference's)"
        ),
    };
    if args.threads == Some(0) {
        anyhow::bail!("--threads must be at least 1");
    }
    let runtime = super::load_runtime(requirement)?;
    runtime.require(&candidate_ep)?;
    runtime.require(&reference_ep)?;

    let config = |ep: Ep, level: OptLevel| {
        let config = SessionConfig::new(ep).optimization(level);
        match args.threads {
            Some(threads) => config.intra_threads(threads),
            None => config,
        }
    };
    let model_ref = ModelRef::parse(&args.model)?;
    let model = model_ref.resolve(&args.models)?;
    let (reference_label, reference_model) = match &args.reference {
        Some(name) => {
            let reference_ref = ModelRef::parse(name)?;
            let resolved = reference_ref.resolve(&args.models)?;
            (reference_ref.display_name(), resolved)
        }
        None => (model_ref.display_name(), model.clone()),
    };
    let candidate = Target {
        model,
        label: model_ref.display_name(),
        config: config(candidate_ep, args.opt_level),
    };
    let reference = Target {
        model: reference_model,
        label: reference_label,
        config: config(reference_ep, args.reference_opt_level),
    };
    let comparison = compare_models(&candidate, &reference)?;
    if args.json {
        print_json(&Report {
            ort_version: runtime.version(),
            comparison: &comparison,
        })?;
    } else {
        println!("Runtime: {}", runtime.describe());
        print!("{}", comparison.render_text());
    }
    Ok(if comparison.pass {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

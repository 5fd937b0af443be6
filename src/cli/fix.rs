//! `epbench fix MODEL --out FIXED.onnx [rewrites]`: the study's graph interventions applied to a
//! model, with partitions before and after and the outputs checked against the original.

use std::path::PathBuf;
use std::process::ExitCode;

use epbench::fix::{self, Choice, FixRequest, gelu_form_for};
use epbench::provisioning::OrtRequirement;
use epbench::rewrite::{DimFixes, FloatTarget, Rewrite};
use epbench::runtime::{Ep, EpKind};
use epbench::workload::ModelRef;

use super::output::print_json;

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum Float {
    Fp32,
    Fp16,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// A zoo variant (see `epbench models list`) or an .onnx file; never overwritten.
    model: String,
    /// Where to write the fixed model (its weights go beside it when the model keeps them in
    /// an external data file).
    #[arg(long, value_name = "FIXED.onnx")]
    out: PathBuf,
    /// Fix dynamic dims by name, e.g. `batch_size=1,sequence_length=128` (repeatable).
    #[arg(long, value_name = "NAME=SIZE,...")]
    dims: Vec<String>,
    /// Fix one input's whole shape, e.g. `input_ids=1x128` (repeatable).
    #[arg(long, value_name = "INPUT=D1xD2...")]
    shape: Vec<String>,
    /// Replace exact GELU (Erf) with its tanh approximation.
    #[arg(long)]
    gelu_tanh: bool,
    /// Convert the graph's float type.
    #[arg(long, value_enum, value_name = "TYPE")]
    to: Option<Float>,
    /// With --to: keep the float inputs and outputs in their type, with Casts at the edges.
    #[arg(long)]
    keep_io_types: bool,
    /// Apply exactly the rewrites this EP's partition analysis recommends (what `epbench
    /// analyze` prints), e.g. `coreml` or `coreml:format=mlprogram`.
    #[arg(long = "for", value_name = "EP")]
    for_ep: Option<Ep>,
    /// The EP to show partitions (and times) for; default: the --for EP, else coreml.
    #[arg(long, value_name = "EP")]
    ep: Option<Ep>,
    /// Real inputs for the output check and timing: a numpy .npz with one array per input.
    #[arg(long, value_name = "FILE.npz")]
    inputs: Option<PathBuf>,
    /// Also time the original and the fixed model (p50) on the EP and on the CPU.
    #[arg(long)]
    time: bool,
    /// Keep the fixed model even when its outputs no longer match (the exit code is still 1).
    #[arg(long)]
    force: bool,
    /// Where zoo models are built.
    #[arg(long, default_value = epbench::zoo::DEFAULT_OUT_DIR)]
    models: PathBuf,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

fn choice(args: &Args, ep: &Ep) -> anyhow::Result<Choice> {
    let mut dims = DimFixes::default();
    for d in &args.dims {
        dims.add_dims(d)?;
    }
    for s in &args.shape {
        dims.add_shape(s)?;
    }
    if let Some(for_ep) = &args.for_ep {
        if args.gelu_tanh || args.to.is_some() {
            anyhow::bail!(
                "--for chooses the rewrites from the analysis; drop --gelu-tanh and --to, or drop --for"
            );
        }
        return Ok(Choice::For {
            ep: for_ep.clone(),
            dims,
            keep_io_types: args.keep_io_types,
        });
    }
    if args.keep_io_types && args.to.is_none() {
        anyhow::bail!("--keep-io-types goes with --to fp32|fp16");
    }
    let mut rewrites = Vec::new();
    if !dims.is_empty() {
        rewrites.push(Rewrite::FixDims(dims));
    }
    if args.gelu_tanh {
        rewrites.push(Rewrite::GeluTanh {
            form: gelu_form_for(ep),
        });
    }
    if let Some(to) = args.to {
        rewrites.push(Rewrite::Float {
            to: match to {
                Float::Fp32 => FloatTarget::Fp32,
                Float::Fp16 => FloatTarget::Fp16,
            },
            keep_io_types: args.keep_io_types,
        });
    }
    if rewrites.is_empty() {
        anyhow::bail!(
            "name a rewrite (--dims/--shape, --gelu-tanh, --to fp32|fp16) or let --for EP choose"
        );
    }
    Ok(Choice::Explicit(rewrites))
}

/// Exit code 0 when the fixed model's outputs match the original's, 1 when they do not; usage
/// and load errors are returned and become exit code 2.
pub fn run(args: &Args, requirement: Option<&OrtRequirement>) -> anyhow::Result<ExitCode> {
    let ep = args
        .ep
        .clone()
        .or_else(|| args.for_ep.clone())
        .unwrap_or_else(|| EpKind::CoreMl.default_ep());
    let choice = choice(args, &ep)?;
    super::load_runtime(requirement)?;
    let model_ref = ModelRef::parse(&args.model)?;
    let model = model_ref.resolve(&args.models)?;
    let report = fix::fix(&FixRequest {
        model,
        label: model_ref.display_name(),
        out: args.out.clone(),
        choice,
        ep,
        inputs: args.inputs.clone(),
        time: args.time,
        force: args.force,
    })?;
    if args.json {
        print_json(&report)?;
    } else {
        print!("{}", report.render_text());
    }
    Ok(if report.outputs_match {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

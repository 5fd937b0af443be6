//! `epbench analyze MODEL --ep coreml`: CoreML partitions predicted offline, and measured where
//! CoreML runs.

use std::path::PathBuf;
use std::process::ExitCode;

use epbench::partitions::{self, AnalyzeOptions, Measured, rules};
use epbench::provisioning::OrtRequirement;
use epbench::runtime::{CoreMlOptions, Ep, EpKind, LogLevel, ModelFormat, SessionConfig};
use epbench::workload::ModelRef;

use super::output::print_json;

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum Format {
    Neuralnetwork,
    Mlprogram,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// A zoo variant (see `epbench models list`) or an .onnx file.
    #[arg(required_unless_present_any = ["check", "check_worker"])]
    model: Option<String>,
    /// The EP whose partitioning to predict; only coreml has offline rules.
    #[arg(long, default_value = "coreml")]
    ep: EpKind,
    /// The CoreML model format to predict for (the other one is shown for comparison).
    #[arg(long, value_enum, default_value = "neuralnetwork")]
    format: Format,
    /// Which ORT release's rules to apply (1.19.2, 1.30.0, or 2024 for the study's release).
    /// Default: the loaded runtime's version.
    #[arg(long, value_name = "V")]
    ort_version: Option<String>,
    /// Predict with RequireStaticInputShapes=1.
    #[arg(long)]
    static_shapes: bool,
    /// Where zoo models are built.
    #[arg(long, default_value = epbench::zoo::DEFAULT_OUT_DIR)]
    models: PathBuf,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
    /// Compare the prediction with the CoreML EP itself (needs an ORT with the CoreML EP) on
    /// MODEL, or on every .onnx file under the given folders, for both formats with static
    /// shapes off and on; exit 1 on a disagreement beyond the allow-list.
    #[arg(long, num_args = 0.., value_name = "DIR|MODEL")]
    check: Option<Vec<PathBuf>>,
    /// With --check: list every model that is not exact.
    #[arg(long, requires = "check")]
    verbose: bool,
    /// One process of `--check` (reads model paths on stdin, writes JSON lines).
    #[arg(long, hide = true)]
    check_worker: bool,
}

#[derive(serde::Serialize)]
struct Report<'a> {
    model: String,
    #[serde(flatten)]
    analysis: &'a partitions::Analysis,
    /// Present only where CoreML runs (macOS).
    measured: Option<&'a epbench::partitions::PartitionReport>,
    /// Why nothing was measured.
    measured_note: Option<String>,
}

/// What a `--check` worker needs to load the same runtime and rules.
fn worker_args(args: &Args, requirement: Option<&OrtRequirement>) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(r) = requirement {
        out.extend(["--ort".to_string(), r.to_string()]);
    }
    if let Some(v) = &args.ort_version {
        out.extend(["--ort-version".to_string(), v.clone()]);
    }
    out
}

pub fn run(args: &Args, requirement: Option<&OrtRequirement>) -> anyhow::Result<ExitCode> {
    if args.ep != EpKind::CoreMl {
        anyhow::bail!(
            "offline partition rules exist for coreml only; for {} run `epbench profile MODEL --ep {}` where it is available",
            args.ep,
            args.ep
        );
    }
    let format = match args.format {
        Format::Neuralnetwork => ModelFormat::NeuralNetwork,
        Format::Mlprogram => ModelFormat::MlProgram,
    };
    let runtime = super::load_runtime(requirement)?;
    // The rules follow the loaded runtime unless the user names a release.
    let family = rules::rule_set(args.ort_version.as_deref().unwrap_or(runtime.version()))?;
    if args.check_worker {
        return super::analyze_check::worker(family);
    }
    if let Some(paths) = &args.check {
        let mut paths = paths.clone();
        if let Some(model) = &args.model {
            paths.push(ModelRef::parse(model)?.resolve(&args.models)?.path);
        }
        return super::analyze_check::run(super::analyze_check::CheckArgs {
            paths,
            family,
            json: args.json,
            verbose: args.verbose,
            runtime,
            worker_args: worker_args(args, requirement),
        });
    }
    let Some(model) = &args.model else {
        anyhow::bail!("analyze needs a MODEL (or --check DIR)");
    };
    let model_ref = ModelRef::parse(model)?;
    let model = model_ref.resolve(&args.models)?;
    let options = AnalyzeOptions {
        family,
        format,
        require_static_input_shapes: args.static_shapes,
    };
    let analysis = partitions::analyze_file(&model.path, options)?;

    let coreml = Ep::CoreMl(CoreMlOptions {
        format,
        static_shapes: args.static_shapes,
        ..CoreMlOptions::default()
    });
    let (measured, measured_note) = match runtime.require(&coreml) {
        Err(reason) => (None, Some(format!("not measured: {reason}"))),
        Ok(()) => {
            let built = SessionConfig::new(coreml)
                .log_level(LogLevel::Verbose)
                .build(&model.path)?;
            match partitions::measured_from_logs(&built.logs, Some(format)) {
                Ok(measured) => (Some(measured), None),
                Err(e) => (
                    None,
                    Some(format!(
                        "CoreML ran but its partition summary was not found: {e}"
                    )),
                ),
            }
        }
    };
    if args.json {
        print_json(&Report {
            model: model_ref.display_name(),
            analysis: &analysis,
            measured: measured.as_ref().map(|m: &Measured| &m.report),
            measured_note,
        })?;
    } else {
        println!(
            "{} — CoreML partitions (rules: {}, ORT {})",
            model_ref.display_name(),
            family.name,
            family.ort_versions
        );
        print!("{}", analysis.render_text());
        match (&measured, &measured_note) {
            (Some(m), _) => print!("{}", m.report.render_text()),
            (None, Some(note)) => println!("Measured: {note}"),
            (None, None) => {}
        }
        let t = &analysis.timings;
        println!(
            "Time: ORT level-1 session {:.0} ms, reading {:.0} ms, analysis {:.0} ms",
            t.ort_session.as_secs_f64() * 1e3,
            t.read.as_secs_f64() * 1e3,
            t.analysis.as_secs_f64() * 1e3
        );
    }
    Ok(ExitCode::SUCCESS)
}

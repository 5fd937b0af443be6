//! `epbench analyze MODEL --ep coreml[:options]`: CoreML partitions predicted offline, and
//! measured by the CoreML EP itself wherever the loaded runtime has it (a Mac, or ORT's CoreML EP
//! built for Linux), node by node beside the prediction.

use std::path::PathBuf;
use std::process::ExitCode;

use epbench::partitions::coreml_ep::{self, EpPartitioning, NodeComparison};
use epbench::partitions::{self, AnalyzeOptions, PartitionReport, rules};
use epbench::provisioning::OrtRequirement;
use epbench::runtime::{CoreMlOptions, Ep, ModelFormat};
use epbench::workload::ModelRef;

use super::output::print_json;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    Neuralnetwork,
    Mlprogram,
}

impl From<Format> for ModelFormat {
    fn from(format: Format) -> Self {
        match format {
            Format::Neuralnetwork => ModelFormat::NeuralNetwork,
            Format::Mlprogram => ModelFormat::MlProgram,
        }
    }
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// A zoo variant (see `epbench models list`) or an .onnx file.
    #[arg(required_unless_present_any = ["check", "check_worker"])]
    model: Option<String>,
    /// The EP whose partitioning to analyse, with its options (e.g.
    /// coreml:format=mlprogram,static_shapes=1); only coreml has offline rules. Where the
    /// loaded runtime has the CoreML EP, it is measured with exactly these options.
    #[arg(long, default_value = "coreml", value_name = "EP")]
    ep: Ep,
    /// Only this CoreML model format (default: both, the EP's format first).
    #[arg(long, value_enum)]
    format: Option<Format>,
    /// Which ORT release's rules to apply (1.19.2, 1.30.0, or 2024 for the study's release).
    /// Default: the loaded runtime's version.
    #[arg(long, value_name = "V")]
    ort_version: Option<String>,
    /// Predict (and measure) with RequireStaticInputShapes=1, as `static_shapes=1` does.
    #[arg(long)]
    static_shapes: bool,
    /// Compare the prediction with the CoreML EP itself (needs a runtime where the CoreML EP
    /// partitions: a Mac, or ORT's CoreML EP built for Linux) on MODEL, or on every .onnx file
    /// under the given folders, for both formats with static shapes off and on; exit 1 on a
    /// disagreement beyond the allow-list, 2 when there is no EP to check against.
    #[arg(long, num_args = 0.., value_name = "DIR|MODEL")]
    check: Option<Vec<PathBuf>>,
    /// With --check: list every model that is not exact.
    #[arg(long, requires = "check")]
    verbose: bool,
    /// One process of `--check` (reads model paths on stdin, writes JSON lines).
    #[arg(long, hide = true)]
    check_worker: bool,
    /// Where zoo models are built.
    #[arg(long, default_value = epbench::zoo::DEFAULT_OUT_DIR)]
    models: PathBuf,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

/// One format's prediction and, where the EP partitions here, its measurement.
#[derive(serde::Serialize)]
struct FormatResult<'a> {
    format: ModelFormat,
    predicted: &'a PartitionReport,
    measured: Option<Measurement<'a>>,
    /// Why nothing was measured.
    measured_note: Option<String>,
}

#[derive(serde::Serialize)]
struct Measurement<'a> {
    #[serde(flatten)]
    report: &'a PartitionReport,
    /// Session creation on the EP (ORT's partitioning and CoreML model building), ms.
    session_ms: f64,
    comparison: NodeComparison,
    built_models: &'a [coreml_ep::BuiltModel],
}

#[derive(serde::Serialize)]
struct Report<'a> {
    model: String,
    ep: &'a Ep,
    #[serde(flatten)]
    analysis: &'a partitions::Analysis,
    formats: Vec<FormatResult<'a>>,
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
    let Ep::CoreMl(ep_options) = &args.ep else {
        anyhow::bail!(
            "offline partition rules exist for coreml only; for {} run `epbench profile MODEL --ep {}` where it is available",
            args.ep,
            args.ep
        );
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
    let static_shapes = args.static_shapes || ep_options.static_shapes;
    let primary = args.format.map_or(ep_options.format, ModelFormat::from);
    let analysis = partitions::analyze_file(
        &model.path,
        AnalyzeOptions {
            family,
            format: primary,
            require_static_input_shapes: static_shapes,
        },
    )?;
    let wanted = analysis
        .predictions
        .len()
        .min(if args.format.is_some() { 1 } else { 2 });

    let can_measure = runtime.require_partitioning(&Ep::CoreMl(ep_options.clone()));
    let mut measurements: Vec<Result<EpPartitioning, String>> = Vec::new();
    for (index, report) in analysis.predictions[..wanted].iter().enumerate() {
        let options = CoreMlOptions {
            format: report.provenance.format().unwrap_or(primary),
            static_shapes,
            ..ep_options.clone()
        };
        measurements.push(match &can_measure {
            Err(reason) => Err(format!("not measured: {reason}")),
            Ok(_) => coreml_ep::measure(&model.path, &options, analysis.analysis_graphs.get(index))
                .map_err(|e| e.to_string()),
        });
    }

    let formats: Vec<FormatResult> = analysis.predictions[..wanted]
        .iter()
        .zip(&analysis.node_verdicts)
        .zip(&measurements)
        .map(|((predicted, verdicts), measured)| FormatResult {
            format: predicted.provenance.format().unwrap_or(primary),
            predicted,
            measured: measured.as_ref().ok().map(|m| Measurement {
                report: &m.measured.report,
                session_ms: m.session_time.as_secs_f64() * 1e3,
                comparison: coreml_ep::compare_nodes(verdicts, predicted, &m.measured),
                built_models: &m.built_models,
            }),
            measured_note: measured.as_ref().err().cloned(),
        })
        .collect();

    if args.json {
        print_json(&Report {
            model: model_ref.display_name(),
            ep: &args.ep,
            analysis: &analysis,
            formats,
        })?;
    } else {
        print_text(&model_ref.display_name(), family, &analysis, &formats);
    }
    Ok(ExitCode::SUCCESS)
}

fn print_text(
    model: &str,
    family: &rules::RuleFamily,
    analysis: &partitions::Analysis,
    formats: &[FormatResult],
) {
    println!(
        "{model} — CoreML partitions (rules: {}, ORT {}; partitioned by ORT {} with the rules standing in for the EP)",
        family.name, family.ort_versions, analysis.optimised_by
    );
    for f in formats {
        println!();
        print!("{}", f.predicted.render_text());
        match (&f.measured, &f.measured_note) {
            (Some(m), _) => {
                print!("{}", m.report.render_text());
                println!(
                    "  session creation {:.0} ms (ORT's partitioning and CoreML model building)",
                    m.session_ms
                );
                print_comparison(&m.comparison, f.predicted, m.report);
                for built in m.built_models {
                    let nodes = built
                        .nodes
                        .map_or_else(String::new, |n| format!(", {n} nodes"));
                    println!(
                        "  built: partition {} {} ({}, {} bytes{nodes})",
                        built.partition_id,
                        built.path.display(),
                        built.format.ort_value(),
                        built.size_bytes
                    );
                }
            }
            (None, Some(note)) => println!("Measured: {note}"),
            (None, None) => {}
        }
    }
    if !analysis.recommendations.is_empty() {
        println!();
        println!("Recommendations:");
        for r in &analysis.recommendations {
            println!("  - {}\n    because {}", r.title, r.evidence);
        }
    }
    let t = &analysis.timings;
    let partitioning = if analysis.partitioning_cached {
        "ORT partitioning from the cache".to_string()
    } else {
        format!(
            "ORT partitioning {:.0} ms",
            t.ort_session.as_secs_f64() * 1e3
        )
    };
    println!(
        "Time: {partitioning}, reading {:.0} ms, analysis {:.0} ms",
        t.read.as_secs_f64() * 1e3,
        t.analysis.as_secs_f64() * 1e3
    );
}

fn print_comparison(c: &NodeComparison, predicted: &PartitionReport, measured: &PartitionReport) {
    if c.agrees() {
        println!(
            "  prediction = EP: {} nodes, {} supported, {} partitions{}",
            measured.nodes,
            measured.supported_nodes,
            measured.partitions,
            if c.per_node { ", every node alike" } else { "" }
        );
        return;
    }
    println!(
        "  prediction vs EP: nodes {} / {}, supported {} / {}, partitions {} / {}",
        predicted.nodes,
        measured.nodes,
        predicted.supported_nodes,
        measured.supported_nodes,
        predicted.partitions,
        measured.partitions
    );
    for d in &c.disagreements {
        let count = if d.count > 1 {
            format!(" ({} nodes)", d.count)
        } else {
            String::new()
        };
        println!(
            "    {:<12} {}{count}: the EP {} it; prediction: {}",
            d.op,
            if d.name.is_empty() {
                "(unnamed)"
            } else {
                &d.name
            },
            if d.measured_supported {
                "took"
            } else {
                "rejected"
            },
            d.predicted
        );
    }
}

//! Rewrites on the zoo's models, against the zoo's own variants: fixing the dynamic model's
//! dims gives the static model's graph, GELU→tanh gives the FastGELU variant's, fp16→fp32 the
//! fp32 variant's — as ORT's level-1 optimiser and the CoreML partition rules see them — and
//! the outputs stay within the tolerance of each pairing.

use std::error::Error;
use std::path::Path;

use epbench::fix::{self, Choice, FixRequest};
use epbench::partitions::{self, AnalyzeOptions};
use epbench::rewrite::{self, DimFixes, FloatTarget, Rewrite};
use epbench::runtime::Ep;
use epbench::workload::ResolvedModel;
use epbench::zoo;

type TestResult = Result<(), Box<dyn Error>>;

/// Node count of the graph the CoreML EP's last `GetCapability` pass sees (ORT's level-1 graph,
/// NeuralNetwork) and the predicted CoreML partitions (supported nodes and partitions,
/// NeuralNetwork then MLProgram) of a model file.
#[derive(Debug, PartialEq)]
struct Partitioning {
    level1_nodes: usize,
    coreml: Vec<(usize, usize)>,
}

fn profile(path: &Path) -> Result<Partitioning, Box<dyn Error>> {
    let analysis = partitions::analyze_file(path, AnalyzeOptions::default())?;
    let nodes = analysis.primary().map_or(0, |p| p.nodes);
    let partitions = analysis
        .predictions
        .iter()
        .map(|p| (p.supported_nodes, p.partitions))
        .collect();
    Ok(Partitioning {
        level1_nodes: nodes,
        coreml: partitions,
    })
}

/// `variant` rewritten through `epbench fix`'s library entry point, whose outputs must match the
/// original's within the correctness module's tolerance for the pairing.
fn rewritten(
    variant: &str,
    rewrites: &[Rewrite],
    dir: &Path,
) -> Result<std::path::PathBuf, Box<dyn Error>> {
    let path = dir.join(format!("{variant}.fixed.onnx"));
    let report = fix::fix(&FixRequest {
        model: ResolvedModel {
            path: zoo_path(variant)?,
            variant: Some(variant.parse()?),
        },
        label: variant.into(),
        out: path.clone(),
        choice: Choice::Explicit(rewrites.to_vec()),
        ep: Ep::Cpu,
        inputs: None,
        time: false,
        force: false,
    })?;
    for o in &report.rewrites {
        println!("{variant}: {}: {}", o.rewrite, o.summary);
        assert!(o.applied, "{variant}: {} did nothing", o.rewrite);
    }
    let tolerance = &report.outputs.comparison.tolerance;
    println!(
        "{variant}: largest output change {:?} (tolerance {tolerance})",
        report.outputs.max_abs_change
    );
    assert!(report.outputs_match, "{}", report.render_text());
    Ok(path)
}

fn zoo_path(variant: &str) -> Result<std::path::PathBuf, Box<dyn Error>> {
    Ok(zoo::build(variant, Path::new(zoo::DEFAULT_OUT_DIR))?)
}

#[test]
fn fixing_the_dynamic_dims_gives_the_static_graph() -> TestResult {
    let dir = tempfile::tempdir()?;
    let mut dims = DimFixes::default();
    dims.add_dims("batch_size=1,sequence_length=128")?;
    let fixed = rewritten(
        "tiny-systems-bert_gelu_fp32_dynamic",
        &[Rewrite::FixDims(dims)],
        dir.path(),
    )?;
    let got = profile(&fixed)?;
    let want = profile(&zoo_path("tiny-systems-bert_gelu_fp32_static_b1_s128")?)?;
    let before = profile(&zoo_path("tiny-systems-bert_gelu_fp32_dynamic")?)?;
    println!("dynamic {before:?} -> fixed {got:?}; static {want:?}");
    assert_eq!(got, want);
    Ok(())
}

#[test]
fn gelu_to_tanh_gives_the_fast_gelu_graph() -> TestResult {
    let dir = tempfile::tempdir()?;
    for (exact, fast) in [
        (
            "tiny-systems-bert_gelu_fp32_static_b1_s128",
            "tiny-systems-bert_fast-gelu_fp32_static_b1_s128",
        ),
        (
            "tiny-systems-bert_gelu_fp32_dynamic",
            "tiny-systems-bert_fast-gelu_fp32_dynamic",
        ),
    ] {
        let fixed = rewritten(exact, &[Rewrite::gelu_tanh()], dir.path())?;
        let got = profile(&fixed)?;
        let want = profile(&zoo_path(fast)?)?;
        println!("{exact}: tanh GELU {got:?}; {fast} {want:?}");
        assert_eq!(got, want);
    }
    Ok(())
}

#[test]
fn fp16_to_fp32_gives_the_fp32_graph() -> TestResult {
    let dir = tempfile::tempdir()?;
    for (half, full) in [
        (
            "tiny-systems-bert_gelu_fp16_static_b1_s128",
            "tiny-systems-bert_gelu_fp32_static_b1_s128",
        ),
        (
            "tiny-systems-bert_fast-gelu_fp16_dynamic",
            "tiny-systems-bert_fast-gelu_fp32_dynamic",
        ),
        ("mobilenet_v2_fp16_static_b1", "mobilenet_v2_fp32_static_b1"),
    ] {
        let to_fp32 = Rewrite::Float {
            to: FloatTarget::Fp32,
            keep_io_types: false,
        };
        let fixed = rewritten(half, &[to_fp32], dir.path())?;
        let got = profile(&fixed)?;
        let want = profile(&zoo_path(full)?)?;
        println!("{half}: as fp32 {got:?}; {full} {want:?}");
        assert_eq!(got, want);
    }
    Ok(())
}

/// What `study --model` turns into variants: each pattern found where the zoo put it.
#[test]
fn the_survey_finds_each_rewrites_pattern() -> TestResult {
    let survey = |variant: &str| -> Result<rewrite::Survey, Box<dyn Error>> {
        Ok(rewrite::survey(&epbench::onnx::read_model(&zoo_path(
            variant,
        )?)?)?)
    };
    let dynamic = survey("tiny-systems-bert_gelu_fp32_dynamic")?;
    assert_eq!(dynamic.dynamic_dims, ["batch_size", "sequence_length"]);
    assert_eq!((dynamic.exact_gelus, dynamic.float16_values), (2, 0));
    let half = survey("tiny-systems-bert_fast-gelu_fp16_static_b1_s128")?;
    assert!(half.dynamic_dims.is_empty());
    assert_eq!(half.exact_gelus, 0);
    assert!(half.float16_values > 0);
    Ok(())
}

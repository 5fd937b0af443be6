//! Shared by the correctness tests: comparing two zoo variants, printing the measured errors next
//! to the tolerance, and a deliberately corrupted model.
#![allow(dead_code)] // each test binary uses a different part of this module

use std::error::Error;
use std::path::{Path, PathBuf};

use epbench::correctness::{Comparison, Target, ToleranceClass, compare_models};
use epbench::onnx::proto::data_type;
use epbench::onnx::{read_model, write_model};
use epbench::runtime::{Ep, OptLevel, SessionConfig};
use epbench::workload::ResolvedModel;
use epbench::zoo::{self, Variant};

pub type TestResult = Result<(), Box<dyn Error>>;

/// A zoo variant built into the shared models folder, as a comparison target.
pub fn target(variant: &str, ep: &Ep, level: OptLevel) -> Result<Target, Box<dyn Error>> {
    let variant: Variant = variant.parse()?;
    let path = zoo::build(variant, zoo::DEFAULT_OUT_DIR)?;
    let model = ResolvedModel {
        path,
        variant: Some(variant),
    };
    // One thread: the two sessions of a test, and the tests themselves, share two cores.
    let config = SessionConfig::new(ep.clone())
        .optimization(level)
        .intra_threads(1);
    Ok(Target::new(model, config))
}

/// Compares `candidate` on `candidate_ep` with `reference` on `reference_ep` (ORT's default
/// optimisation), prints the measured errors, and checks the tolerance class.
pub fn compare(
    candidate: &str,
    candidate_ep: &Ep,
    reference: &str,
    reference_ep: &Ep,
    expected: ToleranceClass,
) -> Result<Comparison, Box<dyn Error>> {
    let comparison = compare_models(
        &target(candidate, candidate_ep, OptLevel::All)?,
        &target(reference, reference_ep, OptLevel::All)?,
    )?;
    print_rows(&comparison);
    assert_eq!(
        comparison.tolerance.class,
        expected,
        "{}",
        comparison.render_text()
    );
    Ok(comparison)
}

/// One line per output: pair, max_abs, max_rel, cosine, tolerance (run with `--nocapture`).
pub fn print_rows(comparison: &Comparison) {
    let side = |s: &epbench::correctness::SideReport| {
        let level = s
            .opt_level
            .map(|l| format!(" {l:?}").to_lowercase())
            .unwrap_or_default();
        format!("{}@{}{level}", s.model, s.ep)
    };
    for output in &comparison.outputs {
        let (max_abs, max_rel, cosine) = output
            .stats
            .as_ref()
            .map_or((f64::NAN, f64::NAN, f64::NAN), |s| {
                (s.max_abs, s.max_rel, s.cosine)
            });
        println!(
            "| {} vs {} | {} | {max_abs:.2e} | {max_rel:.2e} | {cosine:.9} | {} | {} |",
            side(&comparison.candidate),
            side(&comparison.reference),
            output.name,
            comparison.tolerance,
            if output.pass { "pass" } else { "FAIL" },
        );
    }
}

/// Asserts a pass, showing the report otherwise.
pub fn assert_pass(comparison: &Comparison) {
    assert!(comparison.pass, "{}", comparison.render_text());
}

/// A copy of `model` in `dir` with the largest float initializer whose name contains
/// `name_part` multiplied by `factor`. Returns the new file and the initializer's name.
pub fn corrupt(
    model: &Path,
    name_part: &str,
    factor: f32,
    dir: &Path,
) -> Result<(PathBuf, String), Box<dyn Error>> {
    let mut proto = read_model(model)?;
    let graph = proto.graph.as_mut().ok_or("the model has no graph")?;
    let tensor = graph
        .initializer
        .iter_mut()
        .filter(|t| t.data_type == data_type::FLOAT && t.name.contains(name_part))
        .max_by_key(|t| t.element_count())
        .ok_or_else(|| format!("no float initializer named like `{name_part}`"))?;
    if tensor.float_data.is_empty() {
        let scaled: Vec<u8> = tensor
            .raw_data
            .chunks_exact(4)
            .flat_map(|b| (f32::from_le_bytes([b[0], b[1], b[2], b[3]]) * factor).to_le_bytes())
            .collect();
        tensor.raw_data = scaled.into();
    } else {
        tensor.float_data.iter_mut().for_each(|v| *v *= factor);
    }
    let name = tensor.name.clone();
    // Not a zoo file name, so nothing mistakes the copy for the real variant.
    let path = dir.join("corrupted.onnx");
    write_model(&proto, &path)?;
    Ok((path, name))
}

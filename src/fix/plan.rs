//! Which rewrites to run, in which order: the ones the flags name, or the ones an EP's
//! partition analysis recommends (`--for`), the same [`Recommendation`]s `epbench analyze`
//! prints, and nothing else.

use std::path::Path;

use serde::Serialize;

use crate::partitions::{Recommendation, RecommendationKind};
use crate::rewrite::{DimFixes, FloatTarget, GeluForm, Rewrite, RewriteKind};
use crate::runtime::{Ep, ModelFormat};

use super::FixError;

/// How the rewrites are chosen.
#[derive(Debug, Clone, PartialEq)]
pub enum Choice {
    /// The rewrites the flags name.
    Explicit(Vec<Rewrite>),
    /// What the analysis of `ep` recommends; `dims` gives the sizes if static shapes are
    /// recommended, `keep_io_types` applies to an fp32 conversion.
    For {
        ep: Ep,
        dims: DimFixes,
        keep_io_types: bool,
    },
}

/// A recommendation of the analysis and what `fix` made of it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RecommendationUse {
    #[serde(flatten)]
    pub recommendation: Recommendation,
    /// The rewrite it became; `None` for advice that is not a graph change.
    pub rewrite: Option<RewriteKind>,
    pub note: Option<String>,
}

/// The rewrites to run and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Plan {
    /// `the flags` or `the CoreML analysis (rules ..., NeuralNetwork)`.
    pub chosen_by: String,
    pub rewrites: Vec<Rewrite>,
    /// With `--for`: every recommendation, applied or not.
    pub recommendations: Vec<RecommendationUse>,
    /// What was given but not used (sizes for static shapes the analysis does not recommend).
    pub notes: Vec<String>,
}

/// The order rewrites run in, whatever order they were asked in: a conversion to fp32 first, so
/// that folding and the tanh formula make their constants in the graph's final float type; then
/// the dims with their folding, then GELU; a conversion to fp16 last, on the finished graph.
fn rank(kind: RewriteKind) -> u8 {
    match kind {
        RewriteKind::ToFp32 => 0,
        RewriteKind::FixDims => 1,
        RewriteKind::GeluTanh => 2,
        RewriteKind::ToFp16 => 3,
    }
}

/// The form of the tanh GELU the EP takes: one `Gelu(approximate="tanh")` node where ORT's CPU
/// kernels or CoreML's ML Program take it (`activation_op_builder.cc` maps `approximate` to
/// CoreML's `mode`), the formula elsewhere (NeuralNetwork has no `Gelu`).
pub fn gelu_form_for(ep: &Ep) -> GeluForm {
    match ep {
        Ep::Cpu => GeluForm::GeluOp,
        Ep::CoreMl(options) if options.format == ModelFormat::MlProgram => GeluForm::GeluOp,
        _ => GeluForm::Formula,
    }
}

/// Decides the rewrites for `model` (a file, analysed by ORT's level-1 optimiser when `--for`
/// asks for the recommendations).
pub fn plan(choice: &Choice, model: &Path) -> Result<Plan, FixError> {
    let mut notes = Vec::new();
    let (chosen_by, mut rewrites, recommendations) = match choice {
        Choice::Explicit(rewrites) => ("the flags".to_string(), rewrites.clone(), Vec::new()),
        Choice::For {
            ep,
            dims,
            keep_io_types,
        } => {
            let Ep::CoreMl(options) = ep else {
                return Err(FixError::Usage(format!(
                    "--for {}: epbench's partition analysis, and so its recommendations, exists \
                     for coreml only; name the rewrites instead (--dims, --gelu-tanh, --to fp32)",
                    ep.kind()
                )));
            };
            let analysis = crate::measure::partitions::coreml_analysis(model, options)?;
            let rules = analysis
                .primary()
                .and_then(|p| p.provenance.rule_set())
                .map_or_else(|| "?".to_string(), |r| r.name.clone());
            let mut rewrites = Vec::new();
            let mut uses = Vec::new();
            for r in &analysis.recommendations {
                let (rewrite, note) = match r.kind {
                    RecommendationKind::StaticShapes if dims.is_empty() => {
                        return Err(FixError::Usage(format!(
                            "the {ep} analysis recommends static shapes ({}); give the sizes \
                             with --dims NAME=SIZE,... or --shape INPUT=D1xD2",
                            r.evidence
                        )));
                    }
                    RecommendationKind::StaticShapes => (Some(Rewrite::FixDims(dims.clone())), None),
                    RecommendationKind::FastGelu => (
                        Some(Rewrite::GeluTanh {
                            form: gelu_form_for(ep),
                        }),
                        None,
                    ),
                    RecommendationKind::Fp32Graph => (
                        Some(Rewrite::Float {
                            to: FloatTarget::Fp32,
                            keep_io_types: *keep_io_types,
                        }),
                        None,
                    ),
                    RecommendationKind::MlProgram => (
                        None,
                        Some("a session option, not a graph change: run with --ep coreml:format=mlprogram".to_string()),
                    ),
                    RecommendationKind::PreferCpu => (
                        None,
                        Some("advice, not a graph change: compare the fixed model's partitions below".to_string()),
                    ),
                };
                uses.push(RecommendationUse {
                    recommendation: r.clone(),
                    rewrite: rewrite.as_ref().map(Rewrite::kind),
                    note,
                });
                rewrites.extend(rewrite);
            }
            let static_recommended = uses.iter().any(|u| u.rewrite == Some(RewriteKind::FixDims));
            if !dims.is_empty() && !static_recommended {
                notes.push(format!(
                    "the sizes given (--dims/--shape) are not used: the {ep} analysis does not \
                     recommend static shapes for this model"
                ));
            }
            let format = crate::partitions::report::format_name(options.format);
            (
                format!("the {} analysis (rules {rules}, {format})", ep.kind()),
                rewrites,
                uses,
            )
        }
    };
    rewrites.sort_by_key(|r| rank(r.kind()));
    let mut seen = std::collections::HashSet::new();
    for r in &rewrites {
        if !seen.insert(r.kind()) {
            return Err(FixError::Usage(format!("{} is asked for twice", r.kind())));
        }
    }
    Ok(Plan {
        chosen_by,
        rewrites,
        recommendations,
        notes,
    })
}

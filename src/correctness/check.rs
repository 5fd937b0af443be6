//! Comparisons end to end: two models on two EPs with the same inputs ([`compare_models`]), and
//! the check the benchmark suite runs before timing a session ([`check_against_cpu`]).

use std::path::Path;

use ort::session::{Session, SessionInputValue};
use ort::value::{TensorElementType, ValueType};

use super::compare::{OutputComparison, compare_outputs};
use super::error::{CorrectnessError, Role};
use super::run::{NamedInput, run_side};
use super::tolerance::{Pairing, Side, Tolerance};
use crate::onnx::FloatType;
use crate::runtime::{Ep, OptLevel, SessionConfig};
use crate::workload::{Feeds, ResolvedModel};
use crate::zoo::{self, Variant};

/// One side of [`compare_models`]: a model and the session settings to run it with.
#[derive(Debug, Clone)]
pub struct Target {
    pub model: ResolvedModel,
    /// The model's name in reports (the variant or the path as the user wrote it).
    pub label: String,
    pub config: SessionConfig,
}

impl Target {
    /// A target named after its variant, or its path for other files.
    pub fn new(model: ResolvedModel, config: SessionConfig) -> Self {
        let label = model_label(&model);
        Self {
            model,
            label,
            config,
        }
    }
}

impl Target {
    /// A session for this side.
    fn session(&self, role: Role) -> Result<Session, CorrectnessError> {
        self.config
            .build(&self.model.path)
            .map(|built| built.session)
            .map_err(|e| CorrectnessError::Prepare {
                role,
                model: self.label.clone(),
                cause: Box::new(e),
            })
    }
}

fn model_label(model: &ResolvedModel) -> String {
    model
        .variant
        .map_or_else(|| model.path.display().to_string(), |v| v.to_string())
}

/// What ran on one side of a comparison.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SideReport {
    pub model: String,
    pub ep: Ep,
    /// `fp32` or `fp16`: the model's float type.
    pub dtype: &'static str,
    /// ORT's optimisation level, when known (a session handed to [`check_against_cpu`] does not
    /// say).
    pub opt_level: Option<OptLevel>,
}

/// The outcome of comparing a candidate's outputs with a reference's.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Comparison {
    pub candidate: SideReport,
    pub reference: SideReport,
    pub tolerance: Tolerance,
    pub outputs: Vec<OutputComparison>,
    /// Every output matches.
    pub pass: bool,
}

impl Comparison {
    fn new(
        candidate: SideReport,
        reference: SideReport,
        tolerance: Tolerance,
        outputs: Vec<OutputComparison>,
    ) -> Self {
        // A model without outputs proves nothing; it is not a match.
        let pass = !outputs.is_empty() && outputs.iter().all(|o| o.pass);
        Self {
            candidate,
            reference,
            tolerance,
            outputs,
            pass,
        }
    }

    /// The outputs that do not match.
    pub fn failures(&self) -> impl Iterator<Item = &OutputComparison> {
        self.outputs.iter().filter(|o| !o.pass)
    }
}

/// Runs `candidate` and `reference` on the same inputs and compares every output, with the
/// tolerance their EPs, EP options and model types call for.
///
/// Both sides get the same inputs, by input name: the zoo's for a zoo variant (the fp16 side's
/// when the float types differ, so that casting them to fp32 is exact), otherwise synthesised
/// from the reference's input types. Fails when a side cannot be built or run; a mismatch is a
/// [`Comparison`] with `pass == false`.
///
/// ```no_run
/// use epbench::correctness::{Target, compare_models};
/// use epbench::runtime::{Ep, SessionConfig};
/// use epbench::workload::ModelRef;
/// let model = ModelRef::parse("tiny-systems-bert_gelu_fp32_static_b1_s128")?
///     .resolve(epbench::zoo::DEFAULT_OUT_DIR.as_ref())?;
/// let openvino = Target::new(model.clone(), SessionConfig::new("openvino".parse()?));
/// let cpu = Target::new(model, SessionConfig::new(Ep::Cpu));
/// let comparison = compare_models(&openvino, &cpu)?;
/// print!("{}", comparison.render_text());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn compare_models(
    candidate: &Target,
    reference: &Target,
) -> Result<Comparison, CorrectnessError> {
    let mut candidate_session = candidate.session(Role::Candidate)?;
    let mut reference_session = reference.session(Role::Reference)?;
    let candidate_dtype = dtype_of(&candidate.model, &candidate_session);
    let reference_dtype = dtype_of(&reference.model, &reference_session);

    let (feeder, feeder_session, feeder_role) =
        if feeds_from_candidate((candidate, candidate_dtype), (reference, reference_dtype)) {
            (candidate, &candidate_session, Role::Candidate)
        } else {
            (reference, &reference_session, Role::Reference)
        };
    let values = Feeds::default()
        .for_session(feeder_session, feeder.model.variant.as_ref())
        .map_err(|e| CorrectnessError::Inputs {
            role: feeder_role,
            model: feeder.label.clone(),
            reason: e.to_string(),
        })?;
    let names = input_names(feeder_session);
    let inputs = name_inputs(&names, &values);

    let side = |target: &Target, dtype: FloatType| Side {
        ep: target.config.ep.clone(),
        dtype,
        activation: activation_of(&target.model),
    };
    let pairing = Pairing {
        candidate: side(candidate, candidate_dtype),
        reference: side(reference, reference_dtype),
        same_graph: same_file(&candidate.model.path, &reference.model.path)
            && candidate.config.optimization == reference.config.optimization
            && candidate.config.disabled_optimizers == reference.config.disabled_optimizers,
    };
    compare_built(
        (candidate, &mut candidate_session),
        (reference, &mut reference_session),
        &inputs,
        &pairing,
    )
}

/// Runs `candidate` and `reference` on the same named `inputs` (each session takes them by
/// name, floats cast between fp16 and fp32) and compares every output with the tolerance
/// `pairing` calls for. For callers that know more than [`compare_models`] can infer: real
/// inputs from a file, or two models that compute different functions on purpose (a rewritten
/// model against its original).
pub fn compare_models_on(
    candidate: &Target,
    reference: &Target,
    inputs: &[(String, ort::value::DynValue)],
    pairing: &Pairing,
) -> Result<Comparison, CorrectnessError> {
    let mut candidate_session = candidate.session(Role::Candidate)?;
    let mut reference_session = reference.session(Role::Reference)?;
    let named: Vec<NamedInput<'_>> = inputs.iter().map(|(n, v)| (n.as_str(), v)).collect();
    compare_built(
        (candidate, &mut candidate_session),
        (reference, &mut reference_session),
        &named,
        pairing,
    )
}

/// Runs both built sides on `inputs` and compares every output with the tolerance `pairing`
/// calls for.
fn compare_built(
    (candidate, candidate_session): (&Target, &mut Session),
    (reference, reference_session): (&Target, &mut Session),
    inputs: &[NamedInput<'_>],
    pairing: &Pairing,
) -> Result<Comparison, CorrectnessError> {
    let tolerance = pairing.tolerance();
    let outputs = compare_sessions(
        (candidate_session, &candidate.label),
        (reference_session, &reference.label),
        inputs,
        &tolerance,
    )?;
    let report = |target: &Target, side: &Side| SideReport {
        model: target.label.clone(),
        ep: target.config.ep.clone(),
        dtype: side.dtype.name(),
        opt_level: Some(target.config.optimization),
    };
    Ok(Comparison::new(
        report(candidate, &pairing.candidate),
        report(reference, &pairing.reference),
        tolerance,
        outputs,
    ))
}

/// The check the benchmark suite runs once per benchmark before timing it: runs `session` (on
/// `ep`, loaded from `model`) on `inputs` (in the session's input order, as the suite prepared
/// them) and compares its outputs with ONNX Runtime's CPU EP at its default settings on the
/// same model — or, for an fp16 zoo variant, on its fp32 variant, so that fp16's own error is
/// part of what is checked. A result with `pass == false` means the benchmark's times must not
/// be reported.
///
/// The reference is built next to `model` (zoo variants) and its session is created and
/// dropped here, so the check costs one reference session and one run of each side.
pub fn check_against_cpu(
    model: &ResolvedModel,
    session: &mut Session,
    inputs: &[SessionInputValue<'static>],
    ep: &Ep,
) -> Result<Comparison, CorrectnessError> {
    let label = model_label(model);
    let reference_model = fp32_reference(model).map_err(|e| CorrectnessError::Prepare {
        role: Role::Reference,
        model: label.clone(),
        cause: Box::new(e),
    })?;
    let reference = Target::new(reference_model, SessionConfig::new(Ep::Cpu));
    let mut reference_session = reference.session(Role::Reference)?;
    let pairing = Pairing {
        candidate: Side {
            ep: ep.clone(),
            dtype: dtype_of(model, session),
            activation: activation_of(model),
        },
        reference: Side {
            ep: Ep::Cpu,
            dtype: dtype_of(&reference.model, &reference_session),
            activation: activation_of(&reference.model),
        },
        // The session's optimisation level is unknown, so even a CPU session gets the
        // tolerance of a possibly different graph.
        same_graph: false,
    };
    check_with(
        (session, &label),
        inputs,
        (&reference, &mut reference_session),
        &pairing,
    )
}

/// Like [`check_against_cpu`] for callers that know the reference and what each side computes
/// (a user's model and its rewrites in `epbench study --model`): runs `session` (labelled
/// `label`) on `inputs` and compares its outputs with `reference` on the same inputs, at the
/// tolerance `pairing` calls for. The candidate side of `pairing` names `session`'s EP.
pub fn check_against(
    (session, label): (&mut Session, &str),
    inputs: &[SessionInputValue<'static>],
    reference: &Target,
    pairing: &Pairing,
) -> Result<Comparison, CorrectnessError> {
    let mut reference_session = reference.session(Role::Reference)?;
    check_with(
        (session, label),
        inputs,
        (reference, &mut reference_session),
        pairing,
    )
}

fn check_with(
    (session, label): (&mut Session, &str),
    inputs: &[SessionInputValue<'static>],
    (reference, reference_session): (&Target, &mut Session),
    pairing: &Pairing,
) -> Result<Comparison, CorrectnessError> {
    let names = input_names(session);
    if names.len() != inputs.len() {
        return Err(CorrectnessError::Inputs {
            role: Role::Candidate,
            model: label.to_string(),
            reason: format!(
                "the session takes {} inputs, {} were given",
                names.len(),
                inputs.len()
            ),
        });
    }
    let named = name_inputs(&names, inputs);
    let tolerance = pairing.tolerance();
    let outputs = compare_sessions(
        (session, label),
        (reference_session, &reference.label),
        &named,
        &tolerance,
    )?;
    Ok(Comparison::new(
        SideReport {
            model: label.to_string(),
            ep: pairing.candidate.ep.clone(),
            dtype: pairing.candidate.dtype.name(),
            opt_level: None,
        },
        SideReport {
            model: reference.label.clone(),
            ep: reference.config.ep.clone(),
            dtype: pairing.reference.dtype.name(),
            opt_level: Some(reference.config.optimization),
        },
        tolerance,
        outputs,
    ))
}

/// Whether both sides get the candidate's inputs rather than the reference's: a zoo variant's
/// real inputs (tokenised text, an image) beat inputs synthesised for a bare file; between two
/// zoo variants (or two files) of different float types the fp16 side's, because casting fp16
/// up to fp32 is exact; otherwise the reference's.
fn feeds_from_candidate(candidate: (&Target, FloatType), reference: (&Target, FloatType)) -> bool {
    let (candidate_zoo, reference_zoo) = (
        candidate.0.model.variant.is_some(),
        reference.0.model.variant.is_some(),
    );
    if candidate_zoo != reference_zoo {
        return candidate_zoo;
    }
    candidate.1 == FloatType::F16 && reference.1 == FloatType::F32
}

/// Runs both sessions on `inputs` and compares their outputs.
fn compare_sessions(
    (candidate, candidate_label): (&mut Session, &str),
    (reference, reference_label): (&mut Session, &str),
    inputs: &[NamedInput<'_>],
    tolerance: &Tolerance,
) -> Result<Vec<OutputComparison>, CorrectnessError> {
    let candidate_outputs = run_side(candidate, inputs, Role::Candidate, candidate_label)?;
    let reference_outputs = run_side(reference, inputs, Role::Reference, reference_label)?;
    Ok(compare_outputs(
        &candidate_outputs,
        &reference_outputs,
        tolerance,
    ))
}

/// The model a CPU check compares against: the fp32 variant of an fp16 zoo variant when the
/// catalogue has one, otherwise the model itself.
fn fp32_reference(model: &ResolvedModel) -> crate::Result<ResolvedModel> {
    let fp32 = match model.variant {
        Some(Variant::Transformer(t)) if t.dtype == FloatType::F16 => {
            Variant::Transformer(zoo::TransformerVariant {
                dtype: FloatType::F32,
                ..t
            })
        }
        Some(Variant::Vision(v)) if v.dtype == FloatType::F16 => {
            Variant::Vision(zoo::VisionVariant {
                dtype: FloatType::F32,
                ..v
            })
        }
        _ => return Ok(model.clone()),
    };
    if !zoo::catalogue()?.contains(&fp32) {
        return Ok(model.clone());
    }
    let dir = model
        .path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    Ok(ResolvedModel {
        path: zoo::build(fp32, dir)?,
        variant: Some(fp32),
    })
}

fn input_names(session: &Session) -> Vec<String> {
    session
        .inputs()
        .iter()
        .map(|outlet| outlet.name().to_string())
        .collect()
}

fn name_inputs<'a>(
    names: &'a [String],
    values: &'a [SessionInputValue<'static>],
) -> Vec<NamedInput<'a>> {
    names
        .iter()
        .map(String::as_str)
        .zip(values.iter().map(|v| &**v))
        .collect()
}

/// The model's float type: the variant's, or fp16 when any input or output of the session is.
fn dtype_of(model: &ResolvedModel, session: &Session) -> FloatType {
    model.variant.and_then(|v| v.dtype()).unwrap_or_else(|| {
        let fp16 = session
            .inputs()
            .iter()
            .chain(session.outputs())
            .any(|outlet| {
                matches!(
                    outlet.dtype(),
                    ValueType::Tensor {
                        ty: TensorElementType::Float16,
                        ..
                    }
                )
            });
        if fp16 { FloatType::F16 } else { FloatType::F32 }
    })
}

fn activation_of(model: &ResolvedModel) -> Option<zoo::Activation> {
    match model.variant {
        Some(Variant::Transformer(t)) => Some(t.activation),
        _ => None,
    }
}

/// Whether two paths name the same file (a relative and an absolute path may).
fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(variant: Option<&str>) -> Target {
        let variant: Option<Variant> = variant.map(|v| v.parse().unwrap());
        Target::new(
            ResolvedModel {
                path: "model.onnx".into(),
                variant,
            },
            SessionConfig::new(Ep::Cpu),
        )
    }

    #[test]
    fn inputs_come_from_a_zoo_variant_then_from_the_fp16_side() {
        let fp16 = target(Some("tiny-systems-bert_gelu_fp16_static_b1_s128"));
        let fp32 = target(Some("tiny-systems-bert_gelu_fp32_static_b1_s128"));
        let file = target(None);
        // Between variants, the fp16 side's inputs: casting them to fp32 is exact.
        assert!(feeds_from_candidate(
            (&fp16, FloatType::F16),
            (&fp32, FloatType::F32)
        ));
        assert!(!feeds_from_candidate(
            (&fp32, FloatType::F32),
            (&fp16, FloatType::F16)
        ));
        // The same type: the reference's.
        assert!(!feeds_from_candidate(
            (&fp32, FloatType::F32),
            (&fp32, FloatType::F32)
        ));
        // Real inputs beat synthesised ones, whatever the types.
        assert!(!feeds_from_candidate(
            (&file, FloatType::F16),
            (&fp32, FloatType::F32)
        ));
        assert!(feeds_from_candidate(
            (&fp32, FloatType::F32),
            (&file, FloatType::F32)
        ));
        assert_eq!(file.label, "model.onnx");
        assert_eq!(fp16.label, "tiny-systems-bert_gelu_fp16_static_b1_s128");
    }
}

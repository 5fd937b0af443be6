//! Per-output error statistics of a candidate's outputs against a reference's, and the verdict.

use std::fmt;

use super::tolerance::Tolerance;

/// The values of one output, widened so that fp16, fp32 and fp64 outputs compare in f64 and
/// integer outputs compare exactly.
#[derive(Debug, Clone, PartialEq)]
pub enum Values {
    Float(Vec<f64>),
    Int(Vec<i64>),
}

impl Values {
    fn len(&self) -> usize {
        match self {
            Values::Float(v) => v.len(),
            Values::Int(v) => v.len(),
        }
    }
}

/// One output of one run, copied out of ONNX Runtime.
#[derive(Debug, Clone, PartialEq)]
pub struct OutputTensor {
    pub name: String,
    pub shape: Vec<usize>,
    /// ORT's element type as declared, e.g. `float16` (the values are widened).
    pub element_type: String,
    pub values: Values,
}

/// The element that differs most in absolute terms.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Worst {
    /// Its position in the output, one index per axis.
    pub index: Vec<usize>,
    pub candidate: f64,
    pub reference: f64,
}

/// Error statistics over the elements that are finite on both sides.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Stats {
    /// Largest `|c - r|`.
    pub max_abs: f64,
    /// Largest `|c - r| / max(|c|, |r|)` among elements whose magnitude exceeds the absolute
    /// tolerance (below it, relative error measures noise around zero, and the absolute
    /// tolerance decides).
    pub max_rel: f64,
    /// Mean `|c - r|`.
    pub mean_abs: f64,
    /// Cosine similarity of the two outputs as vectors (1 when both are zero).
    pub cosine: f64,
    /// Root-mean-square of the reference: the unit of the absolute tolerance.
    pub reference_rms: f64,
    /// Elements outside the tolerance.
    pub mismatched: usize,
    pub worst: Option<Worst>,
}

/// Why an output does not match.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Failure {
    /// One side has no output of this name.
    Missing { side: &'static str },
    /// One side returns integers, the other floats.
    TypeMismatch {
        candidate: String,
        reference: String,
    },
    ShapeMismatch {
        candidate: Vec<usize>,
        reference: Vec<usize>,
    },
    /// NaN or infinity on either side: always a failure, whatever the tolerance.
    NonFinite { candidate: usize, reference: usize },
    /// Integer outputs must be equal; these elements are not.
    NotEqual { elements: usize },
    /// Float elements outside the tolerance.
    OutOfTolerance { elements: usize },
    /// Every element is within tolerance, but the errors are too large on average.
    LowCosine { cosine: f64, min_cosine: f64 },
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Missing { side } => write!(f, "missing from the {side}"),
            Failure::TypeMismatch {
                candidate,
                reference,
            } => write!(f, "type {candidate} vs {reference}"),
            Failure::ShapeMismatch {
                candidate,
                reference,
            } => write!(
                f,
                "shape {} vs {}",
                format_shape(candidate),
                format_shape(reference)
            ),
            Failure::NonFinite {
                candidate,
                reference,
            } => write!(
                f,
                "NaN/Inf: {candidate} in the candidate, {reference} in the reference"
            ),
            Failure::NotEqual { elements } => write!(f, "{elements} integer elements differ"),
            Failure::OutOfTolerance { elements } => {
                write!(f, "{elements} elements outside tolerance")
            }
            Failure::LowCosine { cosine, min_cosine } => write!(
                f,
                "cosine {} below {}",
                super::tolerance::format_cosine(*cosine),
                super::tolerance::format_cosine(*min_cosine)
            ),
        }
    }
}

/// `1x128x768`.
pub(crate) fn format_shape(shape: &[usize]) -> String {
    let dims: Vec<String> = shape.iter().map(usize::to_string).collect();
    dims.join("x")
}

/// The comparison of one output.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct OutputComparison {
    pub name: String,
    pub shape: Vec<usize>,
    /// Element types, `float16 vs float32` when they differ.
    pub element_type: String,
    /// Absent when the outputs cannot be compared element by element (missing, other shape).
    #[serde(flatten)]
    pub stats: Option<Stats>,
    pub pass: bool,
    pub failure: Option<Failure>,
}

/// Compares every output of the reference with the candidate's output of the same name, in the
/// reference's order; outputs only the candidate has are reported too (as failures).
pub fn compare_outputs(
    candidate: &[OutputTensor],
    reference: &[OutputTensor],
    tolerance: &Tolerance,
) -> Vec<OutputComparison> {
    let mut comparisons: Vec<OutputComparison> = reference
        .iter()
        .map(|r| match candidate.iter().find(|c| c.name == r.name) {
            Some(c) => compare_output(c, r, tolerance),
            None => missing(r, "candidate"),
        })
        .collect();
    comparisons.extend(
        candidate
            .iter()
            .filter(|c| !reference.iter().any(|r| r.name == c.name))
            .map(|c| missing(c, "reference")),
    );
    comparisons
}

fn missing(present: &OutputTensor, side: &'static str) -> OutputComparison {
    failed(
        present,
        present.element_type.clone(),
        Failure::Missing { side },
    )
}

fn failed(output: &OutputTensor, element_type: String, failure: Failure) -> OutputComparison {
    OutputComparison {
        name: output.name.clone(),
        shape: output.shape.clone(),
        element_type,
        stats: None,
        pass: false,
        failure: Some(failure),
    }
}

/// Compares one output: statistics over the elements finite on both sides, and the verdict.
pub fn compare_output(
    candidate: &OutputTensor,
    reference: &OutputTensor,
    tolerance: &Tolerance,
) -> OutputComparison {
    let element_type = if candidate.element_type == reference.element_type {
        reference.element_type.clone()
    } else {
        format!("{} vs {}", candidate.element_type, reference.element_type)
    };
    if candidate.shape != reference.shape || candidate.values.len() != reference.values.len() {
        let failure = Failure::ShapeMismatch {
            candidate: candidate.shape.clone(),
            reference: reference.shape.clone(),
        };
        return failed(reference, element_type, failure);
    }
    let (stats, failure) = match (&candidate.values, &reference.values) {
        (Values::Float(c), Values::Float(r)) => float_stats(c, r, &reference.shape, tolerance),
        (Values::Int(c), Values::Int(r)) => int_stats(c, r, &reference.shape),
        _ => {
            let failure = Failure::TypeMismatch {
                candidate: candidate.element_type.clone(),
                reference: reference.element_type.clone(),
            };
            return failed(reference, element_type, failure);
        }
    };
    OutputComparison {
        name: reference.name.clone(),
        shape: reference.shape.clone(),
        element_type,
        stats: Some(stats),
        pass: failure.is_none(),
        failure,
    }
}

/// Running sums over the element pairs of one output.
#[derive(Default)]
struct Accumulator {
    count: usize,
    sum_abs: f64,
    max_abs: f64,
    worst: Option<(usize, f64, f64)>,
    dot: f64,
    norm_c: f64,
    norm_r: f64,
}

impl Accumulator {
    fn add(&mut self, flat: usize, c: f64, r: f64) {
        let diff = (c - r).abs();
        self.count += 1;
        self.sum_abs += diff;
        if self.worst.is_none() || diff > self.max_abs {
            self.max_abs = diff;
            self.worst = Some((flat, c, r));
        }
        self.dot += c * r;
        self.norm_c += c * c;
        self.norm_r += r * r;
    }

    fn cosine(&self) -> f64 {
        match (self.norm_c > 0.0, self.norm_r > 0.0) {
            (false, false) => 1.0,
            (true, true) => self.dot / (self.norm_c.sqrt() * self.norm_r.sqrt()),
            _ => 0.0,
        }
    }

    fn reference_rms(&self) -> f64 {
        if self.count == 0 {
            0.0
        } else {
            (self.norm_r / self.count as f64).sqrt()
        }
    }

    fn stats(&self, shape: &[usize], max_rel: f64, mismatched: usize) -> Stats {
        Stats {
            max_abs: self.max_abs,
            max_rel,
            mean_abs: if self.count == 0 {
                0.0
            } else {
                self.sum_abs / self.count as f64
            },
            cosine: self.cosine(),
            reference_rms: self.reference_rms(),
            mismatched,
            worst: self.worst.map(|(flat, candidate, reference)| Worst {
                index: unravel(flat, shape),
                candidate,
                reference,
            }),
        }
    }
}

fn float_stats(
    candidate: &[f64],
    reference: &[f64],
    shape: &[usize],
    tolerance: &Tolerance,
) -> (Stats, Option<Failure>) {
    let finite = |v: &f64| v.is_finite();
    let nonfinite_c = candidate.iter().filter(|v| !finite(v)).count();
    let nonfinite_r = reference.iter().filter(|v| !finite(v)).count();
    let pairs = || {
        candidate
            .iter()
            .zip(reference)
            .enumerate()
            .filter(|(_, (c, r))| c.is_finite() && r.is_finite())
            .map(|(i, (&c, &r))| (i, c, r))
    };
    let mut acc = Accumulator::default();
    for (i, c, r) in pairs() {
        acc.add(i, c, r);
    }
    // The absolute tolerance is in units of the reference's scale; an all-zero reference has no
    // scale, and the tolerance then applies as is.
    let rms = acc.reference_rms();
    let epsilon = tolerance.atol * if rms > 0.0 { rms } else { 1.0 };
    let mut mismatched = 0;
    let mut max_rel: f64 = 0.0;
    for (_, c, r) in pairs() {
        if !approx::relative_eq!(c, r, epsilon = epsilon, max_relative = tolerance.rtol) {
            mismatched += 1;
        }
        let magnitude = c.abs().max(r.abs());
        if magnitude > epsilon {
            max_rel = max_rel.max((c - r).abs() / magnitude);
        }
    }
    let stats = acc.stats(shape, max_rel, mismatched);
    let failure = if nonfinite_c + nonfinite_r > 0 {
        Some(Failure::NonFinite {
            candidate: nonfinite_c,
            reference: nonfinite_r,
        })
    } else if mismatched > 0 {
        Some(Failure::OutOfTolerance {
            elements: mismatched,
        })
    } else if stats.cosine < tolerance.min_cosine {
        Some(Failure::LowCosine {
            cosine: stats.cosine,
            min_cosine: tolerance.min_cosine,
        })
    } else {
        None
    };
    (stats, failure)
}

fn int_stats(candidate: &[i64], reference: &[i64], shape: &[usize]) -> (Stats, Option<Failure>) {
    let mut acc = Accumulator::default();
    let mut mismatched = 0;
    let mut max_rel: f64 = 0.0;
    for (i, (&c, &r)) in candidate.iter().zip(reference).enumerate() {
        if c != r {
            mismatched += 1;
        }
        let (c, r) = (c as f64, r as f64);
        acc.add(i, c, r);
        let magnitude = c.abs().max(r.abs());
        if magnitude > 0.0 {
            max_rel = max_rel.max((c - r).abs() / magnitude);
        }
    }
    let failure = (mismatched > 0).then_some(Failure::NotEqual {
        elements: mismatched,
    });
    (acc.stats(shape, max_rel, mismatched), failure)
}

/// The per-axis index of the `flat`-th element of a row-major tensor of `shape`.
fn unravel(mut flat: usize, shape: &[usize]) -> Vec<usize> {
    let mut index = vec![0; shape.len()];
    for (axis, &dim) in shape.iter().enumerate().rev() {
        if dim > 0 {
            index[axis] = flat % dim;
            flat /= dim;
        }
    }
    index
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::correctness::ToleranceClass;

    fn float(name: &str, shape: &[usize], values: &[f64]) -> OutputTensor {
        OutputTensor {
            name: name.into(),
            shape: shape.to_vec(),
            element_type: "float32".into(),
            values: Values::Float(values.to_vec()),
        }
    }

    fn fp32() -> Tolerance {
        Tolerance::new(ToleranceClass::Fp32Reordered, false)
    }

    #[test]
    fn statistics_and_the_worst_element() {
        let reference = float("y", &[2, 3], &[1.0, -2.0, 3.0, 0.5, 0.0, -1.0]);
        let candidate = float("y", &[2, 3], &[1.0, -2.0, 3.0001, 0.5, 0.0, -1.0]);
        let result = compare_output(&candidate, &reference, &fp32());
        let stats = result.stats.as_ref().unwrap();
        assert!((stats.max_abs - 1e-4).abs() < 1e-9, "{stats:?}");
        assert!((stats.max_rel - 1e-4 / 3.0001).abs() < 1e-9);
        assert!((stats.mean_abs - 1e-4 / 6.0).abs() < 1e-9);
        assert!(stats.cosine > 0.999_999_9 && stats.cosine <= 1.0 + 1e-12);
        let worst = stats.worst.as_ref().unwrap();
        assert_eq!(worst.index, vec![0, 2]);
        assert_eq!((worst.candidate, worst.reference), (3.0001, 3.0));
        assert!(result.pass, "{result:?}");
    }

    #[test]
    fn the_absolute_tolerance_scales_with_the_reference() {
        // The same relative perturbation of one near-zero element passes when the output's
        // scale is large (the error is rounding of large terms) and fails when it is small.
        let big = float("y", &[3], &[1000.0, -1000.0, 0.0]);
        let big_c = float("y", &[3], &[1000.0, -1000.0, 0.5]);
        assert!(compare_output(&big_c, &big, &fp32()).pass);
        let small = float("y", &[3], &[1.0, -1.0, 0.0]);
        let small_c = float("y", &[3], &[1.0, -1.0, 0.5]);
        let result = compare_output(&small_c, &small, &fp32());
        assert_eq!(
            result.failure,
            Some(Failure::OutOfTolerance { elements: 1 })
        );
    }

    #[test]
    fn nan_and_inf_always_fail_and_are_named() {
        let reference = float("y", &[3], &[1.0, 2.0, 3.0]);
        let candidate = float("y", &[3], &[1.0, f64::NAN, f64::INFINITY]);
        let loose = Tolerance::new(ToleranceClass::Fp16Compute, true);
        let result = compare_output(&candidate, &reference, &loose);
        assert!(!result.pass);
        assert_eq!(
            result.failure,
            Some(Failure::NonFinite {
                candidate: 2,
                reference: 0
            })
        );
        assert!(result.failure.unwrap().to_string().contains("NaN/Inf"));
        // NaN in both is not agreement either.
        let both = float("y", &[1], &[f64::NAN]);
        assert!(!compare_output(&both, &both, &loose).pass);
    }

    #[test]
    fn integers_compare_exactly() {
        let int = |values: &[i64]| OutputTensor {
            name: "ids".into(),
            shape: vec![values.len()],
            element_type: "int64".into(),
            values: Values::Int(values.to_vec()),
        };
        let loose = Tolerance::new(ToleranceClass::Fp16Compute, true);
        assert!(compare_output(&int(&[1, 2, 3]), &int(&[1, 2, 3]), &loose).pass);
        let result = compare_output(&int(&[1, 2, 4]), &int(&[1, 2, 3]), &loose);
        assert_eq!(result.failure, Some(Failure::NotEqual { elements: 1 }));
    }

    #[test]
    fn a_scaled_output_fails_although_its_cosine_is_one() {
        let reference = float("y", &[4], &[1.0, -2.0, 0.5, 3.0]);
        let scaled = float("y", &[4], &[1.5, -3.0, 0.75, 4.5]);
        let result = compare_output(&scaled, &reference, &fp32());
        assert!((result.stats.as_ref().unwrap().cosine - 1.0).abs() < 1e-12);
        assert_eq!(
            result.failure,
            Some(Failure::OutOfTolerance { elements: 4 })
        );
    }

    #[test]
    fn the_cosine_is_checked_after_the_elements() {
        // Every element within tolerance (just under rtol, alternating sign): a pass, and the
        // cosine stays above the derived minimum.
        let n = 1000;
        let reference: Vec<f64> = (0..n)
            .map(|i| if i % 2 == 0 { 1.0 } else { -1.0 })
            .collect();
        let candidate: Vec<f64> = reference
            .iter()
            .enumerate()
            .map(|(i, r)| r * (1.0 + if i % 4 < 2 { 0.99e-3 } else { -0.99e-3 }))
            .collect();
        let (candidate, reference) = (float("y", &[n], &candidate), float("y", &[n], &reference));
        let result = compare_output(&candidate, &reference, &fp32());
        assert!(result.pass, "{result:?}");
        // A stricter cosine requirement turns the same errors into a named failure.
        let strict = Tolerance {
            min_cosine: 1.0 - 1e-9,
            ..fp32()
        };
        let result = compare_output(&candidate, &reference, &strict);
        assert!(
            matches!(result.failure, Some(Failure::LowCosine { .. })),
            "{result:?}"
        );
    }

    #[test]
    fn missing_outputs_and_shape_changes_are_failures() {
        let a = float("a", &[2], &[1.0, 2.0]);
        let b = float("b", &[2], &[1.0, 2.0]);
        let results = compare_outputs(std::slice::from_ref(&a), &[b], &fp32());
        assert_eq!(results.len(), 2);
        assert_eq!(
            results[0].failure,
            Some(Failure::Missing { side: "candidate" })
        );
        assert_eq!(
            results[1].failure,
            Some(Failure::Missing { side: "reference" })
        );
        let reshaped = float("a", &[1, 2], &[1.0, 2.0]);
        let result = compare_output(&reshaped, &a, &fp32());
        assert_eq!(result.failure.unwrap().to_string(), "shape 1x2 vs 2");
    }

    #[test]
    fn unravel_is_row_major() {
        assert_eq!(unravel(0, &[2, 3, 4]), vec![0, 0, 0]);
        assert_eq!(unravel(23, &[2, 3, 4]), vec![1, 2, 3]);
        assert_eq!(unravel(5, &[2, 3]), vec![1, 2]);
        assert_eq!(unravel(0, &[]), Vec::<usize>::new());
    }
}

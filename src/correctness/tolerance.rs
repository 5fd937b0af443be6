//! Which differences between two runs of a model are rounding and which are bugs.
//!
//! A tolerance is chosen from what each side computes with: its execution provider and that
//! EP's options (the CoreML compute units, the OpenVINO device), the model's element type, and
//! whether the two sides compute the same function (GELU and FastGELU do not). Each class below
//! says where its numbers come from: bounds derived from the arithmetic, not fits to
//! measurements (the GELU/FastGELU budget, which depends on trained weights, was checked against
//! all-MiniLM-L6-v2). `tests/correctness_*.rs` print the measured errors next to them.
//!
//! An element passes when it is within the absolute *or* the relative tolerance
//! ([`approx::relative_eq!`] semantics):
//! `|c - r| <= atol * RMS(reference)` or `|c - r| <= rtol * max(|c|, |r|)`.
//! The absolute part is in units of the reference output's root-mean-square, because rounding
//! errors scale with the magnitude of the values a kernel adds up, not with the element they end
//! in: an element near zero that is the sum of large terms carries the error of those terms.
//! Scaling by the RMS makes one tolerance mean the same for LayerNorm-ed hidden states (RMS ~1)
//! and for logits (RMS ~10).
//!
//! ```
//! use epbench::correctness::{Pairing, Side, ToleranceClass};
//! use epbench::onnx::FloatType;
//! let ane: epbench::Ep = "coreml:format=mlprogram,units=cpu_and_ne".parse().unwrap();
//! let pairing = Pairing {
//!     candidate: Side::new(ane, FloatType::F32),
//!     reference: Side::new(epbench::Ep::Cpu, FloatType::F32),
//!     same_graph: false,
//! };
//! assert_eq!(pairing.tolerance().class, ToleranceClass::Fp16Compute);
//! ```

use std::fmt;

use crate::onnx::FloatType;
use crate::runtime::{ComputeUnits, Ep};
use crate::zoo::Activation;

/// How precisely the two sides of a comparison compute, from most to least precise. The
/// comparison uses the class of the less precise side.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum ToleranceClass {
    /// The same graph on ONNX Runtime's CPU EP, at the same optimisation level.
    ///
    /// ORT's CPU kernels are deterministic for a given graph: threads split a MatMul by output
    /// rows and columns, never along the reduction, so every sum is added in the same order
    /// whatever the thread count. The outputs should be bit-identical; 1e-6 (about 16 fp32
    /// ulps, fp32's unit roundoff being 2^-24 ≈ 6e-8) leaves room only for a kernel that picks
    /// a different vector path for a tail.
    Identical,
    /// Both sides compute in fp32, but with different kernels, fusions or graphs: ORT's
    /// optimisation levels (disable vs all), static vs dynamic shapes, OpenVINO on a CPU without
    /// native bf16, CoreML restricted to the CPU (`CPUOnly`).
    ///
    /// Reordering a sum of n fp32 products changes it by about sqrt(n)·2^-24 of the sum of the
    /// products' magnitudes (n·2^-24 in the worst case). BERT-base's longest reduction is the
    /// feed-forward down-projection, n = 3072: sqrt(3072)·6e-8 ≈ 3.3e-6. A layer has about six
    /// reductions of that size (Q, K, V, attention output, up- and down-projection) and
    /// LayerNorm brings the activations back to unit scale after each, so errors add up layer by
    /// layer rather than multiplying: 12 layers × 6 × 3.3e-6 ≈ 2.4e-4 of the output's scale.
    /// Fused kernels also swap `Erf`, `Exp` and `Tanh` for polynomial approximations accurate to
    /// a few ulps. 1e-3 keeps a 4× margin over that estimate and is still 1000× below what a
    /// wrong weight or a wrong mask causes.
    Fp32Reordered,
    /// Values rounded to fp16 between ops, sums accumulated in fp32: fp16 graphs on ORT's CPU EP
    /// (which widens fp16 to fp32 inside its kernels), and CoreML on the GPU without
    /// `AllowLowPrecisionAccumulationOnGPU` (fp16 storage on the GPU is Apple's documented
    /// default for neural networks; for fp32 ML programs it is not confirmed, so this is the
    /// conservative choice).
    ///
    /// fp16 keeps 11 significant bits: each rounding costs up to 2^-11 ≈ 4.9e-4 relative. On the
    /// path from one layer's input to its output a value is rounded about ten times (weights
    /// once, each op's output once); independent roundings add in quadrature, about
    /// sqrt(10)·4.9e-4 ≈ 1.5e-3 per layer, and the layers add up as above: 12 layers give 2e-2
    /// in the worst case. The output itself is fp16, so an element of magnitude 4 is only known
    /// to ±2e-3. 2e-2 covers BERT-base; smaller models pass with a wide margin.
    Fp16Storage,
    /// OpenVINO's CPU plugin on a CPU with native bf16 (AVX512_BF16 or AMX), where OpenVINO's
    /// default inference precision is bf16 instead of fp32.
    ///
    /// bf16 keeps 8 significant bits: 2^-8 ≈ 3.9e-3 per rounding, 8× fp16's. The dot products
    /// accumulate in fp32 (VDPBF16PS, AMX), so the error is that of rounding the operands:
    /// about sqrt(10)·3.9e-3 ≈ 1.2e-2 per layer, which over many layers needs 5e-2.
    Bf16Compute,
    /// Arithmetic in fp16 including the sums: CoreML on the Neural Engine (compute units `ALL`
    /// or `CPUAndNeuralEngine`; the ANE computes only in fp16), CoreML on the GPU with
    /// `AllowLowPrecisionAccumulationOnGPU`, OpenVINO on a GPU or NPU (whose default inference
    /// precision is f16).
    ///
    /// Each addition rounds the running sum to 2^-11 relative: over n = 3072 terms that is about
    /// sqrt(3072)·4.9e-4 ≈ 2.7e-2 of the sum's scale, already in one reduction; LayerNorm keeps
    /// the next layer from amplifying it. 5e-2 is the loosest tolerance epbench uses. Not
    /// measured on this project's machines (no Apple silicon in CI): the first Mac run should
    /// confirm it or tighten it.
    Fp16Compute,
}

impl ToleranceClass {
    /// The absolute (× reference RMS) and relative tolerance of the class.
    fn atol_rtol(self) -> (f64, f64) {
        match self {
            ToleranceClass::Identical => (1e-6, 1e-6),
            ToleranceClass::Fp32Reordered => (1e-3, 1e-3),
            ToleranceClass::Fp16Storage => (2e-2, 2e-2),
            ToleranceClass::Bf16Compute => (5e-2, 5e-2),
            ToleranceClass::Fp16Compute => (5e-2, 5e-2),
        }
    }

    /// One line for reports.
    fn summary(self) -> &'static str {
        match self {
            ToleranceClass::Identical => {
                "same graph on ORT's CPU EP: deterministic kernels, outputs should be bit-identical"
            }
            ToleranceClass::Fp32Reordered => {
                "fp32 on both sides, different kernels or fusions: sums reordered, ~sqrt(n)·2^-24 per reduction"
            }
            ToleranceClass::Fp16Storage => {
                "values rounded to fp16 (2^-11 relative) between ops, sums in fp32"
            }
            ToleranceClass::Bf16Compute => {
                "OpenVINO computes in bf16 on this CPU (2^-8 relative per rounding)"
            }
            ToleranceClass::Fp16Compute => {
                "fp16 arithmetic including accumulation (Neural Engine, low-precision GPU): ~sqrt(n)·2^-11 per reduction"
            }
        }
    }
}

impl fmt::Display for ToleranceClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ToleranceClass::Identical => "identical",
            ToleranceClass::Fp32Reordered => "fp32-reordered",
            ToleranceClass::Fp16Storage => "fp16-storage",
            ToleranceClass::Bf16Compute => "bf16-compute",
            ToleranceClass::Fp16Compute => "fp16-compute",
        })
    }
}

/// Added to the class's tolerance when one side uses exact GELU (`Erf`) and the other FastGELU
/// (the tanh approximation): the two functions differ, not only their rounding.
///
/// `0.5·x·(1 + tanh(sqrt(2/π)·(x + 0.044715·x³)))` differs from `x·Φ(x)` by at most 4.7e-4
/// (at x ≈ ±2.70), with the same sign for the same x, so it need not average out in the
/// down-projection that follows. That projection turns it into at most 4.7e-4 × the L1 norm of
/// a weight row; all-MiniLM-L6-v2's trained rows (1536 inputs) have L1 norms of about 50 (up to
/// 190), so one layer can move a typical element by up to ~2.4e-2 before LayerNorm divides by
/// the residual stream's standard deviation. That bound needs every activation to sit at the
/// worst x with the worst sign; real layers come nowhere near it, and rarely line up their
/// worst elements. 5e-2 is two layers' bound for a typical row. With seeded weights (std 0.02)
/// the pre-activations stay near 0, where the functions agree to O(x³), and the difference is
/// ~2e-5; with all-MiniLM-L6-v2's real weights it reaches 2.1e-2 at an element of 0.64
/// (`tests/correctness_variants.rs`), the case this budget is for.
pub const ACTIVATION_APPROXIMATION: f64 = 5e-2;

/// What one side of a comparison computes with.
#[derive(Debug, Clone, PartialEq)]
pub struct Side {
    pub ep: Ep,
    /// The model's float type (fp16 graphs round every value to fp16).
    pub dtype: FloatType,
    /// The feed-forward activation, when known (zoo transformer variants).
    pub activation: Option<Activation>,
}

impl Side {
    /// A side whose activation is unknown or irrelevant.
    pub fn new(ep: Ep, dtype: FloatType) -> Self {
        Self {
            ep,
            dtype,
            activation: None,
        }
    }

    /// The precision this side computes with; `bf16_host` says whether this CPU has native bf16
    /// (which changes OpenVINO's default precision).
    fn class(&self, bf16_host: bool) -> ToleranceClass {
        let ep_class = match &self.ep {
            Ep::Cpu => ToleranceClass::Fp32Reordered,
            Ep::CoreMl(options) => match options.units {
                ComputeUnits::CpuOnly => ToleranceClass::Fp32Reordered,
                ComputeUnits::CpuAndGpu if !options.low_precision_gpu => {
                    ToleranceClass::Fp16Storage
                }
                ComputeUnits::CpuAndGpu | ComputeUnits::All | ComputeUnits::CpuAndNeuralEngine => {
                    ToleranceClass::Fp16Compute
                }
            },
            Ep::OpenVino(options) => {
                if !openvino_cpu_only(&options.device) {
                    ToleranceClass::Fp16Compute
                } else if bf16_host {
                    ToleranceClass::Bf16Compute
                } else {
                    ToleranceClass::Fp32Reordered
                }
            }
        };
        let dtype_class = match self.dtype {
            FloatType::F32 => ToleranceClass::Identical,
            FloatType::F16 => ToleranceClass::Fp16Storage,
        };
        ep_class.max(dtype_class)
    }
}

/// Whether an OpenVINO `device_type` (`CPU`, `GPU.0`, `AUTO:GPU,CPU`, `HETERO:NPU,CPU`) can only
/// place work on the CPU; any other device computes in f16 by default.
fn openvino_cpu_only(device: &str) -> bool {
    device
        .split([':', ','])
        .map(str::trim)
        .filter(|d| !matches!(*d, "" | "AUTO" | "HETERO" | "MULTI"))
        .all(|d| d == "CPU" || d.starts_with("CPU."))
}

/// Whether this CPU has native bf16 dot products, on which OpenVINO's CPU plugin defaults to bf16.
fn host_has_native_bf16() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        // Every CPU with AMX-BF16 (Sapphire Rapids and later) also has AVX512_BF16, whose
        // detection is stable Rust (AMX's is not yet).
        std::arch::is_x86_feature_detected!("avx512bf16")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// The two sides of a comparison.
#[derive(Debug, Clone, PartialEq)]
pub struct Pairing {
    pub candidate: Side,
    pub reference: Side,
    /// Both sides load the same file at the same optimisation level.
    pub same_graph: bool,
}

impl Pairing {
    /// The tolerance for this pairing on this machine.
    pub fn tolerance(&self) -> Tolerance {
        self.tolerance_on(host_has_native_bf16())
    }

    /// The tolerance for this pairing on a machine with or without native bf16.
    pub fn tolerance_on(&self, bf16_host: bool) -> Tolerance {
        let both_cpu = self.candidate.ep == Ep::Cpu && self.reference.ep == Ep::Cpu;
        let class = if both_cpu && self.same_graph {
            ToleranceClass::Identical
        } else {
            self.candidate
                .class(bf16_host)
                .max(self.reference.class(bf16_host))
                .max(ToleranceClass::Fp32Reordered)
        };
        let activations_differ = matches!(
            (self.candidate.activation, self.reference.activation),
            (Some(a), Some(b)) if a != b
        );
        Tolerance::new(class, activations_differ)
    }
}

/// How far two outputs may differ, and why.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Tolerance {
    pub class: ToleranceClass,
    /// The sides compute different activation functions ([`ACTIVATION_APPROXIMATION`] added).
    pub activation_approximation: bool,
    /// Absolute tolerance, in units of the reference output's RMS.
    pub atol: f64,
    /// Relative tolerance, against the larger magnitude of the two elements.
    pub rtol: f64,
    /// Lowest cosine similarity accepted: `1 - max(atol, rtol)²/2`, what errors of that RMS
    /// orthogonal to the output would give. A lower cosine means the errors are too large on
    /// average even if each element is within tolerance.
    pub min_cosine: f64,
    /// Where the numbers come from.
    pub why: String,
}

impl Tolerance {
    /// The tolerance of `class`, widened when the activation functions differ.
    pub fn new(class: ToleranceClass, activation_approximation: bool) -> Self {
        let (mut atol, mut rtol) = class.atol_rtol();
        let mut why = class.summary().to_string();
        if activation_approximation {
            atol += ACTIVATION_APPROXIMATION;
            rtol += ACTIVATION_APPROXIMATION;
            why.push_str(
                "; plus GELU vs FastGELU (tanh formula off by ≤ 4.7e-4 per activation, accumulated over layers)",
            );
        }
        let loosest = atol.max(rtol);
        Self {
            class,
            activation_approximation,
            atol,
            rtol,
            min_cosine: 1.0 - loosest * loosest / 2.0,
            why,
        }
    }
}

impl fmt::Display for Tolerance {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}{}: |Δ| ≤ {} × RMS(reference) or ≤ {} × |value|, cosine ≥ {}",
            self.class,
            if self.activation_approximation {
                " + activation approximation"
            } else {
                ""
            },
            short_exponent(self.atol),
            short_exponent(self.rtol),
            format_cosine(self.min_cosine)
        )
    }
}

/// `1e-3`, `5.1e-2`: three significant digits at most, no trailing zeros.
fn short_exponent(value: f64) -> String {
    let text = format!("{value:.2e}");
    match text.split_once('e') {
        Some((mantissa, exponent)) => {
            let mantissa = mantissa.trim_end_matches('0').trim_end_matches('.');
            format!("{mantissa}e{exponent}")
        }
        None => text,
    }
}

/// A cosine close to 1 shown with enough digits to see how close.
pub(crate) fn format_cosine(cosine: f64) -> String {
    if cosine >= 1.0 || cosine.is_nan() {
        return format!("{cosine}");
    }
    // Enough decimals to show the first non-9 digit of 1 - cosine, and one more.
    let digits = (-(1.0 - cosine).log10()).ceil().clamp(1.0, 15.0) as usize + 1;
    let text = format!("{cosine:.digits$}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn side(ep: &str, dtype: FloatType) -> Side {
        Side::new(ep.parse().unwrap(), dtype)
    }

    fn class(candidate: Side, reference: Side, same_graph: bool, bf16: bool) -> ToleranceClass {
        Pairing {
            candidate,
            reference,
            same_graph,
        }
        .tolerance_on(bf16)
        .class
    }

    #[test]
    fn cpu_against_itself_is_identical_only_for_the_same_graph() {
        let cpu = || side("cpu", FloatType::F32);
        assert_eq!(class(cpu(), cpu(), true, false), ToleranceClass::Identical);
        assert_eq!(
            class(cpu(), cpu(), false, false),
            ToleranceClass::Fp32Reordered
        );
        // The same fp16 file on the same CPU kernels is still deterministic.
        let cpu16 = || side("cpu", FloatType::F16);
        assert_eq!(
            class(cpu16(), cpu16(), true, false),
            ToleranceClass::Identical
        );
    }

    #[test]
    fn coreml_tolerance_follows_the_compute_units() {
        let cpu = || side("cpu", FloatType::F32);
        let coreml = |options: &str| side(&format!("coreml:{options}"), FloatType::F32);
        for (options, expected) in [
            ("units=cpu_only", ToleranceClass::Fp32Reordered),
            (
                "format=mlprogram,units=cpu_only",
                ToleranceClass::Fp32Reordered,
            ),
            ("units=cpu_and_gpu", ToleranceClass::Fp16Storage),
            (
                "units=cpu_and_gpu,low_precision_gpu=1",
                ToleranceClass::Fp16Compute,
            ),
            ("units=cpu_and_ne", ToleranceClass::Fp16Compute),
            ("units=all", ToleranceClass::Fp16Compute),
            // ORT's default CoreML options use every compute unit, the Neural Engine included.
            ("", ToleranceClass::Fp16Compute),
        ] {
            assert_eq!(
                class(coreml(options), cpu(), false, false),
                expected,
                "coreml:{options}"
            );
            // The comparison is symmetric.
            assert_eq!(
                class(cpu(), coreml(options), false, false),
                expected,
                "coreml:{options}"
            );
        }
    }

    #[test]
    fn an_fp16_graph_is_never_compared_tighter_than_fp16_storage() {
        let cpu32 = side("cpu", FloatType::F32);
        assert_eq!(
            class(side("cpu", FloatType::F16), cpu32.clone(), false, false),
            ToleranceClass::Fp16Storage
        );
        assert_eq!(
            class(
                side("coreml:units=cpu_only", FloatType::F16),
                cpu32.clone(),
                false,
                false
            ),
            ToleranceClass::Fp16Storage
        );
        // The Neural Engine is looser still, whatever the graph's type.
        assert_eq!(
            class(
                side("coreml:units=cpu_and_ne", FloatType::F16),
                cpu32,
                false,
                false
            ),
            ToleranceClass::Fp16Compute
        );
    }

    #[test]
    fn openvino_tolerance_follows_the_device_and_the_host() {
        let cpu = || side("cpu", FloatType::F32);
        // Built directly: the command line's `key=value,...` syntax cannot carry a device list.
        let ov = |device: &str| {
            Side::new(
                Ep::OpenVino(crate::runtime::OpenVinoOptions {
                    device: device.into(),
                    ..Default::default()
                }),
                FloatType::F32,
            )
        };
        assert_eq!(
            class(ov("CPU"), cpu(), false, false),
            ToleranceClass::Fp32Reordered
        );
        assert_eq!(
            class(ov("CPU"), cpu(), false, true),
            ToleranceClass::Bf16Compute
        );
        assert_eq!(
            class(ov("GPU"), cpu(), false, false),
            ToleranceClass::Fp16Compute
        );
        assert_eq!(
            class(ov("AUTO:GPU,CPU"), cpu(), false, false),
            ToleranceClass::Fp16Compute
        );
        assert_eq!(
            class(ov("HETERO:CPU"), cpu(), false, false),
            ToleranceClass::Fp32Reordered
        );
        // Running OpenVINO on "the same graph" is still a different EP.
        assert_eq!(
            class(ov("CPU"), cpu(), true, false),
            ToleranceClass::Fp32Reordered
        );
    }

    #[test]
    fn different_activations_widen_the_tolerance() {
        let gelu = Side {
            activation: Some(Activation::Gelu),
            ..side("cpu", FloatType::F32)
        };
        let fast = Side {
            activation: Some(Activation::FastGelu),
            ..gelu.clone()
        };
        let pairing = Pairing {
            candidate: fast,
            reference: gelu.clone(),
            same_graph: false,
        };
        let tolerance = pairing.tolerance_on(false);
        assert!(tolerance.activation_approximation);
        assert_eq!(tolerance.atol, 1e-3 + ACTIVATION_APPROXIMATION);
        assert!(tolerance.why.contains("FastGELU"));
        let same = Pairing {
            candidate: gelu.clone(),
            reference: gelu,
            same_graph: false,
        };
        assert!(!same.tolerance_on(false).activation_approximation);
    }

    #[test]
    fn tolerances_loosen_with_the_class_and_state_their_cosine() {
        let classes = [
            ToleranceClass::Identical,
            ToleranceClass::Fp32Reordered,
            ToleranceClass::Fp16Storage,
            ToleranceClass::Bf16Compute,
            ToleranceClass::Fp16Compute,
        ];
        for pair in classes.windows(2) {
            let (tight, loose) = (
                Tolerance::new(pair[0], false),
                Tolerance::new(pair[1], false),
            );
            assert!(tight.atol <= loose.atol && tight.rtol <= loose.rtol);
            assert!(tight.min_cosine >= loose.min_cosine);
        }
        let fp32 = Tolerance::new(ToleranceClass::Fp32Reordered, false);
        assert!((fp32.min_cosine - (1.0 - 5e-7)).abs() < 1e-15);
        assert!(
            Tolerance::new(ToleranceClass::Fp32Reordered, true)
                .to_string()
                .contains("|Δ| ≤ 5.1e-2 × RMS(reference)")
        );
        assert_eq!(
            fp32.to_string(),
            "fp32-reordered: |Δ| ≤ 1e-3 × RMS(reference) or ≤ 1e-3 × |value|, cosine ≥ 0.9999995"
        );
    }
}

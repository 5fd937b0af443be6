//! Model variants: which model, with which activation, element type and shape.
//!
//! A variant's [`Display`](fmt::Display) is its file name without `.onnx`, following the study:
//! `<model>_<gelu|fast-gelu>_<fp32|fp16>_<dynamic|static_b<B>_s<S>>` for the BERT family,
//! `<model>_<fp32|fp16>_static_b<B>` for vision models, `add_64k`, and
//! `probe_<erf|hardmax>_k<K>_h<H>` for the fragmentation probes. [`FromStr`] parses exactly those
//! names back, and the types make other combinations (an activation for MobileNet, a dynamic
//! probe) impossible to express.
//!
//! ```
//! use epbench::onnx::FloatType;
//! use epbench::zoo::{Activation, TokenShape, TransformerModel, Variant};
//! let v: Variant = "tiny-systems-bert_fast-gelu_fp32_static_b1_s128".parse().unwrap();
//! let Variant::Transformer(t) = &v else { unreachable!() };
//! assert_eq!(t.model, TransformerModel::TinySystemsBert);
//! assert_eq!(t.activation, Activation::FastGelu);
//! assert_eq!(t.dtype, FloatType::F32);
//! assert_eq!(t.shape, TokenShape::Static { batch: 1, seq: 128 });
//! assert_eq!(v.to_string(), "tiny-systems-bert_fast-gelu_fp32_static_b1_s128");
//! assert!("mobilenet_v2_gelu_fp32_static_b1".parse::<Variant>().is_err());
//! ```

use std::fmt;
use std::str::FromStr;

use super::ZooError;
use crate::onnx::FloatType;

/// A model of the BERT family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TransformerModel {
    /// `bert-base-uncased`: 12 layers, hidden 768 (~110M parameters).
    BertBaseUncased,
    /// `distilbert-base-uncased`: 6 layers, hidden 768, no token types, no pooler (~66M).
    DistilbertBaseUncased,
    /// The study's `tiny-systems-bert`: 2 layers, hidden 128, vocabulary 8000 (~1.5M).
    TinySystemsBert,
    /// sentence-transformers' `all-MiniLM-L6-v2`: 6 layers, hidden 384, real weights from a
    /// checkpoint; it proves the builder wires weights the way Hugging Face does.
    AllMiniLmL6V2,
}

impl TransformerModel {
    /// Every transformer model, in catalogue order.
    pub const ALL: [TransformerModel; 4] = [
        TransformerModel::BertBaseUncased,
        TransformerModel::DistilbertBaseUncased,
        TransformerModel::TinySystemsBert,
        TransformerModel::AllMiniLmL6V2,
    ];

    /// The model's name as used in file names and the catalogue.
    pub fn name(self) -> &'static str {
        match self {
            TransformerModel::BertBaseUncased => "bert-base-uncased",
            TransformerModel::DistilbertBaseUncased => "distilbert-base-uncased",
            TransformerModel::TinySystemsBert => "tiny-systems-bert",
            TransformerModel::AllMiniLmL6V2 => "all-minilm-l6-v2",
        }
    }
}

/// A vision model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum VisionModel {
    /// torchvision's `mobilenet_v2`: 224x224 input, 1000 classes (~3.5M parameters).
    MobilenetV2,
}

impl VisionModel {
    /// Every vision model.
    pub const ALL: [VisionModel; 1] = [VisionModel::MobilenetV2];

    /// The model's name as used in file names and the catalogue.
    pub fn name(self) -> &'static str {
        match self {
            VisionModel::MobilenetV2 => "mobilenet_v2",
        }
    }
}

/// The feed-forward activation of a transformer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Activation {
    /// Exact GELU, exported as `Div, Erf, Add, Mul, Mul`.
    Gelu,
    /// The tanh approximation (`gelu(approximate="tanh")`), exported as `Mul, Mul, Mul, Add, Mul,
    /// Tanh, Add, Mul, Mul`: no `Erf`, the study's cut-maker.
    FastGelu,
}

impl Activation {
    fn name(self) -> &'static str {
        match self {
            Activation::Gelu => "gelu",
            Activation::FastGelu => "fast-gelu",
        }
    }
}

/// Input shape of a transformer: dynamic `batch_size` and `sequence_length`, or fixed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TokenShape {
    Dynamic,
    Static { batch: u32, seq: u32 },
}

/// A BERT-family variant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TransformerVariant {
    pub model: TransformerModel,
    pub activation: Activation,
    pub dtype: FloatType,
    pub shape: TokenShape,
}

/// A vision variant; its input is always static (the study's MobileNet runs are batch 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct VisionVariant {
    pub model: VisionModel,
    pub dtype: FloatType,
    pub batch: u32,
}

/// The op placed between probe blocks: one that the EP under study does not take, so each one
/// splits the graph into one more partition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CutOp {
    /// `Erf`: not supported by CoreML's NeuralNetwork format.
    Erf,
    /// `Hardmax` on the last axis: not supported by OpenVINO's EP.
    Hardmax,
}

impl CutOp {
    /// The ONNX op type.
    pub fn op_type(self) -> &'static str {
        match self {
            CutOp::Erf => "Erf",
            CutOp::Hardmax => "Hardmax",
        }
    }

    fn name(self) -> &'static str {
        match self {
            CutOp::Erf => "erf",
            CutOp::Hardmax => "hardmax",
        }
    }
}

/// A probe chain for the fragmentation experiment: identical MatMul+Add blocks with `k`
/// cut-makers between them (see [`super::probe::probe_chain`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ProbeVariant {
    pub cut: CutOp,
    pub k: u32,
    pub hidden: u32,
}

/// Any model the zoo builds, in one of its variants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Variant {
    Transformer(TransformerVariant),
    Vision(VisionVariant),
    /// One `Add` on a 1x128x128 float tensor (64 KiB): the per-run overhead floor.
    Add64k,
    Probe(ProbeVariant),
}

impl Variant {
    /// The model name this variant belongs to (`tiny-systems-bert`, `add_64k`, `probe`).
    pub fn model_name(&self) -> &'static str {
        match self {
            Variant::Transformer(t) => t.model.name(),
            Variant::Vision(v) => v.model.name(),
            Variant::Add64k => ADD_64K,
            Variant::Probe(_) => PROBE,
        }
    }

    /// Samples per run: a static transformer's or vision variant's batch; 1 for dynamic
    /// transformers (fed batch 1) and for helpers.
    pub fn batch(&self) -> u32 {
        match self {
            Variant::Transformer(TransformerVariant {
                shape: TokenShape::Static { batch, .. },
                ..
            }) => *batch,
            Variant::Vision(v) => v.batch,
            _ => 1,
        }
    }

    /// The float type of a transformer or vision variant; `None` for helpers, whose float
    /// type is not part of their name.
    pub fn dtype(&self) -> Option<FloatType> {
        match self {
            Variant::Transformer(t) => Some(t.dtype),
            Variant::Vision(v) => Some(v.dtype),
            Variant::Add64k | Variant::Probe(_) => None,
        }
    }

    /// The study's file name, `<variant>.onnx`.
    pub fn file_name(&self) -> String {
        format!("{self}.onnx")
    }

    /// Parses a file name such as `tiny-systems-bert_gelu_fp32_dynamic.onnx`, also accepting
    /// the zoo's cache names with a recipe hash (`<variant>.<hash>.onnx`).
    pub fn from_file_name(file_name: &str) -> Result<Variant, ZooError> {
        let stem = file_name.strip_suffix(".onnx").unwrap_or(file_name);
        let stem = match stem.rsplit_once('.') {
            Some((name, hash)) if hash.chars().all(|c| c.is_ascii_hexdigit()) => name,
            _ => stem,
        };
        stem.parse()
    }
}

const ADD_64K: &str = "add_64k";
const PROBE: &str = "probe";

impl fmt::Display for TokenShape {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TokenShape::Dynamic => f.write_str("dynamic"),
            TokenShape::Static { batch, seq } => write!(f, "static_b{batch}_s{seq}"),
        }
    }
}

impl fmt::Display for Variant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Variant::Transformer(t) => write!(
                f,
                "{}_{}_{}_{}",
                t.model.name(),
                t.activation.name(),
                t.dtype.name(),
                t.shape
            ),
            Variant::Vision(v) => {
                write!(
                    f,
                    "{}_{}_static_b{}",
                    v.model.name(),
                    v.dtype.name(),
                    v.batch
                )
            }
            Variant::Add64k => f.write_str(ADD_64K),
            Variant::Probe(p) => write!(f, "{PROBE}_{}_k{}_h{}", p.cut.name(), p.k, p.hidden),
        }
    }
}

impl fmt::Display for TransformerVariant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        Variant::Transformer(*self).fmt(f)
    }
}

impl fmt::Display for VisionVariant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        Variant::Vision(*self).fmt(f)
    }
}

impl fmt::Display for ProbeVariant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        Variant::Probe(*self).fmt(f)
    }
}

/// A positive number after a one-letter tag: `b8` -> 8.
fn tagged_number(part: &str, tag: char) -> Result<u32, String> {
    let digits = part
        .strip_prefix(tag)
        .ok_or_else(|| format!("expected `{tag}<number>`, found `{part}`"))?;
    let value: u32 = digits
        .parse()
        .map_err(|_| format!("`{part}`: `{digits}` is not a number"))?;
    if value == 0 {
        return Err(format!("`{part}` must be at least 1"));
    }
    Ok(value)
}

fn parse_dtype(part: &str) -> Result<FloatType, String> {
    match part {
        "fp32" => Ok(FloatType::F32),
        "fp16" => Ok(FloatType::F16),
        other => Err(format!("unknown dtype `{other}` (fp32, fp16)")),
    }
}

fn parse_transformer(model: TransformerModel, rest: &str) -> Result<TransformerVariant, String> {
    let parts: Vec<&str> = rest.split('_').collect();
    let (activation, dtype, shape) = match parts.as_slice() {
        [a, d, shape @ ..] => (*a, *d, shape),
        _ => return Err("expected `<activation>_<dtype>_<shape>` after the model".into()),
    };
    let activation = match activation {
        "gelu" => Activation::Gelu,
        "fast-gelu" => Activation::FastGelu,
        other => return Err(format!("unknown activation `{other}` (gelu, fast-gelu)")),
    };
    let dtype = parse_dtype(dtype)?;
    let shape = match shape {
        ["dynamic"] => TokenShape::Dynamic,
        ["static", b, s] => TokenShape::Static {
            batch: tagged_number(b, 'b')?,
            seq: tagged_number(s, 's')?,
        },
        _ => {
            return Err(format!(
                "unknown shape `{}` (dynamic, static_b<B>_s<S>)",
                shape.join("_")
            ));
        }
    };
    Ok(TransformerVariant {
        model,
        activation,
        dtype,
        shape,
    })
}

fn parse_vision(model: VisionModel, rest: &str) -> Result<VisionVariant, String> {
    match rest.split('_').collect::<Vec<_>>().as_slice() {
        [dtype, "static", b] => Ok(VisionVariant {
            model,
            dtype: parse_dtype(dtype)?,
            batch: tagged_number(b, 'b')?,
        }),
        _ => Err(format!(
            "expected `{}_<fp32|fp16>_static_b<B>` (vision models have no activation and a static shape)",
            model.name()
        )),
    }
}

fn parse_probe(rest: &str) -> Result<ProbeVariant, String> {
    match rest.split('_').collect::<Vec<_>>().as_slice() {
        [cut, k, h] => {
            let cut = match *cut {
                "erf" => CutOp::Erf,
                "hardmax" => CutOp::Hardmax,
                other => return Err(format!("unknown cut op `{other}` (erf, hardmax)")),
            };
            let k_digits = k
                .strip_prefix('k')
                .ok_or_else(|| format!("expected `k<number>`, found `{k}`"))?;
            let k = k_digits
                .parse()
                .map_err(|_| format!("`{k}`: `{k_digits}` is not a number"))?;
            Ok(ProbeVariant {
                cut,
                k,
                hidden: tagged_number(h, 'h')?,
            })
        }
        _ => Err("expected `probe_<erf|hardmax>_k<K>_h<H>`".into()),
    }
}

/// Variants are written by name (`tiny-systems-bert_gelu_fp32_dynamic`), as files and ids
/// name them.
impl serde::Serialize for Variant {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Variant {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        name.parse().map_err(serde::de::Error::custom)
    }
}

impl FromStr for Variant {
    type Err = ZooError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let name = s.strip_suffix(".onnx").unwrap_or(s);
        let bad = |reason: String| ZooError::BadVariantName {
            name: s.to_string(),
            reason,
        };
        if name == ADD_64K {
            return Ok(Variant::Add64k);
        }
        if let Some(rest) = name.strip_prefix("probe_") {
            return parse_probe(rest).map(Variant::Probe).map_err(bad);
        }
        for model in TransformerModel::ALL {
            if name == model.name() {
                return Err(bad(
                    "that is a model; a variant also needs `_<activation>_<dtype>_<shape>`, \
                     e.g. `_gelu_fp32_dynamic`"
                        .into(),
                ));
            }
            if let Some(rest) = name
                .strip_prefix(model.name())
                .and_then(|r| r.strip_prefix('_'))
            {
                return parse_transformer(model, rest)
                    .map(Variant::Transformer)
                    .map_err(bad);
            }
        }
        for model in VisionModel::ALL {
            if name == model.name() {
                return Err(bad(
                    "that is a model; a variant also needs `_<dtype>_static_b<B>`".into(),
                ));
            }
            if let Some(rest) = name
                .strip_prefix(model.name())
                .and_then(|r| r.strip_prefix('_'))
            {
                return parse_vision(model, rest).map(Variant::Vision).map_err(bad);
            }
        }
        let models: Vec<&str> = TransformerModel::ALL
            .iter()
            .map(|m| m.name())
            .chain(VisionModel::ALL.iter().map(|m| m.name()))
            .chain([ADD_64K, PROBE])
            .collect();
        Err(bad(format!("unknown model (known: {})", models.join(", "))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for name in [
            "bert-base-uncased_gelu_fp32_dynamic",
            "distilbert-base-uncased_fast-gelu_fp16_static_b8_s512",
            "tiny-systems-bert_gelu_fp16_static_b1_s128",
            "all-minilm-l6-v2_gelu_fp32_dynamic",
            "mobilenet_v2_fp16_static_b1",
            "add_64k",
            "probe_hardmax_k16_h256",
            "probe_erf_k0_h128",
        ] {
            let variant: Variant = name.parse().unwrap();
            assert_eq!(variant.to_string(), name);
            assert_eq!(variant.file_name(), format!("{name}.onnx"));
            assert_eq!(
                Variant::from_file_name(&format!("{name}.0123456789abcdef.onnx")).unwrap(),
                variant
            );
        }
    }

    #[test]
    fn illegal_names_are_rejected_with_a_reason() {
        for (name, needle) in [
            ("mobilenet_v2_gelu_fp32_static_b1", "no activation"),
            ("tiny-systems-bert_relu_fp32_dynamic", "unknown activation"),
            ("tiny-systems-bert_gelu_fp8_dynamic", "unknown dtype"),
            ("tiny-systems-bert_gelu_fp32_static_b0_s128", "at least 1"),
            ("tiny-systems-bert_gelu_fp32_static_b1", "unknown shape"),
            ("tiny-systems-bert", "a variant also needs"),
            ("resnet50_fp32_static_b1", "unknown model"),
            ("probe_relu_k1_h64", "unknown cut op"),
        ] {
            let err = name.parse::<Variant>().unwrap_err().to_string();
            assert!(err.contains(needle), "{name}: {err}");
        }
    }
}

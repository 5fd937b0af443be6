//! The CoreML EP's node-support rules, as data.
//!
//! ORT decides node by node whether the CoreML EP takes a node (`IsNodeSupported` in
//! `onnxruntime/core/providers/coreml/builders/helper.cc`): the op needs a registered builder
//! (`op_builder_factory.cc`), the builder must support the requested model format, the op's
//! schema version must be in the builder's range, every input must pass the generic checks
//! (`IsInputSupported`), the inputs must have supported element types (`HasSupportedInputsImpl`)
//! and the op-specific conditions (`IsOpSupportedImpl`) must hold.
//!
//! Here each release family is a [`RuleFamily`]: the generic limits plus one [`OpRule`] per op
//! with a [`Support`] per [`ModelFormat`], made of typed [`Check`]s. Updating the rules for a new
//! ORT release means copying a family file and editing table rows; every row cites the ORT
//! source it was read from. The evaluation of the checks against a graph is [`evaluate_node`].

mod eval;
mod family_2024;
mod release_1_31;

use serde::Serialize;

pub use eval::{RejectCategory, Rejection, Verdict, evaluate_node};
pub use family_2024::FAMILY_2024;
pub use release_1_31::RELEASE_1_31;

use crate::runtime::ModelFormat;

/// The rule families epbench knows, oldest first.
pub const FAMILIES: &[&RuleFamily] = &[&FAMILY_2024, &RELEASE_1_31];

/// Looks a family up by its id (`2024`, `1.31`) or by an ORT version it covers (`1.19.2`,
/// `1.31.1`).
pub fn family(name: &str) -> Option<&'static RuleFamily> {
    let name = name.trim();
    FAMILIES
        .iter()
        .copied()
        .find(|f| f.id == name || f.covers(name))
}

/// The node-support rules of a range of ORT releases.
#[derive(Debug)]
pub struct RuleFamily {
    /// Short id for the command line and JSON (`2024`, `1.31`).
    pub id: &'static str,
    /// Human-readable name.
    pub name: &'static str,
    /// The ORT releases the rules describe, e.g. `1.18–1.19`.
    pub ort_versions: &'static str,
    /// `major.minor` prefixes of the releases covered, for [`family`].
    pub minor_versions: &'static [&'static str],
    /// The checks on every node and every input.
    pub generic: GenericRules,
    /// One row per op type that has a builder. Ops not listed have none.
    pub ops: &'static [OpRule],
    /// A filter that drops some partitions after grouping (`on_group_closed_fn`).
    pub partition_filter: Option<PartitionFilter>,
    /// Where the op registry (which ops have builders) was read.
    pub registry_source: &'static str,
    /// ORT level-1 transformers to switch off when producing the graph with today's ORT, because
    /// the releases of this family did not apply them (ORT's `disable_specified_optimizers`).
    pub level1_disabled_optimizers: &'static [&'static str],
    /// Why those transformers are disabled.
    pub level1_note: &'static str,
}

impl RuleFamily {
    /// The rule for `op_type`, if it has a builder in this family. ORT's factory is keyed by op
    /// type alone (`GetOpBuilder` ignores the domain), and so is this lookup.
    pub fn op(&self, op_type: &str) -> Option<&OpRule> {
        self.ops.iter().find(|r| r.op == op_type)
    }

    /// True when `version` (e.g. `1.19.2`) belongs to this family.
    pub fn covers(&self, version: &str) -> bool {
        let mut parts = version.split('.');
        match (parts.next(), parts.next()) {
            (Some(major), Some(minor)) => {
                let prefix = format!("{major}.{minor}");
                self.minor_versions.contains(&prefix.as_str())
            }
            _ => false,
        }
    }

    /// The name and versions, as the JSON output records them.
    pub fn id_card(&self) -> RuleSetId {
        RuleSetId {
            name: self.name.to_string(),
            ort_versions: self.ort_versions.to_string(),
        }
    }
}

/// Which rule set a prediction used (serialised as `rule_set`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleSetId {
    pub name: String,
    pub ort_versions: String,
}

/// Checks ORT applies to every node (`BaseOpBuilder::IsOpSupported`) and every input
/// (`IsInputSupported` in `builders/helper.cc`).
#[derive(Debug)]
pub struct GenericRules {
    /// Inputs of higher rank are rejected.
    pub max_rank: usize,
    /// Inputs with a larger dim are rejected (initializers included).
    pub max_dim: i64,
    /// Inputs with a 0-sized dim are rejected (except `Resize`'s roi).
    pub reject_zero_dims: bool,
    /// `GetMaxSupportedOpSet` unless a builder overrides it.
    pub default_max_opset: i64,
    /// Element types the default input-0 check accepts in NeuralNetwork.
    pub neural_network_dtypes: &'static [i32],
    /// Element types the default input-0 check accepts in MLProgram.
    pub ml_program_dtypes: &'static [i32],
    /// Where these were read.
    pub source: &'static str,
}

impl GenericRules {
    /// The default input element types for `format`.
    pub fn default_dtypes(&self, format: ModelFormat) -> &'static [i32] {
        match format {
            ModelFormat::NeuralNetwork => self.neural_network_dtypes,
            ModelFormat::MlProgram => self.ml_program_dtypes,
        }
    }
}

/// The rule of one op type.
#[derive(Debug)]
pub struct OpRule {
    pub op: &'static str,
    pub neural_network: Support,
    pub ml_program: Support,
    /// `GetMinSupportedOpSet` of the builder.
    pub min_opset: i64,
    /// `GetMaxSupportedOpSet` when the builder overrides the default.
    pub max_opset: Option<i64>,
    /// The builder's source file, named in rejection reasons (e.g. `gemm_op_builder.cc`).
    pub file: &'static str,
    /// Which version of that file the row was read from (index id, commit, PR, release table).
    pub citation: &'static str,
}

impl OpRule {
    /// The support for `format`.
    pub fn support(&self, format: ModelFormat) -> &Support {
        match format {
            ModelFormat::NeuralNetwork => &self.neural_network,
            ModelFormat::MlProgram => &self.ml_program,
        }
    }
}

/// Whether an op is supported in one model format, and on which conditions.
#[derive(Debug)]
pub enum Support {
    /// Never supported in this format, for the reason given (e.g. the builder does not support
    /// MLProgram, or rejects everything unless MLProgram).
    No(&'static str),
    /// Supported when every check passes, evaluated in order (ORT's order: input types first,
    /// then the op-specific conditions).
    When(&'static [Check]),
}

/// One condition a node must meet. Inputs and outputs are numbered from 0 as in ONNX; `what`
/// names them in reasons ("input B", "'axes'"); `why` explains the limitation.
#[derive(Debug)]
pub enum Check {
    /// The family's default input-type check (`IsInputFloat` / `IsInputDtypeSupport`) on `input`.
    DefaultDtype { input: usize },
    /// The element type of `input` is one of `allowed`.
    Dtype {
        input: usize,
        allowed: &'static [i32],
    },
    /// The element type of output `output` is one of `allowed`.
    OutputDtype {
        output: usize,
        allowed: &'static [i32],
    },
    /// Two inputs have the same element type.
    SameDtype { a: usize, b: usize },
    /// `input` is a constant initializer (ORT's `GetConstantInitializer`: not overridable). An
    /// absent `optional` input passes.
    Constant {
        input: usize,
        what: &'static str,
        optional: bool,
    },
    /// `input`, when present, is an initializer, overridable ones included (older builders
    /// look in `GetAllInitializedTensors`).
    Initializer { input: usize, what: &'static str },
    /// `input` has no symbolic or unknown dim (`GetStaticShape`).
    StaticShape {
        input: usize,
        what: &'static str,
        why: &'static str,
    },
    /// The rank of `input` is within `min..=max`.
    Rank {
        input: usize,
        min: usize,
        max: usize,
        what: &'static str,
        why: &'static str,
    },
    /// The rank of output `output` is at most `max`.
    OutputRank {
        output: usize,
        max: usize,
        why: &'static str,
    },
    /// The node has at least `min` inputs.
    MinInputs { min: usize, why: &'static str },
    /// The node has at most `max` inputs.
    MaxInputs { max: usize, why: &'static str },
    /// An integer attribute (or its default) is one of `allowed`.
    AttrInt {
        name: &'static str,
        default: i64,
        allowed: &'static [i64],
        why: &'static str,
    },
    /// A float attribute (or its default) equals `value`.
    AttrFloat {
        name: &'static str,
        default: f32,
        value: f32,
        why: &'static str,
    },
    /// The attribute is absent.
    AttrAbsent {
        name: &'static str,
        why: &'static str,
    },
    /// The `axis` attribute (or its default), normalised against the rank of `rank_of`, is one
    /// of `allowed`.
    Axis {
        default: i64,
        rank_of: usize,
        allowed: &'static [usize],
        why: &'static str,
    },
    /// The number of input edges (inputs produced by other nodes) is within `min..=max`.
    InputEdges {
        min: usize,
        max: usize,
        why: &'static str,
    },
    /// The producer of input 0 is a node of type `op` that this family supports.
    SupportedProducer { op: &'static str, why: &'static str },
    /// Gemm's C: constant, of shape `{}`, `{1}`, `{N}` or `{1, N}`.
    GemmBias,
    /// The constant integer tensor at `input` has between `min` and `max` elements.
    ConstantLength {
        input: usize,
        what: &'static str,
        min: usize,
        max: usize,
    },
    /// With `allowzero=1`, the new shape has no 0. When `symbolic_zero` is set, a 0 that copies
    /// a symbolic input dim is also rejected (newer reshape builders).
    ReshapeZeros { symbolic_zero: bool },
    /// Every sliced range is non-empty (`ValidateSliceComputeMetadataForCoreML`).
    SliceNotEmpty,
    /// Reductions: empty constant axes with `noop_with_empty_axes=1` are rejected.
    ReduceNoopAxes,
    /// Gather's indices are not a scalar, unless `unless_static_rank_at_most` allows a scalar
    /// index on static data of at most that rank.
    GatherScalarIndices {
        unless_static_rank_at_most: Option<usize>,
    },
}

/// Drops partitions after grouping (the `on_group_closed_fn` of `CreateSupportedPartitions`).
#[derive(Debug)]
pub struct PartitionFilter {
    /// A partition made only of these ops is dropped (its nodes run on the CPU).
    pub trivial_ops: &'static [&'static str],
    pub citation: &'static str,
}

impl PartitionFilter {
    /// Whether a group of nodes with these op types is kept.
    pub fn keeps<'a>(&self, mut op_types: impl Iterator<Item = &'a str>) -> bool {
        op_types.any(|op| !self.trivial_ops.contains(&op))
    }
}

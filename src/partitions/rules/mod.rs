//! The CoreML EP's node-support rules, by epoch.
//!
//! ORT decides node by node whether the CoreML EP takes a node (`IsNodeSupported` in
//! `onnxruntime/core/providers/coreml/builders/helper.cc`): the op needs a registered builder
//! (`op_builder_factory.cc`), the builder must support the requested model format, the op's
//! schema version must be in the builder's range, every input must pass the generic checks
//! (`IsInputSupported`), the inputs must have supported element types (`HasSupportedInputsImpl`)
//! and the op-specific conditions (`IsOpSupportedImpl`) must hold.
//!
//! The rules are a history of [`Epoch`]s, oldest first: each says from which ORT release on it
//! holds and what it changes (the generic limits, the partition filter, the level-1 emulation,
//! and the [`OpRule`]s it (re)defines, each citing the ORT source it was read from). The rule
//! set for ORT version v, a [`RuleFamily`], is the last epoch ≤ v of every op and of every
//! generic part ([`rule_set`]); a version before the first epoch is an error. Op rules are made
//! of typed [`Check`]s shared between epochs, or of a builder written as code
//! ([`Check::Builder`]). The evaluation against a graph is [`evaluate_node`].

mod epoch_1_18;
mod epoch_1_27;
mod epoch_1_30;
mod eval;

use std::collections::HashMap;
use std::sync::Mutex;

use serde::Serialize;

pub use eval::{BuilderInput, RejectCategory, Rejection, Verdict, evaluate_node};

use crate::runtime::ModelFormat;

/// The newest ORT release the rules are meant for (its rules are those of the newest epoch).
pub const LATEST: &str = "1.31";

/// The rules of [`LATEST`].
pub fn latest() -> &'static RuleFamily {
    match rule_set(LATEST) {
        Ok(family) => family,
        Err(_) => Box::leak(Box::new(resolve((1, 31)))),
    }
}

/// The epochs, oldest first.
pub const EPOCHS: &[&Epoch] = &[&epoch_1_18::EPOCH, &epoch_1_27::EPOCH, &epoch_1_30::EPOCH];

/// One step of the rules' history: what holds from ORT `since` on.
#[derive(Debug)]
pub struct Epoch {
    /// The first ORT release (major, minor) this epoch describes.
    pub since: (u32, u32),
    /// Human-readable name of the rules from here on.
    pub name: &'static str,
    /// Where this epoch was read (commit, PRs).
    pub citation: &'static str,
    /// Replaces the generic limits when set.
    pub generic: Option<GenericRules>,
    /// The ops (re)defined from here on.
    pub ops: &'static [OpRule],
    /// When true, ops of earlier epochs not listed in `ops` have no builder from here on.
    pub replaces_registry: bool,
    /// Replaces the partition filter when set (`Some(None)`: no filter from here on).
    pub partition_filter: Option<Option<PartitionFilter>>,
    /// Replaces the registry citation when set.
    pub registry_source: Option<&'static str>,
    /// Replaces the level-1 emulation when set.
    pub level1: Option<Level1>,
}

/// How the level-1 graph is produced for an epoch.
#[derive(Debug, Clone, Copy)]
pub struct Level1 {
    /// ORT level-1 transformers to switch off (ORT's `disable_specified_optimizers`) because the
    /// releases of this epoch did not apply them.
    pub disabled_optimizers: &'static [&'static str],
    /// Why.
    pub note: &'static str,
}

/// A version epbench has no rules for.
#[derive(Debug, thiserror::Error)]
pub enum RuleSetError {
    #[error("`{0}` is not an ORT version (expected e.g. 1.30.0)")]
    NotAVersion(String),
    #[error(
        "no CoreML rules for ORT {version}: the first epoch epbench knows is ORT {}.{} ({})",
        first.0, first.1, name
    )]
    BeforeFirstEpoch {
        version: String,
        first: (u32, u32),
        name: &'static str,
    },
}

/// Parses `1.30.0`, `1.30`, `v1.19.2` or a family id of earlier releases (`2024` = 1.19) into
/// (major, minor).
pub fn parse_version(version: &str) -> Result<(u32, u32), RuleSetError> {
    let v = version.trim().trim_start_matches('v');
    if v == "2024" {
        return Ok((1, 19));
    }
    let mut parts = v.split(['.', '-', '+']);
    let major = parts.next().and_then(|p| p.parse().ok());
    let minor = parts.next().and_then(|p| p.parse().ok());
    match (major, minor) {
        (Some(major), Some(minor)) => Ok((major, minor)),
        _ => Err(RuleSetError::NotAVersion(version.to_string())),
    }
}

/// The rules for ORT `version`: for every op and generic part, its last epoch ≤ the version.
/// Rule sets are built once per version and live for the process.
pub fn rule_set(version: &str) -> Result<&'static RuleFamily, RuleSetError> {
    static CACHE: Mutex<Option<HashMap<(u32, u32), &'static RuleFamily>>> = Mutex::new(None);
    let v = parse_version(version)?;
    let first = EPOCHS[0];
    if v < first.since {
        return Err(RuleSetError::BeforeFirstEpoch {
            version: version.to_string(),
            first: first.since,
            name: first.name,
        });
    }
    let mut cache = CACHE.lock().unwrap_or_else(|p| p.into_inner());
    let map = cache.get_or_insert_with(HashMap::new);
    Ok(*map
        .entry(v)
        .or_insert_with(|| Box::leak(Box::new(resolve(v)))))
}

fn resolve(v: (u32, u32)) -> RuleFamily {
    let applicable: Vec<&Epoch> = EPOCHS.iter().copied().filter(|e| e.since <= v).collect();
    let last = |f: &dyn Fn(&Epoch) -> bool| applicable.iter().rev().find(|e| f(e)).copied();
    let generic_epoch = last(&|e| e.generic.is_some()).unwrap_or(EPOCHS[0]);
    let mut ops: Vec<&'static OpRule> = Vec::new();
    for epoch in &applicable {
        if epoch.replaces_registry {
            ops.clear();
        }
        for rule in epoch.ops {
            ops.retain(|r| r.op != rule.op);
            ops.push(rule);
        }
    }
    let newest = applicable.last().copied().unwrap_or(EPOCHS[0]);
    let next = EPOCHS.iter().find(|e| e.since > v);
    let ort_versions = match next {
        Some(n) if n.since.1 > 0 => format!(
            "{}.{}-{}.{} (asked: {}.{})",
            newest.since.0,
            newest.since.1,
            n.since.0,
            n.since.1 - 1,
            v.0,
            v.1
        ),
        _ => format!(
            "{}.{}+ (asked: {}.{})",
            newest.since.0, newest.since.1, v.0, v.1
        ),
    };
    RuleFamily {
        id: format!("{}.{}", v.0, v.1),
        name: newest.name,
        ort_versions,
        epoch: newest.since,
        generic: generic_epoch
            .generic
            .clone()
            .unwrap_or_else(unreachable_generic),
        ops,
        partition_filter: last(&|e| e.partition_filter.is_some())
            .and_then(|e| e.partition_filter.clone())
            .flatten(),
        registry_source: last(&|e| e.registry_source.is_some())
            .and_then(|e| e.registry_source)
            .unwrap_or_default(),
        level1: last(&|e| e.level1.is_some())
            .and_then(|e| e.level1)
            .unwrap_or(Level1 {
                disabled_optimizers: &[],
                note: "",
            }),
    }
}

/// The first epoch defines every generic part, so this is never reached.
fn unreachable_generic() -> GenericRules {
    GenericRules {
        max_rank: 5,
        max_dim: i64::MAX,
        reject_zero_dims: true,
        reject_external_initializers: false,
        default_max_opset: i64::MAX,
        neural_network_dtypes: &[],
        ml_program_dtypes: &[],
        source: "",
    }
}

/// The node-support rules for one ORT release, resolved from the epochs.
#[derive(Debug)]
pub struct RuleFamily {
    /// The ORT version asked for, `major.minor`.
    pub id: String,
    /// The name of the newest epoch that applies.
    pub name: &'static str,
    /// The releases these rules stand for.
    pub ort_versions: String,
    /// The newest epoch that applies (major, minor).
    pub epoch: (u32, u32),
    /// The checks on every node and every input.
    pub generic: GenericRules,
    /// One rule per op type that has a builder. Ops not listed have none.
    pub ops: Vec<&'static OpRule>,
    /// A filter that drops some partitions after grouping (`on_group_closed_fn`).
    pub partition_filter: Option<PartitionFilter>,
    /// Where the op registry (which ops have builders) was read.
    pub registry_source: &'static str,
    /// How the level-1 graph is produced.
    pub level1: Level1,
}

impl RuleFamily {
    /// The rule for `op_type`, if it has a builder in this family. ORT's factory is keyed by op
    /// type alone (`GetOpBuilder` ignores the domain), and so is this lookup.
    pub fn op(&self, op_type: &str) -> Option<&OpRule> {
        self.ops.iter().copied().find(|r| r.op == op_type)
    }

    /// The level-1 transformers to switch off.
    pub fn level1_disabled_optimizers(&self) -> &'static [&'static str] {
        self.level1.disabled_optimizers
    }

    /// The name and versions, as the JSON output records them.
    pub fn id_card(&self) -> RuleSetId {
        RuleSetId {
            name: self.name.to_string(),
            ort_versions: self.ort_versions.clone(),
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
#[derive(Debug, Clone)]
pub struct GenericRules {
    /// Inputs of higher rank are rejected.
    pub max_rank: usize,
    /// Inputs with a larger dim are rejected (initializers included).
    pub max_dim: i64,
    /// Inputs with a 0-sized dim are rejected (except `Resize`'s roi).
    pub reject_zero_dims: bool,
    /// Nodes reading an initializer stored as external data are rejected
    /// (`HasExternalInitializer`, gone by 1.30).
    pub reject_external_initializers: bool,
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
    /// A builder's input-type and op conditions written as code, in ORT's order
    /// (`HasSupportedInputsImpl`, then `IsOpSupportedImpl`); `Err` carries the category and the
    /// reason.
    Builder(BuilderFn),
}

/// An op builder's own checks, as code.
pub type BuilderFn = fn(&BuilderInput<'_>) -> Result<(), (RejectCategory, String)>;

/// Drops partitions after grouping (the `on_group_closed_fn` of `CreateSupportedPartitions`).
#[derive(Debug, Clone)]
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

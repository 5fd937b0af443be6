//! The CoreML EP of ORT 1.27-1.29 as read from 2026 snapshots and PRs before the 1.30 source
//! was at hand (an approximation for those releases; ORT 1.30 has its own epoch).
//!
//! Sources are paths under `onnxruntime/core/providers/coreml/` of microsoft/onnxruntime, cited
//! as `microsoft/onnxruntime@<commit>` (a commit at which the file has exactly the text that was
//! read: the earliest main commit holding it, unless the row says it is a branch commit; a short
//! `@hex` is a commit whose full hash was not recorded), PR threads, and the op tables the 1.31.1
//! wheel ships
//! (`onnxruntime/tools/mobile_helpers/coreml_supported_{neuralnetwork,mlprogram}_ops.md`), which
//! decided which PR-branch builders shipped (And, Where: yes; Equal, Expand, Range, Not: no).
//! The 2025–26 versions of several builders could not be read; rows say so.

use super::{Check, Epoch, GenericRules, Level1, OpRule, PartitionFilter, Support};
use crate::onnx::proto::data_type::{BOOL, FLOAT, FLOAT16, INT32, INT64};

// The NeuralNetwork checks of Gather and Slice did not change from the 1.18 epoch.
use super::epoch_1_18::{
    BATCH_NORM, CAST_NN, CLIP, CONCAT_NN, CONCAT_P, CONV_NN, CONV_P, FLATTEN, GATHER, POOL,
    SHAPE_P, SLICE, SOFTMAX, UNSQUEEZE_P,
};

use Check::*;
use Support::{No, When};

/// ORT 1.27: the 2026 rules as read before the 1.30 source was at hand.
pub const EPOCH: Epoch = Epoch {
    since: (1, 27),
    name: "CoreML EP ORT 1.27-1.29",
    citation: "2026 builder snapshots, PR #28278 (scalar Gather), PR #28293 (trivial partitions), \
               PR #28595 (Cast), and the op tables of the 1.31.1 wheel",
    generic: Some(GenericRules {
        max_rank: 5,
        max_dim: 16384,
        reject_zero_dims: true,
        reject_external_initializers: true,
        default_max_opset: 20,
        neural_network_dtypes: &[FLOAT],
        ml_program_dtypes: &[FLOAT, FLOAT16],
        source: "builders/helper.cc IsInputSupported (microsoft/onnxruntime@2a857d9a86ca, \
                 2024-03); base_op_builder.cc IsInputDtypeSupport, fp16 in MLProgram \
                 (microsoft/onnxruntime@a24723df16b4, 2024-11); base_op_builder.h max opset 20 \
                 (microsoft/onnxruntime@ab332a580314, a 2024-01 branch commit)",
    }),
    ops: OPS,
    replaces_registry: true,
    partition_filter: Some(Some(PartitionFilter {
        trivial_ops: &[
            "Identity",
            "Cast",
            "Reshape",
            "Squeeze",
            "Unsqueeze",
            "Flatten",
            "Transpose",
            "Tile",
            "Ceil",
        ],
        citation: "coreml_execution_provider.cc, PR #28293 (merged 2026-04-30, 'drop trivial-only \
                   partitions')",
    })),
    registry_source: Some(
        "op_builder_factory.cc 2026 snapshots (f6974692 minus Equal) + 1.31.1 wheel op tables",
    ),
    level1: Some(Level1 {
        disabled_optimizers: &[],
        note: "the graph is the loaded runtime's own level-1 graph",
    }),
};

const MLPROGRAM_ONLY: Support = No("supported only in MLProgram");
const NO_MLPROGRAM: Support = No("the builder does not support MLProgram");

const DEFAULT: &[Check] = &[DefaultDtype { input: 0 }];

const POW: &[Check] = &[
    DefaultDtype { input: 0 },
    DefaultDtype { input: 1 },
    SameDtype { a: 0, b: 1 },
];

const MATMUL_NN: &[Check] = &[
    DefaultDtype { input: 0 },
    Constant {
        input: 1,
        what: "input B",
        optional: false,
    },
    Rank {
        input: 0,
        min: 2,
        max: 2,
        what: "input A",
        why: "NeuralNetwork needs 2-D inputs",
    },
    Rank {
        input: 1,
        min: 2,
        max: 2,
        what: "input B",
        why: "NeuralNetwork needs 2-D inputs",
    },
    MaxInputs {
        max: 2,
        why: "MatMul with a C input is not supported",
    },
];
const MATMUL_P: &[Check] = &[
    DefaultDtype { input: 0 },
    Rank {
        input: 0,
        min: 2,
        max: 5,
        what: "input A",
        why: "1-D inputs are not supported",
    },
    Rank {
        input: 1,
        min: 2,
        max: 5,
        what: "input B",
        why: "1-D inputs are not supported",
    },
];

const GEMM: &[Check] = &[
    DefaultDtype { input: 0 },
    Constant {
        input: 1,
        what: "input B",
        optional: false,
    },
    AttrInt {
        name: "transA",
        default: 0,
        allowed: &[0],
        why: "only transA=0 is implemented",
    },
    AttrFloat {
        name: "alpha",
        default: 1.0,
        value: 1.0,
        why: "only alpha=1 is implemented",
    },
    AttrFloat {
        name: "beta",
        default: 1.0,
        value: 1.0,
        why: "only beta=1 is implemented",
    },
    GemmBias,
];

const RESHAPE_NN: &[Check] = &[
    DefaultDtype { input: 0 },
    Constant {
        input: 1,
        what: "the new shape",
        optional: false,
    },
    ConstantLength {
        input: 1,
        what: "the new shape",
        min: 1,
        max: 5,
    },
    StaticShape {
        input: 0,
        what: "the data",
        why: "NeuralNetwork reshape needs a static input shape",
    },
    Rank {
        input: 0,
        min: 1,
        max: 5,
        what: "the data",
        why: "an empty input shape is not supported",
    },
    ReshapeZeros {
        symbolic_zero: true,
    },
];
const RESHAPE_P: &[Check] = &[
    DefaultDtype { input: 0 },
    Constant {
        input: 1,
        what: "the new shape",
        optional: false,
    },
    ConstantLength {
        input: 1,
        what: "the new shape",
        min: 1,
        max: 5,
    },
    Rank {
        input: 0,
        min: 1,
        max: 5,
        what: "the data",
        why: "an empty input shape is not supported",
    },
    ReshapeZeros {
        symbolic_zero: true,
    },
];

const SLICE_P: &[Check] = &[
    Dtype {
        input: 0,
        allowed: &[FLOAT, FLOAT16, INT64],
    },
    StaticShape {
        input: 0,
        what: "the data",
        why: "the builder needs a static data shape (GetStaticShape)",
    },
    Constant {
        input: 1,
        what: "'starts'",
        optional: false,
    },
    Constant {
        input: 2,
        what: "'ends'",
        optional: false,
    },
    Constant {
        input: 3,
        what: "'axes'",
        optional: true,
    },
    Constant {
        input: 4,
        what: "'steps'",
        optional: true,
    },
    SliceNotEmpty,
];

const SQUEEZE: &[Check] = &[
    DefaultDtype { input: 0 },
    Constant {
        input: 1,
        what: "'axes'",
        optional: true,
    },
];

const GATHER_P: &[Check] = &[
    Dtype {
        input: 0,
        allowed: &[FLOAT, FLOAT16, INT64],
    },
    GatherScalarIndices {
        unless_static_rank_at_most: Some(4),
    },
    OutputRank {
        output: 0,
        max: 5,
        why: "outputs of rank > 5 are not supported",
    },
];

const SHAPE_NN: &[Check] = &[
    Dtype {
        input: 0,
        allowed: &[FLOAT],
    },
    AttrInt {
        name: "start",
        default: 0,
        allowed: &[0],
        why: "only start=0 is supported",
    },
    AttrAbsent {
        name: "end",
        why: "'end' is not supported",
    },
];

const CAST_P: &[Check] = &[
    Dtype {
        input: 0,
        allowed: &[INT32, INT64, FLOAT, FLOAT16, BOOL],
    },
    OutputDtype {
        output: 0,
        allowed: &[INT32, INT64, FLOAT, FLOAT16, BOOL],
    },
];

const WHERE_P: &[Check] = &[DefaultDtype { input: 1 }, DefaultDtype { input: 2 }];
const AND_P: &[Check] = &[
    Dtype {
        input: 0,
        allowed: &[BOOL],
    },
    Dtype {
        input: 1,
        allowed: &[BOOL],
    },
];

const REDUCE: &[Check] = &[
    DefaultDtype { input: 0 },
    Constant {
        input: 1,
        what: "'axes'",
        optional: true,
    },
    ReduceNoopAxes,
];

const TILE_P: &[Check] = &[Dtype {
    input: 0,
    allowed: &[FLOAT, FLOAT16, INT32, INT64],
}];

const PRELU: &[Check] = &[
    DefaultDtype { input: 0 },
    Constant {
        input: 1,
        what: "the slope",
        optional: false,
    },
];

/// Op rows. "not re-read" rows list only the type check; none of those ops occur in the zoo.
#[rustfmt::skip]
const OPS: &[OpRule] = &[
    OpRule { op: "Add", neural_network: When(DEFAULT), ml_program: When(DEFAULT), min_opset: 7, max_opset: None, file: "binary_op_builder.cc", citation: "microsoft/onnxruntime@a24723df16b4 (2024-11)" },
    OpRule { op: "Sub", neural_network: When(DEFAULT), ml_program: When(DEFAULT), min_opset: 7, max_opset: None, file: "binary_op_builder.cc", citation: "microsoft/onnxruntime@a24723df16b4 (2024-11)" },
    OpRule { op: "Mul", neural_network: When(DEFAULT), ml_program: When(DEFAULT), min_opset: 7, max_opset: None, file: "binary_op_builder.cc", citation: "microsoft/onnxruntime@a24723df16b4 (2024-11)" },
    OpRule { op: "Div", neural_network: When(DEFAULT), ml_program: When(DEFAULT), min_opset: 7, max_opset: None, file: "binary_op_builder.cc", citation: "microsoft/onnxruntime@a24723df16b4 (2024-11)" },
    OpRule { op: "Pow", neural_network: When(POW), ml_program: When(POW), min_opset: 7, max_opset: None, file: "binary_op_builder.cc", citation: "microsoft/onnxruntime@a24723df16b4 (2024-11): equal input types" },
    OpRule { op: "Sigmoid", neural_network: When(DEFAULT), ml_program: When(DEFAULT), min_opset: 1, max_opset: None, file: "activation_op_builder.cc", citation: "wheel tables; not re-read" },
    OpRule { op: "Tanh", neural_network: When(DEFAULT), ml_program: When(DEFAULT), min_opset: 1, max_opset: None, file: "activation_op_builder.cc", citation: "wheel tables; not re-read" },
    OpRule { op: "Relu", neural_network: When(DEFAULT), ml_program: When(DEFAULT), min_opset: 1, max_opset: None, file: "activation_op_builder.cc", citation: "wheel tables; not re-read" },
    OpRule { op: "LeakyRelu", neural_network: When(DEFAULT), ml_program: When(DEFAULT), min_opset: 1, max_opset: None, file: "activation_op_builder.cc", citation: "wheel tables; not re-read" },
    OpRule { op: "PRelu", neural_network: When(PRELU), ml_program: When(PRELU), min_opset: 1, max_opset: None, file: "activation_op_builder.cc", citation: "wheel tables; slope shape conditions not modelled" },
    OpRule { op: "Transpose", neural_network: When(DEFAULT), ml_program: When(DEFAULT), min_opset: 1, max_opset: None, file: "transpose_op_builder.cc", citation: "wheel tables; not re-read" },
    OpRule { op: "Conv", neural_network: When(CONV_NN), ml_program: When(CONV_P), min_opset: 1, max_opset: None, file: "conv_op_builder.cc", citation: "COREML_EP_NOTES (1-D/2-D, constant weight in NN, constant bias); not re-read" },
    OpRule { op: "BatchNormalization", neural_network: When(BATCH_NORM), ml_program: NO_MLPROGRAM, min_opset: 1, max_opset: None, file: "batch_norm_op_builder.cc", citation: "wheel tables (not in the MLProgram table); not re-read" },
    OpRule { op: "Reshape", neural_network: When(RESHAPE_NN), ml_program: When(RESHAPE_P), min_opset: 5, max_opset: None, file: "reshape_op_builder.cc", citation: "a PR #24594 branch version (2025, commit not recorded): data static in NN, fixed rank in MLProgram; a 0 copying a symbolic dim rejected" },
    OpRule { op: "DepthToSpace", neural_network: When(DEFAULT), ml_program: When(DEFAULT), min_opset: 1, max_opset: None, file: "depthtospace_op_builder.cc", citation: "wheel tables; not re-read" },
    OpRule { op: "GlobalAveragePool", neural_network: When(POOL), ml_program: When(POOL), min_opset: 1, max_opset: None, file: "pool_op_builder.cc", citation: "wheel tables (only 2-D pool)" },
    OpRule { op: "GlobalMaxPool", neural_network: When(POOL), ml_program: When(POOL), min_opset: 1, max_opset: None, file: "pool_op_builder.cc", citation: "wheel tables (only 2-D pool)" },
    OpRule { op: "AveragePool", neural_network: When(POOL), ml_program: When(POOL), min_opset: 1, max_opset: None, file: "pool_op_builder.cc", citation: "2-D only; padding conditions not modelled" },
    OpRule { op: "MaxPool", neural_network: When(POOL), ml_program: When(POOL), min_opset: 1, max_opset: None, file: "pool_op_builder.cc", citation: "2-D only; padding conditions not modelled" },
    OpRule { op: "Concat", neural_network: When(CONCAT_NN), ml_program: When(CONCAT_P), min_opset: 1, max_opset: None, file: "concat_op_builder.cc", citation: "microsoft/onnxruntime@7444feebe446 (2025-03; the 2026 version not re-read)" },
    OpRule { op: "Resize", neural_network: When(DEFAULT), ml_program: When(DEFAULT), min_opset: 1, max_opset: None, file: "resize_op_builder.cc", citation: "wheel tables; scales/sizes conditions not modelled" },
    OpRule { op: "Gemm", neural_network: When(GEMM), ml_program: When(GEMM), min_opset: 1, max_opset: None, file: "gemm_op_builder.cc", citation: "microsoft/onnxruntime@2a857d9a86ca (2024-03; later changes not re-read)" },
    OpRule { op: "MatMul", neural_network: When(MATMUL_NN), ml_program: When(MATMUL_P), min_opset: 1, max_opset: None, file: "gemm_op_builder.cc", citation: "microsoft/onnxruntime@2a857d9a86ca (2024-03); MLProgram rejects 1-D inputs per COREML_EP_NOTES" },
    OpRule { op: "Clip", neural_network: When(CLIP), ml_program: When(CLIP), min_opset: 1, max_opset: None, file: "clip_op_builder.cc", citation: "microsoft/onnxruntime@2a857d9a86ca (2024-03; GetClipMinMax: constant min/max)" },
    OpRule { op: "Squeeze", neural_network: When(SQUEEZE), ml_program: When(SQUEEZE), min_opset: 1, max_opset: None, file: "squeeze_op_builder.cc", citation: "microsoft/onnxruntime@e12421be3054 (2024-12; axes a constant initializer)" },
    OpRule { op: "Unsqueeze", neural_network: MLPROGRAM_ONLY, ml_program: When(UNSQUEEZE_P), min_opset: 1, max_opset: None, file: "squeeze_op_builder.cc", citation: "microsoft/onnxruntime@e12421be3054 (2024-12; !create_mlprogram -> false)" },
    OpRule { op: "ArgMax", neural_network: When(DEFAULT), ml_program: When(DEFAULT), min_opset: 1, max_opset: None, file: "argmax_op_builder.cc", citation: "wheel tables; conditions not re-read" },
    OpRule { op: "Cast", neural_network: When(CAST_NN), ml_program: When(CAST_P), min_opset: 1, max_opset: None, file: "cast_op_builder.cc", citation: "microsoft/onnxruntime@9daf7664fc24 (2024-11); PR #28595 (merged 2026-05-20): bool allowed, a Cast fed by a graph input allowed in MLProgram" },
    OpRule { op: "Flatten", neural_network: When(FLATTEN), ml_program: NO_MLPROGRAM, min_opset: 1, max_opset: None, file: "flatten_op_builder.cc", citation: "microsoft/onnxruntime@4e5119760d8c (2024-02); NN only (wheel tables)" },
    OpRule { op: "LRN", neural_network: When(DEFAULT), ml_program: NO_MLPROGRAM, min_opset: 1, max_opset: None, file: "LRN_op_builder.cc", citation: "wheel tables; not re-read" },
    OpRule { op: "Pad", neural_network: When(DEFAULT), ml_program: NO_MLPROGRAM, min_opset: 1, max_opset: None, file: "pad_op_builder.cc", citation: "wheel tables; mode/pads conditions not modelled" },
    OpRule { op: "Sqrt", neural_network: When(DEFAULT), ml_program: When(DEFAULT), min_opset: 1, max_opset: None, file: "unary_op_builder.cc", citation: "microsoft/onnxruntime@a24723df16b4 (2024-11)" },
    OpRule { op: "Reciprocal", neural_network: When(DEFAULT), ml_program: When(DEFAULT), min_opset: 1, max_opset: None, file: "unary_op_builder.cc", citation: "microsoft/onnxruntime@a24723df16b4 (2024-11)" },
    OpRule { op: "ReduceMean", neural_network: When(REDUCE), ml_program: When(REDUCE), min_opset: 1, max_opset: None, file: "reduction_op_builder.cc", citation: "microsoft/onnxruntime@e12421be3054 (2024-12)" },
    OpRule { op: "ReduceSum", neural_network: When(REDUCE), ml_program: When(REDUCE), min_opset: 1, max_opset: None, file: "reduction_op_builder.cc", citation: "microsoft/onnxruntime@e12421be3054 (2024-12)" },
    OpRule { op: "ReduceMax", neural_network: MLPROGRAM_ONLY, ml_program: When(REDUCE), min_opset: 1, max_opset: None, file: "reduction_op_builder.cc", citation: "microsoft/onnxruntime@e12421be3054 (2024-12)" },
    OpRule { op: "ReduceMin", neural_network: MLPROGRAM_ONLY, ml_program: When(REDUCE), min_opset: 1, max_opset: None, file: "reduction_op_builder.cc", citation: "microsoft/onnxruntime@e12421be3054 (2024-12)" },
    OpRule { op: "ReduceProd", neural_network: MLPROGRAM_ONLY, ml_program: When(REDUCE), min_opset: 1, max_opset: None, file: "reduction_op_builder.cc", citation: "microsoft/onnxruntime@e12421be3054 (2024-12)" },
    OpRule { op: "Shape", neural_network: When(SHAPE_NN), ml_program: When(SHAPE_P), min_opset: 1, max_opset: None, file: "shape_op_builder.cc", citation: "microsoft/onnxruntime@a24723df16b4 (2024-11)" },
    OpRule { op: "Gather", neural_network: When(GATHER), ml_program: When(GATHER_P), min_opset: 1, max_opset: None, file: "gather_op_builder.cc", citation: "microsoft/onnxruntime@4e5119760d8c (2024-02); scalar indices in MLProgram per PR #28278 (a branch version, commit not recorded: static data); which variant shipped is NOT confirmed" },
    OpRule { op: "Slice", neural_network: When(SLICE), ml_program: When(SLICE_P), min_opset: 10, max_opset: None, file: "slice_op_builder.cc", citation: "microsoft/onnxruntime@2cfe1f031def (2024-09)" },
    OpRule { op: "Softmax", neural_network: When(SOFTMAX), ml_program: When(SOFTMAX), min_opset: 1, max_opset: None, file: "softmax_op_builder.cc", citation: "a PR #22710 branch version, @00fd39b8 (GetStaticShape; the newest version read)" },
    OpRule { op: "Split", neural_network: When(DEFAULT), ml_program: When(DEFAULT), min_opset: 1, max_opset: None, file: "split_op_builder.cc", citation: "wheel tables; split-size conditions not modelled" },
    OpRule { op: "Erf", neural_network: MLPROGRAM_ONLY, ml_program: When(DEFAULT), min_opset: 1, max_opset: None, file: "unary_op_builder.cc", citation: "microsoft/onnxruntime@a24723df16b4 (2024-11)" },
    OpRule { op: "Round", neural_network: MLPROGRAM_ONLY, ml_program: When(DEFAULT), min_opset: 1, max_opset: None, file: "unary_op_builder.cc", citation: "microsoft/onnxruntime@a24723df16b4 (2024-11)" },
    OpRule { op: "Gelu", neural_network: MLPROGRAM_ONLY, ml_program: When(DEFAULT), min_opset: 1, max_opset: None, file: "gelu_op_builder.cc", citation: "wheel tables; not re-read" },
    OpRule { op: "LayerNormalization", neural_network: MLPROGRAM_ONLY, ml_program: When(DEFAULT), min_opset: 1, max_opset: None, file: "normalization_op_builder.cc", citation: "wheel tables; not re-read" },
    OpRule { op: "InstanceNormalization", neural_network: MLPROGRAM_ONLY, ml_program: When(DEFAULT), min_opset: 1, max_opset: None, file: "normalization_op_builder.cc", citation: "wheel tables; not re-read" },
    OpRule { op: "GroupNormalization", neural_network: MLPROGRAM_ONLY, ml_program: When(DEFAULT), min_opset: 1, max_opset: None, file: "normalization_op_builder.cc", citation: "wheel tables; not re-read" },
    OpRule { op: "Max", neural_network: MLPROGRAM_ONLY, ml_program: When(DEFAULT), min_opset: 1, max_opset: None, file: "minmax_op_builder.cc", citation: "wheel tables; not re-read" },
    OpRule { op: "ConvTranspose", neural_network: MLPROGRAM_ONLY, ml_program: When(DEFAULT), min_opset: 1, max_opset: None, file: "convtranspose_op_builder.cc", citation: "wheel tables; conditions not re-read" },
    OpRule { op: "GridSample", neural_network: MLPROGRAM_ONLY, ml_program: When(DEFAULT), min_opset: 1, max_opset: None, file: "gridsample_op_builder.cc", citation: "wheel tables; not re-read" },
    OpRule { op: "Exp", neural_network: MLPROGRAM_ONLY, ml_program: When(DEFAULT), min_opset: 1, max_opset: None, file: "unary_op_builder.cc", citation: "2026 factory snapshots; wheel MLProgram table" },
    OpRule { op: "Sin", neural_network: MLPROGRAM_ONLY, ml_program: When(DEFAULT), min_opset: 1, max_opset: None, file: "unary_op_builder.cc", citation: "2026 factory snapshots; wheel MLProgram table" },
    OpRule { op: "Cos", neural_network: MLPROGRAM_ONLY, ml_program: When(DEFAULT), min_opset: 1, max_opset: None, file: "unary_op_builder.cc", citation: "2026 factory snapshots; wheel MLProgram table" },
    OpRule { op: "Softplus", neural_network: MLPROGRAM_ONLY, ml_program: When(DEFAULT), min_opset: 1, max_opset: None, file: "activation_op_builder.cc", citation: "2026 factory snapshots; wheel MLProgram table" },
    OpRule { op: "Elu", neural_network: MLPROGRAM_ONLY, ml_program: When(DEFAULT), min_opset: 1, max_opset: None, file: "activation_op_builder.cc", citation: "2026 factory snapshots; wheel MLProgram table" },
    OpRule { op: "HardSigmoid", neural_network: MLPROGRAM_ONLY, ml_program: When(DEFAULT), min_opset: 1, max_opset: None, file: "activation_op_builder.cc", citation: "2026 factory snapshots; wheel MLProgram table" },
    OpRule { op: "QuickGelu", neural_network: MLPROGRAM_ONLY, ml_program: When(DEFAULT), min_opset: 1, max_opset: None, file: "quick_gelu_op_builder.cc", citation: "2026 factory snapshots; wheel MLProgram table" },
    OpRule { op: "FusedConv", neural_network: MLPROGRAM_ONLY, ml_program: When(CONV_P), min_opset: 1, max_opset: None, file: "conv_op_builder.cc", citation: "PR #28289 (merged 2026-04-30); wheel MLProgram table" },
    OpRule { op: "GatherND", neural_network: MLPROGRAM_ONLY, ml_program: When(DEFAULT), min_opset: 1, max_opset: None, file: "gather_nd_op_builder.cc", citation: "2026 factory snapshots; conditions not re-read" },
    OpRule { op: "Ceil", neural_network: MLPROGRAM_ONLY, ml_program: When(DEFAULT), min_opset: 1, max_opset: None, file: "unary_op_builder.cc", citation: "PR #28293; wheel MLProgram table" },
    OpRule { op: "Identity", neural_network: MLPROGRAM_ONLY, ml_program: When(DEFAULT), min_opset: 1, max_opset: None, file: "identity_op_builder.cc", citation: "PR #28293 @a168089a; wheel MLProgram table" },
    OpRule { op: "Tile", neural_network: MLPROGRAM_ONLY, ml_program: When(TILE_P), min_opset: 1, max_opset: None, file: "tile_op_builder.cc", citation: "PR #28293 @ddb6346e; wheel MLProgram table" },
    OpRule { op: "Where", neural_network: MLPROGRAM_ONLY, ml_program: When(WHERE_P), min_opset: 1, max_opset: None, file: "where_op_builder.cc", citation: "@346e1495 and @99549743 (X and Y pass the default type check); shipped per the wheel MLProgram table" },
    OpRule { op: "And", neural_network: MLPROGRAM_ONLY, ml_program: When(AND_P), min_opset: 1, max_opset: None, file: "logical_op_builder.cc", citation: "wheel MLProgram table ('both inputs must be bool'); @08a3cf1e not read" },
];

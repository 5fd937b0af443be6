//! The CoreML EP of 2024: ORT 1.18–1.19, the releases the study most plausibly ran.
//!
//! Evidence for the range: the study's profiles have `_fence_before/_after` events (removed in
//! late 2024) and fused nodes named `CoreML_<hash>_<id>` (the `<key>_` prefix came with ~1.21),
//! and its dynamic profile shows Softmax on the CPU, which needs the `GetStaticShape` Softmax
//! builder of PR #18358 (read at its branch commit microsoft/onnxruntime@0bd59d6e3f62, 2023-11;
//! an earlier commit of that branch, microsoft/onnxruntime@3e32fc565d3a, accepted dynamic shapes).
//!
//! Sources are paths under `onnxruntime/core/providers/coreml/` of microsoft/onnxruntime. Each row
//! cites `microsoft/onnxruntime@<commit>`, a commit at which the file has exactly the text that was
//! read (the earliest main commit holding it, unless the row says it is a branch commit), with
//! the commit's date, or a PR.
//!
//! MLProgram existed from 1.18 but covered fewer ops; the MLProgram column follows builders of 2024
//! and early 2025 (each row gives its commit's date; it is approximate for 1.18), with this
//! family's float32-only default type check (`IsInputFloat`, base_op_builder.cc as of
//! microsoft/onnxruntime@2a857d9a86ca, 2024-03).

use super::{Check, Epoch, GenericRules, Level1, OpRule, Support};
use crate::onnx::proto::data_type::{FLOAT, FLOAT16, INT32, INT64};

use Check::*;
use Support::{No, When};

/// ORT 1.18: the first epoch.
pub const EPOCH: Epoch = Epoch {
    since: (1, 18),
    name: "CoreML EP 2024 (ORT 1.18-1.19)",
    citation: "the 2024 builders (see each row); the study's three measurements are the check",
    generic: Some(GenericRules {
        max_rank: 5,
        max_dim: 16384,
        reject_zero_dims: true,
        reject_external_initializers: true,
        default_max_opset: 20,
        neural_network_dtypes: &[FLOAT],
        ml_program_dtypes: &[FLOAT],
        source: "builders/helper.cc IsInputSupported (microsoft/onnxruntime@2a857d9a86ca, \
                 2024-03); base_op_builder.cc IsInputFloat (same commit); base_op_builder.h \
                 max opset 20 (microsoft/onnxruntime@2be4dc6d041e, 2023-09)",
    }),
    ops: OPS,
    replaces_registry: true,
    partition_filter: Some(None),
    registry_source: Some("op_builder_factory.cc as of microsoft/onnxruntime@62f00ad8e7b7"),
    level1: Some(Level1 {
        disabled_optimizers: &["MatMulAddFusion"],
        note: "MatMulAddFusion of 2024 fused only 2-D MatMul+Add (core/optimizer/\
               matmul_add_fusion.cc as of microsoft/onnxruntime@7834ca983c2f); today's also \
               reshapes static N-D inputs into Reshape+Gemm+Reshape (since PR #22494, \
               microsoft/onnxruntime@03c6c2e2d471, 2025-02; the later version read was not tied \
               to a commit), which the study's profiles do not show (its static profile has the \
               3-D /encoder/.../dense/MatMul nodes on the CPU). Disabling it also drops the 2-D \
               fusion, which BERT-family exports do not need (their 2-D linear, the pooler, is \
               exported as a Gemm).",
    }),
};

const MLPROGRAM_ONLY: Support = No("supported only in MLProgram (no NeuralNetwork builder)");
const NO_MLPROGRAM: Support =
    No("the builder does not support MLProgram (SupportsMLProgram is false)");

const DEFAULT: &[Check] = &[DefaultDtype { input: 0 }];

const BINARY: &[Check] = &[DefaultDtype { input: 0 }];
const POW: &[Check] = &[DefaultDtype { input: 0 }, DefaultDtype { input: 1 }];

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
const MATMUL_P: &[Check] = &[DefaultDtype { input: 0 }];

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

pub(super) const SOFTMAX: &[Check] = &[
    DefaultDtype { input: 0 },
    StaticShape {
        input: 0,
        what: "the input",
        why: "the builder needs a static shape (GetStaticShape)",
    },
];

const RESHAPE: &[Check] = &[
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
        why: "the builder needs a static input shape (GetStaticShape)",
    },
    Rank {
        input: 0,
        min: 1,
        max: 5,
        what: "the data",
        why: "an empty input shape is not supported",
    },
    ReshapeZeros {
        symbolic_zero: false,
    },
];

pub(super) const SLICE: &[Check] = &[
    Dtype {
        input: 0,
        allowed: &[FLOAT, INT64],
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
    Initializer {
        input: 1,
        what: "'axes'",
    },
];

pub(super) const UNSQUEEZE_P: &[Check] = &[
    DefaultDtype { input: 0 },
    Constant {
        input: 1,
        what: "'axes'",
        optional: true,
    },
    OutputRank {
        output: 0,
        max: 5,
        why: "outputs of rank > 5 are not supported",
    },
];

pub(super) const GATHER: &[Check] = &[
    Dtype {
        input: 0,
        allowed: &[FLOAT, INT64],
    },
    GatherScalarIndices {
        unless_static_rank_at_most: None,
    },
    OutputRank {
        output: 0,
        max: 5,
        why: "outputs of rank > 5 are not supported",
    },
];

const SHAPE_NN: &[Check] = &[
    DefaultDtype { input: 0 },
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
pub(super) const SHAPE_P: &[Check] = &[Dtype {
    input: 0,
    allowed: &[INT32, FLOAT, FLOAT16],
}];

pub(super) const CONCAT_NN: &[Check] = &[
    DefaultDtype { input: 0 },
    MinInputs {
        min: 2,
        why: "Concat needs 2+ inputs",
    },
    Rank {
        input: 0,
        min: 4,
        max: 4,
        what: "input 0",
        why: "NeuralNetwork Concat supports only 4-D inputs",
    },
    Axis {
        default: 1,
        rank_of: 0,
        allowed: &[1],
        why: "NeuralNetwork Concat supports only the channel axis",
    },
];
pub(super) const CONCAT_P: &[Check] = &[
    DefaultDtype { input: 0 },
    MinInputs {
        min: 2,
        why: "Concat needs 2+ inputs",
    },
];

pub(super) const CAST_NN: &[Check] = &[
    Dtype {
        input: 0,
        allowed: &[INT64],
    },
    InputEdges {
        min: 1,
        max: 1,
        why: "NeuralNetwork Cast exists only to follow an ArgMax",
    },
    SupportedProducer {
        op: "ArgMax",
        why: "NeuralNetwork Cast is supported only after a supported ArgMax",
    },
    AttrInt {
        name: "to",
        default: 0,
        allowed: &[INT32 as i64],
        why: "only a cast to int32 is supported",
    },
];
const CAST_P: &[Check] = &[
    Dtype {
        input: 0,
        allowed: &[INT32, INT64, FLOAT, FLOAT16],
    },
    OutputDtype {
        output: 0,
        allowed: &[INT32, INT64, FLOAT, FLOAT16],
    },
    InputEdges {
        min: 1,
        max: usize::MAX,
        why: "a Cast with no preceding node is not supported",
    },
];

const REDUCE: &[Check] = &[
    DefaultDtype { input: 0 },
    Initializer {
        input: 1,
        what: "'axes'",
    },
    ReduceNoopAxes,
];

pub(super) const CONV_NN: &[Check] = &[
    DefaultDtype { input: 0 },
    Constant {
        input: 1,
        what: "the weight",
        optional: false,
    },
    Rank {
        input: 1,
        min: 3,
        max: 4,
        what: "the weight",
        why: "only 1-D and 2-D convolutions are supported",
    },
    Constant {
        input: 2,
        what: "the bias",
        optional: true,
    },
];
pub(super) const CONV_P: &[Check] = &[
    DefaultDtype { input: 0 },
    Rank {
        input: 1,
        min: 3,
        max: 4,
        what: "the weight",
        why: "only 1-D and 2-D convolutions are supported",
    },
    Constant {
        input: 2,
        what: "the bias",
        optional: true,
    },
];

pub(super) const BATCH_NORM: &[Check] = &[
    DefaultDtype { input: 0 },
    Rank {
        input: 0,
        min: 4,
        max: 4,
        what: "the input",
        why: "only 4-D inputs are supported",
    },
    Constant {
        input: 1,
        what: "the scale",
        optional: false,
    },
    Constant {
        input: 2,
        what: "the bias",
        optional: false,
    },
    Constant {
        input: 3,
        what: "the mean",
        optional: false,
    },
    Constant {
        input: 4,
        what: "the variance",
        optional: false,
    },
];

pub(super) const POOL: &[Check] = &[
    DefaultDtype { input: 0 },
    Rank {
        input: 0,
        min: 4,
        max: 4,
        what: "the input",
        why: "only 2-D pooling is supported",
    },
];

pub(super) const CLIP: &[Check] = &[
    DefaultDtype { input: 0 },
    Constant {
        input: 1,
        what: "'min'",
        optional: true,
    },
    Constant {
        input: 2,
        what: "'max'",
        optional: true,
    },
];

pub(super) const FLATTEN: &[Check] = &[
    DefaultDtype { input: 0 },
    Rank {
        input: 0,
        min: 1,
        max: 5,
        what: "the input",
        why: "an empty input shape is not supported",
    },
];

const PRELU: &[Check] = &[
    DefaultDtype { input: 0 },
    Constant {
        input: 1,
        what: "the slope",
        optional: false,
    },
];

/// Op rows, by builder file. Rows that say "conditions not re-read" list only the type check;
/// none of those ops occur in the zoo's models.
#[rustfmt::skip]
const OPS: &[OpRule] = &[
    OpRule { op: "Add", neural_network: When(BINARY), ml_program: When(BINARY), min_opset: 7, max_opset: None, file: "binary_op_builder.cc", citation: "microsoft/onnxruntime@2a857d9a86ca (2024-03)" },
    OpRule { op: "Sub", neural_network: When(BINARY), ml_program: When(BINARY), min_opset: 7, max_opset: None, file: "binary_op_builder.cc", citation: "microsoft/onnxruntime@2a857d9a86ca (2024-03)" },
    OpRule { op: "Mul", neural_network: When(BINARY), ml_program: When(BINARY), min_opset: 7, max_opset: None, file: "binary_op_builder.cc", citation: "microsoft/onnxruntime@2a857d9a86ca (2024-03)" },
    OpRule { op: "Div", neural_network: When(BINARY), ml_program: When(BINARY), min_opset: 7, max_opset: None, file: "binary_op_builder.cc", citation: "microsoft/onnxruntime@2a857d9a86ca (2024-03)" },
    OpRule { op: "Pow", neural_network: When(POW), ml_program: When(POW), min_opset: 7, max_opset: None, file: "binary_op_builder.cc", citation: "microsoft/onnxruntime@2a857d9a86ca (2024-03): both inputs float" },
    OpRule { op: "Sigmoid", neural_network: When(DEFAULT), ml_program: When(DEFAULT), min_opset: 1, max_opset: None, file: "activation_op_builder.cc", citation: "factory microsoft/onnxruntime@62f00ad8e7b7; conditions not re-read" },
    OpRule { op: "Tanh", neural_network: When(DEFAULT), ml_program: When(DEFAULT), min_opset: 1, max_opset: None, file: "activation_op_builder.cc", citation: "factory microsoft/onnxruntime@62f00ad8e7b7; conditions not re-read" },
    OpRule { op: "Relu", neural_network: When(DEFAULT), ml_program: When(DEFAULT), min_opset: 1, max_opset: None, file: "activation_op_builder.cc", citation: "factory microsoft/onnxruntime@62f00ad8e7b7; conditions not re-read" },
    OpRule { op: "LeakyRelu", neural_network: When(DEFAULT), ml_program: When(DEFAULT), min_opset: 1, max_opset: None, file: "activation_op_builder.cc", citation: "factory microsoft/onnxruntime@62f00ad8e7b7; conditions not re-read" },
    OpRule { op: "PRelu", neural_network: When(PRELU), ml_program: When(PRELU), min_opset: 1, max_opset: None, file: "activation_op_builder.cc", citation: "factory microsoft/onnxruntime@62f00ad8e7b7; slope shape conditions not modelled" },
    OpRule { op: "Transpose", neural_network: When(DEFAULT), ml_program: When(DEFAULT), min_opset: 1, max_opset: None, file: "transpose_op_builder.cc", citation: "factory microsoft/onnxruntime@62f00ad8e7b7; not re-read" },
    OpRule { op: "Conv", neural_network: When(CONV_NN), ml_program: When(CONV_P), min_opset: 1, max_opset: None, file: "conv_op_builder.cc", citation: "microsoft/onnxruntime@1012535dabed (2021-04: weight must be known, 2-D); COREML_EP_NOTES (1-D/2-D, constant bias)" },
    OpRule { op: "BatchNormalization", neural_network: When(BATCH_NORM), ml_program: NO_MLPROGRAM, min_opset: 1, max_opset: None, file: "batch_norm_op_builder.cc", citation: "COREML_EP_NOTES (4-D, constant parameters); not re-read" },
    OpRule { op: "Reshape", neural_network: When(RESHAPE), ml_program: When(RESHAPE), min_opset: 5, max_opset: None, file: "reshape_op_builder.cc", citation: "microsoft/onnxruntime@2a857d9a86ca (2024-03)" },
    OpRule { op: "DepthToSpace", neural_network: When(DEFAULT), ml_program: When(DEFAULT), min_opset: 1, max_opset: None, file: "depthtospace_op_builder.cc", citation: "factory microsoft/onnxruntime@62f00ad8e7b7; conditions not re-read" },
    OpRule { op: "GlobalAveragePool", neural_network: When(POOL), ml_program: When(POOL), min_opset: 1, max_opset: None, file: "pool_op_builder.cc", citation: "1.31.1 wheel table (only 2-D pool); not re-read" },
    OpRule { op: "GlobalMaxPool", neural_network: When(POOL), ml_program: When(POOL), min_opset: 1, max_opset: None, file: "pool_op_builder.cc", citation: "1.31.1 wheel table (only 2-D pool); not re-read" },
    OpRule { op: "AveragePool", neural_network: When(POOL), ml_program: When(POOL), min_opset: 1, max_opset: None, file: "pool_op_builder.cc", citation: "2-D only; padding conditions not modelled" },
    OpRule { op: "MaxPool", neural_network: When(POOL), ml_program: When(POOL), min_opset: 1, max_opset: None, file: "pool_op_builder.cc", citation: "2-D only; padding conditions not modelled" },
    OpRule { op: "Concat", neural_network: When(CONCAT_NN), ml_program: When(CONCAT_P), min_opset: 1, max_opset: None, file: "concat_op_builder.cc", citation: "microsoft/onnxruntime@f98d3f8a2340 (2023-08, NN), microsoft/onnxruntime@7444feebe446 (2025-03, MLProgram)" },
    OpRule { op: "Resize", neural_network: When(DEFAULT), ml_program: When(DEFAULT), min_opset: 1, max_opset: None, file: "resize_op_builder.cc", citation: "factory microsoft/onnxruntime@62f00ad8e7b7; scales/sizes conditions not modelled" },
    OpRule { op: "Gemm", neural_network: When(GEMM), ml_program: When(GEMM), min_opset: 1, max_opset: None, file: "gemm_op_builder.cc", citation: "microsoft/onnxruntime@2a857d9a86ca (2024-03)" },
    OpRule { op: "MatMul", neural_network: When(MATMUL_NN), ml_program: When(MATMUL_P), min_opset: 1, max_opset: None, file: "gemm_op_builder.cc", citation: "microsoft/onnxruntime@2a857d9a86ca (2024-03): NN 2-D with constant B; MLProgram any B" },
    OpRule { op: "Clip", neural_network: When(CLIP), ml_program: When(CLIP), min_opset: 1, max_opset: None, file: "clip_op_builder.cc", citation: "microsoft/onnxruntime@2a857d9a86ca (2024-03; GetClipMinMax: constant min/max)" },
    OpRule { op: "Squeeze", neural_network: When(SQUEEZE), ml_program: When(SQUEEZE), min_opset: 1, max_opset: None, file: "squeeze_op_builder.cc", citation: "microsoft/onnxruntime@4e5119760d8c (2024-02): axes must be an initializer" },
    OpRule { op: "ArgMax", neural_network: When(DEFAULT), ml_program: When(DEFAULT), min_opset: 1, max_opset: None, file: "argmax_op_builder.cc", citation: "factory microsoft/onnxruntime@62f00ad8e7b7; conditions not re-read" },
    OpRule { op: "Cast", neural_network: When(CAST_NN), ml_program: When(CAST_P), min_opset: 1, max_opset: None, file: "cast_op_builder.cc", citation: "microsoft/onnxruntime@f98d3f8a2340 (2023-08, NN); microsoft/onnxruntime@9daf7664fc24 (2024-11, MLProgram)" },
    OpRule { op: "Flatten", neural_network: When(FLATTEN), ml_program: NO_MLPROGRAM, min_opset: 1, max_opset: None, file: "flatten_op_builder.cc", citation: "microsoft/onnxruntime@4e5119760d8c (2024-02: non-empty input shape); NN only per COREML_EP_NOTES" },
    OpRule { op: "LRN", neural_network: When(DEFAULT), ml_program: NO_MLPROGRAM, min_opset: 1, max_opset: None, file: "LRN_op_builder.cc", citation: "factory microsoft/onnxruntime@62f00ad8e7b7; conditions not re-read" },
    OpRule { op: "Pad", neural_network: When(DEFAULT), ml_program: When(DEFAULT), min_opset: 1, max_opset: None, file: "pad_op_builder.cc", citation: "factory microsoft/onnxruntime@62f00ad8e7b7; mode/pads conditions not modelled" },
    OpRule { op: "Sqrt", neural_network: When(DEFAULT), ml_program: When(DEFAULT), min_opset: 1, max_opset: None, file: "unary_op_builder.cc", citation: "microsoft/onnxruntime@a24723df16b4 (2024-11)" },
    OpRule { op: "Reciprocal", neural_network: When(DEFAULT), ml_program: When(DEFAULT), min_opset: 1, max_opset: None, file: "unary_op_builder.cc", citation: "microsoft/onnxruntime@a24723df16b4 (2024-11)" },
    OpRule { op: "ReduceMean", neural_network: When(REDUCE), ml_program: When(REDUCE), min_opset: 1, max_opset: None, file: "reduction_op_builder.cc", citation: "microsoft/onnxruntime@4e5119760d8c (2024-02)" },
    OpRule { op: "ReduceSum", neural_network: When(REDUCE), ml_program: When(REDUCE), min_opset: 1, max_opset: None, file: "reduction_op_builder.cc", citation: "microsoft/onnxruntime@4e5119760d8c (2024-02)" },
    OpRule { op: "Shape", neural_network: When(SHAPE_NN), ml_program: When(SHAPE_P), min_opset: 1, max_opset: None, file: "shape_op_builder.cc", citation: "microsoft/onnxruntime@d6cd41cfc19d (2023-08, NN); microsoft/onnxruntime@a24723df16b4 (2024-11, MLProgram)" },
    OpRule { op: "Gather", neural_network: When(GATHER), ml_program: When(GATHER), min_opset: 1, max_opset: None, file: "gather_op_builder.cc", citation: "microsoft/onnxruntime@4e5119760d8c (2024-02)" },
    OpRule { op: "Slice", neural_network: When(SLICE), ml_program: When(SLICE), min_opset: 10, max_opset: None, file: "slice_op_builder.cc", citation: "microsoft/onnxruntime@2cfe1f031def (2024-09)" },
    OpRule { op: "Softmax", neural_network: When(SOFTMAX), ml_program: When(SOFTMAX), min_opset: 1, max_opset: None, file: "softmax_op_builder.cc", citation: "PR #18358 (GetStaticShape), at its branch commit microsoft/onnxruntime@0bd59d6e3f62" },
    OpRule { op: "Split", neural_network: When(DEFAULT), ml_program: When(DEFAULT), min_opset: 1, max_opset: None, file: "split_op_builder.cc", citation: "factory microsoft/onnxruntime@62f00ad8e7b7; split-size conditions not modelled" },
    // MLProgram-only builders registered around 1.19/1.20 (factory as of
    // microsoft/onnxruntime@a24723df16b4, 2024-11); a 1.19 field
    // log shows Erf and Unsqueeze `supported: [0]` under NeuralNetwork.
    OpRule { op: "Erf", neural_network: MLPROGRAM_ONLY, ml_program: When(DEFAULT), min_opset: 1, max_opset: None, file: "unary_op_builder.cc", citation: "microsoft/onnxruntime@a24723df16b4 (2024-11; !create_mlprogram && Erf -> false)" },
    OpRule { op: "Gelu", neural_network: MLPROGRAM_ONLY, ml_program: When(DEFAULT), min_opset: 1, max_opset: None, file: "gelu_op_builder.cc", citation: "factory microsoft/onnxruntime@a24723df16b4; not re-read" },
    OpRule { op: "Unsqueeze", neural_network: MLPROGRAM_ONLY, ml_program: When(UNSQUEEZE_P), min_opset: 1, max_opset: None, file: "squeeze_op_builder.cc", citation: "microsoft/onnxruntime@e12421be3054 (2024-12)" },
    OpRule { op: "LayerNormalization", neural_network: MLPROGRAM_ONLY, ml_program: When(DEFAULT), min_opset: 1, max_opset: None, file: "normalization_op_builder.cc", citation: "factory microsoft/onnxruntime@a24723df16b4; not re-read" },
    OpRule { op: "Round", neural_network: MLPROGRAM_ONLY, ml_program: When(DEFAULT), min_opset: 1, max_opset: None, file: "unary_op_builder.cc", citation: "microsoft/onnxruntime@a24723df16b4 (2024-11)" },
    OpRule { op: "Max", neural_network: MLPROGRAM_ONLY, ml_program: When(DEFAULT), min_opset: 1, max_opset: None, file: "minmax_op_builder.cc", citation: "factory microsoft/onnxruntime@a24723df16b4; not re-read" },
    OpRule { op: "ReduceMax", neural_network: MLPROGRAM_ONLY, ml_program: When(REDUCE), min_opset: 1, max_opset: None, file: "reduction_op_builder.cc", citation: "microsoft/onnxruntime@e12421be3054 (2024-12)" },
    OpRule { op: "ReduceMin", neural_network: MLPROGRAM_ONLY, ml_program: When(REDUCE), min_opset: 1, max_opset: None, file: "reduction_op_builder.cc", citation: "microsoft/onnxruntime@e12421be3054 (2024-12)" },
    OpRule { op: "ReduceProd", neural_network: MLPROGRAM_ONLY, ml_program: When(REDUCE), min_opset: 1, max_opset: None, file: "reduction_op_builder.cc", citation: "microsoft/onnxruntime@e12421be3054 (2024-12)" },
    OpRule { op: "ConvTranspose", neural_network: MLPROGRAM_ONLY, ml_program: When(DEFAULT), min_opset: 1, max_opset: None, file: "convtranspose_op_builder.cc", citation: "factory microsoft/onnxruntime@a24723df16b4; conditions not re-read" },
    OpRule { op: "InstanceNormalization", neural_network: MLPROGRAM_ONLY, ml_program: When(DEFAULT), min_opset: 1, max_opset: None, file: "normalization_op_builder.cc", citation: "factory microsoft/onnxruntime@a24723df16b4; not re-read" },
    OpRule { op: "GroupNormalization", neural_network: MLPROGRAM_ONLY, ml_program: When(DEFAULT), min_opset: 1, max_opset: None, file: "normalization_op_builder.cc", citation: "factory microsoft/onnxruntime@a24723df16b4; not re-read" },
    OpRule { op: "GridSample", neural_network: MLPROGRAM_ONLY, ml_program: When(DEFAULT), min_opset: 1, max_opset: None, file: "gridsample_op_builder.cc", citation: "factory microsoft/onnxruntime@a24723df16b4; not re-read" },
];

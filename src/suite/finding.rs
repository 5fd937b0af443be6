//! The study's findings, each a criterion benchmark group.

use std::fmt;

/// One finding of the study (its section in brackets) or one of the suite's extensions.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Finding {
    /// (4.1) The EP against the CPU on the three transformer models.
    EpVsCpu,
    /// (4.2) Probe chains with k cut-makers: the cost of one EP<->CPU hop.
    Fragmentation,
    /// (4.3) Dynamic vs static b1 s128 input shapes.
    Shapes,
    /// (4.4) GELU (Erf) vs FastGELU (tanh approximation).
    Activation,
    /// (4.5) fp32 vs fp16 graphs.
    Dtype,
    /// (4.6) MobileNetV2, the vision control.
    Vision,
    /// The study's batch-scaling plot: batch 1, 2, 4, 8.
    Batch,
    /// CoreML NeuralNetwork vs MLProgram.
    Format,
    /// CoreML compute units.
    Units,
    /// The EP's options matrix on a user's model (`study --model`): CoreML format × compute
    /// units × static shapes, or OpenVINO's devices.
    Options,
    /// Cold start: session creation including the EP's compile.
    SessionCreate,
    /// The harness's own floor: one `Add` on 64 KiB (CPU study).
    Overhead,
    /// Intra-op threads (CPU study).
    Threads,
    /// ORT graph optimisation levels (CPU study).
    OptLevel,
}

impl Finding {
    /// The name used in benchmark ids.
    pub fn name(self) -> &'static str {
        match self {
            Finding::EpVsCpu => "ep_vs_cpu",
            Finding::Fragmentation => "fragmentation",
            Finding::Shapes => "shapes",
            Finding::Activation => "activation",
            Finding::Dtype => "dtype",
            Finding::Vision => "vision",
            Finding::Batch => "batch",
            Finding::Format => "format",
            Finding::Units => "units",
            Finding::Options => "options",
            Finding::SessionCreate => "session_create",
            Finding::Overhead => "overhead",
            Finding::Threads => "threads",
            Finding::OptLevel => "opt_level",
        }
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

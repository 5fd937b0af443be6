//! Whether an execution provider works here, decided by the loaded library itself.
//!
//! Registration alone says only that ORT knows the EP. ORT's CoreML EP built for a non-Apple
//! host (`model/model_stub.cc` in `onnxruntime/core/providers/coreml/`) registers, partitions
//! and writes its CoreML models, and fails only when a session runs. So an EP that registers is
//! probed with a one-node session (`Add` of two `[1, 4]` floats, which every accelerator EP
//! takes): if it runs, the EP is [`Availability::Available`]; if the run fails saying the EP
//! cannot execute on this platform, it is [`Availability::PartitionsOnly`]. The OS name is never
//! consulted.

use std::path::Path;

use ort::value::Tensor;
use serde::ser::{Serialize, SerializeStruct, Serializer};

use crate::onnx::{Dim, ElemType, FloatType, GraphBuilder};

use super::{Ep, RuntimeError, SessionConfig};

/// What an execution provider can do with the loaded runtime.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Availability {
    /// It registers, partitions and executes.
    Available,
    /// It registers, partitions and builds its models, but cannot execute them (ORT's CoreML EP
    /// built for Linux): partitions can be measured, latency cannot. `reason` is ORT's message.
    PartitionsOnly { reason: String },
    /// It cannot be used: ORT's reason (e.g. "… is not supported in this build").
    Unavailable { reason: String },
}

impl Availability {
    /// Whether sessions on this EP can run.
    pub fn can_execute(&self) -> bool {
        matches!(self, Availability::Available)
    }

    /// Whether this EP partitions models here (measured partitions are possible).
    pub fn can_partition(&self) -> bool {
        !matches!(self, Availability::Unavailable { .. })
    }

    /// ORT's reason for a limited or missing EP.
    pub fn reason(&self) -> Option<&str> {
        match self {
            Availability::Available => None,
            Availability::PartitionsOnly { reason } | Availability::Unavailable { reason } => {
                Some(reason)
            }
        }
    }

    /// `available`, `partitions_only` or `unavailable`, as the JSON output names the state.
    pub fn state(&self) -> &'static str {
        match self {
            Availability::Available => "available",
            Availability::PartitionsOnly { .. } => "partitions_only",
            Availability::Unavailable { .. } => "unavailable",
        }
    }
}

/// `{"state": "partitions_only", "available": false, "reason": "..."}`: `available` says whether
/// the EP executes (the field older readers know), `state` says the rest.
impl Serialize for Availability {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_struct("Availability", 3)?;
        s.serialize_field("state", self.state())?;
        s.serialize_field("available", &self.can_execute())?;
        s.serialize_field("reason", &self.reason())?;
        s.end()
    }
}

/// What ORT says when an EP was built without the means to execute (`model_stub.cc`: "Executing
/// a CoreML model is not supported on this platform.").
const CANNOT_EXECUTE_MARKER: &str = "not supported on this platform";

/// Decides the availability of `ep` (already registered successfully) with a one-node session.
/// Errors are those of the session machinery itself (a temp dir), not of the EP.
pub(super) fn probe(ep: &Ep) -> Result<Availability, RuntimeError> {
    let dir = tempfile::tempdir().map_err(|e| RuntimeError::Ort(format!("temp dir: {e}")))?;
    let path = dir.path().join("epbench-probe.onnx");
    write_probe_model(&path)?;
    let mut built = match SessionConfig::new(ep.clone()).intra_threads(1).build(&path) {
        Ok(built) => built,
        Err(crate::Error::Runtime(RuntimeError::Session { reason, .. })) => {
            return Ok(Availability::Unavailable {
                reason: format!("it registers, but a one-node probe session failed: {reason}"),
            });
        }
        Err(crate::Error::Runtime(e)) => return Err(e),
        Err(other) => return Err(RuntimeError::Ort(other.to_string())),
    };
    let input = |name: &'static str| -> Result<_, RuntimeError> {
        let tensor = Tensor::from_array(([1usize, 4], vec![1.0f32; 4]))
            .map_err(|e| RuntimeError::Ort(e.to_string()))?;
        Ok((name, tensor))
    };
    let inputs = vec![input("a")?, input("b")?];
    Ok(match built.session.run(inputs) {
        Ok(_) => Availability::Available,
        Err(e) if e.to_string().contains(CANNOT_EXECUTE_MARKER) => Availability::PartitionsOnly {
            reason: status_message(&e.to_string()),
        },
        Err(e) => Availability::Unavailable {
            reason: format!(
                "it registers, but a one-node probe session failed to run: {}",
                super::clean_reason(&e.to_string())
            ),
        },
    })
}

/// The EP's own words from ORT's run error ("Non-zero status code returned while running <fused
/// node> node. Name:'…' Status Message: <message>"), without the generated node names.
fn status_message(error: &str) -> String {
    const LABEL: &str = "Status Message: ";
    let message = error
        .rfind(LABEL)
        .map_or(error, |at| &error[at + LABEL.len()..]);
    super::clean_reason(message)
}

/// `y = a + b` on `[1, 4]` floats, opset 14.
fn write_probe_model(path: &Path) -> Result<(), RuntimeError> {
    let dims = [Dim::from(1), Dim::from(4)];
    let mut g = GraphBuilder::new("epbench_probe", FloatType::F32);
    let a = g.input("a", ElemType::Float32, &dims);
    let b = g.input("b", ElemType::Float32, &dims);
    let y = g.op("Add", &[&a, &b], vec![]);
    g.output(&y, "y", ElemType::Float32, &dims);
    crate::onnx::write_model(&g.finish(14, vec![]), path)
        .map(|_| ())
        .map_err(|e| RuntimeError::Ort(format!("cannot write the probe model: {e}")))
}

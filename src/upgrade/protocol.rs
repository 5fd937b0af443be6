//! The messages between `epbench upgrade-check` and its two workers: one JSON object per line,
//! requests on the worker's stdin, responses on the stdout it started with. The worker moves its
//! stdout aside before loading ONNX Runtime ([`super::worker::protocol_output`]), so whatever
//! ORT or a provider library prints lands on stderr, never inside a message.

use std::io::{BufRead, Write};
use std::path::PathBuf;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use crate::correctness::{OutputTensor, Values};
use crate::provisioning::OrtRequirement;
use crate::runtime::EpKind;

use super::SideOptions;
use super::measure::Measure;

/// What the parent asks a worker to do.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "request", rename_all = "snake_case")]
pub enum Request {
    /// Load `requirement` and plan the benchmarks of `ep`'s selection with these settings;
    /// answered by [`Response::Loaded`]. A worker loads one runtime for its whole life.
    Load {
        requirement: OrtRequirement,
        ep: EpKind,
        intra_threads: usize,
        options: SideOptions,
        models_dir: PathBuf,
        /// Cores to bind the worker's threads to before anything else (see `pinning`).
        #[serde(default)]
        pin: Option<Vec<usize>>,
        /// Whether ORT's intra-op threads may spin between runs (ORT's default) rather than
        /// sleep at once.
        spinning: bool,
        /// The clock the check decides by, which a slowdown is a fraction of.
        decided_by: Measure,
    },
    /// Build the model, session and inputs of benchmark `id` and run it once; again, to replace
    /// them with new ones.
    Prepare { id: String },
    /// Run `warmup` untimed iterations of `id`, then time `iterations` one by one (with the
    /// side's slowdown, if any, inside the deciding clock).
    Measure {
        id: String,
        warmup: u32,
        iterations: u32,
    },
    /// One run's outputs of `id`, for the agreement check.
    Outputs { id: String },
    /// Exit.
    Quit,
}

/// A worker's answer; every request gets exactly one.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "response", rename_all = "snake_case")]
pub enum Response {
    /// The runtime is loaded and the EP under study is available in it.
    Loaded {
        /// `onnxruntime==1.31.1 (ORT 1.31.1)`.
        runtime: String,
        /// The version ORT reports.
        ort_version: String,
        /// Why the worker could not be pinned as asked (it runs unpinned).
        #[serde(default)]
        pin_error: Option<String>,
    },
    /// The benchmark is ready; its session was created in this many milliseconds.
    Prepared { create_ms: f64 },
    /// Nanoseconds of each timed iteration, and the process's CPU time over all of them (`None`
    /// where the OS does not report it).
    Measured {
        ns: Vec<u64>,
        #[serde(default)]
        cpu_ns: Option<u64>,
    },
    /// The outputs of one run.
    Outputs { outputs: Vec<WireTensor> },
    /// The request failed; for `Load` the worker exits after answering.
    Failed { reason: String },
}

/// An output tensor on the wire: values as little-endian 64-bit words in base64, so that every
/// value (NaN and infinities included, which JSON numbers cannot carry) arrives bit for bit.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct WireTensor {
    pub name: String,
    pub shape: Vec<usize>,
    pub element_type: String,
    /// `f64` for float outputs (widened from fp16/fp32), `i64` for integer ones.
    pub kind: WireKind,
    pub base64: String,
}

/// How [`WireTensor::base64`] is to be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum WireKind {
    F64,
    I64,
}

impl From<&OutputTensor> for WireTensor {
    fn from(tensor: &OutputTensor) -> Self {
        let (kind, bytes): (WireKind, Vec<u8>) = match &tensor.values {
            Values::Float(v) => (
                WireKind::F64,
                v.iter().flat_map(|x| x.to_le_bytes()).collect(),
            ),
            Values::Int(v) => (
                WireKind::I64,
                v.iter().flat_map(|x| x.to_le_bytes()).collect(),
            ),
        };
        WireTensor {
            name: tensor.name.clone(),
            shape: tensor.shape.clone(),
            element_type: tensor.element_type.clone(),
            kind,
            base64: STANDARD.encode(bytes),
        }
    }
}

impl TryFrom<&WireTensor> for OutputTensor {
    type Error = String;

    fn try_from(wire: &WireTensor) -> Result<Self, Self::Error> {
        let bytes = STANDARD
            .decode(&wire.base64)
            .map_err(|e| format!("output `{}`: bad base64: {e}", wire.name))?;
        if bytes.len() % 8 != 0 {
            return Err(format!(
                "output `{}`: {} bytes is not a whole number of 64-bit values",
                wire.name,
                bytes.len()
            ));
        }
        let words = bytes.chunks_exact(8).map(|c| {
            let mut word = [0u8; 8];
            word.copy_from_slice(c);
            word
        });
        let values = match wire.kind {
            WireKind::F64 => Values::Float(words.map(f64::from_le_bytes).collect()),
            WireKind::I64 => Values::Int(words.map(i64::from_le_bytes).collect()),
        };
        Ok(OutputTensor {
            name: wire.name.clone(),
            shape: wire.shape.clone(),
            element_type: wire.element_type.clone(),
            values,
        })
    }
}

/// Writes one message as a line and flushes it.
pub fn write_message<T: serde::Serialize>(
    out: &mut impl Write,
    message: &T,
) -> std::io::Result<()> {
    serde_json::to_writer(&mut *out, message).map_err(std::io::Error::other)?;
    out.write_all(b"\n")?;
    out.flush()
}

/// Reads the next message; `Ok(None)` when the other side closed the stream.
pub fn read_message<T: serde::de::DeserializeOwned>(
    input: &mut impl BufRead,
) -> Result<Option<T>, String> {
    let mut line = String::new();
    match input.read_line(&mut line) {
        Ok(0) => Ok(None),
        Ok(_) => serde_json::from_str(&line).map(Some).map_err(|e| {
            let shown: String = line.trim_end().chars().take(200).collect();
            format!("not a protocol message ({e}): `{shown}`")
        }),
        Err(e) => Err(format!("cannot read: {e}")),
    }
}

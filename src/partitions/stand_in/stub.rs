//! A copy of a model whose large floating-point initializers carry no data, for the stand-in
//! session: ORT's parsing, copying and optimising of hundreds of megabytes of weights is most of
//! a session's time, and nothing the partitioning depends on reads their values.
//!
//! What reads initializer values before partitioning is ORT's level-1 transformers (constant
//! folding, the eliminations, fusions matching scalar constants) and, in `GetCapability`, the
//! CoreML rules, which read shapes, axes, bounds and scales: small tensors, and integers. A
//! floating-point tensor of more than [`STUB_MIN_ELEMENTS`] elements is a weight; it keeps its
//! name, type and dims, and its data becomes a reference into an in-memory "file" of zeros
//! (ORT's `AddExternalInitializersFromFilesInMemory`), which ORT maps without copying and never
//! reads before the stand-in ends the session, except to fold a node computing on weights
//! (which changes values, not the graph). `tests/partitions_stand_in.rs` checks that the graph
//! the rules see is the same with and without the stub.

use std::collections::HashMap;
use std::sync::Arc;

use prost::Message;

use crate::onnx::proto::{ModelProto, StringStringEntryProto, TensorProto, data_type};

/// Floating-point initializers with more elements than this are stubbed.
pub const STUB_MIN_ELEMENTS: u64 = 16 * 1024;

/// The name of the in-memory file stubbed initializers point into.
pub const STUB_FILE: &str = "epbench-stand-in-weights.bin";

/// `TensorProto.DataLocation.EXTERNAL`.
const EXTERNAL: i32 = 1;

/// A model as the stand-in session gets it.
pub struct Weightless {
    /// The model, encoded.
    pub bytes: Vec<u8>,
    /// Zeros, as long as the largest stubbed tensor (empty when nothing was stubbed).
    pub weights: Arc<[u8]>,
    /// The stubbed initializers, each with whether it was stored as external data in the
    /// original (the CoreML rules of some releases reject nodes reading such initializers).
    pub stubbed: HashMap<String, bool>,
    /// True when the model keeps references to external data files of its own (then ORT
    /// needs the model's folder to find them).
    pub keeps_external_files: bool,
}

/// `model` with its weights stubbed.
pub fn weightless(model: &ModelProto) -> Weightless {
    let mut model = model.clone();
    let mut stubbed = HashMap::new();
    let mut keeps_external_files = false;
    let mut longest = 0;
    if let Some(graph) = model.graph.as_mut() {
        (stubbed, longest) = stub_weights(&mut graph.initializer);
        keeps_external_files = graph
            .initializer
            .iter()
            .any(|t| t.data_location == EXTERNAL && !stubbed.contains_key(&t.name));
    }
    Weightless {
        bytes: model.encode_to_vec(),
        weights: zeros(longest as usize),
        stubbed,
        keeps_external_files,
    }
}

/// Replaces the weights' data by references into the zeros; returns the stubbed names and
/// the longest tensor in bytes.
fn stub_weights(initializers: &mut [TensorProto]) -> (HashMap<String, bool>, u64) {
    let mut stubbed = HashMap::new();
    let mut longest = 0;
    for tensor in initializers.iter_mut().filter(|t| is_weight(t)) {
        let bytes = tensor.element_count() * width(tensor.data_type);
        longest = longest.max(bytes);
        stubbed.insert(tensor.name.clone(), tensor.data_location == EXTERNAL);
        *tensor = TensorProto {
            name: std::mem::take(&mut tensor.name),
            dims: std::mem::take(&mut tensor.dims),
            data_type: tensor.data_type,
            data_location: EXTERNAL,
            external_data: vec![
                entry("location", STUB_FILE),
                entry("offset", "0"),
                entry("length", &bytes.to_string()),
            ],
            ..TensorProto::default()
        };
    }
    (stubbed, longest)
}

fn is_weight(tensor: &TensorProto) -> bool {
    let floating = matches!(
        tensor.data_type,
        data_type::FLOAT | data_type::FLOAT16 | data_type::BFLOAT16 | data_type::DOUBLE
    );
    floating && tensor.element_count() > STUB_MIN_ELEMENTS
}

fn width(data_type: i32) -> u64 {
    match data_type {
        data_type::FLOAT16 | data_type::BFLOAT16 => 2,
        data_type::DOUBLE => 8,
        _ => 4,
    }
}

fn entry(key: &str, value: &str) -> StringStringEntryProto {
    StringStringEntryProto {
        key: key.to_string(),
        value: value.to_string(),
    }
}

/// `len` zero bytes, allocated zeroed so that untouched pages cost nothing.
fn zeros(len: usize) -> Arc<[u8]> {
    let zeroed = Arc::<[u8]>::new_zeroed_slice(len);
    // Zeroed memory is a valid `[u8]`.
    unsafe { zeroed.assume_init() }
}

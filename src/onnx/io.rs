//! Reading and writing `.onnx` files.

use std::path::Path;

use prost::Message;

use super::OnnxError;
use super::proto::ModelProto;

/// Reads an ONNX model.
///
/// Fails with [`OnnxError::Io`] when the file cannot be read and with [`OnnxError::NotOnnx`]
/// when its bytes do not decode to a `ModelProto` with an IR version, an opset and a graph.
/// Protobuf decoding alone is too lenient for that check: many short non-ONNX files decode
/// without error into an empty message.
///
/// ```no_run
/// let model = epbench::onnx::read_model("models/generated/add_64k.onnx".as_ref())?;
/// println!("{} nodes", model.graph.map_or(0, |g| g.node.len()));
/// # Ok::<(), epbench::onnx::OnnxError>(())
/// ```
pub fn read_model(path: &Path) -> Result<ModelProto, OnnxError> {
    let bytes = std::fs::read(path).map_err(|e| OnnxError::io("read", path, e))?;
    decode_model(bytes.into()).map_err(|reason| OnnxError::NotOnnx {
        path: path.to_path_buf(),
        reason,
    })
}

/// Decodes and sanity-checks a model held in memory. Tensor data stays in `bytes`.
pub fn decode_model(bytes: bytes::Bytes) -> Result<ModelProto, String> {
    if bytes.is_empty() {
        return Err("the file is empty".into());
    }
    let model = ModelProto::decode(bytes).map_err(|e| format!("protobuf decoding failed: {e}"))?;
    if model.ir_version <= 0 {
        return Err("no IR version".into());
    }
    if model.opset_import.is_empty() {
        return Err("no opset import".into());
    }
    if model.graph.is_none() {
        return Err("no graph".into());
    }
    Ok(model)
}

/// Writes `model` to `path` atomically: the bytes go to a temporary file in the same folder,
/// which is renamed over `path` only once complete, so a crash or a concurrent reader never
/// sees a truncated model. Returns the number of bytes written.
pub fn write_model(model: &ModelProto, path: &Path) -> Result<u64, OnnxError> {
    let bytes = model.encode_to_vec();
    super::external::write_atomically(path, &bytes)?;
    Ok(bytes.len() as u64)
}

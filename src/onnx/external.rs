//! Tensor data stored outside the model file (ONNX's external data).
//!
//! A tensor with `data_location = EXTERNAL` keeps its bytes in another file, named by its
//! `external_data` entries (`location` relative to the model's folder, `offset`, `length`), as
//! `onnx.external_data_helper` writes them. A model that is rewritten and saved elsewhere must
//! carry that data along: [`load_external_data`] pulls it into the tensors, and
//! [`write_model_with_external_data`] writes it beside the new model.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Component, Path};

use bytes::Bytes;
use prost::Message;

use super::OnnxError;
use super::proto::{ModelProto, StringStringEntryProto, TensorProto};

/// `TensorProto.DataLocation.EXTERNAL`.
const EXTERNAL: i32 = 1;

/// Tensors at least this large go to the data file (the default `size_threshold` of
/// `onnx.save_model(..., save_as_external_data=True)`).
pub const EXTERNAL_THRESHOLD: usize = 1024;

/// Tensors larger than this start at a multiple of [`ALIGNMENT`] in the data file, so that
/// ONNX Runtime can map them (onnx's `align_threshold` and `allocation_granularity`).
const ALIGN_THRESHOLD: usize = 1 << 20;
const ALIGNMENT: u64 = 1 << 16;

/// The protobuf size limit: a larger model must keep its weights outside the file.
pub const PROTOBUF_LIMIT: usize = (1 << 31) - 1;

/// Every initializer and `Constant` tensor of the main graph, mutably.
fn tensors_mut(model: &mut ModelProto) -> impl Iterator<Item = &mut TensorProto> {
    model.graph.iter_mut().flat_map(|graph| {
        graph.initializer.iter_mut().chain(
            graph
                .node
                .iter_mut()
                .flat_map(|node| node.attribute.iter_mut().filter_map(|a| a.t.as_mut())),
        )
    })
}

/// Whether any tensor of the model keeps its data in another file.
pub fn has_external_data(model: &ModelProto) -> bool {
    model.graph.iter().any(|graph| {
        graph
            .initializer
            .iter()
            .any(|t| t.data_location == EXTERNAL)
            || graph
                .node
                .iter()
                .flat_map(|n| &n.attribute)
                .filter_map(|a| a.t.as_ref())
                .any(|t| t.data_location == EXTERNAL)
    })
}

fn entry<'a>(tensor: &'a TensorProto, key: &str) -> Option<&'a str> {
    tensor
        .external_data
        .iter()
        .find(|e| e.key == key)
        .map(|e| e.value.as_str())
}

/// Reads every external tensor's bytes into its `raw_data`, resolving locations against
/// `model_dir` (the folder of the model file), and marks the tensors as stored inline. Returns
/// how many tensors were loaded. Each data file is read once.
///
/// Fails when a location is absolute or leaves `model_dir` (ONNX Runtime refuses those too),
/// when a file cannot be read, or when an offset and length do not fit in it.
pub fn load_external_data(model: &mut ModelProto, model_dir: &Path) -> Result<usize, OnnxError> {
    let mut files: HashMap<String, Bytes> = HashMap::new();
    let mut loaded = 0;
    for tensor in tensors_mut(model) {
        if tensor.data_location != EXTERNAL {
            continue;
        }
        let bad = |reason: String| OnnxError::ExternalData {
            tensor: tensor.name.clone(),
            reason,
        };
        let location = entry(tensor, "location")
            .ok_or_else(|| bad("no `location` entry".into()))?
            .to_string();
        let relative = Path::new(&location);
        let escapes = relative
            .components()
            .any(|c| !matches!(c, Component::Normal(_) | Component::CurDir));
        if escapes {
            return Err(bad(format!(
                "location `{location}` is not a path inside the model's folder"
            )));
        }
        let number = |key: &str| -> Result<Option<usize>, OnnxError> {
            entry(tensor, key)
                .map(|v| {
                    v.parse::<usize>()
                        .map_err(|_| bad(format!("`{key}` is `{v}`, not a number")))
                })
                .transpose()
        };
        let offset = number("offset")?.unwrap_or(0);
        let length = number("length")?;
        let data = match files.get(&location) {
            Some(data) => data.clone(),
            None => {
                let path = model_dir.join(relative);
                let data: Bytes = std::fs::read(&path)
                    .map_err(|e| OnnxError::io("read external data of", &path, e))?
                    .into();
                files.insert(location.clone(), data.clone());
                data
            }
        };
        let end = match length {
            Some(length) => offset.checked_add(length),
            None => Some(data.len()),
        };
        let end = end
            .filter(|&end| end <= data.len() && offset <= end)
            .ok_or_else(|| {
                bad(format!(
                    "offset {offset} and length {length:?} do not fit in `{location}` ({} bytes)",
                    data.len()
                ))
            })?;
        tensor.raw_data = data.slice(offset..end);
        tensor.data_location = 0;
        tensor.external_data.clear();
        loaded += 1;
    }
    Ok(loaded)
}

/// Writes a rewritten `model` to `path`: its tensors in a data file beside it when the model it
/// came from kept them outside (`external`) or when it is too large for one protobuf file,
/// inline otherwise. Returns the data file's path, when one was written.
pub fn write_rewritten(
    model: &ModelProto,
    path: &Path,
    external: bool,
) -> Result<Option<std::path::PathBuf>, OnnxError> {
    if external || model.encoded_len() >= PROTOBUF_LIMIT {
        let written = write_model_with_external_data(model, path)?;
        Ok(written.data_file.map(|(name, _)| path.with_file_name(name)))
    } else {
        super::write_model(model, path)?;
        Ok(None)
    }
}

/// What [`write_model_with_external_data`] wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrittenModel {
    /// Bytes of the model file.
    pub model_bytes: u64,
    /// The data file's name (beside the model) and its size, when tensors went there.
    pub data_file: Option<(String, u64)>,
}

/// Writes `model` to `path` with every tensor of at least [`EXTERNAL_THRESHOLD`] bytes in a
/// data file beside it, `<file name>.data`, as `onnx.save_model(..., save_as_external_data=True,
/// all_tensors_to_one_file=True, location=<file name>.data)` does. Both files are written
/// atomically, the data first, so that the model never points at data that is not there yet.
/// The tensors must hold their data (see [`load_external_data`]).
pub fn write_model_with_external_data(
    model: &ModelProto,
    path: &Path,
) -> Result<WrittenModel, OnnxError> {
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| OnnxError::io("write", path, std::io::ErrorKind::InvalidInput.into()))?;
    let location = format!("{file_name}.data");
    let data_path = path.with_file_name(&location);
    let mut model = model.clone();
    let mut data: Vec<u8> = Vec::new();
    for tensor in tensors_mut(&mut model) {
        if tensor.data_location == EXTERNAL {
            return Err(OnnxError::ExternalData {
                tensor: tensor.name.clone(),
                reason: "its data was never loaded from its external file".into(),
            });
        }
        let size = tensor.raw_data.len();
        if size < EXTERNAL_THRESHOLD {
            continue;
        }
        if size > ALIGN_THRESHOLD {
            let aligned = (data.len() as u64).div_ceil(ALIGNMENT) * ALIGNMENT;
            data.resize(aligned as usize, 0);
        }
        let offset = data.len();
        data.extend_from_slice(&tensor.raw_data);
        let pair = |key: &str, value: String| StringStringEntryProto {
            key: key.to_string(),
            value,
        };
        tensor.external_data = vec![
            pair("location", location.clone()),
            pair("offset", offset.to_string()),
            pair("length", size.to_string()),
        ];
        tensor.data_location = EXTERNAL;
        tensor.raw_data = Bytes::new();
    }
    let data_file = if data.is_empty() {
        None
    } else {
        write_atomically(&data_path, &data)?;
        Some((location, data.len() as u64))
    };
    let bytes = model.encode_to_vec();
    write_atomically(path, &bytes)?;
    Ok(WrittenModel {
        model_bytes: bytes.len() as u64,
        data_file,
    })
}

/// Writes `bytes` to a temporary file in `path`'s folder and renames it over `path` once
/// complete, so a crash or a concurrent reader never sees a truncated file.
pub(super) fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), OnnxError> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut file =
        tempfile::NamedTempFile::new_in(dir).map_err(|e| OnnxError::io("create", dir, e))?;
    file.write_all(bytes)
        .and_then(|()| file.as_file().sync_all())
        .map_err(|e| OnnxError::io("write", path, e))?;
    // Temporary files are created private (0600); a model is an ordinary shareable file.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o644))
            .map_err(|e| OnnxError::io("write", path, e))?;
    }
    file.persist(path)
        .map_err(|e| OnnxError::io("write", path, e.error))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::onnx::proto::{GraphProto, data_type};

    fn model_with(tensors: Vec<TensorProto>) -> ModelProto {
        ModelProto {
            ir_version: 8,
            opset_import: vec![crate::onnx::proto::OperatorSetIdProto {
                domain: String::new(),
                version: 14,
            }],
            graph: Some(GraphProto {
                initializer: tensors,
                ..GraphProto::default()
            }),
            ..ModelProto::default()
        }
    }

    fn tensor(name: &str, bytes: usize) -> TensorProto {
        TensorProto {
            name: name.into(),
            dims: vec![bytes as i64 / 4],
            data_type: data_type::FLOAT,
            raw_data: (0..bytes).map(|i| i as u8).collect::<Vec<u8>>().into(),
            ..TensorProto::default()
        }
    }

    #[test]
    fn large_tensors_go_beside_the_model_and_come_back() {
        let dir = tempfile::tempdir().unwrap();
        let original = model_with(vec![
            tensor("small", 16),
            tensor("big", 4096),
            tensor("huge", ALIGN_THRESHOLD + 8),
        ]);
        let path = dir.path().join("m.onnx");
        let written = write_model_with_external_data(&original, &path).unwrap();
        let (name, size) = written.data_file.clone().unwrap();
        assert_eq!(name, "m.onnx.data");
        // The huge tensor starts on an alignment boundary after the big one.
        assert_eq!(size, ALIGNMENT + ALIGN_THRESHOLD as u64 + 8);

        let mut read = crate::onnx::read_model(&path).unwrap();
        assert!(has_external_data(&read));
        assert_eq!(load_external_data(&mut read, dir.path()).unwrap(), 2);
        assert!(!has_external_data(&read));
        assert_eq!(read, original);
    }

    #[test]
    fn locations_outside_the_folder_and_short_files_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        let external = |location: &str, length: &str| TensorProto {
            name: "w".into(),
            data_location: EXTERNAL,
            external_data: vec![
                StringStringEntryProto {
                    key: "location".into(),
                    value: location.into(),
                },
                StringStringEntryProto {
                    key: "length".into(),
                    value: length.into(),
                },
            ],
            ..TensorProto::default()
        };
        let error = |t: TensorProto| {
            load_external_data(&mut model_with(vec![t]), dir.path())
                .unwrap_err()
                .to_string()
        };
        assert!(error(external("../secret", "4")).contains("not a path inside"));
        std::fs::write(dir.path().join("w.bin"), [0u8; 4]).unwrap();
        assert!(error(external("w.bin", "8")).contains("do not fit"));
        assert!(error(external("missing.bin", "4")).contains("missing.bin"));
        let mut ok = model_with(vec![external("w.bin", "4")]);
        assert_eq!(load_external_data(&mut ok, dir.path()).unwrap(), 1);
    }
}

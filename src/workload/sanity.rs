//! Models ONNX Runtime accepts but that cannot be benchmarked as they are.

use crate::onnx::proto::{ModelProto, tensor_shape_proto::dimension, type_proto};

use super::WorkloadError;

/// Fails with [`WorkloadError::NotBenchmarkable`] when `model` has no graph outputs (a session
/// would compute nothing) or a graph input declares a negative dimension (no input can be made
/// for it). `name` names the model in the message.
pub fn check_benchmarkable(model: &ModelProto, name: &str) -> Result<(), WorkloadError> {
    let broken = |reason: String| WorkloadError::NotBenchmarkable {
        model: name.to_string(),
        reason,
    };
    let Some(graph) = &model.graph else {
        return Err(broken("it has no graph".into()));
    };
    if graph.output.is_empty() {
        return Err(broken(
            "its graph declares no outputs, so a run computes nothing".into(),
        ));
    }
    let initializers: std::collections::HashSet<&str> =
        graph.initializer.iter().map(|t| t.name.as_str()).collect();
    for input in graph
        .input
        .iter()
        .filter(|i| !initializers.contains(i.name.as_str()))
    {
        let Some(type_proto::Value::TensorType(tensor)) =
            input.r#type.as_ref().and_then(|t| t.value.as_ref())
        else {
            continue;
        };
        let dims = tensor.shape.iter().flat_map(|s| &s.dim);
        for (axis, dim) in dims.enumerate() {
            if let Some(dimension::Value::DimValue(size)) = dim.value
                && size < 0
            {
                return Err(broken(format!(
                    "input `{}` declares dimension {axis} as {size}; sizes must be ≥ 0 \
                     (write a symbolic dim such as `batch` for a dynamic one)",
                    input.name
                )));
            }
        }
    }
    Ok(())
}

//! Reading the graph ORT hands an EP's `GetCapability` (an `OrtGraph`, through ORT's graph C
//! API) into a [`ModelProto`] the analysis reads: nodes in ORT's order with their attributes,
//! ORT's type and shape of every value, the initializers (values of the small ones), and per
//! node ORT's schema version and the EP it is already assigned to (node `metadata_props`, see
//! [`super::super::graph`]).

use std::collections::HashMap;
use std::ffi::{CStr, c_char, c_void};
use std::ptr;

use ort::sys::{
    ONNXTensorElementDataType, OrtGraph, OrtNode, OrtOpAttr, OrtOpAttrType, OrtStatusPtr,
    OrtTensorTypeAndShapeInfo, OrtTypeInfo, OrtValue, OrtValueInfo,
};

use crate::onnx::proto::{
    AttributeProto, GraphProto, ModelProto, NodeProto, OperatorSetIdProto, StringStringEntryProto,
    TensorProto, TensorShapeProto, TypeProto, ValueInfoProto, attribute_type, tensor_shape_proto,
    type_proto,
};
use crate::partitions::graph::ort_keys;

/// Initializers with more elements than this keep their dims and type but not their values:
/// the rules read values of shapes, axes and bounds only.
const KEPT_VALUES: usize = 64;

/// `TensorProto.DataLocation.EXTERNAL`.
const EXTERNAL: i32 = 1;

/// A failed graph API call, with ORT's message.
pub type ReadError = String;

fn check(status: OrtStatusPtr) -> Result<(), ReadError> {
    if status.0.is_null() {
        return Ok(());
    }
    let api = ort::api();
    let message = unsafe { CStr::from_ptr((api.GetErrorMessage)(status.0)) }
        .to_string_lossy()
        .into_owned();
    unsafe { (api.ReleaseStatus)(status.0) };
    Err(message)
}

fn string(p: *const c_char) -> String {
    if p.is_null() {
        String::new()
    } else {
        unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned()
    }
}

/// A list ORT returns by count and fill.
fn list<T>(
    count: impl FnOnce(*mut usize) -> OrtStatusPtr,
    fill: impl FnOnce(*mut *const T, usize) -> OrtStatusPtr,
) -> Result<Vec<*const T>, ReadError> {
    let mut n = 0;
    check(count(&mut n))?;
    let mut out = vec![ptr::null(); n];
    if n > 0 {
        check(fill(out.as_mut_ptr(), n))?;
    }
    Ok(out)
}

/// True when `graph` is a control-flow subgraph (an `If`/`Loop` body).
pub fn is_subgraph(graph: *const OrtGraph) -> Result<bool, ReadError> {
    let mut parent: *const OrtNode = ptr::null();
    check(unsafe { (ort::api().Graph_GetParentNode)(graph, &mut parent) })?;
    Ok(!parent.is_null())
}

/// The nodes of `graph`, in ORT's order.
pub fn nodes(graph: *const OrtGraph) -> Result<Vec<*const OrtNode>, ReadError> {
    let api = ort::api();
    list(
        |n| unsafe { (api.Graph_GetNumNodes)(graph, n) },
        |out, n| unsafe { (api.Graph_GetNodes)(graph, out, n) },
    )
}

/// The EP a node is assigned to (empty when unassigned).
fn assigned_ep(node: *const OrtNode) -> Result<String, ReadError> {
    let mut name: *const c_char = ptr::null();
    check(unsafe { (ort::api().Node_GetEpName)(node, &mut name) })?;
    Ok(string(name))
}

/// `graph` as a model; `fused_ep` names the EP whose fused nodes (its partitions of an earlier
/// pass) are given the op type `fused_op`; `stubbed` are the initializers ORT got without data
/// (with whether each was external data in the model file).
pub fn read_model(
    graph: *const OrtGraph,
    fused_ep: &str,
    fused_op: &str,
    stubbed: &HashMap<String, bool>,
) -> Result<ModelProto, ReadError> {
    let api = ort::api();
    let mut name: *const c_char = ptr::null();
    check(unsafe { (api.Graph_GetName)(graph, &mut name) })?;
    let mut ir_version = 0;
    check(unsafe { (api.Graph_GetOnnxIRVersion)(graph, &mut ir_version) })?;

    let mut values = Values::default();
    let inputs = list(
        |n| unsafe { (api.Graph_GetNumInputs)(graph, n) },
        |out, n| unsafe { (api.Graph_GetInputs)(graph, out, n) },
    )?;
    let outputs = list(
        |n| unsafe { (api.Graph_GetNumOutputs)(graph, n) },
        |out, n| unsafe { (api.Graph_GetOutputs)(graph, out, n) },
    )?;
    let initializers = list(
        |n| unsafe { (api.Graph_GetNumInitializers)(graph, n) },
        |out, n| unsafe { (api.Graph_GetInitializers)(graph, out, n) },
    )?;
    let mut initializer = Vec::with_capacity(initializers.len());
    let mut overridable = std::collections::HashSet::new();
    for &vi in &initializers {
        let (tensor, constant) = read_initializer(vi, stubbed)?;
        if !constant {
            overridable.insert(tensor.name.clone());
        }
        initializer.push(tensor);
    }
    let mut input = Vec::new();
    for &vi in &inputs {
        let info = values.info(vi)?;
        // An initializer listed as an input is overridable, a constant one is not (the
        // analysis reads "initializer and input" as overridable).
        let is_initializer = initializer.iter().any(|t| t.name == info.name);
        if !is_initializer || overridable.contains(&info.name) {
            input.push(info);
        }
    }
    let output = outputs
        .iter()
        .map(|&vi| values.info(vi))
        .collect::<Result<Vec<_>, _>>()?;

    let mut node = Vec::new();
    for n in nodes(graph)? {
        node.push(read_node(n, &mut values, fused_ep, fused_op)?);
    }
    let opset_import = opsets(graph)?;
    Ok(ModelProto {
        ir_version,
        opset_import,
        metadata_props: vec![entry(ort_keys::TYPES, ort_keys::TYPES_COMPLETE)],
        graph: Some(GraphProto {
            name: string(name),
            node,
            initializer,
            input,
            output,
            value_info: values.value_info,
            ..GraphProto::default()
        }),
        ..ModelProto::default()
    })
}

fn entry(key: &str, value: &str) -> StringStringEntryProto {
    StringStringEntryProto {
        key: key.to_string(),
        value: value.to_string(),
    }
}

fn opsets(graph: *const OrtGraph) -> Result<Vec<OperatorSetIdProto>, ReadError> {
    let api = ort::api();
    let mut n = 0;
    check(unsafe { (api.Graph_GetNumOperatorSets)(graph, &mut n) })?;
    let mut domains: Vec<*const c_char> = vec![ptr::null(); n];
    let mut versions = vec![0i64; n];
    if n > 0 {
        check(unsafe {
            (api.Graph_GetOperatorSets)(graph, domains.as_mut_ptr(), versions.as_mut_ptr(), n)
        })?;
    }
    Ok(domains
        .into_iter()
        .zip(versions)
        .map(|(d, version)| OperatorSetIdProto {
            domain: string(d),
            version,
        })
        .collect())
}

/// The value infos met so far (each value once), for the graph's `value_info`.
#[derive(Default)]
struct Values {
    seen: std::collections::HashSet<String>,
    value_info: Vec<ValueInfoProto>,
}

impl Values {
    /// The value's name and ORT's type of it, recorded in `value_info` on first sight.
    fn info(&mut self, vi: *const OrtValueInfo) -> Result<ValueInfoProto, ReadError> {
        let info = value_info(vi)?;
        if self.seen.insert(info.name.clone()) {
            self.value_info.push(info.clone());
        }
        Ok(info)
    }

    /// The value's name ("" for an omitted optional input).
    fn name(&mut self, vi: *const OrtValueInfo) -> Result<String, ReadError> {
        if vi.is_null() {
            return Ok(String::new());
        }
        Ok(self.info(vi)?.name)
    }
}

fn value_info(vi: *const OrtValueInfo) -> Result<ValueInfoProto, ReadError> {
    let api = ort::api();
    let mut name: *const c_char = ptr::null();
    check(unsafe { (api.GetValueInfoName)(vi, &mut name) })?;
    let mut type_info: *const OrtTypeInfo = ptr::null();
    check(unsafe { (api.GetValueInfoTypeInfo)(vi, &mut type_info) })?;
    Ok(ValueInfoProto {
        name: string(name),
        r#type: type_proto(type_info)?,
        ..ValueInfoProto::default()
    })
}

/// ORT's type of a value: a tensor type with its shape when ORT knows one, another kind as an
/// empty non-tensor type (the rules read only tensors), `None` when ORT has no type.
fn type_proto(type_info: *const OrtTypeInfo) -> Result<Option<TypeProto>, ReadError> {
    if type_info.is_null() {
        return Ok(None);
    }
    let api = ort::api();
    let mut tensor: *const OrtTensorTypeAndShapeInfo = ptr::null();
    check(unsafe { (api.CastTypeInfoToTensorInfo)(type_info, &mut tensor) })?;
    if tensor.is_null() {
        return Ok(Some(TypeProto {
            value: Some(type_proto::Value::SequenceType(Vec::new())),
            ..TypeProto::default()
        }));
    }
    let (elem_type, shape) = tensor_type(tensor)?;
    Ok(Some(TypeProto {
        value: Some(type_proto::Value::TensorType(type_proto::Tensor {
            elem_type,
            shape,
        })),
        ..TypeProto::default()
    }))
}

/// Element type and shape (`None`: ORT knows no rank); dims ORT does not know are -1 with a
/// name when they are symbolic.
fn tensor_type(
    tensor: *const OrtTensorTypeAndShapeInfo,
) -> Result<(i32, Option<TensorShapeProto>), ReadError> {
    use tensor_shape_proto::{Dimension, dimension};
    let api = ort::api();
    let mut elem: i32 = 0;
    check(unsafe {
        (api.GetTensorElementType)(tensor, (&raw mut elem).cast::<ONNXTensorElementDataType>())
    })?;
    if !unsafe { (api.TensorTypeAndShape_HasShape)(tensor) } {
        return Ok((elem, None));
    }
    let mut rank = 0;
    check(unsafe { (api.GetDimensionsCount)(tensor, &mut rank) })?;
    let mut dims = vec![0i64; rank];
    let mut symbols: Vec<*const c_char> = vec![ptr::null(); rank];
    if rank > 0 {
        check(unsafe { (api.GetDimensions)(tensor, dims.as_mut_ptr(), rank) })?;
        check(unsafe { (api.GetSymbolicDimensions)(tensor, symbols.as_mut_ptr(), rank) })?;
    }
    let dim = dims
        .into_iter()
        .zip(symbols)
        .map(|(d, symbol)| {
            let symbol = string(symbol);
            let value = if d >= 0 {
                Some(dimension::Value::DimValue(d))
            } else if !symbol.is_empty() {
                Some(dimension::Value::DimParam(symbol))
            } else {
                None
            };
            Dimension {
                value,
                ..Dimension::default()
            }
        })
        .collect();
    Ok((elem, Some(TensorShapeProto { dim })))
}

/// An initializer as a tensor (values kept when small) and whether it is constant.
fn read_initializer(
    vi: *const OrtValueInfo,
    stubbed: &HashMap<String, bool>,
) -> Result<(TensorProto, bool), ReadError> {
    let api = ort::api();
    let info = value_info(vi)?;
    let mut constant = false;
    check(unsafe { (api.ValueInfo_IsConstantInitializer)(vi, &mut constant) })?;
    let external = match stubbed.get(&info.name) {
        Some(&was_external) => was_external,
        None => {
            let mut external = ptr::null_mut();
            check(unsafe { (api.ValueInfo_GetExternalInitializerInfo)(vi, &mut external) })?;
            if !external.is_null() {
                unsafe { (api.ReleaseExternalInitializerInfo)(external) };
            }
            !external.is_null()
        }
    };
    let mut tensor = match tensor_dims(&info) {
        // A weight: its dims and type are all the analysis reads.
        Some((data_type, dims)) if element_count(&dims) > KEPT_VALUES => TensorProto {
            dims,
            data_type,
            ..TensorProto::default()
        },
        _ => {
            let mut value: *const OrtValue = ptr::null();
            check(unsafe { (api.ValueInfo_GetInitializerValue)(vi, &mut value) })?;
            if value.is_null() {
                TensorProto::default()
            } else {
                tensor_of_value(value)?
            }
        }
    };
    tensor.name = info.name;
    if external {
        tensor.data_location = EXTERNAL;
    }
    Ok((tensor, constant))
}

/// Element type and dims of a value's tensor type, when fully known.
fn tensor_dims(info: &ValueInfoProto) -> Option<(i32, Vec<i64>)> {
    let Some(type_proto::Value::TensorType(t)) = info.r#type.as_ref()?.value.as_ref() else {
        return None;
    };
    let dims = t
        .shape
        .as_ref()?
        .dim
        .iter()
        .map(|d| match d.value {
            Some(tensor_shape_proto::dimension::Value::DimValue(v)) => Some(v),
            _ => None,
        })
        .collect::<Option<Vec<i64>>>()?;
    Some((t.elem_type, dims))
}

fn element_count(dims: &[i64]) -> usize {
    dims.iter().map(|&d| d.max(0) as usize).product()
}

/// Dims, element type and (for a small tensor) the values of an ORT tensor.
fn tensor_of_value(value: *const OrtValue) -> Result<TensorProto, ReadError> {
    let api = ort::api();
    let mut info: *mut OrtTensorTypeAndShapeInfo = ptr::null_mut();
    check(unsafe { (api.GetTensorTypeAndShape)(value, &mut info) })?;
    let typed = tensor_type(info);
    let mut count = 0;
    let counted = check(unsafe { (api.GetTensorShapeElementCount)(info, &mut count) });
    unsafe { (api.ReleaseTensorTypeAndShapeInfo)(info) };
    let (data_type, shape) = typed?;
    counted?;
    let dims = shape
        .map(|s| {
            s.dim
                .iter()
                .map(|d| match d.value {
                    Some(tensor_shape_proto::dimension::Value::DimValue(v)) => v,
                    _ => -1,
                })
                .collect()
        })
        .unwrap_or_default();
    let mut tensor = TensorProto {
        dims,
        data_type,
        ..TensorProto::default()
    };
    let width = element_width(data_type);
    if count <= KEPT_VALUES
        && let Some(width) = width
    {
        let mut data: *const c_void = ptr::null();
        check(unsafe { (api.GetTensorData)(value, &mut data) })?;
        if !data.is_null() {
            let bytes = unsafe { std::slice::from_raw_parts(data.cast::<u8>(), count * width) };
            tensor.raw_data = bytes::Bytes::copy_from_slice(bytes);
        }
    }
    Ok(tensor)
}

/// Bytes per element of the types whose values the analysis decodes.
fn element_width(data_type: i32) -> Option<usize> {
    use crate::onnx::proto::data_type::*;
    match data_type {
        FLOAT | INT32 | UINT32 => Some(4),
        INT64 | UINT64 | DOUBLE => Some(8),
        FLOAT16 | BFLOAT16 | INT16 | UINT16 => Some(2),
        INT8 | UINT8 | BOOL => Some(1),
        _ => None,
    }
}

fn read_node(
    node: *const OrtNode,
    values: &mut Values,
    fused_ep: &str,
    fused_op: &str,
) -> Result<NodeProto, ReadError> {
    let api = ort::api();
    let mut name: *const c_char = ptr::null();
    let mut op: *const c_char = ptr::null();
    let mut domain: *const c_char = ptr::null();
    let mut since = 0;
    check(unsafe { (api.Node_GetName)(node, &mut name) })?;
    check(unsafe { (api.Node_GetOperatorType)(node, &mut op) })?;
    check(unsafe { (api.Node_GetDomain)(node, &mut domain) })?;
    check(unsafe { (api.Node_GetSinceVersion)(node, &mut since) })?;
    let ep = assigned_ep(node)?;
    let inputs = list(
        |n| unsafe { (api.Node_GetNumInputs)(node, n) },
        |out, n| unsafe { (api.Node_GetInputs)(node, out, n) },
    )?;
    let outputs = list(
        |n| unsafe { (api.Node_GetNumOutputs)(node, n) },
        |out, n| unsafe { (api.Node_GetOutputs)(node, out, n) },
    )?;
    let input = inputs
        .iter()
        .map(|&vi| values.name(vi))
        .collect::<Result<Vec<_>, _>>()?;
    let output = outputs
        .iter()
        .map(|&vi| values.name(vi))
        .collect::<Result<Vec<_>, _>>()?;
    let fused = !fused_ep.is_empty() && ep == fused_ep;
    let mut metadata_props = Vec::new();
    if since > 0 && !fused {
        metadata_props.push(entry(ort_keys::SINCE_VERSION, &since.to_string()));
    }
    if !ep.is_empty() {
        metadata_props.push(entry(ort_keys::EP, &ep));
    }
    let (op_type, name, domain, attribute) = if fused {
        (
            fused_op.to_string(),
            String::new(),
            String::new(),
            Vec::new(),
        )
    } else {
        (string(op), string(name), string(domain), attributes(node)?)
    };
    Ok(NodeProto {
        input,
        output,
        name,
        op_type,
        domain,
        attribute,
        metadata_props,
        ..NodeProto::default()
    })
}

fn attributes(node: *const OrtNode) -> Result<Vec<AttributeProto>, ReadError> {
    let api = ort::api();
    let attrs = list(
        |n| unsafe { (api.Node_GetNumAttributes)(node, n) },
        |out: *mut *const OrtOpAttr, n| unsafe { (api.Node_GetAttributes)(node, out, n) },
    )?;
    attrs.into_iter().map(attribute).collect()
}

fn attribute(attr: *const OrtOpAttr) -> Result<AttributeProto, ReadError> {
    let api = ort::api();
    let mut name: *const c_char = ptr::null();
    check(unsafe { (api.OpAttr_GetName)(attr, &mut name) })?;
    let mut kind: i32 = 0;
    check(unsafe { (api.OpAttr_GetType)(attr, (&raw mut kind).cast::<OrtOpAttrType>()) })?;
    let mut a = AttributeProto {
        name: string(name),
        ..AttributeProto::default()
    };
    match kind {
        1 => {
            a.r#type = attribute_type::INT;
            a.i = Some(read_scalar::<i64>(attr, OrtOpAttrType::ORT_OP_ATTR_INT)?);
        }
        2 => {
            a.r#type = attribute_type::INTS;
            a.ints = read_array::<i64>(attr, OrtOpAttrType::ORT_OP_ATTR_INTS)?;
        }
        3 => {
            a.r#type = attribute_type::FLOAT;
            a.f = Some(read_scalar::<f32>(attr, OrtOpAttrType::ORT_OP_ATTR_FLOAT)?);
        }
        4 => {
            a.r#type = attribute_type::FLOATS;
            a.floats = read_array::<f32>(attr, OrtOpAttrType::ORT_OP_ATTR_FLOATS)?;
        }
        5 => {
            a.r#type = attribute_type::STRING;
            a.s = Some(read_array::<u8>(attr, OrtOpAttrType::ORT_OP_ATTR_STRING)?);
        }
        8 => {
            a.r#type = attribute_type::TENSOR;
            let mut value: *mut OrtValue = ptr::null_mut();
            check(unsafe { (api.OpAttr_GetTensorAttributeAsOrtValue)(attr, &mut value) })?;
            if !value.is_null() {
                let tensor = tensor_of_value(value);
                unsafe { (api.ReleaseValue)(value) };
                a.t = Some(tensor?);
            }
        }
        // Strings lists and subgraphs: nothing the rules read (the kind is kept).
        6 => a.r#type = attribute_type::STRINGS,
        7 => a.r#type = attribute_type::GRAPH,
        _ => {}
    }
    Ok(a)
}

fn read_scalar<T: Copy + Default>(
    attr: *const OrtOpAttr,
    kind: OrtOpAttrType,
) -> Result<T, ReadError> {
    let mut value = T::default();
    let mut size = 0;
    check(unsafe {
        (ort::api().ReadOpAttr)(
            attr,
            kind,
            (&raw mut value).cast(),
            size_of::<T>(),
            &mut size,
        )
    })?;
    Ok(value)
}

fn read_array<T: Copy + Default>(
    attr: *const OrtOpAttr,
    kind: OrtOpAttrType,
) -> Result<Vec<T>, ReadError> {
    let api = ort::api();
    let mut size = 0;
    // The first call asks for the size: ORT answers with an error and sets it.
    let status = unsafe { (api.ReadOpAttr)(attr, kind, ptr::null_mut(), 0, &mut size) };
    if !status.0.is_null() {
        unsafe { (api.ReleaseStatus)(status.0) };
    }
    let mut out = vec![T::default(); size / size_of::<T>().max(1)];
    if size > 0 {
        check(unsafe { (api.ReadOpAttr)(attr, kind, out.as_mut_ptr().cast(), size, &mut size) })?;
    }
    Ok(out)
}

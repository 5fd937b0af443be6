//! Constant tensors as numbers: decoded from a `TensorProto`, computed on, encoded back.
//!
//! Folding evaluates shape arithmetic (`Shape -> Gather -> Unsqueeze -> Concat`, masks built
//! from `Range`), so values are held in three kinds wide enough for every ONNX element type
//! they can have: floats in `f64`, integers in `i64`, booleans. After every operation a value
//! is rounded back to its element type ([`Constant::new`]), so a float32 result is the float32
//! result: `+ - * /` and `sqrt` computed in f64 and rounded once to f32 equal the f32
//! operation, because f64 carries more than twice f32's precision.

use bytes::Bytes;
use half::{bf16, f16};
use ndarray::{ArrayD, IxDyn};

use crate::onnx::proto::{TensorProto, data_type};

/// The numbers of a tensor, by kind.
#[derive(Debug, Clone, PartialEq)]
pub enum Data {
    Float(ArrayD<f64>),
    Int(ArrayD<i64>),
    Bool(ArrayD<bool>),
}

impl Data {
    /// The dims.
    pub fn shape(&self) -> &[usize] {
        match self {
            Data::Float(a) => a.shape(),
            Data::Int(a) => a.shape(),
            Data::Bool(a) => a.shape(),
        }
    }
}

/// A constant tensor: its ONNX element type and its values.
#[derive(Debug, Clone, PartialEq)]
pub struct Constant {
    pub elem_type: i32,
    pub data: Data,
}

/// The element types a constant can have, by kind.
fn kind_of(elem_type: i32) -> Option<Kind> {
    use data_type::*;
    match elem_type {
        FLOAT | DOUBLE | FLOAT16 | BFLOAT16 => Some(Kind::Float),
        INT64 | INT32 | INT16 | INT8 | UINT64 | UINT32 | UINT16 | UINT8 => Some(Kind::Int),
        BOOL => Some(Kind::Bool),
        _ => None,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Float,
    Int,
    Bool,
}

/// Rounds a float to what `elem_type` can hold.
fn round_float(value: f64, elem_type: i32) -> f64 {
    match elem_type {
        data_type::FLOAT => f64::from(value as f32),
        data_type::FLOAT16 => f16::from_f64(value).to_f64(),
        data_type::BFLOAT16 => bf16::from_f64(value).to_f64(),
        _ => value,
    }
}

/// Wraps an integer to what `elem_type` can hold, as a C++ conversion does.
fn wrap_int(value: i64, elem_type: i32) -> i64 {
    match elem_type {
        data_type::INT32 => i64::from(value as i32),
        data_type::INT8 => i64::from(value as i8),
        data_type::UINT8 => i64::from(value as u8),
        data_type::INT16 => i64::from(value as i16),
        data_type::UINT16 => i64::from(value as u16),
        data_type::UINT32 => i64::from(value as u32),
        _ => value,
    }
}

impl Constant {
    /// A constant of `elem_type`, its values rounded or wrapped to that type. `None` when the
    /// kind of `data` does not fit `elem_type`.
    pub fn new(elem_type: i32, data: Data) -> Option<Self> {
        let data = match (kind_of(elem_type)?, data) {
            (Kind::Float, Data::Float(a)) => Data::Float(a.mapv(|v| round_float(v, elem_type))),
            (Kind::Int, Data::Int(a)) => Data::Int(a.mapv(|v| wrap_int(v, elem_type))),
            (Kind::Bool, Data::Bool(a)) => Data::Bool(a),
            _ => return None,
        };
        Some(Self { elem_type, data })
    }

    /// A 1-D int64 constant (a shape, axes).
    pub fn ints(values: Vec<i64>) -> Self {
        let len = values.len();
        Self {
            elem_type: data_type::INT64,
            data: Data::Int(ArrayD::from_shape_vec(IxDyn(&[len]), values).expect("1-D")),
        }
    }

    /// A scalar int64 constant (an index, a size).
    pub fn scalar_int(value: i64) -> Option<Self> {
        Constant::new(
            data_type::INT64,
            Data::Int(ArrayD::from_elem(IxDyn(&[]), value)),
        )
    }

    /// The dims.
    pub fn shape(&self) -> &[usize] {
        self.data.shape()
    }

    /// The number of elements.
    pub fn len(&self) -> usize {
        self.shape().iter().product()
    }

    /// Whether the tensor has no elements (a dim is 0).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The values as integers, for integer constants (shapes, axes, indices).
    pub fn as_ints(&self) -> Option<Vec<i64>> {
        match &self.data {
            Data::Int(a) => Some(a.iter().copied().collect()),
            _ => None,
        }
    }

    /// The single value of a one-element float constant.
    pub fn as_float_scalar(&self) -> Option<f64> {
        match &self.data {
            Data::Float(a) if a.len() == 1 => a.iter().next().copied(),
            _ => None,
        }
    }

    /// Converts to `to` as ONNX `Cast` does: floats to integers truncate toward zero, anything
    /// to bool is "not zero", bool to numbers is 0 or 1.
    pub fn cast(&self, to: i32) -> Option<Self> {
        let data = match (&self.data, kind_of(to)?) {
            (Data::Float(a), Kind::Float) => Data::Float(a.clone()),
            (Data::Float(a), Kind::Int) => Data::Int(a.mapv(|v| v.trunc() as i64)),
            (Data::Float(a), Kind::Bool) => Data::Bool(a.mapv(|v| v != 0.0)),
            (Data::Int(a), Kind::Float) => Data::Float(a.mapv(|v| v as f64)),
            (Data::Int(a), Kind::Int) => Data::Int(a.clone()),
            (Data::Int(a), Kind::Bool) => Data::Bool(a.mapv(|v| v != 0)),
            (Data::Bool(a), Kind::Float) => Data::Float(a.mapv(|v| f64::from(u8::from(v)))),
            (Data::Bool(a), Kind::Int) => Data::Int(a.mapv(i64::from)),
            (Data::Bool(a), Kind::Bool) => Data::Bool(a.clone()),
        };
        Constant::new(to, data)
    }

    /// Decodes a tensor stored in `raw_data` or the typed fields. `None` for element types
    /// folding never needs (strings, complex, 4-bit and 8-bit floats) and for data that does not
    /// match the dims (external data not loaded).
    pub fn from_tensor(tensor: &TensorProto) -> Option<Self> {
        let count = usize::try_from(tensor.element_count()).ok()?;
        let dims: Vec<usize> = tensor.dims.iter().map(|&d| d.max(0) as usize).collect();
        let raw = &tensor.raw_data;
        let from_raw = !raw.is_empty();
        let t = tensor.data_type;
        macro_rules! le {
            ($ty:ty) => {
                raw.chunks_exact(std::mem::size_of::<$ty>())
                    .map(|c| <$ty>::from_le_bytes(c.try_into().expect("chunk size")))
            };
        }
        let data = match t {
            data_type::FLOAT if from_raw => Data::Float(vec_to(dims, le!(f32).map(f64::from))?),
            data_type::FLOAT => Data::Float(vec_to(
                dims,
                tensor.float_data.iter().map(|&v| f64::from(v)),
            )?),
            data_type::DOUBLE if from_raw => Data::Float(vec_to(dims, le!(f64))?),
            data_type::DOUBLE => Data::Float(vec_to(dims, tensor.double_data.iter().copied())?),
            data_type::FLOAT16 | data_type::BFLOAT16 => {
                let bits: Vec<u16> = if from_raw {
                    le!(u16).collect()
                } else {
                    // The typed form keeps 16-bit floats' bits in `int32_data`.
                    tensor.int32_data.iter().map(|&v| v as u16).collect()
                };
                let widen = |b: u16| {
                    if t == data_type::FLOAT16 {
                        f16::from_bits(b).to_f64()
                    } else {
                        bf16::from_bits(b).to_f64()
                    }
                };
                Data::Float(vec_to(dims, bits.into_iter().map(widen))?)
            }
            data_type::INT64 if from_raw => Data::Int(vec_to(dims, le!(i64))?),
            data_type::INT64 => Data::Int(vec_to(dims, tensor.int64_data.iter().copied())?),
            data_type::UINT64 if from_raw => Data::Int(vec_to(dims, le!(u64).map(|v| v as i64))?),
            data_type::UINT64 => {
                Data::Int(vec_to(dims, tensor.uint64_data.iter().map(|&v| v as i64))?)
            }
            data_type::INT32 if from_raw => Data::Int(vec_to(dims, le!(i32).map(i64::from))?),
            data_type::UINT32 if from_raw => Data::Int(vec_to(dims, le!(u32).map(i64::from))?),
            data_type::INT16 if from_raw => Data::Int(vec_to(dims, le!(i16).map(i64::from))?),
            data_type::UINT16 if from_raw => Data::Int(vec_to(dims, le!(u16).map(i64::from))?),
            data_type::INT8 if from_raw => {
                Data::Int(vec_to(dims, raw.iter().map(|&b| i64::from(b as i8)))?)
            }
            data_type::UINT8 if from_raw => {
                Data::Int(vec_to(dims, raw.iter().map(|&b| i64::from(b)))?)
            }
            data_type::BOOL if from_raw => Data::Bool(vec_to(dims, raw.iter().map(|&b| b != 0))?),
            // The typed form of every integer type up to 32 bits, and of bool, is `int32_data`.
            data_type::BOOL => Data::Bool(vec_to(dims, tensor.int32_data.iter().map(|&v| v != 0))?),
            data_type::INT32
            | data_type::UINT32
            | data_type::INT16
            | data_type::UINT16
            | data_type::INT8
            | data_type::UINT8 => Data::Int(vec_to(
                dims,
                tensor.int32_data.iter().map(|&v| i64::from(v)),
            )?),
            _ => return None,
        };
        (data.shape().iter().product::<usize>() == count).then_some(())?;
        Constant::new(t, data)
    }

    /// Encodes as a tensor called `name`, little-endian in `raw_data`.
    pub fn to_tensor(&self, name: &str) -> TensorProto {
        let mut bytes: Vec<u8> = Vec::new();
        let t = self.elem_type;
        match &self.data {
            Data::Float(a) => {
                for &v in a.iter() {
                    match t {
                        data_type::FLOAT => bytes.extend((v as f32).to_le_bytes()),
                        data_type::FLOAT16 => bytes.extend(f16::from_f64(v).to_le_bytes()),
                        data_type::BFLOAT16 => bytes.extend(bf16::from_f64(v).to_le_bytes()),
                        _ => bytes.extend(v.to_le_bytes()),
                    }
                }
            }
            Data::Int(a) => {
                for &v in a.iter() {
                    match t {
                        data_type::INT32 => bytes.extend((v as i32).to_le_bytes()),
                        data_type::INT8 => bytes.push(v as i8 as u8),
                        data_type::UINT8 => bytes.push(v as u8),
                        data_type::INT16 => bytes.extend((v as i16).to_le_bytes()),
                        data_type::UINT16 => bytes.extend((v as u16).to_le_bytes()),
                        data_type::UINT32 => bytes.extend((v as u32).to_le_bytes()),
                        _ => bytes.extend(v.to_le_bytes()),
                    }
                }
            }
            Data::Bool(a) => bytes.extend(a.iter().map(|&v| u8::from(v))),
        }
        TensorProto {
            name: name.to_string(),
            dims: self.shape().iter().map(|&d| d as i64).collect(),
            data_type: t,
            raw_data: Bytes::from(bytes),
            ..TensorProto::default()
        }
    }
}

fn vec_to<T>(dims: Vec<usize>, values: impl Iterator<Item = T>) -> Option<ArrayD<T>> {
    ArrayD::from_shape_vec(IxDyn(&dims), values.collect()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_rounds_to_the_element_type() {
        let ints = Constant::ints(vec![1, -2, 3]);
        let back = Constant::from_tensor(&ints.to_tensor("x")).unwrap();
        assert_eq!(back, ints);
        let third = Constant::new(
            data_type::FLOAT,
            Data::Float(ArrayD::from_elem(IxDyn(&[]), 1.0 / 3.0)),
        )
        .unwrap();
        assert_eq!(third.as_float_scalar(), Some(f64::from(1.0f32 / 3.0)));
        let half = third.cast(data_type::FLOAT16).unwrap();
        let decoded = Constant::from_tensor(&half.to_tensor("h")).unwrap();
        assert_eq!(decoded, half);
        assert_eq!(
            Constant::from_tensor(&third.cast(data_type::INT64).unwrap().to_tensor("i"))
                .unwrap()
                .as_ints(),
            Some(vec![0])
        );
        // Typed fields, as other tools write them.
        let typed = TensorProto {
            dims: vec![2],
            data_type: data_type::INT32,
            int32_data: vec![7, -1],
            ..TensorProto::default()
        };
        assert_eq!(
            Constant::from_tensor(&typed).unwrap().as_ints(),
            Some(vec![7, -1])
        );
        // Data that does not fill the dims is not a constant we can use.
        let short = TensorProto {
            dims: vec![3],
            ..typed
        };
        assert!(Constant::from_tensor(&short).is_none());
    }
}

//! Real inputs as numpy's `.npz` files, written the way `numpy.savez` does, for the tests of
//! `--inputs FILE.npz`.

// Each test crate includes this module and uses a different part of it.
#![allow(dead_code)]

use std::path::Path;

use ndarray::{ArrayD, IxDyn};

/// Writes `arrays` into an `.npz` at `path`, each named after the model input it feeds.
pub fn write_npz(path: &Path, arrays: &[(&str, ArrayD<i64>)]) {
    let mut npz = ndarray_npy::NpzWriter::new(std::fs::File::create(path).unwrap());
    for (name, array) in arrays {
        npz.add_array(*name, array).unwrap();
    }
    npz.finish().unwrap();
}

/// A BERT's three inputs of `shape` (token ids below 60, a full mask, one segment).
pub fn bert_inputs(shape: &[usize]) -> Vec<(&'static str, ArrayD<i64>)> {
    let last = shape.len() - 1;
    let shape = IxDyn(shape);
    vec![
        (
            "input_ids",
            ArrayD::from_shape_fn(shape.clone(), |i| (i[last] * 3 % 60) as i64),
        ),
        ("attention_mask", ArrayD::from_elem(shape.clone(), 1i64)),
        ("token_type_ids", ArrayD::from_elem(shape, 0i64)),
    ]
}

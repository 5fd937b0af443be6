//! The library ONNX Runtime loads for the stand-in CoreML EP (compiled by `build.rs` as a
//! cdylib of its own, not a module of epbench).
//!
//! ORT creates plugin EPs only through a shared library's `CreateEpFactories`
//! (`onnxruntime_ep_c_api.h`). The EP itself lives in epbench (`partitions::stand_in`), in the
//! same process: epbench registers this library under a name ending in `@<address>`, the address
//! of its `OrtEpFactory`, and this function hands that factory to ORT. Nothing else is here.

use std::ffi::{CStr, c_char, c_void};

/// ORT's `CreateEpApiFactoriesFn`.
///
/// # Safety
/// Called by ONNX Runtime with a NUL-terminated registration name and room for
/// `max_factories` pointers in `factories`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn CreateEpFactories(
    registration_name: *const c_char,
    _ort_api_base: *const c_void,
    _default_logger: *const c_void,
    factories: *mut *mut c_void,
    max_factories: usize,
    num_factories: *mut usize,
) -> *mut c_void {
    let name = unsafe { CStr::from_ptr(registration_name) }.to_string_lossy();
    let address = name
        .rsplit_once('@')
        .and_then(|(_, hex)| usize::from_str_radix(hex, 16).ok())
        .unwrap_or(0);
    let count = usize::from(address != 0 && max_factories > 0);
    if count == 1 {
        unsafe { *factories = address as *mut c_void };
    }
    unsafe { *num_factories = count };
    std::ptr::null_mut()
}

/// ORT's `ReleaseEpApiFactoryFn`: the factory is a static of epbench, nothing to free.
///
/// # Safety
/// Called by ONNX Runtime with a factory this library returned.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ReleaseEpFactory(_factory: *mut c_void) -> *mut c_void {
    std::ptr::null_mut()
}

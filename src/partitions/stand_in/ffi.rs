//! The parts of ONNX Runtime's plugin EP ABI (`include/onnxruntime/core/session/
//! onnxruntime_ep_c_api.h`, API version 23, ORT 1.23) that `ort-sys` leaves opaque: the tables
//! an EP library fills in (`OrtEpFactory`, `OrtEp`, `OrtNodeComputeInfo`,
//! `OrtNodeFusionOptions`) and the first entries of ORT's `OrtEpApi`.
//!
//! Each table starts with `ort_version_supported`; ORT reads no entry newer than that version,
//! so the tables end with the last entry of version 23.

use std::ffi::{c_char, c_void};

use ort::sys::{
    OrtGraph, OrtHardwareDevice, OrtKeyValuePairs, OrtLogger, OrtNode, OrtSessionOptions, OrtStatus,
};

/// The ABI version of the tables below.
pub const VERSION: u32 = 23;

/// An opaque ORT object passed through by pointer.
pub type Opaque = c_void;

/// `OrtStatus*`: null for success.
pub type Status = *mut OrtStatus;

/// `OrtEpApi`, up to `EpGraphSupportInfo_AddNodesToFuse` (the entries are in header order).
#[repr(C)]
pub struct EpApi {
    pub create_ep_device: unsafe extern "system" fn(
        factory: *mut EpFactory,
        hardware_device: *const OrtHardwareDevice,
        ep_metadata: *const OrtKeyValuePairs,
        ep_options: *const OrtKeyValuePairs,
        ep_device: *mut *mut Opaque,
    ) -> Status,
    pub release_ep_device: unsafe extern "system" fn(device: *mut Opaque),
    pub add_nodes_to_fuse: unsafe extern "system" fn(
        graph_support_info: *mut Opaque,
        nodes: *const *const OrtNode,
        num_nodes: usize,
        node_fusion_options: *const NodeFusionOptions,
    ) -> Status,
}

/// `OrtNodeFusionOptions`.
#[repr(C)]
pub struct NodeFusionOptions {
    pub ort_version_supported: u32,
    pub drop_constant_initializers: bool,
}

/// `OrtNodeComputeInfo`.
#[repr(C)]
pub struct NodeComputeInfo {
    pub ort_version_supported: u32,
    pub create_state: unsafe extern "system" fn(
        this: *mut NodeComputeInfo,
        compute_context: *mut Opaque,
        compute_state: *mut *mut c_void,
    ) -> Status,
    pub compute: unsafe extern "system" fn(
        this: *mut NodeComputeInfo,
        compute_state: *mut c_void,
        kernel_context: *mut Opaque,
    ) -> Status,
    pub release_state: unsafe extern "system" fn(this: *mut NodeComputeInfo, state: *mut c_void),
}

/// `OrtEp` as of version 23.
#[repr(C)]
pub struct Ep {
    pub ort_version_supported: u32,
    pub get_name: unsafe extern "system" fn(this: *const Ep) -> *const c_char,
    pub get_capability: unsafe extern "system" fn(
        this: *mut Ep,
        graph: *const OrtGraph,
        graph_support_info: *mut Opaque,
    ) -> Status,
    pub compile: unsafe extern "system" fn(
        this: *mut Ep,
        graphs: *const *const OrtGraph,
        fused_nodes: *const *const OrtNode,
        count: usize,
        node_compute_infos: *mut *mut NodeComputeInfo,
        ep_context_nodes: *mut *mut OrtNode,
    ) -> Status,
    pub release_node_compute_infos:
        unsafe extern "system" fn(this: *mut Ep, infos: *mut *mut NodeComputeInfo, count: usize),
    // The optional entries of version 23 (layout, dynamic options, runs, allocators, streams,
    // compatibility strings): null, which ORT reads as "not implemented".
    pub optional: [Option<unsafe extern "system" fn()>; 8],
}

/// `OrtEpFactory` as of version 23.
#[repr(C)]
pub struct EpFactory {
    pub ort_version_supported: u32,
    pub get_name: unsafe extern "system" fn(this: *const EpFactory) -> *const c_char,
    pub get_vendor: unsafe extern "system" fn(this: *const EpFactory) -> *const c_char,
    pub get_supported_devices: unsafe extern "system" fn(
        this: *mut EpFactory,
        devices: *const *const OrtHardwareDevice,
        num_devices: usize,
        ep_devices: *mut *mut Opaque,
        max_ep_devices: usize,
        num_ep_devices: *mut usize,
    ) -> Status,
    pub create_ep: unsafe extern "system" fn(
        this: *mut EpFactory,
        devices: *const *const OrtHardwareDevice,
        ep_metadata_pairs: *const *const OrtKeyValuePairs,
        num_devices: usize,
        session_options: *const OrtSessionOptions,
        logger: *const OrtLogger,
        ep: *mut *mut Ep,
    ) -> Status,
    pub release_ep: unsafe extern "system" fn(this: *mut EpFactory, ep: *mut Ep),
    pub get_vendor_id: unsafe extern "system" fn(this: *const EpFactory) -> u32,
    pub get_version: unsafe extern "system" fn(this: *const EpFactory) -> *const c_char,
    pub validate_compiled_model_compatibility_info: unsafe extern "system" fn(
        this: *mut EpFactory,
        devices: *const *const OrtHardwareDevice,
        num_devices: usize,
        compatibility_info: *const c_char,
        model_compatibility: *mut i32,
    ) -> Status,
    pub create_allocator: unsafe extern "system" fn(
        this: *mut EpFactory,
        memory_info: *const Opaque,
        allocator_options: *const OrtKeyValuePairs,
        allocator: *mut *mut Opaque,
    ) -> Status,
    pub release_allocator: unsafe extern "system" fn(this: *mut EpFactory, allocator: *mut Opaque),
    pub create_data_transfer:
        unsafe extern "system" fn(this: *mut EpFactory, data_transfer: *mut *mut Opaque) -> Status,
    pub is_stream_aware: unsafe extern "system" fn(this: *const EpFactory) -> bool,
    pub create_sync_stream_for_device: unsafe extern "system" fn(
        this: *mut EpFactory,
        memory_device: *const Opaque,
        stream_options: *const OrtKeyValuePairs,
        stream: *mut *mut Opaque,
    ) -> Status,
}

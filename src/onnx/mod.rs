//! ONNX models as data: the protobuf messages ([`proto`]), reading and writing files ([`io`],
//! with weights in a separate file: [`external`]), and a small graph-building DSL ([`builder`]) that names nodes the way `torch.onnx.export`
//! does.

pub mod builder;
mod error;
pub mod external;
pub mod io;
pub mod proto;

pub use builder::{Dim, ElemType, FloatType, GraphBuilder};
pub use error::OnnxError;
pub use io::{read_model, write_model};
pub use proto::ModelProto;

//! Naming a model on the command line: a zoo variant or a file.

use std::path::{Path, PathBuf};

use super::WorkloadError;
use crate::zoo::{self, Variant};

/// A model as the user named it.
#[derive(Debug, Clone, PartialEq)]
pub enum ModelRef {
    /// A catalogue variant, built into the models folder on first use.
    Variant(Variant),
    /// An existing file; if its name is a zoo variant's, the zoo's inputs are used.
    File(PathBuf),
}

/// A model file ready to load, and the variant it is (when known).
#[derive(Debug, Clone, PartialEq)]
pub struct ResolvedModel {
    pub path: PathBuf,
    pub variant: Option<Variant>,
}

impl ModelRef {
    /// An existing path wins; otherwise the text must name a zoo variant.
    pub fn parse(input: &str) -> Result<Self, WorkloadError> {
        let path = Path::new(input);
        if path.exists() {
            return Ok(ModelRef::File(path.to_path_buf()));
        }
        input
            .parse::<Variant>()
            .map(ModelRef::Variant)
            .map_err(|_| WorkloadError::UnknownModel {
                input: input.to_string(),
            })
    }

    /// The file to load, building a zoo variant into `models_dir` if needed.
    pub fn resolve(&self, models_dir: &Path) -> Result<ResolvedModel, WorkloadError> {
        match self {
            ModelRef::Variant(variant) => Ok(ResolvedModel {
                path: zoo::build(*variant, models_dir)?,
                variant: Some(*variant),
            }),
            ModelRef::File(path) => Ok(ResolvedModel {
                variant: path
                    .file_name()
                    .and_then(|name| Variant::from_file_name(&name.to_string_lossy()).ok()),
                path: path.clone(),
            }),
        }
    }

    /// A short name for reports.
    pub fn display_name(&self) -> String {
        match self {
            ModelRef::Variant(variant) => variant.to_string(),
            ModelRef::File(path) => path.display().to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_paths() {
        assert!(matches!(
            ModelRef::parse("tiny-systems-bert_gelu_fp32_static_b1_s128").unwrap(),
            ModelRef::Variant(_)
        ));
        let err = ModelRef::parse("no-such-model.onnx").unwrap_err();
        assert!(
            err.to_string()
                .contains("neither an existing file nor a zoo model"),
            "{err}"
        );
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("tiny-systems-bert_gelu_fp32_dynamic.onnx");
        std::fs::write(&file, b"x").unwrap();
        let resolved = ModelRef::parse(file.to_str().unwrap())
            .unwrap()
            .resolve(dir.path())
            .unwrap();
        assert_eq!(
            resolved.variant.map(|v| v.to_string()).as_deref(),
            Some("tiny-systems-bert_gelu_fp32_dynamic")
        );
    }
}

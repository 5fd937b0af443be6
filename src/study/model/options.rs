//! The EP's options matrix: every CoreML model format × compute units × static-shape setting,
//! or every OpenVINO device the loaded runtime has.

use crate::runtime::{
    ComputeUnits, CoreMlOptions, Ep, EpKind, ModelFormat, OpenVinoOptions, Runtime,
};

/// OpenVINO devices tried; those the runtime cannot open are left out of the matrix.
const OPENVINO_DEVICES: [&str; 3] = ["CPU", "GPU", "NPU"];

/// The configurations of one EP, its default first.
#[derive(Debug, Clone, PartialEq)]
pub struct Configurations {
    /// The EP with ORT's default options: what the study compares with the CPU first.
    pub default: Ep,
    /// The other configurations, in matrix order.
    pub others: Vec<Ep>,
    /// Configurations the loaded runtime cannot use, with ORT's reason.
    pub absent: Vec<(Ep, String)>,
}

impl Configurations {
    /// The matrix for `kind` on `runtime`. CoreML's configurations are all listed (each states
    /// what can be measured here); OpenVINO's devices are probed and the absent ones set aside.
    pub fn of(kind: EpKind, runtime: &Runtime) -> Self {
        let default = kind.default_ep();
        let mut others = Vec::new();
        let mut absent = Vec::new();
        match kind {
            EpKind::Cpu => {}
            EpKind::CoreMl => {
                others.extend(coreml_matrix().into_iter().filter(|ep| *ep != default))
            }
            EpKind::OpenVino => {
                for device in OPENVINO_DEVICES {
                    let ep = Ep::OpenVino(OpenVinoOptions {
                        device: device.into(),
                        ..OpenVinoOptions::default()
                    });
                    if ep == default {
                        continue;
                    }
                    match runtime.availability(&ep).reason() {
                        None => others.push(ep),
                        Some(reason) => absent.push((ep, reason.to_string())),
                    }
                }
            }
        }
        Self {
            default,
            others,
            absent,
        }
    }

    /// Every configuration, the default first.
    pub fn all(&self) -> impl Iterator<Item = &Ep> {
        std::iter::once(&self.default).chain(&self.others)
    }
}

/// CoreML's matrix: model format × compute units × static shapes, ORT's default first.
pub fn coreml_matrix() -> Vec<Ep> {
    let mut matrix = Vec::new();
    for format in [ModelFormat::NeuralNetwork, ModelFormat::MlProgram] {
        for units in ComputeUnits::ALL {
            for static_shapes in [false, true] {
                matrix.push(Ep::CoreMl(CoreMlOptions {
                    format,
                    units,
                    static_shapes,
                    ..CoreMlOptions::default()
                }));
            }
        }
    }
    matrix
}

/// A configuration as the report names it: its options without the EP's name, `default` for
/// ORT's defaults (`format=mlprogram,units=cpu_only`, `device=GPU`).
pub fn label(ep: &Ep) -> String {
    let text = ep.to_string();
    match text.split_once(':') {
        Some((_, options)) => options.to_string(),
        None => "default".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coreml_has_sixteen_configurations_with_the_default_first() {
        let matrix = coreml_matrix();
        assert_eq!(matrix.len(), 2 * 4 * 2);
        assert_eq!(matrix[0], EpKind::CoreMl.default_ep());
        let mut labels: Vec<String> = matrix.iter().map(label).collect();
        labels.sort();
        labels.dedup();
        assert_eq!(labels.len(), 16, "{labels:?}");
    }

    #[test]
    fn labels_name_only_the_options_that_differ() {
        assert_eq!(label(&EpKind::CoreMl.default_ep()), "default");
        let ep: Ep = "coreml:format=mlprogram,units=cpu_only,static_shapes=1"
            .parse()
            .unwrap();
        assert_eq!(
            label(&ep),
            "format=mlprogram,units=cpu_only,static_shapes=1"
        );
        assert_eq!(label(&"openvino:device=GPU".parse().unwrap()), "device=GPU");
    }
}

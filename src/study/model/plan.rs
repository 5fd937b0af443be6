//! The study's cases for the user's models: for each model, EP vs CPU with the EP's defaults,
//! the rest of the options matrix, each intervention on the CPU and the EP, batch scaling, and
//! cold start per configuration. Ids read `<ep>/<finding>/<label>/<provider>` as the zoo's do.

use std::sync::Arc;

use crate::rewrite::RewriteKind;
use crate::runtime::{Ep, EpKind, SessionConfig};
use crate::suite::{BenchCase, Cost, Finding, Settings, Timing, Workload};
use crate::workload::ModelFile;

use super::load::LoadedModel;
use super::options::{Configurations, label};

/// The finding a rewrite's variant belongs to, as in the zoo's study (4.3, 4.4, 4.5).
pub fn finding_of(rewrite: RewriteKind) -> Finding {
    match rewrite {
        RewriteKind::FixDims => Finding::Shapes,
        RewriteKind::GeluTanh => Finding::Activation,
        RewriteKind::ToFp32 | RewriteKind::ToFp16 => Finding::Dtype,
    }
}

/// The label of `model` on a configuration of the options matrix: `<model>+<options>`.
pub fn options_label(model: &str, ep: &Ep) -> String {
    format!("{model}+{}", label(ep))
}

struct Planner<'a> {
    study: EpKind,
    settings: &'a Settings,
    cases: Vec<BenchCase<Workload>>,
}

impl Planner<'_> {
    fn push(
        &mut self,
        finding: Finding,
        label: String,
        file: &Arc<ModelFile>,
        ep: &Ep,
        (timing, cost): (Timing, Cost),
    ) {
        self.cases.push(BenchCase {
            study: self.study,
            finding,
            label,
            variant: Workload::File(Arc::clone(file)),
            session: SessionConfig::new(ep.clone()).intra_threads(self.settings.intra_threads),
            timing,
            batch: file.batch,
            cost: match timing {
                Timing::Run => cost,
                Timing::SessionCreate => Cost::ColdStart,
            },
        });
    }
}

/// Every case of the study of `models` on the EP of `configurations`.
pub fn plan(
    models: &[LoadedModel],
    configurations: &Configurations,
    settings: &Settings,
) -> Vec<BenchCase<Workload>> {
    let mut p = Planner {
        study: configurations.default.kind(),
        settings,
        cases: Vec::new(),
    };
    let both = [Ep::Cpu, configurations.default.clone()];
    for model in models {
        let run = (Timing::Run, model.cost);
        let cold = (Timing::SessionCreate, model.cost);
        let original = &model.original;
        for ep in &both {
            p.push(Finding::EpVsCpu, model.name.clone(), original, ep, run);
        }
        for ep in &configurations.others {
            let label = options_label(&model.name, ep);
            p.push(Finding::Options, label, original, ep, run);
        }
        for intervention in &model.interventions {
            let Ok(file) = &intervention.file else {
                continue;
            };
            for ep in &both {
                let finding = finding_of(intervention.kind);
                p.push(finding, intervention.name.clone(), file, ep, run);
            }
        }
        for file in &model.batches {
            for ep in &both {
                p.push(Finding::Batch, file.name.clone(), file, ep, run);
            }
        }
        for ep in &both {
            p.push(
                Finding::SessionCreate,
                model.name.clone(),
                original,
                ep,
                cold,
            );
        }
        for ep in &configurations.others {
            let label = options_label(&model.name, ep);
            p.push(Finding::SessionCreate, label, original, ep, cold);
        }
    }
    p.cases
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::onnx::FloatType;
    use crate::rewrite::Survey;
    use crate::study::model::options::coreml_matrix;
    use crate::study::model::variants::{Intervention, batches};
    use crate::workload::{InputShapes, InputSource, Reference};

    fn model() -> LoadedModel {
        let shapes = InputShapes::new(vec![("input_ids".into(), vec![1, 16])]);
        let original = ModelFile {
            name: "bert".into(),
            path: "bert.onnx".into(),
            inputs: InputSource::Synthesised(shapes.clone()),
            batch: 1,
            dtype: FloatType::F32,
            approximates_gelu: false,
            reference: Reference {
                name: "bert".into(),
                path: "bert.onnx".into(),
                dtype: FloatType::F32,
            },
        };
        let dims = ModelFile {
            name: "bert+fix-dims".into(),
            path: "bert+fix-dims.onnx".into(),
            ..original.clone()
        };
        LoadedModel {
            name: "bert".into(),
            batches: batches(&original, &shapes),
            original: Arc::new(original),
            survey: Survey::default(),
            shapes,
            batch_dim: Some("batch".into()),
            interventions: vec![
                Intervention {
                    kind: RewriteKind::FixDims,
                    name: "bert+fix-dims".into(),
                    summary: "fixed".into(),
                    file: Ok(Arc::new(dims)),
                },
                Intervention {
                    kind: RewriteKind::GeluTanh,
                    name: "bert+gelu-tanh".into(),
                    summary: "not made: a cycle".into(),
                    file: Err("a cycle".into()),
                },
            ],
            cost: Cost::Light,
        }
    }

    #[test]
    fn every_configuration_variant_and_batch_is_a_case_with_its_own_id() {
        let matrix = coreml_matrix();
        let configurations = Configurations {
            default: matrix[0].clone(),
            others: matrix[1..].to_vec(),
            absent: Vec::new(),
        };
        let settings = Settings {
            quick: true,
            intra_threads: 2,
        };
        let cases = plan(&[model()], &configurations, &settings);
        let count = |finding: Finding| cases.iter().filter(|c| c.finding == finding).count();
        assert_eq!(count(Finding::EpVsCpu), 2);
        assert_eq!(count(Finding::Options), 15);
        // The rewrite that could not be made has no rows; the one that was made has two.
        assert_eq!(count(Finding::Shapes), 2);
        assert_eq!(count(Finding::Activation), 0);
        assert_eq!(count(Finding::Batch), 8);
        // Cold start: the CPU and every CoreML configuration.
        assert_eq!(count(Finding::SessionCreate), 2 + 15);
        let mut ids: Vec<String> = cases.iter().map(BenchCase::id).collect();
        assert!(ids.contains(&"coreml/options/bert+format=mlprogram,units=cpu_only/coreml".into()));
        assert!(ids.contains(&"coreml/batch/bert+batch8/cpu".into()));
        let total = ids.len();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), total, "duplicate ids");
        for case in &cases {
            assert_eq!(case.id().split('/').count(), 4, "{}", case.id());
            let expected = match case.timing {
                Timing::Run => Cost::Light,
                Timing::SessionCreate => Cost::ColdStart,
            };
            assert_eq!(case.cost, expected, "{}", case.id());
        }
        let batch8 = cases.iter().find(|c| c.label == "bert+batch8").unwrap();
        assert_eq!(batch8.batch, 8);
    }
}

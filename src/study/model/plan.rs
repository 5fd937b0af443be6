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

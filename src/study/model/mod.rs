//! The study for the user's own models: `epbench study --ep EP --model FILE...` answers "for my
//! model, on this machine: which EP, which options, and what should I change in the graph?"
//!
//! The models become the study's cases and go through the study's one runner
//! ([`super::run`]): timed with the same settings, outputs checked against the CPU before
//! timing, partitions measured or predicted, results in the same files. This module supplies
//! what is particular to them:
//!
//! - [`load`]: each model must load and run on the CPU EP with its inputs (synthesised with
//!   `--dims`, or an `.npz`), else a clear error before anything is measured;
//! - [`variants`]: `epbench fix`'s rewrites the model has work for, written as variants, and
//!   the model at batch 1, 2, 4 and 8 when its batch dim is dynamic;
//! - [`options`]: the EP's options matrix; [`plan`]: the cases;
//! - after timing, [`ModelSet::analyse`] and [`ModelSet::conclude`]: each configuration against
//!   the CPU, each intervention against the model as given, the matrix's partitions, and the
//!   [`verdict`];
//! - [`report`] writes report.md; [`results`] is its part of results.json.

pub mod load;
pub mod options;
pub mod plan;
pub mod report;
pub mod results;
pub mod variants;
pub mod verdict;

use std::path::{Path, PathBuf};

use crate::baseline::noise::NoiseModel;
use crate::measure::partitions;
use crate::rewrite::RewriteKind;
use crate::runtime::{Ep, EpKind};
use crate::suite::{BenchCase, Finding, Settings, Workload};

use super::analysis::{self, Analysis, BetweenRunNoise};
use super::progress::Progress;
use super::results::{PartitionNumbers, PartitionOutcome, PartitionRow, Row, Subject};

pub use load::{LoadedModel, ModelRequest};
pub use results::{ModelStudy, ModelSummary, ModelVerdict};

use options::Configurations;
use plan::{finding_of, options_label};
use results::{AbsentConfiguration, InterventionSummary, OptionsRow};
use verdict::{Candidate, Evidence, InterventionEvidence};

/// Why the user's models cannot be studied (each is a usage or load error, exit code 2).
#[derive(Debug, thiserror::Error)]
pub enum ModelStudyError {
    #[error("--model {}: {reason}", path.display())]
    Model { path: PathBuf, reason: String },
    #[error(
        "--dims names `{name}`, but no input has a dim of that name; the named dims are {known}"
    )]
    UnknownDim { name: String, known: String },
    #[error("{0}")]
    Usage(String),
    #[error(transparent)]
    Workload(#[from] crate::workload::WorkloadError),
    #[error(transparent)]
    Runtime(#[from] crate::Error),
}

/// The user's models, loaded and checked, with their variants written, and the EP's options
/// matrix: what the study's cases are made of.
#[derive(Debug, Clone)]
pub struct ModelSet {
    configurations: Configurations,
    models: Vec<LoadedModel>,
}

impl ModelSet {
    /// Loads the models of `request` for a study of `ep` on the loaded runtime, writing their
    /// variants into `variants_dir`.
    pub fn load(
        request: &ModelRequest,
        ep: EpKind,
        variants_dir: &Path,
        intra_threads: usize,
    ) -> Result<Self, ModelStudyError> {
        if ep == EpKind::Cpu {
            return Err(ModelStudyError::Usage(
                "--model studies a model on an accelerator EP against the CPU: give --ep coreml \
                 or --ep openvino"
                    .into(),
            ));
        }
        let runtime = crate::runtime::global()?;
        let configurations = Configurations::of(ep, runtime);
        let models = load::load_all(
            request,
            &configurations.default,
            variants_dir,
            intra_threads,
        )?;
        Ok(Self {
            configurations,
            models,
        })
    }

    /// The models, in the order given.
    pub fn models(&self) -> &[LoadedModel] {
        &self.models
    }

    /// Every case of the study, in report order.
    pub fn plan(&self, settings: &Settings) -> Vec<BenchCase<Workload>> {
        plan::plan(&self.models, &self.configurations, settings)
    }

    /// The comparisons the rows support, model by model: the study's own (EP vs CPU, batch
    /// scaling), every configuration of the options matrix against the CPU, and every
    /// intervention against the model as given, on the CPU and on the EP.
    pub fn analyse(&self, rows: &[Row], noise: Option<&BetweenRunNoise>) -> Analysis {
        let model = noise.map(|n| &n.model);
        let mut all = Analysis {
            between_run_noise: noise.map(|n| n.source.clone()),
            ..Analysis::default()
        };
        for m in &self.models {
            let own = ModelRows::of(m, rows);
            all.comparisons
                .extend(analysis::analyse_rows(&own.rows, noise).comparisons);
            let Some(cpu) = own.find(Finding::EpVsCpu, &m.name, EpKind::Cpu) else {
                continue;
            };
            let ep = self.configurations.default.kind();
            let mut add = |finding: Finding, baseline: &Row, candidate: &Row| {
                let question = format!(
                    "{} on {} vs {} on {}",
                    candidate.provider, candidate.label, baseline.provider, baseline.label
                );
                all.comparisons.extend(analysis::compare(
                    finding, baseline, candidate, question, model,
                ));
            };
            for row in own.rows.iter().filter(|r| r.finding == Finding::Options) {
                add(Finding::Options, cpu, row);
            }
            let ep_default = own.find(Finding::EpVsCpu, &m.name, ep);
            for i in &m.interventions {
                let finding = finding_of(i.kind);
                if let Some(on_cpu) = own.find(finding, &i.name, EpKind::Cpu) {
                    add(finding, cpu, on_cpu);
                }
                if let Some(on_ep) = own.find(finding, &i.name, ep) {
                    add(finding, cpu, on_ep);
                    if let Some(original) = ep_default {
                        add(finding, original, on_ep);
                    }
                }
            }
        }
        all
    }

    /// After timing: the options matrix's partitions (measured where the EP partitions here,
    /// predicted otherwise), and each model's summary and verdict from `rows`, the runner's
    /// `partitions` and the `analysis`.
    pub fn conclude(
        &self,
        rows: &[Row],
        partitions: &[PartitionRow],
        (analysis, noise): (&Analysis, Option<&BetweenRunNoise>),
        profiles_dir: &Path,
        progress: &Progress,
    ) -> ModelStudy {
        let noise = noise.map(|n| &n.model);
        let phase = progress.phase(
            "options",
            self.models.len() * (1 + self.configurations.others.len()),
        );
        let models = self
            .models
            .iter()
            .map(|m| {
                let own = ModelRows::of(m, rows);
                let options: Vec<OptionsRow> = self
                    .configurations
                    .all()
                    .map(|ep| {
                        phase.working_on(&format!("{} on {ep}", m.name));
                        let row = self.options_row(m, ep, &own, partitions, profiles_dir);
                        phase.step();
                        row
                    })
                    .collect();
                let verdict = self.verdict(m, &own, &options, partitions, analysis, noise);
                summary(m, options, verdict)
            })
            .collect();
        phase.finish();
        ModelStudy {
            models,
            absent_configurations: self
                .configurations
                .absent
                .iter()
                .map(|(ep, reason)| AbsentConfiguration {
                    ep: ep.clone(),
                    reason: reason.clone(),
                })
                .collect(),
        }
    }

    fn options_row(
        &self,
        m: &LoadedModel,
        ep: &Ep,
        own: &ModelRows<'_>,
        partitions: &[PartitionRow],
        profiles_dir: &Path,
    ) -> OptionsRow {
        let default = *ep == self.configurations.default;
        let (finding, label) = if default {
            (Finding::EpVsCpu, m.name.clone())
        } else {
            (Finding::Options, options_label(&m.name, ep))
        };
        let id = |finding: Finding| own.find(finding, &label, ep.kind()).map(|r| r.id.clone());
        // The runner measured (or predicted) the default configuration already.
        let known = default
            .then(|| partitions_of(partitions, &m.name))
            .flatten()
            .cloned();
        OptionsRow {
            ep: ep.clone(),
            label: options::label(ep),
            run: id(finding),
            cold_start: id(Finding::SessionCreate),
            partitions: known
                .unwrap_or_else(|| measure_partitions(m, ep, &profiles_dir.join(&label))),
        }
    }

    fn verdict<'a>(
        &self,
        m: &LoadedModel,
        own: &ModelRows<'a>,
        options: &[OptionsRow],
        partitions: &[PartitionRow],
        analysis: &Analysis,
        noise: Option<&'a NoiseModel>,
    ) -> ModelVerdict {
        let ep = self.configurations.default.kind();
        let Some(cpu) = own.find(Finding::EpVsCpu, &m.name, EpKind::Cpu) else {
            return verdict::unselected();
        };
        let ep_default = own.find(Finding::EpVsCpu, &m.name, ep);
        let cannot_execute = crate::runtime::global().ok().and_then(|r| {
            r.availability(&self.configurations.default)
                .reason()
                .map(str::to_string)
        });
        let mut candidates: Vec<Candidate<'_>> = Vec::new();
        let mut candidate =
            |configuration: String, rewrite: Option<RewriteKind>, row: Option<&'a Row>| {
                if let Some(row) = row {
                    candidates.push(Candidate {
                        configuration,
                        rewrite,
                        row,
                    });
                }
            };
        candidate(format!("{ep} (default options)"), None, ep_default);
        for ep in &self.configurations.others {
            let label = options_label(&m.name, ep);
            candidate(
                ep.to_string(),
                None,
                own.find(Finding::Options, &label, ep.kind()),
            );
        }
        let mut interventions = Vec::new();
        for i in &m.interventions {
            let finding = finding_of(i.kind);
            let (on_cpu, on_ep) = (
                own.find(finding, &i.name, EpKind::Cpu),
                own.find(finding, &i.name, ep),
            );
            let rewrite = Some(i.kind);
            candidate(
                format!("{ep} (default options) on {}", i.name),
                rewrite,
                on_ep,
            );
            candidate(format!("the CPU on {}", i.name), rewrite, on_cpu);
            interventions.push(InterventionEvidence {
                rewrite: i.kind,
                not_made: i.file.as_ref().err().map(String::as_str),
                cpu: on_cpu,
                ep: on_ep,
                before: known(partitions_of(partitions, &m.name)),
                after: known(partitions_of(partitions, &i.name)),
            });
        }
        verdict::judge(&Evidence {
            ep,
            cpu,
            ep_default,
            candidates,
            interventions,
            partitions: options
                .iter()
                .map(|o| (o.ep.to_string(), &o.partitions))
                .collect(),
            comparisons: &analysis.comparisons,
            cannot_execute: cannot_execute.as_deref(),
            noise,
        })
    }
}

/// The rows of one model: the model as given and its variants (labels `<name>` and
/// `<name>+...`; names have no `+` of their own).
struct ModelRows<'a> {
    rows: Vec<&'a Row>,
}

impl<'a> ModelRows<'a> {
    fn of(model: &LoadedModel, rows: &'a [Row]) -> Self {
        let prefix = format!("{}+", model.name);
        Self {
            rows: rows
                .iter()
                .filter(|r| r.label == model.name || r.label.starts_with(&prefix))
                .collect(),
        }
    }

    fn find(&self, finding: Finding, label: &str, provider: EpKind) -> Option<&'a Row> {
        self.rows
            .iter()
            .copied()
            .find(|r| r.finding == finding && r.label == label && r.provider == provider)
    }
}

fn partitions_of<'a>(partitions: &'a [PartitionRow], name: &str) -> Option<&'a PartitionOutcome> {
    partitions
        .iter()
        .find(|p| p.variant == Subject::File(name.to_string()))
        .map(|p| &p.outcome)
}

fn known(outcome: Option<&PartitionOutcome>) -> Option<&PartitionNumbers> {
    match outcome {
        Some(PartitionOutcome::Known(n)) => Some(n),
        _ => None,
    }
}

/// The partitions of the model as given on `ep`, through the one entry point: measured where
/// the EP partitions here, predicted for CoreML otherwise.
fn measure_partitions(m: &LoadedModel, ep: &Ep, profile_prefix: &Path) -> PartitionOutcome {
    partitions::on_ep(&m.original.path, ep, profile_prefix, |session| {
        Ok(m.original.inputs_for(session)?)
    })
    .transpose()
    .map_or_else(
        || PartitionOutcome::Failed {
            reason: "the CPU EP takes every node".into(),
        },
        PartitionOutcome::from,
    )
}

fn summary(m: &LoadedModel, options: Vec<OptionsRow>, verdict: ModelVerdict) -> ModelSummary {
    ModelSummary {
        name: m.name.clone(),
        path: m.original.path.clone(),
        inputs: m.original.inputs.describe(),
        input_shapes: m.shapes.clone(),
        dynamic_dims: m.survey.dynamic_dims.clone(),
        batch_dim: m.batch_dim.clone(),
        exact_gelus: m.survey.exact_gelus,
        float16_values: m.survey.float16_values,
        interventions: m
            .interventions
            .iter()
            .map(|i| InterventionSummary {
                rewrite: i.kind.to_string(),
                name: i.name.clone(),
                summary: i.summary.clone(),
                file: i.file.as_ref().ok().map(|f| f.path.clone()),
            })
            .collect(),
        options,
        verdict,
    }
}

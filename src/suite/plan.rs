//! Which benchmarks a study consists of: one [`BenchCase`] per criterion benchmark id.

use crate::onnx::FloatType;
use crate::runtime::{
    ComputeUnits, CoreMlOptions, Ep, EpKind, ModelFormat, OptLevel, SessionConfig,
};
use crate::zoo::{
    Activation, CutOp, ProbeVariant, TokenShape, TransformerModel, TransformerVariant, Variant,
    VisionModel, VisionVariant,
};

use super::finding::Finding;
use super::settings::{Cost, Settings};

/// What a benchmark times.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Timing {
    /// One `Session::run` on the variant's inputs.
    Run,
    /// Creating a session (ORT's optimisation, the EP's partitioning and compile).
    SessionCreate,
}

/// One benchmark: `<study>/<finding>/<label>/<provider>`, running a model variant of type `W`:
/// a zoo [`Variant`] for the criterion benchmarks and upgrade checks, a
/// [`Workload`](super::Workload) (zoo variant or model file) for the study.
#[derive(Debug, Clone, PartialEq)]
pub struct BenchCase<W = Variant> {
    /// The accelerator EP whose study this belongs to (`cpu` for the CPU-only study).
    pub study: EpKind,
    pub finding: Finding,
    /// The variant part of the id: the model variant, plus `+option` where the finding varies
    /// a setting rather than the model.
    pub label: String,
    pub variant: W,
    /// Session settings, including the EP that runs it (the provider part of the id).
    pub session: SessionConfig,
    pub timing: Timing,
    /// Samples per run, for criterion's throughput.
    pub batch: u32,
    pub cost: Cost,
}

impl<W> BenchCase<W> {
    /// The same benchmark with its variant mapped by `f` (a zoo case as a study's workload).
    pub fn map_variant<V>(self, f: impl FnOnce(W) -> V) -> BenchCase<V> {
        BenchCase {
            study: self.study,
            finding: self.finding,
            label: self.label,
            variant: f(self.variant),
            session: self.session,
            timing: self.timing,
            batch: self.batch,
            cost: self.cost,
        }
    }

    /// The criterion group, `<study>/<finding>`.
    pub fn group(&self) -> String {
        format!("{}/{}", self.study, self.finding)
    }

    /// The function id inside the group, `<label>/<provider>`.
    pub fn function(&self) -> String {
        format!("{}/{}", self.label, self.session.ep.kind())
    }

    /// The id with its two parts kept apart.
    pub fn bench_id(&self) -> BenchId {
        BenchId {
            group: self.group(),
            function: self.function(),
        }
    }

    /// The full id, `<study>/<finding>/<label>/<provider>`.
    pub fn id(&self) -> String {
        self.bench_id().to_string()
    }
}

/// A benchmark id as criterion has it: the group `<study>/<finding>` and the function
/// `<label>/<provider>` inside it, written `<group>/<function>`. Criterion names its folders
/// after the two parts, so whoever writes them needs them apart.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BenchId {
    group: String,
    function: String,
}

impl BenchId {
    /// `<study>/<finding>`.
    pub fn group(&self) -> &str {
        &self.group
    }

    /// `<label>/<provider>`.
    pub fn function(&self) -> &str {
        &self.function
    }
}

impl std::fmt::Display for BenchId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.group, self.function)
    }
}

/// Written as the full id, the way criterion and every report spell it.
impl serde::Serialize for BenchId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// The study's reference shape: it measures batch 1, sequence 128.
const SEQ: u32 = 128;

fn tiny(activation: Activation, dtype: FloatType, shape: TokenShape) -> Variant {
    Variant::Transformer(TransformerVariant {
        model: TransformerModel::TinySystemsBert,
        activation,
        dtype,
        shape,
    })
}

fn static_shape(batch: u32) -> TokenShape {
    TokenShape::Static { batch, seq: SEQ }
}

fn cost_of(variant: &Variant) -> Cost {
    match variant {
        Variant::Transformer(t) => match t.model {
            TransformerModel::BertBaseUncased | TransformerModel::DistilbertBaseUncased => {
                Cost::Heavy
            }
            TransformerModel::TinySystemsBert | TransformerModel::AllMiniLmL6V2 => Cost::Light,
        },
        Variant::Vision(_) => Cost::Light,
        Variant::Add64k | Variant::Probe(_) => Cost::Tiny,
    }
}

/// The cut-maker that the study's EP refuses but the CPU runs cheaply.
pub fn cut_op_for(study: EpKind) -> CutOp {
    match study {
        EpKind::OpenVino => CutOp::Hardmax,
        EpKind::CoreMl | EpKind::Cpu => CutOp::Erf,
    }
}

/// Cut counts of the fragmentation experiment.
pub const FRAGMENTATION_KS: [u32; 6] = [0, 1, 2, 4, 8, 16];
/// Hidden size of the probe blocks, as the catalogue lists them.
pub const PROBE_HIDDEN: u32 = 256;

struct Planner<'a> {
    study: EpKind,
    settings: &'a Settings,
    cases: Vec<BenchCase>,
}

impl Planner<'_> {
    fn session(&self, ep: Ep) -> SessionConfig {
        SessionConfig::new(ep).intra_threads(self.settings.intra_threads)
    }

    fn push(
        &mut self,
        finding: Finding,
        label: String,
        variant: Variant,
        session: SessionConfig,
        timing: Timing,
    ) {
        let cost = match timing {
            Timing::Run => cost_of(&variant),
            Timing::SessionCreate => Cost::ColdStart,
        };
        self.cases.push(BenchCase {
            study: self.study,
            finding,
            label,
            batch: variant.batch(),
            variant,
            session,
            timing,
            cost,
        });
    }

    /// The variant on the CPU and on the study's EP.
    fn both(&mut self, finding: Finding, variant: Variant, timing: Timing) {
        for ep in [Ep::Cpu, self.study.default_ep()] {
            let session = self.session(ep);
            self.push(finding, variant.to_string(), variant, session, timing);
        }
    }

    /// A run of `variant` on `session`, labelled `<variant>+<option>`.
    fn with_option(
        &mut self,
        finding: Finding,
        variant: Variant,
        option: &str,
        session: SessionConfig,
    ) {
        self.push(
            finding,
            format!("{variant}+{option}"),
            variant,
            session,
            Timing::Run,
        );
    }

    /// The CPU study: the overhead floor, intra-op threads, optimisation levels.
    fn cpu_settings(&mut self) {
        let session = self.session(Ep::Cpu);
        let add = Variant::Add64k;
        self.push(
            Finding::Overhead,
            add.to_string(),
            add,
            session,
            Timing::Run,
        );
        let tiny_static = tiny(Activation::Gelu, FloatType::F32, static_shape(1));
        for threads in 1..=self.settings.intra_threads.max(2) {
            let session = SessionConfig::new(Ep::Cpu).intra_threads(threads);
            let option = format!("threads{threads}");
            self.with_option(Finding::Threads, tiny_static, &option, session);
        }
        for (level, name) in [
            (OptLevel::Disable, "disable"),
            (OptLevel::Basic, "basic"),
            (OptLevel::All, "all"),
        ] {
            let session = self.session(Ep::Cpu).optimization(level);
            self.with_option(Finding::OptLevel, tiny_static, name, session);
        }
    }

    /// 4.1: the three transformers as the study ran them, dynamic exports fed batch 1, seq 128.
    fn transformers(&mut self) {
        for model in [
            TransformerModel::BertBaseUncased,
            TransformerModel::DistilbertBaseUncased,
            TransformerModel::TinySystemsBert,
        ] {
            self.both(
                Finding::EpVsCpu,
                transformer(model, TokenShape::Dynamic),
                Timing::Run,
            );
        }
    }

    /// 4.2: probe chains with k cut-makers.
    fn fragmentation(&mut self) {
        for k in FRAGMENTATION_KS {
            let variant = Variant::Probe(ProbeVariant {
                cut: cut_op_for(self.study),
                k,
                hidden: PROBE_HIDDEN,
            });
            self.both(Finding::Fragmentation, variant, Timing::Run);
        }
    }

    /// 4.3 to 4.6 and batch scaling: one axis at a time on the tiny model, then MobileNetV2.
    fn model_axes(&mut self) {
        let run = Timing::Run;
        for shape in [TokenShape::Dynamic, static_shape(1)] {
            let variant = tiny(Activation::Gelu, FloatType::F32, shape);
            self.both(Finding::Shapes, variant, run);
        }
        for activation in [Activation::Gelu, Activation::FastGelu] {
            let variant = tiny(activation, FloatType::F32, static_shape(1));
            self.both(Finding::Activation, variant, run);
        }
        for dtype in [FloatType::F32, FloatType::F16] {
            let variant = tiny(Activation::Gelu, dtype, static_shape(1));
            self.both(Finding::Dtype, variant, run);
        }
        for dtype in [FloatType::F32, FloatType::F16] {
            self.both(Finding::Vision, mobilenet(dtype), run);
        }
        for batch in [1, 2, 4, 8] {
            let variant = tiny(Activation::Gelu, FloatType::F32, static_shape(batch));
            self.both(Finding::Batch, variant, run);
        }
    }

    /// CoreML's model formats and compute units, on the FastGELU tiny model it covers best.
    fn coreml_options(&mut self) {
        let fast_static = tiny(Activation::FastGelu, FloatType::F32, static_shape(1));
        for (format, name) in [
            (ModelFormat::NeuralNetwork, "neuralnetwork"),
            (ModelFormat::MlProgram, "mlprogram"),
        ] {
            let ep = Ep::CoreMl(CoreMlOptions {
                format,
                ..CoreMlOptions::default()
            });
            let session = self.session(ep);
            self.with_option(Finding::Format, fast_static, name, session);
        }
        for (units, name) in [
            (ComputeUnits::All, "all"),
            (ComputeUnits::CpuAndNeuralEngine, "cpu_and_ne"),
            (ComputeUnits::CpuAndGpu, "cpu_and_gpu"),
            (ComputeUnits::CpuOnly, "cpu_only"),
        ] {
            let ep = Ep::CoreMl(CoreMlOptions {
                units,
                ..CoreMlOptions::default()
            });
            let session = self.session(ep);
            self.with_option(Finding::Units, fast_static, name, session);
        }
    }

    /// Cold start per model: creating a session of each static fp32 model.
    fn cold_start(&mut self) {
        for model in [
            TransformerModel::TinySystemsBert,
            TransformerModel::DistilbertBaseUncased,
            TransformerModel::BertBaseUncased,
        ] {
            let variant = transformer(model, static_shape(1));
            self.both(Finding::SessionCreate, variant, Timing::SessionCreate);
        }
        let vision = mobilenet(FloatType::F32);
        self.both(Finding::SessionCreate, vision, Timing::SessionCreate);
    }
}

/// A transformer as practitioners export it: GELU, fp32.
fn transformer(model: TransformerModel, shape: TokenShape) -> Variant {
    Variant::Transformer(TransformerVariant {
        model,
        activation: Activation::Gelu,
        dtype: FloatType::F32,
        shape,
    })
}

fn mobilenet(dtype: FloatType) -> Variant {
    Variant::Vision(VisionVariant {
        model: VisionModel::MobilenetV2,
        dtype,
        batch: 1,
    })
}

/// Every benchmark of `study`, in the study's order. Studies of an accelerator EP compare it with
/// the CPU EP on the same ORT library; the CPU study varies CPU-only settings.
pub fn plan(study: EpKind, settings: &Settings) -> Vec<BenchCase> {
    let mut p = Planner {
        study,
        settings,
        cases: Vec::new(),
    };
    if study == EpKind::Cpu {
        p.cpu_settings();
        return p.cases;
    }
    p.transformers();
    p.fragmentation();
    p.model_axes();
    if study == EpKind::CoreMl {
        p.coreml_options();
    }
    p.cold_start();
    p.cases
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> Settings {
        Settings {
            quick: true,
            intra_threads: 2,
        }
    }

    #[test]
    fn ids_follow_the_design_and_are_unique() {
        for study in EpKind::ALL {
            let cases = plan(study, &settings());
            let mut ids: Vec<String> = cases.iter().map(BenchCase::id).collect();
            for (case, id) in cases.iter().zip(&ids) {
                assert!(id.starts_with(&format!("{study}/")), "{id}");
                assert_eq!(id.split('/').count(), 4, "{id}");
                assert!(id.ends_with(case.session.ep.kind().name()), "{id}");
            }
            let total = ids.len();
            ids.sort();
            ids.dedup();
            assert_eq!(ids.len(), total, "duplicate ids in the {study} study");
        }
    }

    #[test]
    fn accelerator_studies_cover_every_finding_on_both_providers() {
        let cases = plan(EpKind::OpenVino, &settings());
        for finding in [
            Finding::EpVsCpu,
            Finding::Fragmentation,
            Finding::Shapes,
            Finding::Activation,
            Finding::Dtype,
            Finding::Vision,
            Finding::Batch,
            Finding::SessionCreate,
        ] {
            for kind in [EpKind::Cpu, EpKind::OpenVino] {
                assert!(
                    cases
                        .iter()
                        .any(|c| c.finding == finding && c.session.ep.kind() == kind),
                    "{finding} on {kind}"
                );
            }
        }
        assert!(
            cases
                .iter()
                .all(|c| c.finding != Finding::Format && c.finding != Finding::Units)
        );
        let coreml = plan(EpKind::CoreMl, &settings());
        assert_eq!(
            coreml
                .iter()
                .filter(|c| c.finding == Finding::Units)
                .count(),
            4
        );
        assert!(
            coreml
                .iter()
                .any(|c| c.id() == "coreml/fragmentation/probe_erf_k16_h256/coreml"),
            "{:?}",
            coreml.iter().map(BenchCase::id).collect::<Vec<_>>()
        );
        assert!(
            cases
                .iter()
                .any(|c| c.id() == "openvino/fragmentation/probe_hardmax_k16_h256/openvino")
        );
    }

    #[test]
    fn batch_cases_carry_their_batch_for_throughput() {
        let cases = plan(EpKind::CoreMl, &settings());
        let batches: Vec<u32> = cases
            .iter()
            .filter(|c| c.finding == Finding::Batch && c.session.ep == Ep::Cpu)
            .map(|c| c.batch)
            .collect();
        assert_eq!(batches, [1, 2, 4, 8]);
        assert!(
            plan(EpKind::Cpu, &settings())
                .iter()
                .any(|c| c.id() == "cpu/overhead/add_64k/cpu")
        );
    }

    #[test]
    fn every_planned_variant_is_in_the_catalogue() {
        let catalogue = crate::zoo::catalogue().unwrap();
        for study in EpKind::ALL {
            for case in plan(study, &settings()) {
                assert!(
                    catalogue.contains(&case.variant),
                    "{} needs {}",
                    case.id(),
                    case.variant
                );
            }
        }
    }
}

//! Execution providers as users name them (`coreml:format=mlprogram,units=cpu_and_ne`), typed.
//!
//! Option names follow ORT's CoreML provider options (`coreml_options.cc` in
//! microsoft/onnxruntime, `onnxruntime/core/providers/coreml/`) and OpenVINO's
//! (`openvino_provider_factory.cc`); `ort::ep::*` maps the typed options to those strings.

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

use ort::ep::{self, ExecutionProviderDispatch};

use super::RuntimeError;

/// An execution provider with its options.
///
/// ```
/// use epbench::runtime::{Ep, ModelFormat, ComputeUnits};
/// let ep: Ep = "coreml:format=mlprogram,units=cpu_and_ne".parse().unwrap();
/// let Ep::CoreMl(options) = &ep else { unreachable!() };
/// assert_eq!(options.format, ModelFormat::MlProgram);
/// assert_eq!(options.units, ComputeUnits::CpuAndNeuralEngine);
/// assert_eq!(ep.to_string(), "coreml:format=mlprogram,units=cpu_and_ne");
/// assert!("coreml:units=tpu".parse::<Ep>().is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Ep {
    /// ONNX Runtime's default CPU provider.
    Cpu,
    /// Apple's CoreML (macOS wheels of `onnxruntime` only).
    CoreMl(CoreMlOptions),
    /// Intel's OpenVINO (`onnxruntime-openvino` wheels).
    OpenVino(OpenVinoOptions),
}

/// Which family an [`Ep`] belongs to, without options: what studies and availability are about.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum EpKind {
    Cpu,
    CoreMl,
    OpenVino,
}

impl EpKind {
    /// Every kind epbench knows, in display order.
    pub const ALL: [EpKind; 3] = [EpKind::Cpu, EpKind::CoreMl, EpKind::OpenVino];

    /// The short name used on the command line and in benchmark ids.
    pub fn name(self) -> &'static str {
        match self {
            EpKind::Cpu => "cpu",
            EpKind::CoreMl => "coreml",
            EpKind::OpenVino => "openvino",
        }
    }

    /// The name people write: `CoreML`, `OpenVINO`, `CPU`.
    pub fn label(self) -> &'static str {
        match self {
            EpKind::Cpu => "CPU",
            EpKind::CoreMl => "CoreML",
            EpKind::OpenVino => "OpenVINO",
        }
    }

    /// The name ONNX Runtime gives the provider (in `GetAvailableProviders` and profiles).
    pub fn ort_name(self) -> &'static str {
        match self {
            EpKind::Cpu => "CPUExecutionProvider",
            EpKind::CoreMl => "CoreMLExecutionProvider",
            EpKind::OpenVino => "OpenVINOExecutionProvider",
        }
    }

    /// The provider with default options.
    pub fn default_ep(self) -> Ep {
        match self {
            EpKind::Cpu => Ep::Cpu,
            EpKind::CoreMl => Ep::CoreMl(CoreMlOptions::default()),
            EpKind::OpenVino => Ep::OpenVino(OpenVinoOptions::default()),
        }
    }

    /// How a user gets this provider when the loaded runtime lacks it.
    pub fn how_to_get(self) -> &'static str {
        match self {
            EpKind::Cpu => "every ONNX Runtime build has it",
            EpKind::CoreMl => {
                "run on macOS on Apple silicon with the default runtime (EPBENCH_ORT=onnxruntime==1.31.1)"
            }
            EpKind::OpenVino => {
                "use the OpenVINO build of ONNX Runtime on x86_64: EPBENCH_ORT=onnxruntime-openvino==1.24.1"
            }
        }
    }
}

impl fmt::Display for EpKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for EpKind {
    type Err = RuntimeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let name = s.trim().to_ascii_lowercase();
        EpKind::ALL
            .into_iter()
            .find(|k| k.name() == name)
            .ok_or_else(|| RuntimeError::UnknownEp {
                input: s.to_string(),
            })
    }
}

/// CoreML's `ModelFormat` option.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Default,
    PartialOrd,
    Ord,
    serde::Serialize,
    serde::Deserialize,
)]
pub enum ModelFormat {
    /// The older format and ORT's default; supports fewer ops (no Erf, no fp16 inputs).
    #[default]
    NeuralNetwork,
    /// CoreML 5+ (macOS 12+): more ops, fp16 and int64 inputs.
    MlProgram,
}

impl ModelFormat {
    /// ORT's spelling of the `ModelFormat` value (`coreml_options.cc`).
    pub fn ort_value(self) -> &'static str {
        match self {
            ModelFormat::NeuralNetwork => "NeuralNetwork",
            ModelFormat::MlProgram => "MLProgram",
        }
    }
}

/// CoreML's `MLComputeUnits` option.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, PartialOrd, Ord, serde::Serialize)]
pub enum ComputeUnits {
    #[default]
    All,
    CpuAndNeuralEngine,
    CpuAndGpu,
    CpuOnly,
}

impl ComputeUnits {
    /// Every value, ORT's default first.
    pub const ALL: [ComputeUnits; 4] = [
        ComputeUnits::All,
        ComputeUnits::CpuAndNeuralEngine,
        ComputeUnits::CpuAndGpu,
        ComputeUnits::CpuOnly,
    ];

    /// ORT's spelling of the `MLComputeUnits` value (`coreml_options.cc`).
    pub fn ort_value(self) -> &'static str {
        match self {
            ComputeUnits::All => "ALL",
            ComputeUnits::CpuAndNeuralEngine => "CPUAndNeuralEngine",
            ComputeUnits::CpuAndGpu => "CPUAndGPU",
            ComputeUnits::CpuOnly => "CPUOnly",
        }
    }

    /// epbench's spelling (`units=cpu_and_ne`).
    pub fn cli_value(self) -> &'static str {
        match self {
            ComputeUnits::All => "all",
            ComputeUnits::CpuAndNeuralEngine => "cpu_and_ne",
            ComputeUnits::CpuAndGpu => "cpu_and_gpu",
            ComputeUnits::CpuOnly => "cpu_only",
        }
    }
}

/// CoreML's `SpecializationStrategy` option.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize)]
pub enum SpecializationStrategy {
    #[default]
    Default,
    FastPrediction,
}

impl SpecializationStrategy {
    /// ORT's spelling of the `SpecializationStrategy` value (`coreml_options.cc`).
    pub fn ort_value(self) -> &'static str {
        match self {
            SpecializationStrategy::Default => "Default",
            SpecializationStrategy::FastPrediction => "FastPrediction",
        }
    }
}

/// The CoreML EP's options. `Default` is ORT's default: NeuralNetwork on all compute units.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct CoreMlOptions {
    pub format: ModelFormat,
    pub units: ComputeUnits,
    /// `RequireStaticInputShapes`: refuse nodes whose inputs have dynamic dimensions.
    pub static_shapes: bool,
    /// `EnableOnSubgraphs`: also partition the bodies of Loop/If/Scan.
    pub subgraphs: bool,
    pub strategy: SpecializationStrategy,
    /// `ModelCacheDirectory`: keep compiled models between sessions.
    pub cache_dir: Option<PathBuf>,
    /// `ProfileComputePlan`: log each op's device and cost (MLProgram only).
    pub profile_compute_plan: bool,
    /// `AllowLowPrecisionAccumulationOnGPU`.
    pub low_precision_gpu: bool,
    /// Provider options epbench has no name for, passed to ORT verbatim (`ort.<Key>=<value>` on
    /// the command line): options of newer ORT releases, or a value to try on ORT's own parser.
    /// Keys epbench types above are refused here, so the two cannot disagree.
    pub extra: Vec<(String, String)>,
}

/// The OpenVINO EP's options.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct OpenVinoOptions {
    /// `device_type`: CPU, GPU, NPU, AUTO:..., HETERO:...
    pub device: String,
    /// `num_of_threads`; `None` leaves OpenVINO's default.
    pub threads: Option<usize>,
    /// `cache_dir` for compiled blobs.
    pub cache_dir: Option<PathBuf>,
}

impl Default for OpenVinoOptions {
    fn default() -> Self {
        Self {
            device: "CPU".into(),
            threads: None,
            cache_dir: None,
        }
    }
}

impl Ep {
    /// The provider family.
    pub fn kind(&self) -> EpKind {
        match self {
            Ep::Cpu => EpKind::Cpu,
            Ep::CoreMl(_) => EpKind::CoreMl,
            Ep::OpenVino(_) => EpKind::OpenVino,
        }
    }

    /// The `ort` registration for this provider, or `None` for the CPU provider, which ONNX
    /// Runtime always appends itself. It carries exactly [`Ep::ort_options`]. Registration
    /// errors are returned, never swallowed.
    pub fn to_ort(&self) -> Option<ExecutionProviderDispatch> {
        use ort::ep::ArbitrarilyConfigurableExecutionProvider as _;
        let options = self.ort_options();
        match self {
            Ep::Cpu => None,
            Ep::CoreMl(_) => Some(
                options
                    .into_iter()
                    .fold(ep::CoreML::default(), |ep, (key, value)| {
                        ep.with_arbitrary_config(key, value)
                    })
                    .build()
                    .error_on_failure(),
            ),
            Ep::OpenVino(_) => Some(
                options
                    .into_iter()
                    .fold(ep::OpenVINO::default(), |ep, (key, value)| {
                        ep.with_arbitrary_config(key, value)
                    })
                    .build()
                    .error_on_failure(),
            ),
        }
    }

    /// The provider options ORT receives (`key`, `value`), for the registration, reports and
    /// baseline metadata. Only options that differ from ORT's defaults are passed: `coreml`
    /// alone passes nothing, so a release that lacks a key epbench knows ("Unknown option" from
    /// ORT's `coreml_options.cc`) still works unless the user asks for that option. OpenVINO's
    /// `device_type` is always passed: it is what the user picks the EP for.
    pub fn ort_options(&self) -> Vec<(String, String)> {
        let mut options: Vec<(String, String)> = Vec::new();
        let mut set = |key: &str, value: &str| options.push((key.to_string(), value.to_string()));
        match self {
            Ep::Cpu => {}
            Ep::CoreMl(o) => {
                let d = CoreMlOptions::default();
                if o.format != d.format {
                    set("ModelFormat", o.format.ort_value());
                }
                if o.units != d.units {
                    set("MLComputeUnits", o.units.ort_value());
                }
                if o.static_shapes {
                    set("RequireStaticInputShapes", "1");
                }
                if o.subgraphs {
                    set("EnableOnSubgraphs", "1");
                }
                if o.strategy != d.strategy {
                    set("SpecializationStrategy", o.strategy.ort_value());
                }
                if o.profile_compute_plan {
                    set("ProfileComputePlan", "1");
                }
                if o.low_precision_gpu {
                    set("AllowLowPrecisionAccumulationOnGPU", "1");
                }
                if let Some(dir) = &o.cache_dir {
                    set("ModelCacheDirectory", &dir.display().to_string());
                }
                for (key, value) in &o.extra {
                    set(key, value);
                }
            }
            Ep::OpenVino(o) => {
                set("device_type", &o.device);
                if let Some(threads) = o.threads {
                    set("num_of_threads", &threads.to_string());
                }
                if let Some(dir) = &o.cache_dir {
                    set("cache_dir", &dir.display().to_string());
                }
            }
        }
        options
    }
}

/// The option keys each provider accepts on the command line, for error messages.
const COREML_KEYS: &str =
    "format, units, static_shapes, subgraphs, strategy, cache_dir, profile_plan, low_precision_gpu";
const OPENVINO_KEYS: &str = "device, threads, cache_dir";

impl FromStr for Ep {
    type Err = RuntimeError;

    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let (name, options) = match input.split_once(':') {
            Some((name, options)) => (name, Some(options)),
            None => (input, None),
        };
        let kind: EpKind = name.parse().map_err(|_| RuntimeError::UnknownEp {
            input: input.to_string(),
        })?;
        let mut ep = kind.default_ep();
        let pairs = options
            .into_iter()
            .flat_map(|o| o.split(','))
            .map(str::trim)
            .filter(|p| !p.is_empty());
        for pair in pairs {
            let (key, value) = pair
                .split_once('=')
                .ok_or_else(|| RuntimeError::BadEpOption {
                    ep: kind.name(),
                    option: pair.to_string(),
                    reason: "expected key=value".into(),
                })?;
            let raw_key = key.trim();
            let (key, value) = (raw_key.to_ascii_lowercase(), value.trim());
            let bad = |reason: String| RuntimeError::BadEpOption {
                ep: kind.name(),
                option: pair.to_string(),
                reason,
            };
            if let (Ep::CoreMl(o), Some(ort_key)) = (
                &mut ep,
                raw_key
                    .get(..4)
                    .filter(|p| p.eq_ignore_ascii_case(RAW_PREFIX))
                    .map(|_| &raw_key[4..]),
            ) {
                o.extra
                    .push(parse_raw_coreml_option(ort_key, value).map_err(bad)?);
                continue;
            }
            match &mut ep {
                Ep::Cpu => return Err(bad("the CPU provider takes no options here; threads and optimisation level are session settings".into())),
                Ep::CoreMl(o) => match key.as_str() {
                    "format" => o.format = parse_choice(value, &[
                        (&["neuralnetwork", "nn"], ModelFormat::NeuralNetwork),
                        (&["mlprogram", "mlp"], ModelFormat::MlProgram),
                    ]).map_err(bad)?,
                    "units" => o.units = parse_choice(value, &[
                        (&["all"], ComputeUnits::All),
                        (&["cpu_and_ne", "cpuandneuralengine", "cpu_and_neural_engine"], ComputeUnits::CpuAndNeuralEngine),
                        (&["cpu_and_gpu", "cpuandgpu"], ComputeUnits::CpuAndGpu),
                        (&["cpu_only", "cpuonly"], ComputeUnits::CpuOnly),
                    ]).map_err(bad)?,
                    "static_shapes" => o.static_shapes = parse_bool(value).map_err(bad)?,
                    "subgraphs" => o.subgraphs = parse_bool(value).map_err(bad)?,
                    "strategy" => o.strategy = parse_choice(value, &[
                        (&["default"], SpecializationStrategy::Default),
                        (&["fast_prediction", "fastprediction"], SpecializationStrategy::FastPrediction),
                    ]).map_err(bad)?,
                    "cache_dir" => o.cache_dir = Some(parse_path(value).map_err(bad)?),
                    "profile_plan" => o.profile_compute_plan = parse_bool(value).map_err(bad)?,
                    "low_precision_gpu" => o.low_precision_gpu = parse_bool(value).map_err(bad)?,
                    _ => return Err(bad(format!("unknown option `{key}`; CoreML takes {COREML_KEYS}"))),
                },
                Ep::OpenVino(o) => match key.as_str() {
                    "device" => {
                        if value.is_empty() || !value.chars().all(|c| c.is_ascii_alphanumeric() || ":,._".contains(c)) {
                            return Err(bad(format!("`{value}` is not an OpenVINO device such as CPU, GPU, NPU or AUTO:GPU,CPU")));
                        }
                        o.device = value.to_ascii_uppercase();
                    }
                    "threads" => o.threads = Some(value.parse().ok().filter(|&n: &usize| n > 0).ok_or_else(|| bad("expected a positive number of threads".into()))?),
                    "cache_dir" => o.cache_dir = Some(parse_path(value).map_err(bad)?),
                    _ => return Err(bad(format!("unknown option `{key}`; OpenVINO takes {OPENVINO_KEYS}"))),
                },
            }
        }
        Ok(ep)
    }
}

/// The prefix of a CoreML option passed to ORT verbatim (`ort.SomeNewOption=1`).
const RAW_PREFIX: &str = "ort.";

/// ORT's CoreML option keys that epbench types, with epbench's name for each.
const TYPED_COREML_KEYS: &[(&str, &str)] = &[
    ("ModelFormat", "format"),
    ("MLComputeUnits", "units"),
    ("RequireStaticInputShapes", "static_shapes"),
    ("EnableOnSubgraphs", "subgraphs"),
    ("SpecializationStrategy", "strategy"),
    ("ProfileComputePlan", "profile_plan"),
    ("AllowLowPrecisionAccumulationOnGPU", "low_precision_gpu"),
    ("ModelCacheDirectory", "cache_dir"),
];

fn parse_raw_coreml_option(key: &str, value: &str) -> Result<(String, String), String> {
    if key.is_empty() || !key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(format!(
            "`{RAW_PREFIX}{key}` does not name an ORT provider option (letters, digits, `_`)"
        ));
    }
    if let Some((ort, ours)) = TYPED_COREML_KEYS
        .iter()
        .find(|(ort, _)| ort.eq_ignore_ascii_case(key))
    {
        return Err(format!("{ort} is epbench's `{ours}=` option; use that"));
    }
    Ok((key.to_string(), value.to_string()))
}

fn parse_choice<T: Copy>(value: &str, choices: &[(&[&str], T)]) -> Result<T, String> {
    let lower = value.to_ascii_lowercase();
    choices
        .iter()
        .find(|(names, _)| names.contains(&lower.as_str()))
        .map(|(_, v)| *v)
        .ok_or_else(|| {
            let names: Vec<_> = choices.iter().map(|(names, _)| names[0]).collect();
            format!("`{value}` is not one of {}", names.join(", "))
        })
}

fn parse_bool(value: &str) -> Result<bool, String> {
    match value.to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Ok(true),
        "0" | "false" | "no" | "off" => Ok(false),
        _ => Err(format!("`{value}` is not a boolean (1/0, true/false)")),
    }
}

fn parse_path(value: &str) -> Result<PathBuf, String> {
    if value.is_empty() {
        Err("expected a folder path".into())
    } else {
        Ok(PathBuf::from(value))
    }
}

impl fmt::Display for Ep {
    /// The canonical spelling, naming only options that differ from the defaults.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts: Vec<String> = Vec::new();
        match self {
            Ep::Cpu => {}
            Ep::CoreMl(o) => {
                let d = CoreMlOptions::default();
                if o.format != d.format {
                    parts.push("format=mlprogram".into());
                }
                if o.units != d.units {
                    parts.push(format!("units={}", o.units.cli_value()));
                }
                if o.static_shapes {
                    parts.push("static_shapes=1".into());
                }
                if o.subgraphs {
                    parts.push("subgraphs=1".into());
                }
                if o.strategy != d.strategy {
                    parts.push("strategy=fast_prediction".into());
                }
                if let Some(dir) = &o.cache_dir {
                    parts.push(format!("cache_dir={}", dir.display()));
                }
                if o.profile_compute_plan {
                    parts.push("profile_plan=1".into());
                }
                if o.low_precision_gpu {
                    parts.push("low_precision_gpu=1".into());
                }
                for (key, value) in &o.extra {
                    parts.push(format!("{RAW_PREFIX}{key}={value}"));
                }
            }
            Ep::OpenVino(o) => {
                if o.device != "CPU" {
                    parts.push(format!("device={}", o.device));
                }
                if let Some(threads) = o.threads {
                    parts.push(format!("threads={threads}"));
                }
                if let Some(dir) = &o.cache_dir {
                    parts.push(format!("cache_dir={}", dir.display()));
                }
            }
        }
        f.write_str(self.kind().name())?;
        if !parts.is_empty() {
            write!(f, ":{}", parts.join(","))?;
        }
        Ok(())
    }
}

impl serde::Serialize for Ep {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Ep {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_coreml_option() {
        let ep: Ep = "CoreML:format=MLProgram, units=CPUAndGPU,static_shapes=true,subgraphs=1,strategy=fast_prediction,cache_dir=/tmp/c,profile_plan=on,low_precision_gpu=yes"
            .parse()
            .unwrap();
        let Ep::CoreMl(o) = &ep else { panic!("{ep:?}") };
        assert_eq!(o.format, ModelFormat::MlProgram);
        assert_eq!(o.units, ComputeUnits::CpuAndGpu);
        assert!(o.static_shapes && o.subgraphs && o.profile_compute_plan && o.low_precision_gpu);
        assert_eq!(o.strategy, SpecializationStrategy::FastPrediction);
        assert_eq!(o.cache_dir.as_deref(), Some(std::path::Path::new("/tmp/c")));
        let options = ep.ort_options();
        let has = |k: &str, v: &str| options.contains(&(k.to_string(), v.to_string()));
        assert!(has("MLComputeUnits", "CPUAndGPU"));
        assert!(has("ModelFormat", "MLProgram"));
        assert!(has("ModelCacheDirectory", "/tmp/c"));
        assert!(has("RequireStaticInputShapes", "1"));
        assert!(has("SpecializationStrategy", "FastPrediction"));
        // The canonical spelling parses back to the same value.
        assert_eq!(ep.to_string().parse::<Ep>().unwrap(), ep);
    }

    #[test]
    fn defaults_match_orts_defaults() {
        let ep: Ep = "coreml".parse().unwrap();
        assert_eq!(ep, Ep::CoreMl(CoreMlOptions::default()));
        // ORT's defaults are not passed at all: older releases reject keys they lack.
        assert!(ep.ort_options().is_empty());
        let explicit: Ep = "coreml:format=neuralnetwork,units=all,static_shapes=0"
            .parse()
            .unwrap();
        assert_eq!(explicit, ep);
        assert!(explicit.ort_options().is_empty());
        assert_eq!(ep.to_string(), "coreml");
        let ov: Ep = "openvino:device=gpu,threads=2".parse().unwrap();
        assert_eq!(ov.to_string(), "openvino:device=GPU,threads=2");
        assert_eq!("cpu".parse::<Ep>().unwrap(), Ep::Cpu);
    }

    #[test]
    fn raw_coreml_options_pass_verbatim() {
        let ep: Ep = "coreml:format=mlprogram,ort.SomeNewOption=On"
            .parse()
            .unwrap();
        let Ep::CoreMl(o) = &ep else { panic!("{ep:?}") };
        assert_eq!(
            o.extra,
            vec![("SomeNewOption".to_string(), "On".to_string())]
        );
        assert!(
            ep.ort_options()
                .contains(&("SomeNewOption".to_string(), "On".to_string()))
        );
        assert_eq!(
            ep.to_string(),
            "coreml:format=mlprogram,ort.SomeNewOption=On"
        );
        assert_eq!(ep.to_string().parse::<Ep>().unwrap(), ep);
    }

    #[test]
    fn bad_input_names_what_is_wrong() {
        for (input, needle) in [
            ("cuda", "unknown execution provider `cuda`"),
            (
                "coreml:units=tpu",
                "`tpu` is not one of all, cpu_and_ne, cpu_and_gpu, cpu_only",
            ),
            ("coreml:format", "expected key=value"),
            (
                "coreml:speed=fast",
                "unknown option `speed`; CoreML takes format",
            ),
            ("coreml:static_shapes=maybe", "not a boolean"),
            ("openvino:threads=0", "positive number of threads"),
            ("openvino:device=CPU;rm", "not an OpenVINO device"),
            (
                "openvino:format=mlprogram",
                "unknown option `format`; OpenVINO takes device",
            ),
            ("cpu:threads=2", "takes no options"),
            (
                "coreml:ort.ModelFormat=MLProgram",
                "epbench's `format=` option",
            ),
            ("coreml:ort.=1", "does not name an ORT provider option"),
        ] {
            let err = input.parse::<Ep>().unwrap_err().to_string();
            assert!(err.contains(needle), "{input}: {err}");
        }
    }
}

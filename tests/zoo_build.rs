//! Building the zoo: every catalogue variant builds quickly, files are cached by recipe hash,
//! models round-trip through the ONNX reader, parameter counts match the published models,
//! and bad paths or names give clear errors. Runs MobileNet and the helpers on ONNX Runtime.

use std::error::Error;
use std::time::{Duration, Instant};

use epbench::onnx::proto::{ModelProto, data_type};
use epbench::onnx::{OnnxError, read_model};
use epbench::runtime::{Ep, OptLevel, SessionConfig};
use epbench::zoo::weights::{Init, Weights, WeightsId};
use epbench::zoo::{self, Variant, ZooError};

type TestResult = Result<(), Box<dyn Error>>;

/// Float parameters of a model: elements of its float initializers.
fn float_parameters(model: &ModelProto) -> u64 {
    model
        .graph
        .iter()
        .flat_map(|g| &g.initializer)
        .filter(|t| matches!(t.data_type, data_type::FLOAT | data_type::FLOAT16))
        .map(|t| t.element_count())
        .sum()
}

/// Zero weights: the graph and its parameter count without the cost of drawing 110M numbers.
struct Zeros;

impl Weights for Zeros {
    fn tensor(&mut self, _: &str, shape: &[usize], _: Init) -> Result<Vec<f32>, ZooError> {
        Ok(vec![0.0; shape.iter().product()])
    }
    fn id(&self) -> WeightsId {
        WeightsId::Seeded { seed: 0 }
    }
}

#[test]
fn parameter_counts_match_the_published_models() -> TestResult {
    let catalogue = zoo::catalogue()?;
    // Hugging Face's `num_parameters()` of BertModel / DistilBertModel with these configs.
    for (variant, expected) in [
        ("bert-base-uncased_gelu_fp32_dynamic", 109_482_240),
        ("distilbert-base-uncased_gelu_fp32_dynamic", 66_362_880),
        ("tiny-systems-bert_gelu_fp32_dynamic", 1_503_104),
        ("all-minilm-l6-v2_gelu_fp32_dynamic", 22_713_216),
    ] {
        let Variant::Transformer(t) = variant.parse()? else {
            unreachable!()
        };
        let config = &catalogue.transformer(t.model)?.config;
        let model = zoo::bert::build(config, &t, &mut Zeros, &mut |_, _| {})?;
        assert_eq!(float_parameters(&model), expected, "{variant}");
    }
    // torchvision's mobilenet_v2 has 3,504,872 parameters; folding each BatchNorm's scale and
    // shift into its convolution leaves one bias per channel, 17,056 fewer.
    let Variant::Vision(v) = "mobilenet_v2_fp32_static_b1".parse()? else {
        unreachable!()
    };
    let config = &catalogue.vision(v.model)?.config;
    let model = zoo::mobilenet::build(config, &v, &mut Zeros, &mut |_, _| {})?;
    assert_eq!(float_parameters(&model), 3_504_872 - 17_056);
    Ok(())
}

/// Building the largest model, BERT-base fp32 (438 MB), takes seconds in release builds.
/// Debug builds (`cargo test`) are about ten times slower; the limit allows for that.
#[test]
fn bert_base_builds_in_seconds_and_reads_back() -> TestResult {
    let dir = tempfile::tempdir()?;
    let started = Instant::now();
    let built = zoo::build_with(
        "bert-base-uncased_gelu_fp32_static_b1_s128",
        dir.path(),
        &Default::default(),
    )?;
    let elapsed = started.elapsed();
    let size = std::fs::metadata(&built.path)?.len();
    println!(
        "bert-base fp32 built in {elapsed:.1?} ({:.0} MB)",
        size as f64 / 1e6
    );
    let limit = if cfg!(debug_assertions) {
        Duration::from_secs(120)
    } else {
        Duration::from_secs(15)
    };
    assert!(elapsed < limit, "took {elapsed:?}, limit {limit:?}");
    assert!(size > 400_000_000, "{size} bytes");

    let started = Instant::now();
    let model = read_model(&built.path)?;
    println!("read back in {:.1?}", started.elapsed());
    // Static shapes fold the position table to the 128 rows used (the exporter's constant
    // folding): 109,482,240 - (512 - 128) * 768.
    assert_eq!(float_parameters(&model), 109_482_240 - 384 * 768);
    Ok(())
}

#[test]
fn every_other_variant_builds_and_is_cached_by_recipe() -> TestResult {
    let dir = tempfile::tempdir()?;
    let catalogue = zoo::catalogue()?;
    let started = Instant::now();
    let mut built = Vec::new();
    // BERT-base and DistilBERT take most of the time and are covered above.
    for variant in catalogue.variants().filter(|v| {
        !matches!(
            v.model_name(),
            "bert-base-uncased" | "distilbert-base-uncased"
        )
    }) {
        let result = zoo::build_with(variant, dir.path(), &Default::default())?;
        assert!(!result.cached, "{variant} was found in an empty folder");
        let name = result
            .path
            .file_name()
            .and_then(|n| n.to_str())
            .ok_or("bad name")?;
        assert!(name.starts_with(&format!("{variant}.")) && name.ends_with(".onnx"));
        assert_eq!(Variant::from_file_name(name)?, variant);
        built.push(result);
    }
    println!(
        "{} variants built in {:.1?}",
        built.len(),
        started.elapsed()
    );

    // A second build finds every file and writes nothing.
    for first in &built {
        let again = zoo::build_with(first.variant, dir.path(), &Default::default())?;
        assert!(again.cached, "{} was rebuilt", first.variant);
        assert_eq!(again.path, first.path);
    }
    // Weights are identified by content: the packaged checkpoint given as a path is the same
    // recipe.
    let minilm = catalogue.transformer(zoo::TransformerModel::AllMiniLmL6V2)?;
    let packaged = minilm
        .checkpoint
        .as_ref()
        .ok_or("all-minilm-l6-v2 has no checkpoint")?;
    let options = zoo::BuildOptions {
        weights: Some(zoo::WeightsOverride::Checkpoint(
            zoo::assets::fetch(packaged)?.path,
        )),
        ..Default::default()
    };
    let same = zoo::build_with(minilm.variants[0], dir.path(), &options)?;
    assert!(
        same.cached,
        "{} was rebuilt from the same checkpoint",
        same.variant
    );
    // Other weights are another recipe, hence another file.
    let options = zoo::BuildOptions {
        weights: Some(zoo::WeightsOverride::Seeded(7)),
        ..Default::default()
    };
    let reseeded = zoo::build_with("tiny-systems-bert_gelu_fp32_dynamic", dir.path(), &options)?;
    assert!(!reseeded.cached);
    assert!(built.iter().all(|b| b.path != reseeded.path));
    Ok(())
}

#[test]
fn written_models_read_back_identical() -> TestResult {
    let dir = tempfile::tempdir()?;
    let variant: Variant = "tiny-systems-bert_fast-gelu_fp16_dynamic".parse()?;
    let events = std::cell::RefCell::new(Vec::new());
    let progress = |e: &zoo::BuildEvent| events.borrow_mut().push(e.clone());
    let options = zoo::BuildOptions {
        progress: Some(&progress),
        ..Default::default()
    };
    let built = zoo::build_with(variant, dir.path(), &options)?;
    let read = read_model(&built.path)?;
    let mut expected = zoo::build_in_memory(&variant)?;
    // The file also records its recipe.
    let recipe_hash = read
        .metadata_props
        .iter()
        .find(|p| p.key == "epbench.recipe_hash")
        .map(|p| p.value.clone());
    assert_eq!(recipe_hash, Some(built.recipe.hash()));
    expected.metadata_props = read.metadata_props.clone();
    assert!(
        read == expected,
        "the model read back differs from the one built"
    );
    let events = events.into_inner();
    assert_eq!(events.first(), Some(&zoo::BuildEvent::Started { variant }));
    assert!(events.contains(&zoo::BuildEvent::Progress { done: 2, total: 2 }));
    assert!(matches!(
        events.last(),
        Some(zoo::BuildEvent::Writing { .. })
    ));
    Ok(())
}

#[test]
fn missing_and_non_onnx_files_are_clear_errors() -> TestResult {
    let dir = tempfile::tempdir()?;
    let missing = dir.path().join("nowhere.onnx");
    let err = read_model(&missing).unwrap_err();
    assert!(matches!(err, OnnxError::Io { .. }), "{err:?}");
    assert!(err.to_string().contains("nowhere.onnx"), "{err}");

    for (name, bytes) in [
        (
            "notes.onnx",
            b"these are not the weights you are looking for\n".to_vec(),
        ),
        ("empty.onnx", Vec::new()),
        ("config.onnx", br#"{"hidden_size": 128}"#.to_vec()),
    ] {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes)?;
        let err = read_model(&path).unwrap_err();
        assert!(matches!(err, OnnxError::NotOnnx { .. }), "{name}: {err:?}");
        let message = err.to_string();
        assert!(
            message.contains(name) && message.contains("not an ONNX model"),
            "{message}"
        );
    }

    let err = zoo::build("resnet50_fp32_static_b1", dir.path()).unwrap_err();
    assert!(matches!(err, ZooError::BadVariantName { .. }), "{err}");
    let err = zoo::build("tiny-systems-bert_gelu_fp32_static_b3_s64", dir.path()).unwrap_err();
    assert!(matches!(err, ZooError::NotInCatalogue { .. }), "{err}");
    Ok(())
}

/// Runs a helper or vision model on its default inputs and returns its only output as f32.
fn run_default(variant: &str, dir: &std::path::Path) -> Result<Vec<f32>, Box<dyn Error>> {
    let path = zoo::build(variant, dir)?;
    let mut built = SessionConfig::new(Ep::Cpu)
        .intra_threads(1)
        .optimization(OptLevel::Basic)
        .build(&path)?;
    let inputs = zoo::default_inputs(&variant.parse()?, None)?;
    let outputs = built.session.run(inputs.to_ort()?)?;
    let output = &outputs["output"];
    Ok(match output.try_extract_array::<f32>() {
        Ok(a) => a.iter().copied().collect(),
        Err(_) => output
            .try_extract_array::<half::f16>()?
            .iter()
            .map(|v| v.to_f32())
            .collect(),
    })
}

#[test]
fn mobilenet_outputs_are_order_one_in_fp32_and_fp16() -> TestResult {
    let dir = tempfile::tempdir()?;
    let fp32 = run_default("mobilenet_v2_fp32_static_b1", dir.path())?;
    let fp16 = run_default("mobilenet_v2_fp16_static_b1", dir.path())?;
    assert_eq!(fp32.len(), 1000);
    let rms = (fp32.iter().map(|v| v * v).sum::<f32>() / 1000.0).sqrt();
    println!("MobileNetV2 fp32 logits rms {rms}");
    // A network whose signal shrinks layer by layer ends near 1e-9, which fp16 flushes to 0.
    assert!((0.1..100.0).contains(&rms), "logit rms {rms}");
    let diff = fp32
        .iter()
        .zip(&fp16)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f32::max);
    println!("fp16 vs fp32: max |diff| {diff}");
    assert!(diff < 0.05 * rms.max(1.0), "fp16 differs by {diff}");
    Ok(())
}

#[test]
fn helper_models_compute_what_they_say() -> TestResult {
    let dir = tempfile::tempdir()?;
    let inputs = zoo::default_inputs(&Variant::Add64k, None)?;
    let Some(zoo::InputTensor::Float32(x)) = inputs.get("input") else {
        return Err("add_64k input is not f32".into());
    };
    let y = run_default("add_64k", dir.path())?;
    assert_eq!(y.len(), 128 * 128);
    assert!(x.iter().zip(&y).all(|(a, b)| (a + 1.0 - b).abs() < 1e-6));
    for variant in [
        "probe_erf_k0_h256",
        "probe_erf_k16_h256",
        "probe_hardmax_k8_h256",
    ] {
        let out = run_default(variant, dir.path())?;
        assert_eq!(out.len(), 128 * 256);
        let rms = (out.iter().map(|v| v * v).sum::<f32>() / out.len() as f32).sqrt();
        assert!(
            out.iter().all(|v| v.is_finite()) && (0.1..1000.0).contains(&rms),
            "{variant}: rms {rms}"
        );
    }
    Ok(())
}

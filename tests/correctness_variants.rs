//! Outputs across model variants and ORT settings on the CPU EP (the default runtime): static vs
//! dynamic shapes, GELU vs FastGELU, fp16 vs fp32, optimisation levels disabled vs all, the
//! suite's pre-timing check, and CoreML's skip. Each test states the tolerance class it expects;
//! the numbers behind each class are documented in `epbench::correctness::tolerance`.
//! Run with `--nocapture` to see the measured errors.

mod correctness_support;

use correctness_support::{TestResult, assert_pass, compare, print_rows, target};
use epbench::correctness::{ToleranceClass, check_against_cpu, compare_models};
use epbench::runtime::{self, Ep, OptLevel, SessionConfig};
use epbench::workload::{Feeds, ModelRef};

const TINY: &str = "tiny-systems-bert_gelu_fp32_static_b1_s128";

/// Same file, same level, CPU on both sides: tolerance `identical` (1e-6), and indeed equal.
#[test]
fn the_same_graph_on_the_cpu_is_bit_identical() -> TestResult {
    let comparison = compare(TINY, &Ep::Cpu, TINY, &Ep::Cpu, ToleranceClass::Identical)?;
    assert_pass(&comparison);
    for output in &comparison.outputs {
        assert_eq!(
            output.stats.as_ref().map(|s| s.max_abs),
            Some(0.0),
            "{}",
            output.name
        );
    }
    Ok(())
}

/// Static b1 s128 vs dynamic (fed 1 x 128 tokens): different graphs (the dynamic one computes
/// its shapes at run time), the same arithmetic: `fp32-reordered` (1e-3 × RMS).
#[test]
fn static_and_dynamic_shapes_agree() -> TestResult {
    let comparison = compare(
        "tiny-systems-bert_gelu_fp32_dynamic",
        &Ep::Cpu,
        TINY,
        &Ep::Cpu,
        ToleranceClass::Fp32Reordered,
    )?;
    assert_pass(&comparison);
    Ok(())
}

/// FastGELU's tanh formula is not GELU: `fp32-reordered` plus the activation-approximation
/// budget (5e-2). With seeded weights (std 0.02) the pre-activations stay near zero, where the
/// two functions agree to ~x³, so the tiny model barely notices; with all-MiniLM-L6-v2's real
/// weights the difference is real — larger than fp32 rounding alone would allow — and within
/// the budget.
#[test]
fn gelu_and_fast_gelu_agree_within_the_approximation() -> TestResult {
    let tiny = compare(
        "tiny-systems-bert_fast-gelu_fp32_static_b1_s128",
        &Ep::Cpu,
        TINY,
        &Ep::Cpu,
        ToleranceClass::Fp32Reordered,
    )?;
    assert!(tiny.tolerance.activation_approximation);
    assert_pass(&tiny);

    let real = compare(
        "all-minilm-l6-v2_fast-gelu_fp32_dynamic",
        &Ep::Cpu,
        "all-minilm-l6-v2_gelu_fp32_dynamic",
        &Ep::Cpu,
        ToleranceClass::Fp32Reordered,
    )?;
    assert_pass(&real);
    let hidden = real
        .outputs
        .iter()
        .find(|o| o.name == "last_hidden_state")
        .and_then(|o| o.stats.as_ref())
        .ok_or("no last_hidden_state")?;
    assert!(
        hidden.max_abs > 1e-3 * hidden.reference_rms,
        "GELU and FastGELU should differ by more than fp32 rounding: {}",
        real.render_text()
    );
    Ok(())
}

/// An fp16 graph against its fp32 variant, both on the CPU: `fp16-storage` (2e-2). The inputs
/// are made for the fp16 model (float16 image for MobileNet) and cast up exactly for the fp32 one.
#[test]
fn fp16_graphs_agree_with_their_fp32_variants() -> TestResult {
    for (fp16, fp32) in [
        ("tiny-systems-bert_gelu_fp16_static_b1_s128", TINY),
        ("mobilenet_v2_fp16_static_b1", "mobilenet_v2_fp32_static_b1"),
    ] {
        let comparison = compare(fp16, &Ep::Cpu, fp32, &Ep::Cpu, ToleranceClass::Fp16Storage)?;
        assert_pass(&comparison);
        assert_eq!(comparison.candidate.dtype, "fp16");
    }
    Ok(())
}

/// The same file with ORT's optimisations disabled vs all (fusions such as Attention,
/// SkipLayerNormalization, FastGelu, MatMul+Add): `fp32-reordered` (1e-3 × RMS).
#[test]
fn optimisation_levels_disabled_and_all_agree() -> TestResult {
    for variant in [
        TINY,
        "tiny-systems-bert_gelu_fp32_dynamic",
        "mobilenet_v2_fp32_static_b1",
    ] {
        let comparison = compare_models(
            &target(variant, &Ep::Cpu, OptLevel::Disable)?,
            &target(variant, &Ep::Cpu, OptLevel::All)?,
        )?;
        print_rows(&comparison);
        assert_eq!(comparison.tolerance.class, ToleranceClass::Fp32Reordered);
        assert_pass(&comparison);
    }
    Ok(())
}

/// Real weights (all-MiniLM-L6-v2): its static and dynamic graphs agree (`fp32-reordered`), and
/// its fp16 variant is within `fp16-storage` of fp32.
#[test]
fn real_weights_agree_across_variants() -> TestResult {
    let fp32 = "all-minilm-l6-v2_gelu_fp32_dynamic";
    let comparison = compare(
        "all-minilm-l6-v2_gelu_fp32_static_b1_s128",
        &Ep::Cpu,
        fp32,
        &Ep::Cpu,
        ToleranceClass::Fp32Reordered,
    )?;
    assert_pass(&comparison);
    let comparison = compare(
        "all-minilm-l6-v2_gelu_fp16_dynamic",
        &Ep::Cpu,
        fp32,
        &Ep::Cpu,
        ToleranceClass::Fp16Storage,
    )?;
    assert_pass(&comparison);
    Ok(())
}

/// What the benchmark suite does before timing: prepare the session and inputs as it does, then
/// check against the CPU. An fp16 variant is checked against its fp32 variant.
#[test]
fn the_suite_check_compares_fp16_with_the_fp32_variant() -> TestResult {
    let dir = std::path::Path::new(epbench::zoo::DEFAULT_OUT_DIR);
    for variant in [
        "tiny-systems-bert_gelu_fp16_static_b1_s128",
        "probe_erf_k2_h256",
    ] {
        let model = ModelRef::parse(variant)?.resolve(dir)?;
        let mut built = SessionConfig::new(Ep::Cpu)
            .intra_threads(1)
            .build(&model.path)?;
        let inputs = Feeds::default().for_session(&built.session, model.variant.as_ref())?;
        let comparison = check_against_cpu(&model, &mut built.session, &inputs, &Ep::Cpu)?;
        print_rows(&comparison);
        assert_pass(&comparison);
        let expected_reference = variant.replace("fp16", "fp32");
        assert_eq!(comparison.reference.model, expected_reference);
        assert_eq!(comparison.reference.ep, Ep::Cpu);
    }
    Ok(())
}

/// CoreML cannot run off macOS: the comparison is skipped with ORT's reason, never faked.
#[test]
fn coreml_is_skipped_with_its_reason_where_it_is_unavailable() -> TestResult {
    let runtime = runtime::global()?;
    let coreml: Ep = "coreml:format=mlprogram,units=cpu_only".parse()?;
    match runtime.require(&coreml) {
        Err(reason) => {
            println!("skipped: {reason}");
            assert!(reason.to_string().contains("coreml"), "{reason}");
            let error = compare_models(
                &target(TINY, &coreml, OptLevel::All)?,
                &target(TINY, &Ep::Cpu, OptLevel::All)?,
            )
            .err()
            .ok_or("a CoreML comparison succeeded where CoreML is unavailable")?;
            assert!(error.to_string().contains("unavailable"), "{error}");
        }
        Ok(()) => {
            // On a Mac: CPUOnly computes in fp32, so it must meet the fp32 tolerance.
            let comparison = compare(TINY, &coreml, TINY, &Ep::Cpu, ToleranceClass::Fp32Reordered)?;
            assert_pass(&comparison);
        }
    }
    Ok(())
}

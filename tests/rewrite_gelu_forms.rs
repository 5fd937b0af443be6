//! Every form of exact GELU exporters write is found, and what replaces it computes the tanh
//! approximation: each graph below is rewritten, run by ONNX Runtime, and compared with
//! `0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))` computed here in f64.

use std::error::Error;
use std::path::Path;

use epbench::onnx::proto::{AttributeProto, OperatorSetIdProto};
use epbench::onnx::{Dim, ElemType, FloatType, GraphBuilder, ModelProto, write_model};
use epbench::rewrite::{self, GeluForm, Rewrite};
use epbench::runtime::{Ep, SessionConfig};

type TestResult = Result<(), Box<dyn Error>>;

const N: usize = 64;

fn tanh_gelu(x: f64) -> f64 {
    0.5 * x * (1.0 + ((2.0 / std::f64::consts::PI).sqrt() * (x + 0.044715 * x.powi(3))).tanh())
}

/// A graph `y = gelu(x)` written by `body`, at `opset`.
fn model(opset: i64, body: impl FnOnce(&mut GraphBuilder, &str) -> String) -> ModelProto {
    let mut g = GraphBuilder::new("gelu", FloatType::F32);
    let dims = [Dim::from(1), Dim::from(N as i64)];
    let x = g.input("x", ElemType::Float32, &dims);
    let y = g.scoped("act", |g| body(g, &x));
    g.output(&y, "y", ElemType::Float32, &dims);
    let mut m = g.finish(opset, vec![]);
    m.opset_import.push(OperatorSetIdProto {
        domain: "com.microsoft".into(),
        version: 1,
    });
    m
}

fn run(model: &ModelProto, dir: &Path, name: &str) -> Result<Vec<f32>, Box<dyn Error>> {
    let path = dir.join(format!("{name}.onnx"));
    write_model(model, &path)?;
    let mut session = SessionConfig::new(Ep::Cpu)
        .intra_threads(1)
        .build(&path)?
        .session;
    let x = ndarray::Array2::from_shape_fn((1, N), |(_, j)| -4.0 + 8.0 * j as f32 / (N - 1) as f32);
    let outputs = session.run(ort::inputs!["x" => ort::value::Tensor::from_array(x)?])?;
    Ok(outputs["y"].try_extract_tensor::<f32>()?.1.to_vec())
}

fn check(
    name: &str,
    original: ModelProto,
    form: GeluForm,
    expected_form: &str,
    dir: &Path,
) -> TestResult {
    let (fixed, outcomes) = rewrite::apply(&original, &[Rewrite::GeluTanh { form }])?;
    assert!(outcomes[0].applied, "{name}: {}", outcomes[0].summary);
    let rewrite::Detail::Gelu { sites } = &outcomes[0].detail else {
        panic!("{name}: not a GELU outcome");
    };
    assert_eq!(sites.len(), 1, "{name}");
    assert_eq!(sites[0].form, expected_form, "{name}");
    let graph = fixed.graph.as_ref().ok_or("graph")?;
    assert!(
        !graph.node.iter().any(|n| n.op_type == "Erf"),
        "{name}: Erf left"
    );
    let y = run(&fixed, dir, name)?;
    let worst = y
        .iter()
        .enumerate()
        .map(|(j, &v)| {
            let x = -4.0 + 8.0 * j as f64 / (N - 1) as f64;
            (f64::from(v) - tanh_gelu(f64::from(x as f32))).abs()
        })
        .fold(0.0, f64::max);
    println!(
        "{name}: {} -> {} nodes, worst |y - tanh_gelu| {worst:.1e}",
        original.graph.as_ref().map_or(0, |g| g.node.len()),
        graph.node.len()
    );
    assert!(worst < 1e-5, "{name}: off by {worst}");
    Ok(())
}

/// torch's `gelu` symbolic below opset 20, dividing by `divisor` (sqrt(2) for GELU).
fn torch_form(g: &mut GraphBuilder, x: &str, divisor: f32) -> String {
    let divisor = g.const_float_scalar(divisor);
    let scaled = g.op("Div", &[x, &divisor], vec![]);
    let erf = g.op("Erf", &[&scaled], vec![]);
    let one = g.const_float_scalar(1.0);
    let plus = g.op("Add", &[&erf, &one], vec![]);
    let product = g.op("Mul", &[x, &plus], vec![]);
    let half = g.const_float_scalar(0.5);
    g.op("Mul", &[&product, &half], vec![])
}

#[test]
fn every_exporter_form_becomes_the_tanh_gelu() -> TestResult {
    let dir = tempfile::tempdir()?;
    // torch's symbolic: (x * (1 + erf(x / sqrt2))) * 0.5
    let torch = model(14, |g, x| torch_form(g, x, std::f32::consts::SQRT_2));
    check("torch", torch, GeluForm::Formula, "erf", dir.path())?;
    // HF's `x * 0.5 * (1.0 + erf(x * (1 / sqrt2)))`, constants first where they commute.
    let half_first = model(14, |g, x| {
        let half = g.const_float_scalar(0.5);
        let halved = g.op("Mul", &[&half, x], vec![]);
        let inv_sqrt2 = g.const_float_scalar(std::f32::consts::FRAC_1_SQRT_2);
        let scaled = g.op("Mul", &[x, &inv_sqrt2], vec![]);
        let erf = g.op("Erf", &[&scaled], vec![]);
        let one = g.const_float_scalar(1.0);
        let plus = g.op("Add", &[&one, &erf], vec![]);
        g.op("Mul", &[&halved, &plus], vec![])
    });
    check(
        "half-first",
        half_first,
        GeluForm::Formula,
        "erf",
        dir.path(),
    )?;
    // ((1 + erf) * 0.5) * x
    let half_on_erf = model(14, |g, x| {
        let sqrt2 = g.const_float_scalar(std::f32::consts::SQRT_2);
        let scaled = g.op("Div", &[x, &sqrt2], vec![]);
        let erf = g.op("Erf", &[&scaled], vec![]);
        let one = g.const_float_scalar(1.0);
        let plus = g.op("Add", &[&erf, &one], vec![]);
        let half = g.const_float_scalar(0.5);
        let halved = g.op("Mul", &[&plus, &half], vec![]);
        g.op("Mul", &[&halved, x], vec![])
    });
    check(
        "half-on-erf",
        half_on_erf,
        GeluForm::Formula,
        "erf",
        dir.path(),
    )?;
    // ORT's fused contrib op.
    let mut contrib = model(14, |g, x| g.op("Gelu", &[x], vec![]));
    for node in contrib.graph.iter_mut().flat_map(|g| g.node.iter_mut()) {
        node.domain = "com.microsoft".into();
    }
    check(
        "com.microsoft",
        contrib,
        GeluForm::Formula,
        "com.microsoft:Gelu",
        dir.path(),
    )?;
    // Opset 20's Gelu, as the formula and as Gelu(approximate="tanh").
    let opset20 = || model(20, |g, x| g.op("Gelu", &[x], vec![]));
    check("gelu-20", opset20(), GeluForm::Formula, "Gelu", dir.path())?;
    check(
        "gelu-20-op",
        opset20(),
        GeluForm::GeluOp,
        "Gelu",
        dir.path(),
    )?;
    Ok(())
}

#[test]
fn near_misses_and_tanh_gelus_are_left_alone() -> TestResult {
    // erf(x / 2) is not GELU; Gelu(approximate="tanh") already is the approximation.
    let near = model(14, |g, x| torch_form(g, x, 2.0));
    let tanh = model(20, |g, x| {
        g.op(
            "Gelu",
            &[x],
            vec![AttributeProto::string("approximate", "tanh")],
        )
    });
    for m in [near, tanh] {
        let (fixed, outcomes) = rewrite::apply(&m, &[Rewrite::gelu_tanh()])?;
        assert!(!outcomes[0].applied);
        assert!(outcomes[0].summary.contains("no exact GELU found"));
        assert_eq!(fixed, m);
    }
    Ok(())
}

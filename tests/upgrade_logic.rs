//! The upgrade check's pure logic: paired statistics on data whose answer is known analytically,
//! side options, and the worker protocol.

use epbench::correctness::{OutputTensor, Values};
use epbench::provisioning::OrtRequirement;
use epbench::runtime::{Ep, EpKind, OptLevel, SessionConfig};
use epbench::stats::sign_test::median_interval_rank;
use epbench::stats::{Change, Verdict};
use epbench::upgrade::SideOptions;
use epbench::upgrade::paired::paired_change;
use epbench::upgrade::protocol::{Request, Response, WireTensor, read_message, write_message};

fn judge(change: Change, threshold: f64) -> Verdict {
    Verdict::judge(&change, threshold)
}

/// Rounds whose log ratio is `ln(ratio) ± e`, the sign alternating from one pair of rounds (AB,
/// BA) to the next.
fn alternating(ratio: f64, e: f64, rounds: usize) -> (Vec<f64>, Vec<f64>) {
    let from: Vec<f64> = (0..rounds).map(|r| 1000.0 + 37.0 * r as f64).collect();
    let to = from
        .iter()
        .enumerate()
        .map(|(r, f)| {
            let sign = if (r / 2) % 2 == 0 { 1.0 } else { -1.0 };
            f * (ratio.ln() + sign * e).exp()
        })
        .collect();
    (from, to)
}

#[test]
fn the_median_interval_uses_the_sign_test_ranks() {
    // P(Bin(10, 1/2) <= 1) = 11/1024 <= 2.5% < P(<= 2) = 56/1024.
    let (k, coverage) = median_interval_rank(10);
    assert_eq!(k, 2);
    assert!((coverage - (1.0 - 22.0 / 1024.0)).abs() < 1e-12);
    // P(Bin(30, 1/2) <= 9) = 0.0214 <= 2.5% < P(<= 10) = 0.0494.
    assert_eq!(median_interval_rank(30).0, 10);
    // Five rounds: the whole range, covering 1 - 2/32.
    assert_eq!(median_interval_rank(5), (1, 1.0 - 2.0 / 32.0));
}

#[test]
fn paired_change_is_the_median_ratio_with_order_statistic_bounds() {
    let (n, e) = (40, 0.05);
    let (from, to) = alternating(1.10, e, n);
    let paired = paired_change(&from, &to).unwrap();
    // Half the pair ratios are ln 1.1 - e, half ln 1.1 + e: the median is ln 1.1 and, with k = 6
    // for twenty pairs, the bounds are the 6th and 15th smallest, ln 1.1 -/+ e.
    assert!((paired.change.point - 0.10).abs() < 1e-12, "{paired:?}");
    assert!((paired.change.lower - (1.10f64.ln() - e).exp_m1()).abs() < 1e-12);
    assert!((paired.change.upper - (1.10f64.ln() + e).exp_m1()).abs() < 1e-12);
    assert!((paired.log_half_width - e).abs() < 1e-12);
    assert_eq!(paired.rounds, n);
    // The lower bound, ~4.6%, clears a 4% threshold but not a 5% one.
    assert_eq!(judge(paired.change, 0.04), Verdict::Slower);
    assert_eq!(judge(paired.change, 0.05), Verdict::Inconclusive);
}

#[test]
fn a_few_disturbed_rounds_do_not_decide_the_verdict() {
    // Identical sides, but in five rounds out of forty another process landed on the `to`
    // side's burst and tripled it: a mean of log ratios would call that a 14% regression. The
    // sign test's bounds over twenty pairs (the 6th smallest and largest) ignore up to five
    // disturbed pairs on a side.
    let from: Vec<f64> = (0..40).map(|r| 1000.0 + 10.0 * r as f64).collect();
    let mut to = from.clone();
    for r in [3, 11, 18, 27, 36] {
        to[r] *= 3.0;
    }
    let paired = paired_change(&from, &to).unwrap();
    assert_eq!(paired.change.point, 0.0);
    assert_eq!(paired.change.lower, 0.0);
    assert_eq!(judge(paired.change, 0.05), Verdict::Equivalent);
}

#[test]
fn drift_common_to_both_sides_cancels() {
    // The machine slows down 3x over the rounds, both sides alike: the paired change is exactly
    // the 5% the `to` side is faster by, with a zero-width interval.
    let from: Vec<f64> = (0..12).map(|r| 1000.0 * (1.0 + 0.2 * r as f64)).collect();
    let to: Vec<f64> = from.iter().map(|f| f * 0.95).collect();
    let paired = paired_change(&from, &to).unwrap();
    assert!((paired.change.point + 0.05).abs() < 1e-12);
    assert!(paired.log_half_width < 1e-12);
    assert_eq!(judge(paired.change, 0.03), Verdict::Faster);
    // -5% is within a 6% gate's mirror image (-5.7%): the sides are equivalent at 6%.
    assert_eq!(judge(paired.change, 0.06), Verdict::Equivalent);
}

#[test]
fn identical_sides_show_no_change() {
    let (from, to) = alternating(1.0, 0.02, 30);
    let paired = paired_change(&from, &to).unwrap();
    assert!(paired.change.lower < 0.0 && paired.change.upper > 0.0);
    assert_eq!(judge(paired.change, 0.05), Verdict::Equivalent);
}

#[test]
fn side_options_parse_at_the_edge() {
    let options: SideOptions = "threads=1, opt=disabled".parse().unwrap();
    assert_eq!(options.threads, Some(1));
    assert_eq!(options.opt, Some(OptLevel::Disable));
    let config = options.apply(SessionConfig::new(Ep::Cpu).intra_threads(2));
    assert_eq!(config.intra_threads, Some(1));
    assert_eq!(config.optimization, OptLevel::Disable);
    assert!("".parse::<SideOptions>().unwrap().is_empty());
    let slowed: SideOptions = "slowdown=5%".parse().unwrap();
    assert_eq!(slowed.slowdown.map(|s| s.fraction()), Some(0.05));
    // The slowdown is the worker's, not a session setting.
    assert_eq!(
        slowed.apply(SessionConfig::new(Ep::Cpu)),
        SessionConfig::new(Ep::Cpu)
    );
    assert_eq!(
        "opt=basic".parse::<SideOptions>().unwrap().opt,
        Some(OptLevel::Basic)
    );
    for (bad, says) in [
        ("speed=max", "unknown key `speed`; the keys are threads=N"),
        ("threads", "not key=value; the keys are threads=N"),
        ("threads=0", "expected a positive number"),
        ("threads=two", "expected a positive number"),
        ("opt=fast", "expected disabled, basic, extended or all"),
        ("slowdown=0", "expected a percentage above 0"),
        ("slowdown=fast", "is not a percentage such as 5%"),
    ] {
        let error = bad.parse::<SideOptions>().unwrap_err().to_string();
        assert!(error.contains(says), "{bad}: {error}");
    }
}

#[test]
fn protocol_round_trips_every_message() {
    let requests = [
        Request::Load {
            requirement: "onnxruntime==1.30.0".parse::<OrtRequirement>().unwrap(),
            ep: EpKind::OpenVino,
            intra_threads: 2,
            options: "threads=1".parse().unwrap(),
            models_dir: "models/generated".into(),
            pin: Some(vec![1]),
            spinning: false,
            decided_by: epbench::upgrade::measure::Measure::Cpu,
        },
        Request::Prepare {
            id: "cpu/overhead/add_64k/cpu".into(),
        },
        Request::Measure {
            id: "x".into(),
            warmup: 1,
            iterations: 10,
        },
        Request::Outputs { id: "x".into() },
        Request::Quit,
    ];
    let mut buffer = Vec::new();
    for request in &requests {
        write_message(&mut buffer, request).unwrap();
    }
    let mut reader = buffer.as_slice();
    for request in &requests {
        let read: Request = read_message(&mut reader).unwrap().unwrap();
        assert_eq!(&read, request);
    }
    assert_eq!(read_message::<Request>(&mut reader).unwrap(), None);
    assert!(read_message::<Request>(&mut "not json\n".as_bytes()).is_err());

    let response = Response::Measured {
        ns: vec![1, 2, 3],
        cpu_ns: Some(7),
    };
    let mut buffer = Vec::new();
    write_message(&mut buffer, &response).unwrap();
    assert_eq!(buffer.iter().filter(|&&b| b == b'\n').count(), 1);
    assert_eq!(
        read_message::<Response>(&mut buffer.as_slice()).unwrap(),
        Some(response)
    );
}

#[test]
fn tensors_cross_the_wire_bit_for_bit() {
    let floats = OutputTensor {
        name: "logits".into(),
        shape: vec![2, 3],
        element_type: "float32".into(),
        values: Values::Float(vec![
            1.5,
            -0.0,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            1e-300,
        ]),
    };
    let ints = OutputTensor {
        name: "ids".into(),
        shape: vec![3],
        element_type: "int64".into(),
        values: Values::Int(vec![i64::MIN, 0, i64::MAX]),
    };
    for tensor in [floats, ints] {
        let wire = WireTensor::from(&tensor);
        let json = serde_json::to_string(&wire).unwrap();
        let back: WireTensor = serde_json::from_str(&json).unwrap();
        let restored = OutputTensor::try_from(&back).unwrap();
        assert_eq!(restored.name, tensor.name);
        assert_eq!(restored.shape, tensor.shape);
        match (&restored.values, &tensor.values) {
            (Values::Float(a), Values::Float(b)) => {
                let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
                assert_eq!(bits(a), bits(b));
            }
            (a, b) => assert_eq!(a, b),
        }
    }
    let mut broken = WireTensor::from(&OutputTensor {
        name: "x".into(),
        shape: vec![1],
        element_type: "float32".into(),
        values: Values::Float(vec![1.0]),
    });
    broken.base64 = "AAAA".into();
    assert!(OutputTensor::try_from(&broken).is_err());
}

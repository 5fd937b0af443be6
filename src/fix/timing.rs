//! `--time`: median latency of the original and the fixed model, on the EP and on the CPU, on
//! the inputs the outputs were compared on.

use std::path::Path;

use serde::Serialize;

use crate::measure::latency::LatencyStats;
use crate::measure::run::{Runs, time_runs};
use crate::runtime::{Ep, SessionConfig};
use crate::workload::NamedInputs;

/// The study's runs: 5 warm-up, 50 timed.
pub const TIMED_RUNS: Runs = Runs {
    warmup: 5,
    iterations: 50,
};

/// Median latency before and after on one EP.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Timing {
    pub ep: Ep,
    pub runs: Runs,
    pub before_p50_ms: Option<f64>,
    pub after_p50_ms: Option<f64>,
    /// Why a side was not timed (the EP cannot execute here, a run failed).
    pub note: Option<String>,
}

impl Timing {
    /// `after / before`, when both were timed.
    pub fn ratio(&self) -> Option<f64> {
        Some(self.after_p50_ms? / self.before_p50_ms?)
    }
}

/// The timings and the machine's load while they were taken.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Timings {
    pub rows: Vec<Timing>,
    /// The 1-, 5- and 15-minute load averages after timing (`/proc/loadavg`; Linux only): a
    /// busy machine makes every number slower and noisier.
    pub load_average: Option<[f64; 3]>,
}

/// Times `original` and `fixed` on `ep` and, when `ep` is not the CPU, on the CPU too.
pub fn time_models(original: &Path, fixed: &Path, ep: &Ep, inputs: &NamedInputs) -> Timings {
    let mut eps = vec![ep.clone()];
    if *ep != Ep::Cpu {
        eps.push(Ep::Cpu);
    }
    let rows = eps
        .into_iter()
        .map(|ep| {
            let before = p50(original, &ep, inputs);
            let after = p50(fixed, &ep, inputs);
            let note = before.as_ref().err().or(after.as_ref().err()).cloned();
            Timing {
                runs: TIMED_RUNS,
                before_p50_ms: before.ok(),
                after_p50_ms: after.ok(),
                note,
                ep,
            }
        })
        .collect();
    Timings {
        rows,
        load_average: load_average(),
    }
}

fn load_average() -> Option<[f64; 3]> {
    let text = std::fs::read_to_string("/proc/loadavg").ok()?;
    let mut values = text.split_whitespace().map(|v| v.parse::<f64>().ok());
    Some([values.next()??, values.next()??, values.next()??])
}

fn p50(model: &Path, ep: &Ep, inputs: &NamedInputs) -> Result<f64, String> {
    let mut built = SessionConfig::new(ep.clone())
        .build(model)
        .map_err(|e| e.to_string())?;
    let named: Vec<(&str, &ort::value::DynValue)> =
        inputs.iter().map(|(n, v)| (n.as_str(), v)).collect();
    let feeds = crate::correctness::adapt_inputs(&built.session, &named)?;
    let durations = time_runs(&mut built.session, &feeds, TIMED_RUNS).map_err(|e| {
        // ORT's message for an EP that partitions but cannot execute here (the CoreML EP built
        // for Linux) ends with its status message; that is the part worth showing.
        let message = e.to_string();
        match message.split_once("Status Message: ") {
            Some((_, status)) => format!("not timed: {status}"),
            None => message,
        }
    })?;
    Ok(LatencyStats::from_durations(&durations)
        .map_err(|e| e.to_string())?
        .p50)
}

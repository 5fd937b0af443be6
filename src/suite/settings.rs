//! Measurement settings: explicit threads, and sample sizes that fit each model's cost.

use std::time::Duration;

/// Suite-wide settings, fixed before anything is measured and printed with the results.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Settings {
    /// `EPBENCH_QUICK=1`: fewer samples and shorter windows for a fast pass.
    pub quick: bool,
    /// Intra-op threads for every session (`EPBENCH_THREADS`, default: available cores).
    pub intra_threads: usize,
}

impl Settings {
    /// Reads `EPBENCH_QUICK` and `EPBENCH_THREADS`; a malformed value is an error, not a guess.
    pub fn from_env() -> Result<Self, String> {
        let quick = match std::env::var("EPBENCH_QUICK").as_deref() {
            Ok("1") | Ok("true") | Ok("yes") => true,
            Ok("0") | Ok("false") | Ok("no") | Ok("") | Err(_) => false,
            Ok(other) => return Err(format!("EPBENCH_QUICK=`{other}`: expected 1 or 0")),
        };
        let intra_threads = match std::env::var("EPBENCH_THREADS") {
            Ok(value) if !value.is_empty() => value
                .parse::<usize>()
                .ok()
                .filter(|&n| n > 0)
                .ok_or_else(|| format!("EPBENCH_THREADS=`{value}`: expected a positive number"))?,
            _ => std::thread::available_parallelism().map_or(1, |n| n.get()),
        };
        Ok(Self {
            quick,
            intra_threads,
        })
    }
}

/// How expensive one run of a workload is, which decides how long criterion measures it.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Cost {
    /// Microseconds per run: the overhead model, probe chains.
    Tiny,
    /// About a millisecond: tiny-systems-bert, MobileNetV2.
    Light,
    /// Tens to hundreds of milliseconds: BERT-base, DistilBERT.
    Heavy,
    /// Session creation: hundreds of milliseconds to seconds per iteration.
    ColdStart,
}

/// Criterion's knobs for one benchmark.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Measurement {
    pub sample_size: usize,
    pub warm_up: Duration,
    pub measurement_time: Duration,
}

impl Cost {
    /// Criterion settings for this cost; `quick` trades precision for a fast pass.
    pub fn measurement(self, quick: bool) -> Measurement {
        let ms = Duration::from_millis;
        let (sample_size, warm_up, measurement_time) = match (self, quick) {
            (Cost::Tiny, false) => (100, ms(1000), ms(3000)),
            (Cost::Light, false) => (50, ms(1000), ms(4000)),
            (Cost::Heavy, false) => (20, ms(2000), ms(10_000)),
            (Cost::ColdStart, false) => (10, ms(500), ms(10_000)),
            // Criterion's minimum sample size is 10.
            (Cost::Tiny, true) => (20, ms(200), ms(500)),
            (Cost::Light, true) => (10, ms(200), ms(500)),
            (Cost::Heavy, true) => (10, ms(300), ms(1000)),
            (Cost::ColdStart, true) => (10, ms(100), ms(1000)),
        };
        Measurement {
            sample_size,
            warm_up,
            measurement_time,
        }
    }
}

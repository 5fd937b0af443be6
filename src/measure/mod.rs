//! Measurements: latency statistics, ORT profile summaries, profiled runs.

pub mod latency;
pub mod profile;
pub mod run;

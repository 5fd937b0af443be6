//! Measurements: latency statistics, ORT profile summaries, profiled runs, partitions on an EP.

pub mod latency;
pub mod partitions;
pub mod profile;
pub mod run;

//! Measurements: latency statistics, the process's CPU time, ORT profile summaries, profiled runs,
//! partitions on an EP.

pub mod cpu_time;
pub mod latency;
pub mod partitions;
pub mod profile;
pub mod run;

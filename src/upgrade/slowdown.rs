//! A synthetic slowdown for validating the check: `--to-options slowdown=5%` makes that side's
//! worker busy-wait for 5% of the clock the check decides by, inside that clock, so the check
//! has a change of known size to find (see `scripts/upgrade-validation.sh`):
//!
//! - deciding by wall time: after each timed run, for 5% of that run's wall time, inside the
//!   run's clock ([`Slowdown::spin_wall`]);
//! - deciding by CPU time: after a burst's timed runs, until the spinning thread's own CPU clock
//!   has advanced by 5% of the CPU time the process spent on them, inside the burst's CPU window
//!   ([`Slowdown::spin_cpu`]).
//!
//! A fraction of one clock is not that fraction of the other: the spin is on one thread, while
//! a run keeps every intra-op thread busy, so 5% of the wall time was about 3% of the CPU time
//! with 2 threads. And the CPU-time spin adds exactly its share only while nothing else in the
//! process runs: the check's workers keep ORT's intra-op threads from spinning between runs (see
//! `check`); with them spinning beside it, a 5% spin measured +9.8%.
//!
//! It spins rather than sleeps: a sleep cannot be shorter than the scheduler's timer slack (tens
//! of microseconds, longer than the fastest runs), and it would leave the CPU time unchanged.

use std::fmt;
use std::str::FromStr;
use std::time::{Duration, Instant};

use crate::measure::cpu_time::thread_cpu_time;

/// The most that can be injected: 10x.
const MAX_BASIS_POINTS: u32 = 100_000;

/// An injected slowdown, in basis points of a run's time (500 = 5%); never zero.
///
/// ```
/// use epbench::upgrade::slowdown::Slowdown;
/// let s: Slowdown = "2.5%".parse().unwrap();
/// assert_eq!(s.fraction(), 0.025);
/// assert_eq!(s.to_string(), "2.5%");
/// assert!("0%".parse::<Slowdown>().is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(into = "f64", try_from = "f64")]
pub struct Slowdown {
    basis_points: u32,
}

impl Slowdown {
    /// The slowdown as a fraction of a run's time.
    pub fn fraction(self) -> f64 {
        f64::from(self.basis_points) / 10_000.0
    }

    /// Busy-waits for this fraction of `run`, by the wall clock.
    pub fn spin_wall(self, run: Duration) {
        let until = Instant::now() + run.mul_f64(self.fraction());
        while Instant::now() < until {
            std::hint::spin_loop();
        }
    }

    /// Busy-waits until the calling thread has spent this fraction of `cpu` in CPU time, so that
    /// time waiting for a core does not count; by the wall clock where the OS has no thread
    /// clock.
    pub fn spin_cpu(self, cpu: Duration) {
        let amount = cpu.mul_f64(self.fraction());
        let Some(start) = thread_cpu_time() else {
            return self.spin_wall(cpu);
        };
        while thread_cpu_time().is_some_and(|now| now.saturating_sub(start) < amount) {
            std::hint::spin_loop();
        }
    }

    fn from_fraction(fraction: f64) -> Result<Self, String> {
        let basis_points = (fraction * 10_000.0).round();
        if !(basis_points >= 1.0 && basis_points <= f64::from(MAX_BASIS_POINTS)) {
            return Err(format!(
                "expected a percentage above 0 and at most {}%",
                MAX_BASIS_POINTS / 100
            ));
        }
        Ok(Slowdown {
            basis_points: basis_points as u32,
        })
    }
}

impl FromStr for Slowdown {
    type Err = String;

    /// `5%`, `5` (percent) or `2.5%`.
    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let number = input.trim().trim_end_matches('%').trim();
        let percent: f64 = number
            .parse()
            .map_err(|_| format!("`{input}` is not a percentage such as 5%"))?;
        Slowdown::from_fraction(percent / 100.0)
    }
}

impl fmt::Display for Slowdown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}%", f64::from(self.basis_points) / 100.0)
    }
}

impl From<Slowdown> for f64 {
    fn from(slowdown: Slowdown) -> f64 {
        slowdown.fraction()
    }
}

impl TryFrom<f64> for Slowdown {
    type Error = String;

    fn try_from(fraction: f64) -> Result<Self, Self::Error> {
        Slowdown::from_fraction(fraction)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg(unix)]
    fn a_cpu_spin_costs_the_thread_at_least_its_share() {
        let slowdown: Slowdown = "5%".parse().unwrap();
        let before = thread_cpu_time().unwrap();
        slowdown.spin_cpu(Duration::from_millis(100));
        let spent = thread_cpu_time().unwrap() - before;
        assert!(spent >= Duration::from_millis(5), "{spent:?}");
    }
}

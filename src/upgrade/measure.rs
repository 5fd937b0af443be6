//! What one burst measured, and the clock that decides: the wall time of each run, or the CPU
//! time the process spent over the whole burst.

use std::fmt;
use std::str::FromStr;

use crate::stats::Sorted;

/// The clock a burst is summarised by, for the paired change and the verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Measure {
    /// The median wall time of the burst's runs: the latency a user waits for, including any
    /// time the threads waited for a core.
    Wall,
    /// The process's CPU time over the burst, per run: the work, without the waiting (see
    /// [`crate::measure::cpu_time`]).
    Cpu,
}

impl Measure {
    /// The other clock.
    pub fn other(self) -> Measure {
        match self {
            Measure::Wall => Measure::Cpu,
            Measure::Cpu => Measure::Wall,
        }
    }
}

impl FromStr for Measure {
    type Err = String;

    fn from_str(input: &str) -> Result<Self, Self::Err> {
        match input.trim().to_ascii_lowercase().as_str() {
            "wall" => Ok(Measure::Wall),
            "cpu" => Ok(Measure::Cpu),
            _ => Err(format!("`{input}`: expected wall or cpu")),
        }
    }
}

impl fmt::Display for Measure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Measure::Wall => "wall",
            Measure::Cpu => "cpu",
        })
    }
}

/// One burst on one side: the wall time of each timed run, and the process's CPU time over
/// all of them (`None` where the OS does not report it).
#[derive(Debug, Clone, PartialEq)]
pub struct Burst {
    pub ns: Vec<u64>,
    pub cpu_ns: Option<u64>,
}

impl Burst {
    /// The burst by `measure`, in ns per run: the median wall time, or the CPU time divided by
    /// the runs (CPU time exists only for the whole burst). `None` when there is no such value.
    pub fn value(&self, measure: Measure) -> Option<f64> {
        match measure {
            Measure::Wall => Sorted::new(self.ns.iter().map(|&n| n as f64).collect())
                .map(|sorted| sorted.median()),
            Measure::Cpu => self
                .cpu_ns
                .filter(|_| !self.ns.is_empty())
                .map(|cpu| cpu as f64 / self.ns.len() as f64),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bursts_by_either_clock() {
        let burst = Burst {
            ns: vec![30, 10, 20, 1000],
            cpu_ns: Some(2000),
        };
        assert_eq!(burst.value(Measure::Wall), Some(25.0));
        assert_eq!(burst.value(Measure::Cpu), Some(500.0));
        let no_cpu = Burst {
            ns: vec![1],
            cpu_ns: None,
        };
        assert_eq!(no_cpu.value(Measure::Cpu), None);
        assert_eq!("CPU".parse::<Measure>(), Ok(Measure::Cpu));
        assert!("gpu".parse::<Measure>().is_err());
        assert_eq!(Measure::Wall.other(), Measure::Cpu);
    }
}

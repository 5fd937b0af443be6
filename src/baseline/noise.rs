//! The noise floor: how large a change two runs of identical code show on this kind of machine.
//!
//! On shared or thermally throttled machines the runs of one `cargo bench` differ from each other
//! far more than the samples within a run do (six back-to-back runs of one model gave medians
//! from 0.93 to 2.10 ms, each with ~15% spread of its own). Criterion's within-run intervals say
//! nothing about that, so epbench learns it from repeated runs: each saved run of a baseline
//! (`epbench baseline save NAME --append`) and each `--from` folder of a check is one
//! observation of a benchmark's run location.

use std::collections::BTreeMap;

use super::run::RunSet;
use crate::stats::runs::between_run_spread;
use crate::stats::student::t_quantile_975;

/// Where a noise floor came from; printed next to every verdict.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum NoiseBasis {
    /// Fixed by the user (`--noise-floor`).
    Given,
    /// Learned from the between-run spread of repeated runs of the compared sides.
    Learned {
        /// The standard deviation of a single run's log location used for this benchmark:
        /// its own, or the median over benchmarks when that is larger (few runs make a single
        /// benchmark's estimate unreliable, mostly on the low side).
        sigma: f64,
        /// Degrees of freedom of that estimate (runs minus one, summed over the sides).
        degrees_of_freedom: usize,
        /// Runs of the reference side that have the benchmark.
        reference_runs: usize,
        /// Runs of the new side that have the benchmark.
        new_runs: usize,
    },
    /// Neither side has repeated runs and none was given: the floor is zero and verdicts only
    /// account for within-run noise.
    Unmeasured,
}

/// The noise floor of one comparison, as a relative change (0.08 = 8%).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct NoiseFloor {
    /// Changes up to this size are what repeated runs of identical code show.
    pub fraction: f64,
    /// How it was obtained.
    pub basis: NoiseBasis,
}

/// A between-run standard deviation (log scale) and its degrees of freedom.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Spread {
    sigma: f64,
    degrees_of_freedom: usize,
}

/// Between-run noise for the benchmarks of two sides, learned from their repeated runs.
#[derive(Debug, Clone, PartialEq)]
pub struct NoiseModel {
    given: Option<f64>,
    per_benchmark: BTreeMap<String, Spread>,
    typical: Option<Spread>,
}

impl NoiseModel {
    /// A model that uses `fraction` for every benchmark.
    pub fn given(fraction: f64) -> Self {
        NoiseModel {
            given: Some(fraction),
            per_benchmark: BTreeMap::new(),
            typical: None,
        }
    }

    /// Learns each benchmark's between-run standard deviation (log scale) from every side with
    /// two or more runs of it, pooling the sides' squared deviations. The typical value is the
    /// median over benchmarks, robust to the odd benchmark that is noisy for its own reasons; its
    /// degrees of freedom are the smallest any benchmark has, because a busy machine slows all
    /// benchmarks of a run together, so more benchmarks do not mean more independent evidence.
    pub fn learn(sides: &[&RunSet]) -> Self {
        let mut pooled: BTreeMap<&str, (f64, usize)> = BTreeMap::new();
        for side in sides {
            for id in side.ids() {
                if let Some((squares, df)) = between_run_spread(&side.samples(id)) {
                    let entry = pooled.entry(id).or_default();
                    entry.0 += squares;
                    entry.1 += df;
                }
            }
        }
        let per_benchmark: BTreeMap<String, Spread> = pooled
            .into_iter()
            .map(|(id, (squares, df))| {
                let spread = Spread {
                    sigma: (squares / df as f64).sqrt(),
                    degrees_of_freedom: df,
                };
                (id.to_string(), spread)
            })
            .collect();
        let sigmas: Vec<f64> = per_benchmark.values().map(|s| s.sigma).collect();
        let typical = per_benchmark
            .values()
            .map(|s| s.degrees_of_freedom)
            .min()
            .zip(crate::stats::median(&sigmas))
            .map(|(degrees_of_freedom, sigma)| Spread {
                sigma,
                degrees_of_freedom,
            });
        NoiseModel {
            given: None,
            per_benchmark,
            typical,
        }
    }

    /// Whether there is nothing to go on: no floor given and no repeated runs.
    pub fn is_unmeasured(&self) -> bool {
        self.given.is_none() && self.typical.is_none()
    }

    /// The typical between-run standard deviation of a single run (log scale), when learned.
    pub fn typical_sigma(&self) -> Option<f64> {
        self.typical.map(|s| s.sigma)
    }

    /// The floor of a benchmark with the typical spread, when there is one (given or learned).
    pub fn typical_floor(&self, reference_runs: usize, new_runs: usize) -> Option<f64> {
        match self.given {
            Some(fraction) => Some(fraction),
            None => Some(floor_fraction(self.typical?, reference_runs, new_runs)),
        }
    }

    /// The floor for benchmark `id` compared with `reference_runs` runs on one side and
    /// `new_runs` on the other: the upper end of a 95% prediction interval for the change between
    /// two sets of runs of identical code,
    /// `exp(t(df) * sigma * sqrt(1/reference_runs + 1/new_runs)) - 1`. The difference of two
    /// means of independent runs has standard deviation `sigma * sqrt(...)`; Student's `t`
    /// instead of the normal 1.96 accounts for `sigma` being estimated from a few runs (4.30 for
    /// three runs, 2.26 for ten).
    pub fn floor(&self, id: &str, reference_runs: usize, new_runs: usize) -> NoiseFloor {
        if let Some(fraction) = self.given {
            return NoiseFloor {
                fraction,
                basis: NoiseBasis::Given,
            };
        }
        let Some(spread) = self.spread(id) else {
            return NoiseFloor {
                fraction: 0.0,
                basis: NoiseBasis::Unmeasured,
            };
        };
        NoiseFloor {
            fraction: floor_fraction(spread, reference_runs, new_runs),
            basis: NoiseBasis::Learned {
                sigma: spread.sigma,
                degrees_of_freedom: spread.degrees_of_freedom,
                reference_runs,
                new_runs,
            },
        }
    }
}

impl NoiseModel {
    /// The floor for the time ratio of two *different* benchmarks `a` and `b` measured once
    /// each (as one study run measures its rows): `exp(t(df) * sqrt(sigma_a² + sigma_b²)) - 1`,
    /// with the smaller of their degrees of freedom. It treats the two benchmarks' run-to-run
    /// noise as independent, which is conservative: drift that slows both within one run cancels
    /// in their ratio. `None` when nothing was learned or given.
    pub fn floor_between(&self, a: &str, b: &str) -> Option<f64> {
        if let Some(fraction) = self.given {
            return Some(fraction);
        }
        let (a, b) = (self.spread(a)?, self.spread(b)?);
        let sigma = a.sigma.hypot(b.sigma);
        let t = t_quantile_975(a.degrees_of_freedom.min(b.degrees_of_freedom));
        Some((t * sigma).exp_m1())
    }

    /// The spread used for benchmark `id`: its own, never below the typical one, or the typical
    /// one for a benchmark without repeated runs. `None` when nothing was learned.
    fn spread(&self, id: &str) -> Option<Spread> {
        let typical = self.typical?;
        Some(match self.per_benchmark.get(id) {
            Some(own) => Spread {
                sigma: own.sigma.max(typical.sigma),
                degrees_of_freedom: own.degrees_of_freedom,
            },
            None => typical,
        })
    }
}

fn floor_fraction(spread: Spread, reference_runs: usize, new_runs: usize) -> f64 {
    let runs = 1.0 / reference_runs.max(1) as f64 + 1.0 / new_runs.max(1) as f64;
    let t = t_quantile_975(spread.degrees_of_freedom);
    (t * spread.sigma * runs.sqrt()).exp_m1()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::baseline::run::Run;

    fn side(scales: &[f64]) -> RunSet {
        RunSet {
            label: "x".into(),
            metadata: None,
            runs: scales
                .iter()
                .map(|s| Run {
                    benchmarks: [("a".to_string(), vec![100.0 * s; 5])].into(),
                })
                .collect(),
        }
    }

    #[test]
    fn learns_from_repeated_runs_only() {
        let model = NoiseModel::learn(&[&side(&[1.0])]);
        assert_eq!(model.floor("a", 1, 1).basis, NoiseBasis::Unmeasured);

        let model = NoiseModel::learn(&[&side(&[0.9, 1.0, 1.1]), &side(&[1.0])]);
        let sigma = model.typical_sigma().unwrap();
        assert!((0.08..0.12).contains(&sigma), "{sigma}");
        let single = model.floor("a", 3, 1);
        // Three runs: two degrees of freedom, t = 4.303.
        let expected = (4.303 * sigma * (1.0f64 / 3.0 + 1.0).sqrt()).exp_m1();
        assert!((single.fraction - expected).abs() < 1e-12);
        // More runs on the new side shrink the floor.
        assert!(model.floor("a", 3, 3).fraction < single.fraction);
        // Benchmarks never seen twice get the typical spread.
        assert_eq!(model.floor("b", 3, 1).fraction, single.fraction);

        // Two benchmarks with the same spread, once each: sigma * sqrt(2), as for one benchmark
        // compared single run against single run.
        let between = model.floor_between("a", "b").unwrap();
        assert!((between - model.floor("a", 1, 1).fraction).abs() < 1e-12);
        assert!(
            NoiseModel::learn(&[&side(&[1.0])])
                .floor_between("a", "b")
                .is_none()
        );

        let given = NoiseModel::given(0.2).floor("a", 1, 1);
        assert_eq!((given.fraction, given.basis), (0.2, NoiseBasis::Given));
    }
}

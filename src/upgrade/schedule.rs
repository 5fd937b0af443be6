//! The order of measurement: rounds over all benchmarks, and within each round both sides
//! measure a short burst of each benchmark back to back, the side that goes first alternating
//! from round to round (A B, B A, A B, ...: the ABBA pattern). A slow drift of the machine
//! (another process, clock or thermal changes) then hits both sides alike within a round, and
//! an advantage of going first or second cancels over each pair of rounds.

use std::time::Duration;

use super::Side;

/// The two sides in the order they measure in `round` (0-based).
pub fn order(round: usize) -> [Side; 2] {
    if round.is_multiple_of(2) {
        [Side::From, Side::To]
    } else {
        [Side::To, Side::From]
    }
}

/// Both sides, `first` first.
pub fn starting_with(first: Side) -> [Side; 2] {
    [first, first.other()]
}

/// The side that starts first in worker generation `generation` (0-based), and prepares,
/// calibrates and warms up first: `from`, `to`, `from`, ... Whichever worker does that first
/// stays slower than the other for its whole life, through every re-creation of its sessions.
/// In 2-minute A/A checks of BERT-base and the tiny model here (quiet machine, load ~1.7): with
/// `from` first, the `to` worker was faster by 0.5-0.9% (4 of 4 rows, 2 checks); with `to`
/// first, the `from` worker by 0.1-1.0% (4 of 4 rows, 2 checks); with only the preparation,
/// calibration and warm-up in `to`-first order, the `from` worker by 0.0-0.7% (4 of 4 rows,
/// 2 checks). Over generations that alternate, the offset cancels.
pub fn first_in_generation(generation: usize) -> Side {
    order(generation)[0]
}

/// Whether the next worker generation is due before a pair of rounds, when `started`
/// generations have started and the rounds are `progress` of the way (the fraction of the fixed
/// rounds or of the budget done): the rounds are split into `generations` equal parts, each
/// measured by its own pair of workers, so that in a check that runs to its end each side
/// started first for the same share of the rounds.
///
/// Few, not many: restarting every ~40 s (10x the ~4 s a start of BERT-base and the tiny model
/// takes) made 4 generations in a 3-minute check, and under load (1 burner) its A/A intervals
/// were a third wider than with one generation (BERT-base's half-widths 3.1-4.0% against
/// 2.0-2.6%) with a fifth fewer rounds, and it flagged a 5% slowdown of BERT-base in 1 of 2
/// checks where one generation had flagged 7 of 7: the first dozen pairs of rounds after a
/// restart scattered 1.5-2x as much as later ones (median distance from the median pair
/// 5.5-7.0% against 3.5-4.0%).
pub fn generation_due(progress: f64, started: usize, generations: usize) -> bool {
    started < generations && progress >= started as f64 / generations as f64
}

/// How many iterations a burst times, from a calibration of one iteration's time on each side:
/// as many as fit in `budget_ns` on the slower side, at least `min` (so that a burst's median
/// means something for slow models) and at most `max` (so that per-iteration times of the
/// fastest workloads stay a small message). Both sides run the same count.
pub fn burst_iterations(iteration_ns: [f64; 2], budget_ns: f64, min: u32, max: u32) -> u32 {
    let slowest = iteration_ns[0].max(iteration_ns[1]).max(1.0);
    let fit = (budget_ns / slowest).floor();
    (fit.min(f64::from(max)) as u32).clamp(min, max)
}

/// Untimed runs before each burst: the other side ran in between and left the caches cold. A
/// tenth of the burst, and none for bursts of fewer than ten runs: those are of models slower
/// than a tenth of the target burst, whose first run after the switch costs both sides alike
/// and little against the run, while a warm-up run would double the time of a one-run burst.
pub fn warmup_for(iterations: u32) -> u32 {
    iterations / 10
}

/// Whether a benchmark's sessions are due to be re-created: once the rounds since they were
/// created (`measured_since`) took at least `after` times what creating them took
/// (`prepare_cost`), so that re-creating costs at most `1 / after` of the measuring. A
/// benchmark whose sessions are created in less than `1 / after` of a pair of rounds is due
/// after every pair.
pub fn refresh_due(measured_since: Duration, prepare_cost: Duration, after: f64) -> bool {
    !measured_since.is_zero() && measured_since.as_secs_f64() >= after * prepare_cost.as_secs_f64()
}

/// Whether warm-up bursts have settled: the latest burst median (of at least two) is not more
/// than `tolerance` below the smallest before it. While the first runs of a session pay for
/// page faults, allocator growth and lazy initialisation, each burst sets a new low; once they
/// stop falling, what is left is noise, which the rounds' pairing handles.
pub fn settled(medians: &[f64], tolerance: f64) -> bool {
    match medians.split_last() {
        Some((last, before)) if !before.is_empty() => {
            let low = before.iter().copied().fold(f64::INFINITY, f64::min);
            *last >= (1.0 - tolerance) * low
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sides_alternate_abba() {
        let sequence: Vec<Side> = (0..4).flat_map(order).collect();
        use Side::{From as A, To as B};
        assert_eq!(sequence, [A, B, B, A, A, B, B, A]);
    }

    #[test]
    fn generations_alternate_the_side_that_starts() {
        let firsts: Vec<Side> = (0..4).map(first_in_generation).collect();
        assert_eq!(firsts, [Side::From, Side::To, Side::From, Side::To]);
        assert_eq!(starting_with(Side::To), [Side::To, Side::From]);
        assert_eq!(starting_with(Side::From), [Side::From, Side::To]);
        // Two generations: the second from halfway on, and never a third.
        assert!(!generation_due(0.49, 1, 2));
        assert!(generation_due(0.5, 1, 2));
        assert!(!generation_due(0.9, 2, 2));
        assert!(generation_due(0.34, 1, 3) && !generation_due(0.6, 2, 3));
    }

    #[test]
    fn bursts_fit_the_budget_within_bounds() {
        assert_eq!(burst_iterations([1e6, 2e6], 30e6, 3, 1000), 15);
        assert_eq!(burst_iterations([100e6, 90e6], 30e6, 3, 1000), 3);
        assert_eq!(burst_iterations([3e3, 3e3], 30e6, 3, 1000), 1000);
        assert_eq!(warmup_for(3), 0);
        assert_eq!(warmup_for(15), 1);
        assert_eq!(warmup_for(1000), 100);
    }

    #[test]
    fn sessions_are_recreated_when_that_costs_a_tenth_of_the_rounds() {
        let ms = Duration::from_millis;
        // add_64k: created in 5 ms, a pair of rounds 120 ms: after every pair.
        assert!(refresh_due(ms(120), ms(5), 10.0));
        // bert-base: created in 3.3 s (both sides), a pair of rounds 0.6 s: after 33 s.
        assert!(!refresh_due(ms(30_000), ms(3_300), 10.0));
        assert!(refresh_due(ms(33_000), ms(3_300), 10.0));
        assert!(!refresh_due(Duration::ZERO, Duration::ZERO, 10.0));
    }

    #[test]
    fn warm_up_ends_when_medians_stop_falling() {
        assert!(!settled(&[10.0], 0.02));
        assert!(!settled(&[10.0, 9.0], 0.02));
        assert!(settled(&[10.0, 9.0, 9.1], 0.02));
        // Within the tolerance of the low counts as settled; noise above it too.
        assert!(settled(&[10.0, 9.0, 8.9], 0.02));
        assert!(settled(&[10.0, 12.0], 0.02));
    }
}

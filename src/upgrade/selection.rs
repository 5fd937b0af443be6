//! Which benchmarks an upgrade check measures for an execution provider.
//!
//! - `cpu`: the CPU study (`cpu/...`: the overhead floor, intra-op threads, optimisation
//!   levels) and the CPU rows of the CoreML study (`coreml/.../cpu`: the study's models, probe
//!   chains, shapes, activations, dtypes, MobileNetV2, batch sizes), i.e. the study's workloads
//!   on the CPU EP;
//! - `coreml`, `openvino`: that study, both its EP rows and their CPU counterparts.
//!
//! Session-creation benchmarks are left out: one iteration takes up to seconds, so paired rounds
//! of them would take most of the check's time (compare them with saved baselines instead). A
//! workload that appears in several findings with the same session settings (the tiny model at
//! batch 1 is in five) is measured once, under its first id.

use regex::Regex;

use crate::runtime::{Ep, EpKind};
use crate::suite::{self, BenchCase, Settings, Timing};

/// The selected benchmarks, in the study's order, filtered by `filter` (matched anywhere in
/// the id, as criterion's filter is).
pub fn select(ep: EpKind, settings: &Settings, filter: Option<&Regex>) -> Vec<BenchCase> {
    let candidates: Vec<BenchCase> = match ep {
        EpKind::Cpu => suite::plan(EpKind::Cpu, settings)
            .into_iter()
            .chain(
                suite::plan(EpKind::CoreMl, settings)
                    .into_iter()
                    .filter(|case| case.session.ep == Ep::Cpu),
            )
            .collect(),
        EpKind::CoreMl | EpKind::OpenVino => suite::plan(ep, settings),
    };
    let mut selected: Vec<BenchCase> = Vec::new();
    for case in candidates {
        let duplicate = selected
            .iter()
            .any(|kept| kept.variant == case.variant && kept.session == case.session);
        if case.timing == Timing::Run && !duplicate {
            selected.push(case);
        }
    }
    selected.retain(|case| filter.is_none_or(|f| f.is_match(&case.id())));
    selected
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> Settings {
        Settings {
            quick: false,
            intra_threads: 2,
        }
    }

    #[test]
    fn cpu_selection_covers_the_study_workloads_once() {
        let cases = select(EpKind::Cpu, &settings(), None);
        let ids: Vec<String> = cases.iter().map(BenchCase::id).collect();
        assert!(ids.contains(&"cpu/overhead/add_64k/cpu".to_string()));
        assert!(ids.iter().any(|id| id.contains("mobilenet_v2_fp32")));
        assert!(ids.iter().any(|id| id.contains("probe_erf_k16")));
        assert!(
            cases
                .iter()
                .all(|c| c.session.ep == Ep::Cpu && c.timing == Timing::Run)
        );
        for (i, a) in cases.iter().enumerate() {
            for b in &cases[i + 1..] {
                assert!(
                    a.variant != b.variant || a.session != b.session,
                    "{}",
                    b.id()
                );
            }
        }
        let filter = Regex::new("add_64k").unwrap();
        assert_eq!(select(EpKind::Cpu, &settings(), Some(&filter)).len(), 1);
    }

    #[test]
    fn accelerator_selection_has_both_providers() {
        let cases = select(EpKind::OpenVino, &settings(), None);
        assert!(cases.iter().any(|c| c.session.ep == Ep::Cpu));
        assert!(
            cases
                .iter()
                .any(|c| c.session.ep.kind() == EpKind::OpenVino)
        );
    }
}

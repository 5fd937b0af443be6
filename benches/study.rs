//! The study as criterion benchmarks: `cargo bench -- coreml`, `cargo bench -- openvino`,
//! `cargo bench -- cpu`. Ids read `<study>/<finding>/<variant>/<provider>`.
//!
//! A thin front end: the cases, their preparation and settings live in `epbench::suite`. Each
//! case is prepared (model built, session created, inputs made, one checked run) outside the
//! timed loop, and criterion times a bare `Session::run`.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput};
use epbench::runtime::{self, EpKind};
use epbench::suite::{self, BenchCase, Filter, Finding, Prepared, Preparer, Settings};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let benchmarking = args.iter().any(|a| a == "--bench");
    let (filter, settings) = match (Filter::from_args(args), Settings::from_env()) {
        (Ok(filter), Ok(settings)) => (filter, settings),
        (Err(e), _) | (_, Err(e)) => {
            eprintln!("epbench: {e}");
            return ExitCode::from(2);
        }
    };
    let runtime = match runtime::global() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("epbench: cannot load ONNX Runtime: {e}");
            return ExitCode::from(2);
        }
    };
    println!(
        "epbench: {} | intra-op threads {} (EPBENCH_THREADS) | {} measurement (EPBENCH_QUICK)",
        runtime.describe(),
        settings.intra_threads,
        if settings.quick { "quick" } else { "full" }
    );

    let mut criterion = Criterion::default().configure_from_args();
    let mut preparer = Preparer::new(concat!(env!("CARGO_MANIFEST_DIR"), "/models/generated"));
    let mut failed = Vec::new();
    for study in EpKind::ALL {
        let cases = suite::plan(study, &settings);
        let ids: Vec<String> = cases.iter().map(BenchCase::id).collect();
        if !filter.matches_any(ids.iter().map(String::as_str)) {
            continue;
        }
        if study != EpKind::Cpu
            && let Err(reason) = runtime.require(&study.default_ep())
        {
            println!("epbench: skipping the {study} study: {reason}");
            continue;
        }
        let selected: Vec<&BenchCase> = cases.iter().filter(|c| filter.matches(&c.id())).collect();
        for finding_cases in selected.chunk_by(|a, b| a.group() == b.group()) {
            let mut group = criterion.benchmark_group(finding_cases[0].group());
            for case in finding_cases {
                let mut prepared = match preparer.prepare(case) {
                    Ok(prepared) => prepared,
                    Err(e) => {
                        println!("epbench: not timed: {e}");
                        failed.push(e);
                        continue;
                    }
                };
                let m = case.cost.measurement(settings.quick);
                group
                    .sample_size(m.sample_size)
                    .warm_up_time(m.warm_up)
                    .measurement_time(m.measurement_time)
                    .throughput(Throughput::Elements(u64::from(case.batch)));
                let mut error = None;
                group.bench_function(case.function(), |b| {
                    b.iter(|| {
                        if let Err(e) = prepared.run_once() {
                            error.get_or_insert(e);
                        }
                    })
                });
                if let Some(e) = error {
                    println!("epbench: {} failed while timed: {e}", case.id());
                }
                if benchmarking && case.finding == Finding::Overhead {
                    report_bare_loop(&mut prepared);
                }
            }
            group.finish();
        }
    }
    criterion.final_summary();
    if !failed.is_empty() {
        println!(
            "epbench: {} benchmark(s) could not run and have no time:",
            failed.len()
        );
        for e in &failed {
            println!("  {e}");
        }
    }
    ExitCode::SUCCESS
}

/// The harness's floor next to ORT's: the same run in a plain loop, timed as a whole.
fn report_bare_loop(prepared: &mut Prepared) {
    let budget = Duration::from_secs(2);
    let started = Instant::now();
    let mut runs = 0u32;
    while started.elapsed() < budget {
        if prepared.run_once().is_err() {
            return;
        }
        runs += 1;
    }
    let per_run = started.elapsed() / runs.max(1);
    println!(
        "epbench: bare ort loop on {}: {:.2} µs per Session::run ({runs} runs)",
        prepared.case.id(),
        per_run.as_secs_f64() * 1e6
    );
}

//! The study as criterion benchmarks: `cargo bench -- coreml`, `cargo bench -- openvino`,
//! `cargo bench -- cpu`. Ids read `<study>/<finding>/<variant>/<provider>`.
//!
//! A thin front end: the cases, their preparation, settings and timing loop live in
//! `epbench::suite`. Each case is prepared (model built, session created, inputs made, one
//! checked run) outside the timed loop; criterion gets the summed time of bare `Session::run`
//! calls, each run's outputs freed after its clock stops. A benchmark that fails to prepare, or
//! whose run fails while timed, stops being timed at once, is reported at the end, and makes
//! the process exit with 1.

use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::process::ExitCode;

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion, Throughput};
use epbench::runtime::{self, Availability, EpKind, LogLevel};
use epbench::suite::{self, BenchCase, Filter, Preparer, Settings, Timing};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let list = Filter::wants_list(&args);
    let (filter, settings) = match (Filter::from_args(args), Settings::from_env()) {
        (Ok(filter), Ok(settings)) => (filter, settings),
        (Err(e), _) | (_, Err(e)) => {
            eprintln!("epbench: {e}");
            return ExitCode::from(2);
        }
    };
    if list {
        for line in suite::list(&filter, &settings) {
            println!("{line}");
        }
        return ExitCode::SUCCESS;
    }
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
        let selected: Vec<&BenchCase> = cases.iter().filter(|c| filter.matches(&c.id())).collect();
        if selected.is_empty() {
            continue;
        }
        let availability = runtime.availability(&study.default_ep());
        if study != EpKind::Cpu && !availability.can_partition() {
            let reason = runtime
                .require(&study.default_ep())
                .err()
                .map_or_else(String::new, |e| e.to_string());
            println!("epbench: skipping the {study} study: {reason}");
            continue;
        }
        if let Availability::PartitionsOnly { reason } = &availability {
            println!(
                "epbench: the {study} EP here partitions but cannot execute ({reason}): its \
                 session creation is timed, its runs need its own machine"
            );
        }
        for finding_cases in selected.chunk_by(|a, b| a.group() == b.group()) {
            let mut group = criterion.benchmark_group(finding_cases[0].group());
            for case in finding_cases {
                if !availability.can_execute()
                    && case.session.ep.kind() != EpKind::Cpu
                    && case.timing == Timing::Run
                {
                    match preparer.session_only(case, LogLevel::Info) {
                        Ok(_) => println!(
                            "epbench: {}: needs a Mac: this {} EP build cannot execute models; \
                             ORT accepted `{}` and partitioned the model",
                            case.id(),
                            study.label(),
                            case.session.ep
                        ),
                        Err(e) => {
                            let failure = format!("not timed: {e}");
                            println!("epbench: {failure}");
                            failed.push(failure);
                        }
                    }
                    continue;
                }
                if let Err(failure) = bench(&mut group, &mut preparer, case, settings.quick) {
                    println!("epbench: {failure}");
                    failed.push(failure);
                }
            }
            group.finish();
        }
    }
    criterion.final_summary();
    if failed.is_empty() {
        return ExitCode::SUCCESS;
    }
    println!(
        "epbench: {} benchmark(s) failed and have no time:",
        failed.len()
    );
    for failure in &failed {
        println!("  {failure}");
    }
    ExitCode::from(1)
}

/// Unwinds out of criterion's loop when a timed run fails, so that it is not timed further.
struct StopTiming;

/// Prepares `case` and times it in `group`; the reason when it could not be timed to the end.
fn bench(
    group: &mut BenchmarkGroup<'_, WallTime>,
    preparer: &mut Preparer,
    case: &BenchCase,
    quick: bool,
) -> Result<(), String> {
    let mut prepared = preparer
        .prepare(case)
        .map_err(|e| format!("not timed: {e}"))?;
    let m = case.cost.measurement(quick);
    group
        .sample_size(m.sample_size)
        .warm_up_time(m.warm_up)
        .measurement_time(m.measurement_time)
        .throughput(Throughput::Elements(u64::from(case.batch)));
    let mut error = None;
    // Criterion has no way to abandon a benchmark: unwinding with `resume_unwind` (which skips
    // the panic hook) leaves its loop before it analyses or saves anything for this id.
    let timed = catch_unwind(AssertUnwindSafe(|| {
        group.bench_function(case.function(), |b| {
            b.iter_custom(|iterations| {
                let iterations = usize::try_from(iterations).unwrap_or(usize::MAX);
                match prepared.time(0, iterations) {
                    Ok(times) => times.iter().sum(),
                    Err(e) => {
                        error = Some(e);
                        resume_unwind(Box::new(StopTiming))
                    }
                }
            })
        });
    }));
    match (timed, error) {
        (Ok(()), None) => Ok(()),
        (_, Some(e)) => Err(format!(
            "{} failed while timed, not timed further: {e}",
            case.id()
        )),
        (Err(panic), None) => resume_unwind(panic),
    }
}

//! How long `epbench analyze` takes: `cargo bench --bench analyze`. Ids read
//! `analyze/<variant>/<first|cached>`.
//!
//! - `first`: a model file epbench has not partitioned before, so ORT optimises it at level 1
//!   and partitions it twice (NeuralNetwork and ML Program) with the rules standing in for the
//!   CoreML EP, and the weightless copy ORT reads is made. Each iteration analyses a fresh copy
//!   of the model (copied outside the timed region), whose path and modification time are new
//!   to the cache.
//! - `cached`: the same file again: both runs come from epbench's cache of partitioning runs.
//!
//! Both time [`epbench::partitions::analyze_file`], which is what `analyze MODEL` does besides
//! printing.

use std::path::Path;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use epbench::partitions::{AnalyzeOptions, analyze_file};

/// The models timed: the BERT the study is about, and the tiny one.
const VARIANTS: [&str; 2] = [
    "bert-base-uncased_gelu_fp32_dynamic",
    "tiny-systems-bert_gelu_fp32_static_b1_s128",
];

fn analyze(c: &mut Criterion) {
    let models = Path::new(env!("CARGO_MANIFEST_DIR")).join(epbench::zoo::DEFAULT_OUT_DIR);
    let mut group = c.benchmark_group("analyze");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(10));
    for variant in VARIANTS {
        let model = match epbench::zoo::build(variant, &models) {
            Ok(model) => model,
            Err(e) => {
                eprintln!("epbench: analyze/{variant}: not timed: {e}");
                continue;
            }
        };
        let scratch = match tempfile::tempdir() {
            Ok(dir) => dir,
            Err(e) => {
                eprintln!("epbench: analyze/{variant}: not timed: no temporary folder: {e}");
                continue;
            }
        };
        group.bench_function(format!("{variant}/first"), |b| {
            b.iter_custom(|iterations| {
                let mut total = Duration::ZERO;
                for i in 0..iterations {
                    let copy = scratch.path().join(format!("{i}-{}.onnx", unique()));
                    if let Err(e) = std::fs::copy(&model, &copy) {
                        panic!("cannot copy {} for timing: {e}", model.display());
                    }
                    let started = Instant::now();
                    let analysis = analyze_file(&copy, AnalyzeOptions::default());
                    total += started.elapsed();
                    if let Err(e) = analysis {
                        panic!("analyze {variant}: {e}");
                    }
                    // The copy is not needed again; its cache entries (the weightless last pass
                    // per format, a few hundred KB for bert-base) stay with the others.
                    let _ = std::fs::remove_file(&copy);
                }
                total
            });
        });
        if let Err(e) = analyze_file(&model, AnalyzeOptions::default()) {
            eprintln!("epbench: analyze/{variant}/cached: not timed: {e}");
            continue;
        }
        group.bench_function(format!("{variant}/cached"), |b| {
            b.iter(|| analyze_file(&model, AnalyzeOptions::default()));
        });
    }
    group.finish();
}

/// A name no earlier run of this bench used, so that its cache entries are never reused.
fn unique() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos())
}

criterion_group!(benches, analyze);
criterion_main!(benches);

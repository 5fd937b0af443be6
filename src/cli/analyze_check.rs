//! `epbench analyze --check DIR|MODEL...`: the prediction against the real CoreML EP, model by
//! model, for both formats with static shapes off and on. Exit 1 on a disagreement beyond the
//! allow-list.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use epbench::partitions::RuleFamily;
use epbench::partitions::agreement::{self, Case, CaseOutcome, ModelCheck};
use epbench::runtime::{CoreMlOptions, Ep};

use super::output::print_json;

/// What to check and how to print it.
pub struct CheckArgs<'a> {
    pub paths: Vec<PathBuf>,
    pub family: &'static RuleFamily,
    pub json: bool,
    /// Print every disagreeing model, not only the groups.
    pub verbose: bool,
    pub runtime: &'a epbench::runtime::Runtime,
}

#[derive(serde::Serialize)]
struct Report<'a> {
    rules: &'a str,
    ort: &'a str,
    models: usize,
    seconds: f64,
    agreement: &'a agreement::CorpusAgreement,
    checks: &'a [ModelCheck],
}

pub fn run(args: CheckArgs<'_>) -> anyhow::Result<ExitCode> {
    args.runtime
        .require(&Ep::CoreMl(CoreMlOptions::default()))
        .map_err(|e| {
            anyhow::anyhow!(
                "--check compares the prediction with the CoreML EP itself, which this runtime lacks: {e}"
            )
        })?;
    let mut models = Vec::new();
    for path in &args.paths {
        let found = agreement::collect_models(path)
            .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
        if found.is_empty() {
            anyhow::bail!("no .onnx models under {}", path.display());
        }
        models.extend(found);
    }
    let started = Instant::now();
    let checks = check_all(&models, args.family);
    let seconds = started.elapsed().as_secs_f64();
    let summary = agreement::aggregate(&checks);
    if args.json {
        print_json(&Report {
            rules: args.family.name,
            ort: args.runtime.version(),
            models: models.len(),
            seconds,
            agreement: &summary,
            checks: &checks,
        })?;
    } else {
        print_text(&args, &checks, &summary, seconds);
    }
    Ok(if summary.failing == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// Checks every model on as many threads as there are cores; results keep the models' order.
fn check_all(models: &[PathBuf], family: &'static RuleFamily) -> Vec<ModelCheck> {
    let threads = std::thread::available_parallelism()
        .map_or(1, usize::from)
        .min(models.len().max(1));
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<ModelCheck>>> = Mutex::new(vec![None; models.len()]);
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(model) = models.get(i) else { break };
                    let check = agreement::check_model(model, family, &Case::ALL);
                    results.lock().unwrap_or_else(|p| p.into_inner())[i] = Some(check);
                }
            });
        }
    });
    results
        .into_inner()
        .unwrap_or_else(|p| p.into_inner())
        .into_iter()
        .flatten()
        .collect()
}

fn print_text(
    args: &CheckArgs<'_>,
    checks: &[ModelCheck],
    summary: &agreement::CorpusAgreement,
    seconds: f64,
) {
    println!(
        "{} models checked against the CoreML EP of ORT {} (rules: {}) in {seconds:.1} s",
        checks.len(),
        args.runtime.version(),
        args.family.name
    );
    println!(
        "{:<30} {:>7} {:>14} {:>10} {:>16} {:>13} {:>9}",
        "case", "models", "exact", "exact %", "nodes same", "nodes same %", "no load"
    );
    for (case, s) in &summary.per_case {
        println!(
            "{:<30} {:>7} {:>14} {:>9.2}% {:>16} {:>12.2}% {:>9}",
            case.label(),
            s.models,
            s.models_exact,
            s.models_exact_pct(),
            format!("{}/{}", s.nodes_same, s.nodes),
            s.nodes_same_pct(),
            s.not_measured
        );
    }
    if !summary.disagreements.is_empty() {
        println!("\nDisagreements by op and reason (cases, nodes):");
        for g in &summary.disagreements {
            let side = if g.measured_supported {
                "EP takes it, rules reject"
            } else {
                "EP rejects it, rules"
            };
            let allowed = g
                .allowed
                .map(|c| format!(" [allowed: {c}]"))
                .unwrap_or_default();
            println!(
                "  {:>5} {:>6}  {:<18} {side}: {}{allowed}",
                g.cases, g.nodes, g.op, g.predicted
            );
            for e in &g.examples {
                println!("                       e.g. {e}");
            }
        }
    }
    if args.verbose {
        for check in checks {
            for (case, outcome) in &check.cases {
                if let CaseOutcome::Compared {
                    measured,
                    predicted,
                    ..
                } = outcome
                    && !outcome.is_exact()
                {
                    println!(
                        "{} [{}]: EP {}/{}/{}, rules {}/{}/{}",
                        check.model.display(),
                        case.label(),
                        measured.nodes,
                        measured.supported_nodes,
                        measured.partitions,
                        predicted.nodes,
                        predicted.supported_nodes,
                        predicted.partitions
                    );
                }
            }
        }
    }
    if summary.failing == 0 {
        println!("\nOK: no disagreement beyond the allow-list");
    } else {
        println!(
            "\nFAILED: {} model × case pairs disagree beyond the allow-list",
            summary.failing
        );
    }
}

//! `epbench analyze --check DIR|MODEL...`: the prediction against the real CoreML EP, model by
//! model, for both formats with static shapes off and on. Exit 1 on a disagreement beyond the
//! allow-list.

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, ChildStdout, Command, ExitCode, Stdio};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use epbench::partitions::RuleFamily;
use epbench::partitions::agreement::{self, Case, CaseOutcome, ModelCheck};
use epbench::runtime::{CoreMlOptions, Ep};
use epbench::text::Table;

use super::output::print_json;

/// What to check and how to print it.
pub struct CheckArgs<'a> {
    pub paths: Vec<PathBuf>,
    pub family: &'static RuleFamily,
    pub json: bool,
    /// Print every disagreeing model, not only the groups.
    pub verbose: bool,
    pub runtime: &'a epbench::runtime::Runtime,
    /// Passed on to the worker processes (`--ort`, `--ort-version`).
    pub worker_args: Vec<String>,
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
        .require_partitioning(&Ep::CoreMl(CoreMlOptions::default()))
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
    let checks = check_all(&models, &args.worker_args)?;
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

/// Checks every model in worker processes, one per core: ORT crashes the process on a few
/// models, and one ORT per process also sidesteps ORT's thread-safety with the CoreML EP.
/// Results keep the models' order; a model that kills its worker is recorded as crashed and a
/// new worker takes the next model.
fn check_all(models: &[PathBuf], worker_args: &[String]) -> anyhow::Result<Vec<ModelCheck>> {
    let exe = std::env::current_exe()?;
    let workers = std::thread::available_parallelism()
        .map_or(1, usize::from)
        .min(models.len().max(1));
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<ModelCheck>>> = Mutex::new(vec![None; models.len()]);
    let failure: Mutex<Option<anyhow::Error>> = Mutex::new(None);
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                let mut worker: Option<Worker> = None;
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(model) = models.get(i) else { break };
                    let check = match run_one(&mut worker, &exe, worker_args, model) {
                        Ok(check) => check,
                        Err(e) => {
                            *failure.lock().unwrap_or_else(|p| p.into_inner()) = Some(e);
                            break;
                        }
                    };
                    results.lock().unwrap_or_else(|p| p.into_inner())[i] = Some(check);
                }
                if let Some(mut w) = worker {
                    drop(w.stdin);
                    let _ = w.child.wait();
                }
            });
        }
    });
    if let Some(e) = failure.into_inner().unwrap_or_else(|p| p.into_inner()) {
        return Err(e);
    }
    Ok(results
        .into_inner()
        .unwrap_or_else(|p| p.into_inner())
        .into_iter()
        .flatten()
        .collect())
}

struct Worker {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
}

fn spawn(exe: &std::path::Path, worker_args: &[String]) -> anyhow::Result<Worker> {
    let mut child = Command::new(exe)
        .arg("analyze")
        .arg("--check-worker")
        .args(worker_args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| anyhow::anyhow!("cannot start a check worker ({}): {e}", exe.display()))?;
    let (Some(stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
        anyhow::bail!("a check worker has no pipes");
    };
    Ok(Worker {
        child,
        stdin,
        stdout: BufReader::new(stdout),
    })
}

/// One model through a worker (started on demand); a worker that dies on it is replaced.
fn run_one(
    worker: &mut Option<Worker>,
    exe: &std::path::Path,
    worker_args: &[String],
    model: &std::path::Path,
) -> anyhow::Result<ModelCheck> {
    if worker.is_none() {
        *worker = Some(spawn(exe, worker_args)?);
    }
    let Some(w) = worker.as_mut() else {
        anyhow::bail!("no check worker");
    };
    let mut line = String::new();
    let answered = writeln!(w.stdin, "{}", model.display()).is_ok()
        && w.stdin.flush().is_ok()
        && w.stdout.read_line(&mut line).is_ok_and(|n| n > 0);
    if answered {
        return serde_json::from_str(&line)
            .map_err(|e| anyhow::anyhow!("a check worker answered `{}`: {e}", line.trim()));
    }
    let status = worker
        .take()
        .and_then(|mut w| w.child.wait().ok())
        .map_or("gone".to_string(), |s| s.to_string());
    Ok(ModelCheck {
        model: model.to_path_buf(),
        cases: Case::ALL
            .iter()
            .map(|&case| {
                (
                    case,
                    CaseOutcome::Crashed {
                        reason: format!("ONNX Runtime ended the process ({status})"),
                    },
                )
            })
            .collect(),
    })
}

/// The worker side: model paths on stdin, one JSON [`ModelCheck`] per line on stdout.
pub fn worker(family: &'static RuleFamily) -> anyhow::Result<ExitCode> {
    let stdin = std::io::stdin();
    let mut stdout = std::io::stdout().lock();
    for line in stdin.lock().lines() {
        let path = PathBuf::from(line?.trim());
        let check = agreement::check_model(&path, family, &Case::ALL);
        writeln!(stdout, "{}", serde_json::to_string(&check)?)?;
        stdout.flush()?;
    }
    Ok(ExitCode::SUCCESS)
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
    let mut table = Table::new(&[
        "case",
        "models",
        "exact",
        "exact %",
        "nodes same",
        "nodes same %",
        "no load/crash",
    ]);
    for (case, s) in &summary.per_case {
        table.row(vec![
            case.label(),
            s.models.to_string(),
            s.models_exact.to_string(),
            format!("{:.2}%", s.models_exact_pct()),
            format!("{}/{}", s.nodes_same, s.nodes),
            format!("{:.2}%", s.nodes_same_pct()),
            (s.not_measured + s.crashed).to_string(),
        ]);
    }
    print!("{}", table.render());
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
                .as_ref()
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

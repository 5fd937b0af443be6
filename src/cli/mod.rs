//! Subcommands of `epbench`. Each file parses its arguments, calls the library and prints.

mod analyze;
mod analyze_check;
mod baseline;
mod compare;
mod env;
mod fix;
mod models;
mod output;
mod profile;
mod study;
mod upgrade;

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use epbench::provisioning::OrtRequirement;

/// Benchmark and diagnose ONNX Runtime execution providers (CoreML first).
#[derive(Debug, Parser)]
#[command(name = "epbench", version, about, long_about = None)]
struct Cli {
    /// The ONNX Runtime to use: a pinned pip requirement (e.g. onnxruntime==1.31.1,
    /// onnxruntime-openvino==1.24.1), fetched from PyPI on first use and cached, or a local
    /// library (file:/abs/path/libonnxruntime.so).
    #[arg(long, global = true, env = "EPBENCH_ORT", value_name = "REQ")]
    ort: Option<OrtRequirement>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Which ONNX Runtime is loaded, which execution providers work here, and the machine.
    Env(env::Args),
    /// The model zoo: list the study's models, build them.
    #[command(subcommand)]
    Models(models::Command),
    /// Predict how the CoreML EP partitions a model (offline), and measure it where CoreML runs.
    Analyze(analyze::Args),
    /// Save, list, restore and compare criterion baselines; gate CI on regressions.
    Baseline(baseline::Args),
    /// Compare a model's outputs across EPs and variants, with tolerances that say why.
    Compare(compare::Args),
    /// Apply the study's graph fixes to a model (static dims, tanh GELU, fp32), with proof.
    Fix(fix::Args),
    /// Run a model with ORT's profiler and print the study's profile summary.
    Profile(profile::Args),
    /// Rerun the whole study here: report.md, results.json and plots for one EP vs the CPU.
    Study(study::Args),
    /// Is a new ONNX Runtime slower here? Paired, interleaved runs of two versions, with a verdict.
    UpgradeCheck(upgrade::Args),
    /// One side of an upgrade check (started by `upgrade-check`, speaks JSON lines).
    #[command(hide = true)]
    UpgradeWorker,
}

/// Exit codes: 0 success, 1 a check failed (regression, mismatch), 2 usage or load errors.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Env(args) => env::run(&args, cli.ort.as_ref()),
        Command::Analyze(args) => analyze::run(&args, cli.ort.as_ref()),
        Command::Baseline(args) => baseline::run(&args, cli.ort.as_ref()),
        Command::Compare(args) => compare::run(&args, cli.ort.as_ref()),
        Command::Fix(args) => fix::run(&args, cli.ort.as_ref()),
        Command::Models(command) => models::run(&command),
        Command::Profile(args) => profile::run(&args, cli.ort.as_ref()),
        Command::Study(args) => study::run(&args, cli.ort.as_ref()),
        Command::UpgradeCheck(args) => upgrade::run(&args),
        Command::UpgradeWorker => upgrade::run_worker(),
    };
    match result {
        Ok(code) => code,
        Err(error) => {
            // Library errors already say their cause in their own message (`cannot X: <cause>`),
            // so the chain is not printed again.
            eprintln!("epbench: error: {error}");
            ExitCode::from(2)
        }
    }
}

/// Loads the runtime the user asked for (`--ort`, `EPBENCH_ORT`, or the default).
fn load_runtime(
    requirement: Option<&OrtRequirement>,
) -> epbench::Result<&'static epbench::runtime::Runtime> {
    match requirement {
        Some(requirement) => epbench::runtime::load(requirement),
        None => epbench::runtime::global(),
    }
}

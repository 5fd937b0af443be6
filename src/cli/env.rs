//! `epbench env`: the loaded runtime, its execution providers, the machine.

use std::collections::BTreeMap;
use std::process::ExitCode;

use epbench::machine::Machine;
use epbench::provisioning::{LibraryOrigin, OrtRequirement};
use epbench::runtime::{Availability, EpKind};

use super::output::print_json;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

#[derive(serde::Serialize)]
struct Report {
    ort_version: String,
    ort_library: String,
    ort_requirement: Option<String>,
    /// Where the library came from: `{"wheel": {"requirement": ...}}`, `{"local": ...}` or
    /// `"ort_dylib_path"`.
    ort_origin: LibraryOrigin,
    providers: Vec<String>,
    eps: BTreeMap<&'static str, Availability>,
    machine: Machine,
}

pub fn run(args: &Args, requirement: Option<&OrtRequirement>) -> anyhow::Result<ExitCode> {
    let runtime = super::load_runtime(requirement)?;
    let eps = EpKind::ALL
        .into_iter()
        .map(|kind| (kind.name(), runtime.availability(&kind.default_ep())))
        .collect();
    let report = Report {
        ort_version: runtime.version().to_string(),
        ort_library: runtime.library_path().display().to_string(),
        ort_requirement: runtime.requirement().map(ToString::to_string),
        ort_origin: runtime.origin().clone(),
        providers: runtime.providers()?,
        eps,
        machine: Machine::detect(),
    };
    if args.json {
        print_json(&report)?;
    } else {
        print_text(&report);
    }
    Ok(ExitCode::SUCCESS)
}

fn print_text(report: &Report) {
    println!("ONNX Runtime {}", report.ort_version);
    println!("  from       {}", report.ort_origin.describe());
    println!("  library    {}", report.ort_library);
    println!("  providers  {}", report.providers.join(", "));
    println!("Execution providers");
    for kind in EpKind::ALL {
        let Some(availability) = report.eps.get(kind.name()) else {
            continue;
        };
        match availability {
            Availability::Available => println!("  {:<9} available", kind.name()),
            Availability::PartitionsOnly { reason } => {
                println!(
                    "  {:<9} partitions only: registers, partitions and builds its models, but cannot execute them",
                    kind.name()
                );
                println!("  {:<9} ORT: {reason}", "");
                println!("  {:<9} to run models, {}", "", kind.how_to_get());
            }
            Availability::Unavailable { reason } => {
                println!("  {:<9} unavailable: {reason}", kind.name());
                println!("  {:<9} to get it, {}", "", kind.how_to_get());
            }
        }
    }
    let m = &report.machine;
    println!("Machine");
    println!("  cpu        {} ({} logical cores)", m.cpu, m.cores);
    println!(
        "  memory     {:.1} GiB",
        m.memory_bytes as f64 / (1u64 << 30) as f64
    );
    println!("  os         {} ({})", m.os, m.arch);
}

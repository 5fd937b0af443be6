//! `epbench env`: the loaded runtime, its execution providers, the machine.

use std::collections::BTreeMap;
use std::process::ExitCode;

use epbench::machine::Machine;
use epbench::provisioning::OrtRequirement;
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
    let requirement = report
        .ort_requirement
        .as_deref()
        .unwrap_or("ORT_DYLIB_PATH");
    println!("ONNX Runtime {} ({requirement})", report.ort_version);
    println!("  library    {}", report.ort_library);
    println!("  providers  {}", report.providers.join(", "));
    println!("Execution providers");
    for kind in EpKind::ALL {
        let Some(availability) = report.eps.get(kind.name()) else {
            continue;
        };
        match &availability.reason {
            None => println!("  {:<9} available", kind.name()),
            Some(reason) => {
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

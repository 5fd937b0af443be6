//! `report.md` for the study of the user's models: the verdict first, then the models and their
//! inputs, EP vs CPU, the options matrix, the interventions, batch scaling, cold start and the
//! partitions, in the zoo report's format (its tables, conclusions and charts).

use std::fmt::Write as _;

use crate::suite::Finding;
use crate::text::format::ms;

use super::super::markdown::{
    conclusions, cpu_ops_cell, embed, escape, header, not_measured, partition_table,
    partitions_section, rows_table,
};
use super::super::plots::Chart;
use super::super::results::{
    PartitionOutcome, PartitionRow, Row, Status, StudyResults, Subject, of_findings,
};
use super::super::summary::first_line;
use super::results::{Decision, ModelStudy, ModelSummary, OptionsRow};

/// The whole report.
pub fn render(results: &StudyResults, study: &ModelStudy, charts: &[Chart]) -> String {
    let mut out = String::new();
    let names: Vec<&str> = study.models.iter().map(|m| m.name.as_str()).collect();
    let title = format!(
        "epbench study of {}: {} vs CPU",
        names.join(", "),
        results.ep.kind
    );
    header(&mut out, results, &title);
    verdicts(&mut out, study);
    models(&mut out, study);
    finding_section(
        &mut out,
        results,
        "EP vs CPU",
        "Each model as given, on the CPU EP and on the EP with ORT's default options.",
        &[Finding::EpVsCpu],
    );
    embed(&mut out, charts, "latency_per_model");
    options_section(&mut out, results, study, charts);
    interventions_section(&mut out, results, study, charts);
    finding_section(
        &mut out,
        results,
        "Batch scaling",
        "Per-sample throughput at batch 1, 2, 4 and 8 (inputs synthesised with the given \
         shapes at each batch), for models whose batch dim is dynamic.",
        &[Finding::Batch],
    );
    embed(&mut out, charts, "batch_scaling");
    finding_section(
        &mut out,
        results,
        "Cold start: session creation",
        "Creating a session per configuration: ORT's optimisation, the EP's partitioning and \
         compile.",
        &[Finding::SessionCreate],
    );
    partitions_section(&mut out, results, charts);
    not_measured(&mut out, results);
    out
}

fn verdicts(out: &mut String, study: &ModelStudy) {
    let _ = writeln!(out, "## Verdict\n");
    for m in &study.models {
        let v = &m.verdict;
        let _ = writeln!(out, "### {}\n\n**{}**\n", m.name, v.headline);
        for line in &v.evidence {
            let _ = writeln!(out, "- {line}");
        }
        for i in &v.interventions {
            let _ = writeln!(
                out,
                "- {}: {} — {}",
                i.rewrite,
                if i.pays_off {
                    "**pays off**"
                } else {
                    "does not pay off"
                },
                i.why
            );
        }
        for line in &v.needs_ep_machine {
            let _ = writeln!(out, "- Needs the EP's machine: {line}.");
        }
        if v.decision == Decision::UseEp || v.decision == Decision::StayOnCpu {
            let paying: Vec<&str> = v
                .interventions
                .iter()
                .filter(|i| i.pays_off)
                .map(|i| i.rewrite.as_str())
                .collect();
            if !paying.is_empty() {
                let _ = writeln!(
                    out,
                    "- To apply them to your model: `epbench fix {} --out fixed.onnx` with {}.",
                    m.path.display(),
                    paying
                        .iter()
                        .map(|r| fix_flag(r))
                        .collect::<Vec<_>>()
                        .join(" ")
                );
            }
        }
        out.push('\n');
    }
}

/// The `epbench fix` flag of a rewrite.
fn fix_flag(rewrite: &str) -> &'static str {
    match rewrite {
        "fix-dims" => "`--dims`/`--shape` (the sizes above)",
        "gelu-tanh" => "`--gelu-tanh`",
        _ => "`--to fp32`",
    }
}

fn models(out: &mut String, study: &ModelStudy) {
    let _ = writeln!(
        out,
        "## The models and their inputs\n\n\
         | model | file | inputs | named dynamic dims | batch dim | exact GELUs | fp16 values |\n\
         |---|---|---|---|---|---:|---:|"
    );
    for m in &study.models {
        let _ = writeln!(
            out,
            "| {} | `{}` | {} | {} | {} | {} | {} |",
            m.name,
            m.path.display(),
            escape(&m.inputs),
            list_or_dash(&m.dynamic_dims),
            m.batch_dim.as_deref().unwrap_or("static"),
            m.exact_gelus,
            m.float16_values
        );
    }
    out.push('\n');
}

fn list_or_dash(items: &[String]) -> String {
    if items.is_empty() {
        "–".into()
    } else {
        items.join(", ")
    }
}

/// A section of rows of `findings`, their conclusions, and nothing when there are none.
fn finding_section(
    out: &mut String,
    results: &StudyResults,
    heading: &str,
    question: &str,
    findings: &[Finding],
) {
    let rows = of_findings(&results.rows, findings);
    if rows.is_empty() {
        return;
    }
    let names: Vec<String> = findings.iter().map(|f| format!("`{f}`")).collect();
    let _ = writeln!(out, "## {heading} ({})\n\n{question}\n", names.join(", "));
    rows_table(out, &rows);
    for &finding in findings {
        let of_finding = of_findings(rows.iter().copied(), &[finding]);
        conclusions(out, results, finding, &of_finding);
    }
}

fn options_section(out: &mut String, results: &StudyResults, study: &ModelStudy, charts: &[Chart]) {
    let _ = writeln!(
        out,
        "## The {} EP's options (`options`)\n\nEvery configuration of the options matrix on each \
         model as given: its partitions (measured where the EP partitions here, predicted \
         otherwise, and saying which), its latency against the CPU, and its cold start.\n",
        results.ep.kind
    );
    let _ = writeln!(
        out,
        "| model | configuration | partitions | nodes on the EP | CPU ops (nodes) | source | p50 | vs the CPU | cold start p50 |\n\
         |---|---|---:|---|---|---|---:|---|---:|"
    );
    let row_by_id = |id: &Option<String>| -> Option<&Row> {
        id.as_ref()
            .and_then(|id| results.rows.iter().find(|r| &r.id == id))
    };
    for m in &study.models {
        let cpu_id = results
            .rows
            .iter()
            .find(|r| {
                r.finding == Finding::EpVsCpu
                    && r.label == m.name
                    && r.provider == crate::runtime::EpKind::Cpu
            })
            .map(|r| r.id.clone());
        for o in &m.options {
            let (partitions, nodes, ops, source) = partition_cells(o);
            let run = row_by_id(&o.run);
            let vs_cpu = run.and_then(|r| {
                results
                    .analysis
                    .comparisons
                    .iter()
                    .find(|c| Some(&c.baseline) == cpu_id.as_ref() && c.candidate == r.id)
            });
            let _ = writeln!(
                out,
                "| {} | `{}` | {partitions} | {nodes} | {ops} | {source} | {} | {} | {} |",
                m.name,
                o.label,
                time_cell(run),
                vs_cpu.map_or_else(
                    || "–".into(),
                    |c| format!("{:.2}× ({:.2}–{:.2})", c.time_ratio, c.lower, c.upper)
                ),
                time_cell(row_by_id(&o.cold_start)),
            );
        }
    }
    out.push('\n');
    if !study.absent_configurations.is_empty() {
        let _ = writeln!(out, "Not in this runtime, so not in the matrix:\n");
        for a in &study.absent_configurations {
            let _ = writeln!(out, "- `{}`: {}", a.ep, first_line(&a.reason));
        }
        out.push('\n');
    }
    let _ = writeln!(
        out,
        "\"vs the CPU\" is the configuration's median time over the CPU's on the same model, with \
         its 95% within-run bootstrap interval (below 1 is faster).\n"
    );
    let rows: Vec<&Row> = results
        .rows
        .iter()
        .filter(|r| r.finding == Finding::Options)
        .collect();
    if !rows.is_empty() {
        conclusions(out, results, Finding::Options, &rows);
    }
    embed(out, charts, "options_partitions");
}

fn partition_cells(o: &OptionsRow) -> (String, String, String, String) {
    match &o.partitions {
        PartitionOutcome::Known(n) => (
            n.partitions.to_string(),
            n.supported_nodes
                .map_or_else(|| "–".into(), |s| format!("{s} of {}", n.nodes)),
            cpu_ops_cell(n, 4),
            n.source.to_string(),
        ),
        PartitionOutcome::Failed { reason } => (
            format!("**failed**: {}", escape(&first_line(reason))),
            String::new(),
            String::new(),
            String::new(),
        ),
    }
}

/// A row's p50, or in short what became of it.
fn time_cell(row: Option<&Row>) -> String {
    match row.map(|r| &r.status) {
        None => "–".into(),
        Some(Status::Measured(m)) => ms(m.latency_ms.p50),
        Some(Status::NeedsEp { reason, .. }) => {
            let reason = first_line(reason);
            let short = reason.split(':').next().unwrap_or(&reason).to_string();
            format!("not run ({})", escape(&short))
        }
        Some(Status::Failed { stage, .. }) => format!("failed ({stage})"),
    }
}

fn interventions_section(
    out: &mut String,
    results: &StudyResults,
    study: &ModelStudy,
    charts: &[Chart],
) {
    let all: Vec<(&ModelSummary, &super::results::InterventionSummary)> = study
        .models
        .iter()
        .flat_map(|m| m.interventions.iter().map(move |i| (m, i)))
        .collect();
    let _ = writeln!(
        out,
        "## Interventions (`shapes`, `activation`, `dtype`)\n\n`epbench fix`'s rewrites, each \
         applied on its own to the model as given where it has work for it (static dims when \
         it has dynamic ones, fixed to the sizes it is fed; tanh GELU when it has exact GELU; \
         fp32 when it is fp16), timed and partitioned like the original and its outputs checked \
         against the original's on the CPU.\n"
    );
    if all.is_empty() {
        let _ = writeln!(
            out,
            "None applies: the models have static shapes, no exact GELU and no fp16 values.\n"
        );
        return;
    }
    let _ = writeln!(out, "| variant | rewrite | what it did |\n|---|---|---|");
    for (_, i) in &all {
        let _ = writeln!(
            out,
            "| {} | {} | {} |",
            i.name,
            i.rewrite,
            escape(&i.summary)
        );
    }
    out.push('\n');
    let findings = [Finding::Shapes, Finding::Activation, Finding::Dtype];
    let rows = of_findings(&results.rows, &findings);
    if !rows.is_empty() {
        rows_table(out, &rows);
    }
    let subjects: Vec<Subject> = all
        .iter()
        .flat_map(|(m, i)| [Subject::File(m.name.clone()), Subject::File(i.name.clone())])
        .collect();
    let partitions: Vec<&PartitionRow> = subjects
        .iter()
        .filter_map(|s| results.partitions.iter().find(|p| &p.variant == s))
        .fold(Vec::new(), |mut kept, p| {
            if !kept.iter().any(|k: &&PartitionRow| k.variant == p.variant) {
                kept.push(p);
            }
            kept
        });
    if !partitions.is_empty() {
        let _ = writeln!(
            out,
            "Partitions of the models and their variants on the {} EP (default options):\n",
            results.ep.kind
        );
        partition_table(out, &partitions);
    }
    for (finding, title) in [
        (Finding::Shapes, "Static dims"),
        (Finding::Activation, "tanh GELU"),
        (Finding::Dtype, "fp32"),
    ] {
        let of_finding = of_findings(rows.iter().copied(), &[finding]);
        if !of_finding.is_empty() {
            let _ = writeln!(out, "### {title} (`{finding}`)\n");
            conclusions(out, results, finding, &of_finding);
        }
    }
    embed(out, charts, "interventions");
}

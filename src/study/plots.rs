//! The study's charts with `plotters`, each written as PNG and SVG: latency and throughput per
//! model (CPU vs EP), batch scaling, the fp32/fp16 control, the fragmentation line, and
//! partitions per variant. Every chart has a title, axes with units and a legend; benchmarks
//! without a number are listed under the chart with the reason.

use std::path::{Path, PathBuf};

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::runtime::EpKind;
use crate::suite::Finding;
use crate::zoo::Variant;

use super::model::ModelStudy;
use super::results::{
    PartitionOutcome, PartitionSource, Row, Status, StudyResults, Subject, of_findings,
    providers_of,
};
use super::summary::first_line;

const SIZE: (u32, u32) = (1200, 720);
const CPU_COLOUR: RGBColor = RGBColor(31, 119, 180);
const EP_COLOUR: RGBColor = RGBColor(255, 127, 14);
const PREDICTED_COLOUR: RGBColor = RGBColor(148, 103, 189);
const MEASURED_COLOUR: RGBColor = RGBColor(44, 160, 44);
const FONT: &str = "sans-serif";

/// A chart written (or attempted) by [`write_all`].
#[derive(Debug, Clone)]
pub struct Chart {
    /// File stem, e.g. `latency_ep_vs_cpu`.
    pub name: String,
    pub title: String,
    pub png: PathBuf,
    pub svg: PathBuf,
    /// Benchmarks the chart could not show, with why; printed under the chart.
    pub missing: Vec<String>,
    /// Why the chart could not be drawn, if it could not.
    pub error: Option<String>,
}

impl Chart {
    /// The files that exist for this chart.
    pub fn files(&self) -> Vec<PathBuf> {
        [&self.png, &self.svg]
            .into_iter()
            .filter(|p| p.exists())
            .cloned()
            .collect()
    }
}

/// One named, coloured series of values.
struct Series<T> {
    name: String,
    colour: RGBColor,
    values: Vec<T>,
}

/// One bar group: a category and one value per series (`None`: not measured).
struct Bars {
    title: String,
    y_label: String,
    categories: Vec<String>,
    /// `(value, whisker end)` per category.
    series: Vec<Series<Option<(f64, f64)>>>,
    /// The whisker's meaning for the legend, e.g. "whisker: p90".
    whisker: Option<&'static str>,
}

/// One line per series through `(x, y)` points, plus optional fitted lines.
struct Lines {
    title: String,
    x_label: String,
    y_label: String,
    series: Vec<Series<(f64, f64)>>,
    /// `(label, colour, intercept, slope)` drawn dashed over the x range.
    fits: Vec<(String, RGBColor, f64, f64)>,
    x_ticks: Vec<f64>,
}

/// Horizontal bars of partition counts per variant.
struct PartitionBars {
    title: String,
    /// `(variant, partitions, measured?)`.
    entries: Vec<(String, usize, bool)>,
}

enum Spec {
    Bars(Bars),
    Lines(Lines),
    Partitions(PartitionBars),
}

impl Spec {
    fn title(&self) -> &str {
        match self {
            Spec::Bars(b) => &b.title,
            Spec::Lines(l) => &l.title,
            Spec::Partitions(p) => &p.title,
        }
    }
}

fn provider_colour(kind: EpKind) -> RGBColor {
    if kind == EpKind::Cpu {
        CPU_COLOUR
    } else {
        EP_COLOUR
    }
}

/// The short name of a variant for an axis: its name's parts without the sequence length, batch
/// 1 and the default GELU, and `dyn` for dynamic shapes (`tiny-systems-bert fp32`).
fn short(label: &str) -> String {
    let (variant, option) = label.split_once('+').unwrap_or((label, ""));
    let mut parts: Vec<&str> = variant
        .split('_')
        .filter(|p| {
            // The default activation, the sequence length and batch 1 say nothing on an axis.
            let seq = p.starts_with('s') && p[1..].parse::<u32>().is_ok();
            !(seq || matches!(*p, "static" | "gelu" | "b1"))
        })
        .map(|p| match p {
            "dynamic" => "dyn",
            other => other.strip_suffix("-uncased").unwrap_or(other),
        })
        .collect();
    if !option.is_empty() {
        parts.push(option);
    }
    parts.join(" ")
}

fn missing_note(row: &Row) -> Option<String> {
    match &row.status {
        Status::Measured(_) => None,
        Status::Failed { stage, reason } => Some(format!(
            "{} on {}: failed ({stage}): {}",
            row.label,
            row.provider,
            first_line(reason)
        )),
        Status::NeedsEp { reason, .. } => Some(format!(
            "{} on {}: not run, {}",
            row.label,
            row.provider,
            first_line(reason)
        )),
    }
}

/// Grouped bars of one value per (variant, provider) from the rows of `findings`.
fn bars_of(
    results: &StudyResults,
    findings: &[Finding],
    title: String,
    y_label: &str,
    value: impl Fn(&Row) -> Option<(f64, f64)>,
    whisker: Option<&'static str>,
) -> (Spec, Vec<String>) {
    let rows = of_findings(&results.rows, findings);
    let mut labels: Vec<String> = Vec::new();
    for row in &rows {
        if !labels.contains(&row.label) {
            labels.push(row.label.clone());
        }
    }
    let providers = providers_of(&rows);
    let series = providers
        .iter()
        .map(|&p| {
            let values = labels
                .iter()
                .map(|l| {
                    rows.iter()
                        .find(|r| r.provider == p && &r.label == l)
                        .and_then(|r| value(r))
                })
                .collect();
            Series {
                name: provider_name(p),
                colour: provider_colour(p),
                values,
            }
        })
        .collect();
    let missing = rows.iter().filter_map(|r| missing_note(r)).collect();
    let spec = Spec::Bars(Bars {
        title,
        y_label: y_label.into(),
        categories: labels.iter().map(|l| short(l)).collect(),
        series,
        whisker,
    });
    (spec, missing)
}

fn provider_name(kind: EpKind) -> String {
    match kind {
        EpKind::Cpu => "CPU EP".into(),
        EpKind::CoreMl => "CoreML EP".into(),
        EpKind::OpenVino => "OpenVINO EP".into(),
    }
}

fn latency_of(row: &Row) -> Option<(f64, f64)> {
    row.measured().map(|m| (m.latency_ms.p50, m.latency_ms.p90))
}

fn throughput_of(row: &Row) -> Option<(f64, f64)> {
    row.measured()
        .and_then(|m| m.throughput_per_s)
        .map(|t| (t, t))
}

/// Every chart the results support, written into `dir` as PNG and SVG.
pub fn write_all(results: &StudyResults, dir: &Path) -> Vec<Chart> {
    let source = source_line(results);
    charts_of(results)
        .into_iter()
        .map(|(name, (spec, missing))| write_chart(dir, name, &spec, missing, &source))
        .collect()
}

/// Where a chart's numbers come from, for its footer.
fn source_line(results: &StudyResults) -> String {
    format!(
        "ONNX Runtime {}; machine {}, {} cores; {} run",
        results.ort.description,
        results.machine.cpu,
        results.machine.cores,
        if results.settings.quick {
            "quick"
        } else {
            "full"
        }
    )
}

/// The charts the results support, by file stem, with what each cannot show.
fn charts_of(results: &StudyResults) -> Vec<(&'static str, (Spec, Vec<String>))> {
    let ep = provider_name(results.ep.kind);
    let has = |findings: &[Finding]| results.rows.iter().any(|r| findings.contains(&r.finding));
    let mut charts = Vec::new();
    let models = [Finding::EpVsCpu, Finding::Vision];
    if has(&models) {
        charts.push((
            "latency_per_model",
            latency_bars(
                results,
                &models,
                format!("Latency per model, CPU EP vs {ep} (batch 1, p50)"),
            ),
        ));
        charts.push((
            "throughput_per_model",
            bars_of(
                results,
                &models,
                format!("Throughput per model, CPU EP vs {ep} (batch 1)"),
                "inferences per second (log scale)",
                throughput_of,
                None,
            ),
        ));
    }
    let control = [Finding::Dtype, Finding::Vision];
    if has(&control) {
        charts.push((
            "fp32_vs_fp16",
            latency_bars(
                results,
                &control,
                format!("fp32 vs fp16 graphs, CPU EP vs {ep} (p50)"),
            ),
        ));
    }
    if let Some(model) = &results.model {
        let rewrites = [Finding::Shapes, Finding::Activation, Finding::Dtype];
        if has(&rewrites) {
            let with_rewrites = [
                Finding::EpVsCpu,
                Finding::Shapes,
                Finding::Activation,
                Finding::Dtype,
            ];
            charts.push((
                "interventions",
                latency_bars(
                    results,
                    &with_rewrites,
                    format!("The models and their rewrites, CPU EP vs {ep} (p50)"),
                ),
            ));
        }
        charts.push(("options_partitions", options_bars(model, &ep)));
    }
    if has(&[Finding::Batch]) {
        charts.push(("batch_scaling", batch_lines(results, &ep)));
    }
    if has(&[Finding::Fragmentation]) {
        charts.push(("fragmentation", fragmentation_lines(results, &ep)));
    }
    if !results.partitions.is_empty() {
        charts.push(("partitions", partition_bars(results, &ep)));
    }
    charts
}

/// Grouped bars of the p50 latency with a p90 whisker.
fn latency_bars(
    results: &StudyResults,
    findings: &[Finding],
    title: String,
) -> (Spec, Vec<String>) {
    bars_of(
        results,
        findings,
        title,
        "latency per run, ms (log scale)",
        latency_of,
        Some("whisker: p90"),
    )
}

/// Draws one chart as `dir/<name>.png` and `.svg`; a drawing error is the chart's, the other
/// charts go on.
fn write_chart(dir: &Path, name: &str, spec: &Spec, missing: Vec<String>, source: &str) -> Chart {
    let png = dir.join(format!("{name}.png"));
    let svg = dir.join(format!("{name}.svg"));
    let footer = footer_lines(&missing, source);
    let error = draw(
        BitMapBackend::new(&png, SIZE).into_drawing_area(),
        spec,
        &footer,
    )
    .and_then(|()| {
        draw(
            SVGBackend::new(&svg, SIZE).into_drawing_area(),
            spec,
            &footer,
        )
    })
    .err();
    Chart {
        name: name.to_string(),
        title: spec.title().to_string(),
        png,
        svg,
        missing,
        error,
    }
}

/// The lines under a chart: what it could not show, then where the numbers come from.
fn footer_lines(missing: &[String], source: &str) -> Vec<String> {
    const MAX: usize = 6;
    let mut lines: Vec<String> = missing.iter().take(MAX).map(|m| format!("✗ {m}")).collect();
    if missing.len() > MAX {
        lines.push(format!(
            "✗ … and {} more not measured (see report.md)",
            missing.len() - MAX
        ));
    }
    lines.push(source.to_string());
    lines
}

fn batch_lines(results: &StudyResults, ep: &str) -> (Spec, Vec<String>) {
    let rows = of_findings(&results.rows, &[Finding::Batch]);
    let providers = providers_of(&rows);
    let series = providers
        .iter()
        .map(|&p| {
            let points = rows
                .iter()
                .filter(|r| r.provider == p)
                .filter_map(|r| {
                    let t = r.measured()?.throughput_per_s?;
                    Some((f64::from(r.batch), t))
                })
                .collect();
            Series {
                name: provider_name(p),
                colour: provider_colour(p),
                values: points,
            }
        })
        .collect();
    let what = match &results.model {
        Some(model) => model
            .models
            .iter()
            .filter(|m| m.batch_dim.is_some())
            .map(|m| m.name.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        None => "tiny-systems-bert static s128".to_string(),
    };
    let spec = Spec::Lines(Lines {
        title: format!("Batch scaling, {what}: CPU EP vs {ep}"),
        x_label: "batch size (samples per run)".into(),
        y_label: "throughput, samples per second".into(),
        series,
        fits: Vec::new(),
        x_ticks: vec![1.0, 2.0, 4.0, 8.0],
    });
    (spec, rows.iter().filter_map(|r| missing_note(r)).collect())
}

fn fragmentation_lines(results: &StudyResults, ep: &str) -> (Spec, Vec<String>) {
    let rows = of_findings(&results.rows, &[Finding::Fragmentation]);
    let mut series = Vec::new();
    let mut fits = Vec::new();
    let mut ticks: Vec<f64> = Vec::new();
    for fit in &results.analysis.fragmentation {
        let points: Vec<(f64, f64)> = rows
            .iter()
            .filter(|r| r.provider == fit.provider)
            .filter_map(|r| {
                let Subject::Zoo(Variant::Probe(probe)) = r.variant else {
                    return None;
                };
                let k = f64::from(probe.k);
                Some((k, r.measured()?.latency_ms.p50 * 1e3))
            })
            .collect();
        for (k, _) in &points {
            if !ticks.contains(k) {
                ticks.push(*k);
            }
        }
        let colour = provider_colour(fit.provider);
        series.push(Series {
            name: format!("{} p50", provider_name(fit.provider)),
            colour,
            values: points,
        });
        fits.push((
            format!(
                "{} OLS fit: {:.1} µs per cut (95% CI {:.1}–{:.1})",
                provider_name(fit.provider),
                fit.slope_us,
                fit.lower_us,
                fit.upper_us
            ),
            colour,
            fit.intercept_us,
            fit.slope_us,
        ));
    }
    ticks.sort_by(f64::total_cmp);
    let spec = Spec::Lines(Lines {
        title: format!("Fragmentation: latency vs EP↔CPU cuts (probe chains), CPU EP vs {ep}"),
        x_label: "cuts k (cut-maker ops between EP blocks)".into(),
        y_label: "latency per run, µs (p50)".into(),
        series,
        fits,
        x_ticks: ticks,
    });
    (spec, rows.iter().filter_map(|r| missing_note(r)).collect())
}

fn partition_bars(results: &StudyResults, ep: &str) -> (Spec, Vec<String>) {
    let mut entries = Vec::new();
    let mut missing = Vec::new();
    for row in &results.partitions {
        match &row.outcome {
            PartitionOutcome::Known(n) => entries.push((
                short(&row.variant.to_string()),
                n.partitions,
                n.source == PartitionSource::Measured,
            )),
            PartitionOutcome::Failed { reason } => {
                missing.push(format!("{}: {}", row.variant, first_line(reason)))
            }
        }
    }
    let spec = Spec::Partitions(PartitionBars {
        title: format!("{ep} partitions per model variant"),
        entries,
    });
    (spec, missing)
}

/// Partitions per configuration of the options matrix, per model.
fn options_bars(study: &ModelStudy, ep: &str) -> (Spec, Vec<String>) {
    let mut entries = Vec::new();
    let mut missing = Vec::new();
    for m in &study.models {
        for o in &m.options {
            let name = format!("{} {}", m.name, o.label);
            match &o.partitions {
                PartitionOutcome::Known(n) => {
                    entries.push((name, n.partitions, n.source == PartitionSource::Measured))
                }
                PartitionOutcome::Failed { reason } => {
                    missing.push(format!("{name}: {}", first_line(reason)))
                }
            }
        }
    }
    let spec = Spec::Partitions(PartitionBars {
        title: format!("{ep} partitions per configuration of its options"),
        entries,
    });
    (spec, missing)
}

/// Draws `spec` with `footer` lines under it and presents the result.
fn draw<DB: DrawingBackend>(
    root: DrawingArea<DB, Shift>,
    spec: &Spec,
    footer: &[String],
) -> Result<(), String> {
    let err = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
    root.fill(&WHITE).map_err(err)?;
    let footer_height = 22 * footer.len() as u32 + 10;
    let (chart_area, footer_area) = root.split_vertically(SIZE.1 - footer_height);
    for (i, line) in footer.iter().enumerate() {
        footer_area
            .draw_text(
                line,
                &(FONT, 15).into_font().color(&BLACK.mix(0.8)),
                (16, 4 + 22 * i as i32),
            )
            .map_err(err)?;
    }
    match spec {
        Spec::Bars(bars) => draw_bars(&chart_area, bars).map_err(err)?,
        Spec::Lines(lines) => draw_lines(&chart_area, lines).map_err(err)?,
        Spec::Partitions(p) => draw_partitions(&chart_area, p).map_err(err)?,
    }
    root.present().map_err(err)
}

type DrawResult<DB> = Result<(), DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

fn draw_bars<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, bars: &Bars) -> DrawResult<DB> {
    let values: Vec<f64> = bars
        .series
        .iter()
        .flat_map(|s| s.values.iter().flatten().flat_map(|&(v, w)| [v, w]))
        .filter(|v| *v > 0.0)
        .collect();
    let (lo, hi) = values.iter().fold((f64::INFINITY, 0.0f64), |(lo, hi), &v| {
        (lo.min(v), hi.max(v))
    });
    let (lo, hi) = if values.is_empty() {
        (0.1, 10.0)
    } else {
        (lo / 2.0, hi * 3.0)
    };
    let n = bars.categories.len().max(1);
    let mut chart = ChartBuilder::on(area)
        .caption(&bars.title, (FONT, 26))
        .margin(16)
        .x_label_area_size(50)
        .y_label_area_size(90)
        .build_cartesian_2d(-0.5f64..(n as f64 - 0.5), (lo..hi).log_scale())?;
    let categories = bars.categories.clone();
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(n + 1)
        .x_label_formatter(&|x| category_at(&categories, *x))
        .x_label_style((FONT, 15))
        .y_label_formatter(&|y| log_tick_label(*y))
        .y_desc(bars.y_label.as_str())
        .y_label_style((FONT, 15))
        .axis_desc_style((FONT, 17))
        .draw()?;
    let groups = bars.series.len().max(1) as f64;
    let width = 0.8 / groups;
    for (
        j,
        Series {
            name,
            colour,
            values,
        },
    ) in bars.series.iter().enumerate()
    {
        let colour = *colour;
        let x0 = |i: usize| i as f64 - 0.4 + j as f64 * width;
        chart
            .draw_series(values.iter().enumerate().filter_map(|(i, v)| {
                v.map(|(v, _)| {
                    Rectangle::new(
                        [(x0(i) + 0.02, lo), (x0(i) + width - 0.02, v)],
                        colour.filled(),
                    )
                })
            }))?
            .label(name.as_str())
            .legend(move |(x, y)| Rectangle::new([(x, y - 6), (x + 16, y + 6)], colour.filled()));
        if bars.whisker.is_some() {
            chart.draw_series(values.iter().enumerate().filter_map(|(i, v)| {
                v.map(|(v, w)| {
                    let mid = x0(i) + width / 2.0;
                    PathElement::new(vec![(mid, v), (mid, w)], BLACK.stroke_width(2))
                })
            }))?;
        }
        chart.draw_series(values.iter().enumerate().filter_map(|(i, v)| {
            v.map(|(v, w)| {
                Text::new(
                    format_value(v),
                    (x0(i) + 0.03, v.max(w) * 1.25),
                    (FONT, 14).into_font(),
                )
            })
        }))?;
    }
    if let Some(whisker) = bars.whisker {
        chart
            .draw_series(std::iter::empty::<PathElement<(f64, f64)>>())?
            .label(format!("bar: p50; {whisker}"))
            .legend(|(x, y)| {
                PathElement::new(vec![(x + 8, y - 7), (x + 8, y + 7)], BLACK.stroke_width(2))
            });
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK)
        .label_font((FONT, 16))
        .draw()
}

fn category_at(categories: &[String], x: f64) -> String {
    let i = x.round();
    if (x - i).abs() > 1e-6 || i < 0.0 {
        return String::new();
    }
    categories.get(i as usize).cloned().unwrap_or_default()
}

/// A log axis's tick label: only 1, 2 and 5 times a power of ten are labelled, so the labels
/// do not crowd together at the top of each decade.
fn log_tick_label(y: f64) -> String {
    if y.is_nan() || y <= 0.0 {
        return String::new();
    }
    let mantissa = y / 10f64.powf(y.log10().floor());
    if [1.0, 2.0, 5.0, 10.0]
        .iter()
        .any(|m| (mantissa - m).abs() < 1e-6 * m)
    {
        format_value(y)
    } else {
        String::new()
    }
}

/// A value printed on a bar: three significant digits.
fn format_value(v: f64) -> String {
    if v == 0.0 {
        "0".into()
    } else if v >= 100.0 {
        format!("{v:.0}")
    } else if v >= 10.0 {
        format!("{v:.1}")
    } else if v >= 1.0 {
        format!("{v:.2}")
    } else {
        format!("{v:.3}")
    }
}

fn draw_lines<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, lines: &Lines) -> DrawResult<DB> {
    let points: Vec<(f64, f64)> = lines.series.iter().flat_map(|s| s.values.clone()).collect();
    let x_max = lines.x_ticks.iter().copied().fold(1.0f64, f64::max);
    let y_max = points.iter().map(|p| p.1).fold(0.0f64, f64::max).max(1e-3) * 1.15;
    let mut chart = ChartBuilder::on(area)
        .caption(&lines.title, (FONT, 26))
        .margin(16)
        .x_label_area_size(60)
        .y_label_area_size(90)
        .build_cartesian_2d(-0.05 * x_max..x_max * 1.05, 0.0..y_max)?;
    let ticks = lines.x_ticks.clone();
    chart
        .configure_mesh()
        .x_labels(((x_max as usize) + 2).min(40))
        .x_label_formatter(&|x| {
            if ticks.iter().any(|t| (t - x).abs() < 1e-6) {
                format!("{x:.0}")
            } else {
                String::new()
            }
        })
        .y_label_formatter(&|y| format_value(*y))
        .x_desc(lines.x_label.as_str())
        .y_desc(lines.y_label.as_str())
        .x_label_style((FONT, 15))
        .y_label_style((FONT, 15))
        .axis_desc_style((FONT, 17))
        .draw()?;
    for Series {
        name,
        colour,
        values: points,
    } in &lines.series
    {
        let colour = *colour;
        chart
            .draw_series(LineSeries::new(points.clone(), colour.stroke_width(3)))?
            .label(name.as_str())
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 20, y)], colour.stroke_width(3))
            });
        chart.draw_series(points.iter().map(|&p| Circle::new(p, 5, colour.filled())))?;
    }
    for (name, colour, intercept, slope) in &lines.fits {
        let colour = *colour;
        let ends = vec![(0.0, *intercept), (x_max, intercept + slope * x_max)];
        chart
            .draw_series(DashedLineSeries::new(ends, 10, 6, colour.stroke_width(2)))?
            .label(name.as_str())
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 20, y)], colour.stroke_width(1))
            });
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK)
        .label_font((FONT, 16))
        .draw()
}

fn draw_partitions<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    bars: &PartitionBars,
) -> DrawResult<DB> {
    let n = bars.entries.len().max(1);
    let x_max = bars.entries.iter().map(|e| e.1).max().unwrap_or(1).max(1) as f64 * 1.15;
    let label_width = bars
        .entries
        .iter()
        .map(|e| e.0.chars().count())
        .max()
        .unwrap_or(10) as u32
        * 9
        + 20;
    let mut chart = ChartBuilder::on(area)
        .caption(&bars.title, (FONT, 26))
        .margin(16)
        .x_label_area_size(55)
        .y_label_area_size(label_width.min(560))
        .build_cartesian_2d(0.0..x_max, -0.5f64..(n as f64 - 0.5))?;
    // First entry at the top.
    let names: Vec<String> = bars.entries.iter().rev().map(|e| e.0.clone()).collect();
    chart
        .configure_mesh()
        .disable_y_mesh()
        .y_labels(n + 1)
        .y_label_formatter(&|y| category_at(&names, *y))
        .x_label_formatter(&|x| format!("{x:.0}"))
        .x_desc("partitions the EP takes (count)")
        .x_label_style((FONT, 15))
        .y_label_style((FONT, 15))
        .axis_desc_style((FONT, 17))
        .draw()?;
    for (measured, colour, label) in [
        (true, MEASURED_COLOUR, "measured"),
        (false, PREDICTED_COLOUR, "predicted (offline CoreML rules)"),
    ] {
        let count = bars.entries.iter().filter(|e| e.2 == measured).count();
        if count == 0 {
            continue;
        }
        chart
            .draw_series(
                bars.entries
                    .iter()
                    .enumerate()
                    .filter(|(_, e)| e.2 == measured)
                    .map(|(i, e)| {
                        let y = (n - 1 - i) as f64;
                        Rectangle::new([(0.0, y - 0.35), (e.1 as f64, y + 0.35)], colour.filled())
                    }),
            )?
            .label(label)
            .legend(move |(x, y)| Rectangle::new([(x, y - 6), (x + 16, y + 6)], colour.filled()));
    }
    chart.draw_series(bars.entries.iter().enumerate().map(|(i, e)| {
        let y = (n - 1 - i) as f64;
        Text::new(
            e.1.to_string(),
            (e.1 as f64 + x_max * 0.01, y + 0.2),
            (FONT, 15).into_font(),
        )
    }))?;
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::LowerRight)
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK)
        .label_font((FONT, 16))
        .draw()
}

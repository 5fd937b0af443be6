//! Aggregating profile events into the study's summary.

use std::collections::HashMap;

use super::CPU_PROVIDER;
use super::events::{Category, NodePhase, ProfileEvent};

/// How many nodes [`ProfileSummary::top_nodes`] keeps.
pub const TOP_NODES: usize = 20;

/// What an ORT profile says about a session: where time went, which EP ran which nodes, and how
/// often execution hopped between an accelerator EP and the CPU.
///
/// All times are milliseconds; shares are fractions in `[0, 1]`. Every field is computed from
/// the profile alone, so it is only as complete as the profile (ORT stops recording after
/// 1,000,000 events). Warm-up runs made while profiling are included, as in the study.
///
/// Terms used below:
/// - a *kernel event* is a `Node` event named `<node>_kernel_time`: one execution of one node;
/// - a *node* is a distinct `(node name, provider)` among the kernel events. A fused EP
///   partition is a single node, so `nodes` counts nodes *as executed*, after partitioning and
///   fusion, not the nodes of the ONNX graph;
/// - an *accelerator* is any provider other than `CPUExecutionProvider`;
/// - a *run* is a `model_run` event, one per `Session::run`.
///
/// The share of the original graph's nodes that an EP covers (the study's "105 of 167 nodes")
/// cannot be known from a profile: a fused partition hides which and how many graph nodes it
/// holds. That number comes from the EP's GetCapability log line. What the profile does tell is
/// [`ep_executed_node_share`](Self::ep_executed_node_share) and
/// [`ep_time_share`](Self::ep_time_share).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ProfileSummary {
    /// Every event in the profile, fences and unknown categories included. (The study's
    /// "Events used" left out zero-duration events, so it is lower for old profiles.)
    pub total_events: usize,
    /// Wall time the profile spans: from the earliest event start to the latest event end.
    /// (The study's "Total (dur sum)" added up durations of nested events instead.)
    pub total_duration_ms: f64,
    /// Summed durations and counts per `cat`, largest first — the study's "Top categories by
    /// time". Nested events make these overlap: `model_run` contains the executor, which
    /// contains the node events.
    pub categories: Vec<CategoryTotal>,
    /// Sum of `session_initialization` durations (one per session).
    pub session_init_ms: f64,
    /// Sum of `model_loading_*` durations (`model_loading_uri`, `_array`, `_proto`, ...).
    pub model_loading_ms: f64,
    /// Number of `model_run` events.
    pub runs: usize,
    /// Sum of `model_run` durations: the time inside `Session::run` as ORT measures it.
    pub model_run_ms: f64,
    /// Duration of the earliest `model_run`. Profiling starts with the session, so warm-up runs
    /// are always in the profile; a first run far slower than the median inflates every total.
    pub first_run_ms: Option<f64>,
    /// Median `model_run` duration (the mean of the two middle runs for an even count).
    pub median_run_ms: Option<f64>,
    /// Sum of `SequentialExecutor::Execute` durations.
    pub sequential_executor_ms: f64,
    /// Number of `SequentialExecutor::Execute` events (one per run with the sequential executor).
    pub sequential_executor_events: usize,
    /// Sum of kernel event durations: time spent inside node kernels, fused partitions
    /// included. Fence events are not node execution and are left out.
    pub node_execution_ms: f64,
    /// `model_run_ms - node_execution_ms`, floored at 0: time inside runs that no kernel
    /// accounts for — input/output binding, memory planning and allocation, fences, the
    /// executor's own loop. (The study called the whole `Session` category "session overhead",
    /// session initialisation included; that number is in `categories`.) The floor only matters
    /// with the parallel executor, whose kernels overlap in time.
    pub session_overhead_ms: f64,
    /// `node_execution_ms / model_run_ms`; `None` without runs.
    pub node_execution_share: Option<f64>,
    /// `session_overhead_ms / model_run_ms`; `None` without runs.
    pub session_overhead_share: Option<f64>,
    /// Number of kernel events (node executions).
    pub kernel_events: usize,
    /// Number of `_fence_before`/`_fence_after` events; non-zero only in profiles of ORT
    /// versions before October 2024.
    pub fence_events: usize,
    /// Accelerator providers: those that executed nodes, by time, then the one the caller said
    /// the session was created with if it executed nothing.
    pub accelerators: Vec<String>,
    /// Kernel time per provider, largest first.
    pub providers: Vec<ProviderTotal>,
    /// Fused EP partitions, largest total time first. A node counts as a partition when an
    /// accelerator ran it and its name is `<provider>_<metadef name>_<n>`, the name ORT's graph
    /// partitioner gives fused nodes: `CoreMLExecutionProvider_CoreML_<hash>_<id>_<n>` (ORT
    /// before ~1.21), `CoreMLExecutionProvider_<key>_CoreML_<hash>_<id>_<n>` (later),
    /// `OpenVINOExecutionProvider_OpenVINO-EP-subgraph_<n>_<m>`.
    pub partitions: Vec<Partition>,
    /// Distinct nodes executed (see the type's docs): the kernels of one run when every run
    /// executes the same nodes, as sessions without control flow do.
    pub nodes: usize,
    /// Nodes executed by an accelerator.
    pub ep_nodes: usize,
    /// Nodes executed by the CPU provider while the session had an accelerator. `None` when it
    /// had none: in a CPU-only session nothing "falls back". An accelerator that took no node
    /// at all leaves no trace in the profile, so pass it to
    /// [`from_events`](Self::from_events) to have all-CPU profiles counted as full fallback.
    pub fallback_nodes: Option<usize>,
    /// The fallback nodes grouped by op type, most time first; empty when `fallback_nodes` is
    /// `None`.
    pub fallback_ops: Vec<FallbackOp>,
    /// `ep_nodes / nodes`: the share of *executed* nodes an accelerator ran, each fused
    /// partition counting once. `None` without an accelerator or without nodes.
    pub ep_executed_node_share: Option<f64>,
    /// Accelerator kernel time / `node_execution_ms`. `None` without an accelerator or without
    /// kernel time.
    pub ep_time_share: Option<f64>,
    /// The [`TOP_NODES`] nodes with the most kernel time, most first.
    pub top_nodes: Vec<NodeTime>,
    /// Provider switches per run: within each `model_run` window, kernel events are ordered by
    /// start time and every consecutive pair run by different providers counts one transition;
    /// the total is divided by `runs`. Kernel events outside every run window are left out.
    /// Assumes runs do not overlap (no concurrent `Session::run` on one session). `None`
    /// without runs.
    pub transitions_per_run: Option<f64>,
}

/// Time and event count of one event category.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct CategoryTotal {
    pub category: String,
    pub time_ms: f64,
    pub events: usize,
}

/// Kernel time of one execution provider.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ProviderTotal {
    /// ORT's provider name; empty for kernel events that did not record one.
    pub provider: String,
    /// Distinct nodes the provider executed.
    pub nodes: usize,
    pub time_ms: f64,
    /// Kernel events (node executions).
    pub events: usize,
}

/// One fused EP partition.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Partition {
    /// The fused node's name, e.g. `CoreMLExecutionProvider_CoreML_1677959206408385454_0_0`.
    pub name: String,
    pub provider: String,
    /// The kernel's `op_name`: the EP's metadef name, e.g. `CoreML_1677959206408385454_0`.
    pub op: String,
    /// Total kernel time over all runs.
    pub time_ms: f64,
    /// Executions (one per run).
    pub events: usize,
    /// `time_ms / events`.
    pub mean_ms: f64,
}

/// CPU fallback time of one op type.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct FallbackOp {
    pub op: String,
    pub time_ms: f64,
    /// Kernel events (node executions) of this op on the CPU.
    pub events: usize,
    /// Distinct CPU nodes of this op.
    pub nodes: usize,
}

/// Kernel time of one node.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct NodeTime {
    pub name: String,
    /// The kernel's `op_name`; empty if ORT did not record one.
    pub op: String,
    /// Empty if ORT did not record one.
    pub provider: String,
    pub time_ms: f64,
    pub events: usize,
}

fn is_accelerator(provider: &str) -> bool {
    !provider.is_empty() && provider != CPU_PROVIDER
}

/// Descending by time, then ascending by name, so ties print the same on every machine.
fn by_time_desc<T>(items: &mut [T], time: impl Fn(&T) -> f64, name: impl Fn(&T) -> &str) {
    items.sort_by(|a, b| {
        time(b)
            .total_cmp(&time(a))
            .then_with(|| name(a).cmp(name(b)))
    });
}

fn share(part: f64, whole: f64) -> Option<f64> {
    (whole > 0.0).then(|| part / whole)
}

impl ProfileSummary {
    /// Summarises parsed profile events, in any order.
    ///
    /// `session_ep` is the ORT name of the accelerator the session was created with (e.g.
    /// `"CoreMLExecutionProvider"`), when the caller knows it; `None` or
    /// `"CPUExecutionProvider"` means "infer from the profile". It only matters when that EP
    /// executed no node, which a profile cannot show: with it, every CPU node is a fallback.
    pub fn from_events(events: &[ProfileEvent], session_ep: Option<&str>) -> ProfileSummary {
        let ms = |us: f64| us / 1e3;
        let session = SessionTimes::of(events);
        let kernels: Vec<Kernel<'_>> = events.iter().filter_map(Kernel::from_event).collect();
        let fence_events = events
            .iter()
            .filter_map(ProfileEvent::node_event)
            .filter(|n| n.phase != NodePhase::Kernel)
            .count();
        let node_execution_us: f64 = kernels.iter().map(|k| k.dur_us).sum();
        let session_overhead_us = (session.model_run_us - node_execution_us).max(0.0);
        let nodes = aggregate_nodes(&kernels);
        let providers = provider_totals(&nodes);
        let accelerators = accelerators(&providers, session_ep);
        let offload = Offload::of(
            !accelerators.is_empty(),
            &nodes,
            &kernels,
            node_execution_us,
        );
        ProfileSummary {
            total_events: events.len(),
            total_duration_ms: ms(session.total_duration_us),
            categories: category_totals(events),
            session_init_ms: ms(session.session_init_us),
            model_loading_ms: ms(session.model_loading_us),
            runs: session.runs,
            model_run_ms: ms(session.model_run_us),
            first_run_ms: session.first_run_us.map(ms),
            median_run_ms: session.median_run_us.map(ms),
            sequential_executor_ms: ms(session.executor_us),
            sequential_executor_events: session.executor_events,
            node_execution_ms: ms(node_execution_us),
            session_overhead_ms: ms(session_overhead_us),
            node_execution_share: share(node_execution_us, session.model_run_us),
            session_overhead_share: share(session_overhead_us, session.model_run_us),
            kernel_events: kernels.len(),
            fence_events,
            accelerators,
            providers,
            partitions: fused_partitions(&nodes),
            nodes: nodes.len(),
            ep_nodes: offload.ep_nodes,
            fallback_nodes: offload.fallback_nodes,
            fallback_ops: offload.fallback_ops,
            ep_executed_node_share: offload.ep_executed_node_share,
            ep_time_share: offload.ep_time_share,
            top_nodes: top_nodes(&nodes),
            transitions_per_run: transitions_per_run(events, &kernels),
        }
    }
}

/// The session's own events and the span of the profile, in µs.
struct SessionTimes {
    total_duration_us: f64,
    session_init_us: f64,
    model_loading_us: f64,
    model_run_us: f64,
    runs: usize,
    first_run_us: Option<f64>,
    median_run_us: Option<f64>,
    executor_us: f64,
    executor_events: usize,
}

impl SessionTimes {
    fn of(events: &[ProfileEvent]) -> Self {
        let session_sum = |pred: &dyn Fn(&str) -> bool| -> (f64, usize) {
            events
                .iter()
                .filter(|e| e.category == Category::Session && pred(&e.name))
                .fold((0.0, 0), |(t, n), e| (t + e.dur_us, n + 1))
        };
        let (session_init_us, _) = session_sum(&|n| n == "session_initialization");
        let (model_loading_us, _) = session_sum(&|n| n.starts_with("model_loading_"));
        let (model_run_us, runs) = session_sum(&|n| n == "model_run");
        let (first_run_us, median_run_us) = first_and_median_run(events);
        let (executor_us, executor_events) = session_sum(&|n| n == "SequentialExecutor::Execute");
        let start = events.iter().map(|e| e.ts_us).min_by(f64::total_cmp);
        let end = events
            .iter()
            .map(ProfileEvent::end_us)
            .max_by(f64::total_cmp);
        let total_duration_us = match (start, end) {
            (Some(start), Some(end)) => end - start,
            _ => 0.0,
        };
        Self {
            total_duration_us,
            session_init_us,
            model_loading_us,
            model_run_us,
            runs,
            first_run_us,
            median_run_us,
            executor_us,
            executor_events,
        }
    }
}

/// See [`ProfileSummary::accelerators`].
fn accelerators(providers: &[ProviderTotal], session_ep: Option<&str>) -> Vec<String> {
    let mut accelerators: Vec<String> = providers
        .iter()
        .filter(|p| is_accelerator(&p.provider))
        .map(|p| p.provider.clone())
        .collect();
    if let Some(ep) = session_ep.filter(|ep| is_accelerator(ep))
        && !accelerators.iter().any(|a| a == ep)
    {
        accelerators.push(ep.to_string());
    }
    accelerators
}

/// What the accelerators ran and what they left to the CPU; all but `ep_nodes` are `None` or
/// empty when the session had no accelerator.
struct Offload {
    ep_nodes: usize,
    fallback_nodes: Option<usize>,
    fallback_ops: Vec<FallbackOp>,
    ep_executed_node_share: Option<f64>,
    ep_time_share: Option<f64>,
}

impl Offload {
    fn of(
        has_accelerator: bool,
        nodes: &[NodeTime],
        kernels: &[Kernel<'_>],
        node_execution_us: f64,
    ) -> Self {
        let ep_nodes = nodes.iter().filter(|n| is_accelerator(&n.provider)).count();
        if !has_accelerator {
            return Self {
                ep_nodes,
                fallback_nodes: None,
                fallback_ops: Vec::new(),
                ep_executed_node_share: None,
                ep_time_share: None,
            };
        }
        let ep_time_us: f64 = kernels
            .iter()
            .filter(|k| is_accelerator(k.provider))
            .map(|k| k.dur_us)
            .sum();
        let cpu_nodes: Vec<&NodeTime> = nodes
            .iter()
            .filter(|n| n.provider == CPU_PROVIDER)
            .collect();
        Self {
            ep_nodes,
            fallback_nodes: Some(cpu_nodes.len()),
            fallback_ops: fallback_ops(&cpu_nodes),
            ep_executed_node_share: share(ep_nodes as f64, nodes.len() as f64),
            ep_time_share: share(ep_time_us, node_execution_us),
        }
    }
}

/// See [`ProfileSummary::partitions`].
fn fused_partitions(nodes: &[NodeTime]) -> Vec<Partition> {
    let mut partitions: Vec<Partition> = nodes
        .iter()
        .filter(|n| is_accelerator(&n.provider) && is_fused_name(&n.name, &n.provider))
        .map(|n| Partition {
            name: n.name.clone(),
            provider: n.provider.clone(),
            op: n.op.clone(),
            time_ms: n.time_ms,
            events: n.events,
            mean_ms: n.time_ms / n.events as f64,
        })
        .collect();
    by_time_desc(&mut partitions, |p| p.time_ms, |p| &p.name);
    partitions
}

/// The [`TOP_NODES`] nodes with the most kernel time, most first.
fn top_nodes(nodes: &[NodeTime]) -> Vec<NodeTime> {
    let mut top = nodes.to_vec();
    by_time_desc(&mut top, |n| n.time_ms, |n| &n.name);
    top.truncate(TOP_NODES);
    top
}

fn is_model_run(event: &ProfileEvent) -> bool {
    event.category == Category::Session && event.name == "model_run"
}

/// Duration of the earliest run and the median run duration, in µs.
fn first_and_median_run(events: &[ProfileEvent]) -> (Option<f64>, Option<f64>) {
    let first = events
        .iter()
        .filter(|e| is_model_run(e))
        .min_by(|a, b| a.ts_us.total_cmp(&b.ts_us))
        .map(|e| e.dur_us);
    let durations: Vec<f64> = events
        .iter()
        .filter(|e| is_model_run(e))
        .map(|e| e.dur_us)
        .collect();
    (first, crate::stats::median(&durations))
}

/// One kernel event, with the fields the summary groups by.
struct Kernel<'a> {
    node: &'a str,
    op: &'a str,
    provider: &'a str,
    ts_us: f64,
    dur_us: f64,
}

impl<'a> Kernel<'a> {
    fn from_event(event: &'a ProfileEvent) -> Option<Kernel<'a>> {
        let node = event
            .node_event()
            .filter(|n| n.phase == NodePhase::Kernel)?;
        Some(Kernel {
            node: node.node,
            op: event.op_name().unwrap_or_default(),
            provider: event.provider().unwrap_or_default(),
            ts_us: event.ts_us,
            dur_us: event.dur_us,
        })
    }
}

/// ORT's graph partitioner names a fused node `<provider>_<metadef name>_<n>`.
fn is_fused_name(node: &str, provider: &str) -> bool {
    node.strip_prefix(provider)
        .is_some_and(|rest| rest.starts_with('_'))
}

/// Kernel time per distinct `(node, provider)`, in order of first appearance.
fn aggregate_nodes(kernels: &[Kernel<'_>]) -> Vec<NodeTime> {
    let mut index: HashMap<(&str, &str), usize> = HashMap::new();
    let mut nodes: Vec<NodeTime> = Vec::new();
    for k in kernels {
        let i = *index.entry((k.node, k.provider)).or_insert_with(|| {
            nodes.push(NodeTime {
                name: k.node.to_string(),
                op: k.op.to_string(),
                provider: k.provider.to_string(),
                time_ms: 0.0,
                events: 0,
            });
            nodes.len() - 1
        });
        nodes[i].time_ms += k.dur_us / 1e3;
        nodes[i].events += 1;
    }
    nodes
}

fn provider_totals(nodes: &[NodeTime]) -> Vec<ProviderTotal> {
    let mut totals: Vec<ProviderTotal> = Vec::new();
    for n in nodes {
        match totals.iter_mut().find(|t| t.provider == n.provider) {
            Some(t) => {
                t.nodes += 1;
                t.time_ms += n.time_ms;
                t.events += n.events;
            }
            None => totals.push(ProviderTotal {
                provider: n.provider.clone(),
                nodes: 1,
                time_ms: n.time_ms,
                events: n.events,
            }),
        }
    }
    by_time_desc(&mut totals, |t| t.time_ms, |t| &t.provider);
    totals
}

fn fallback_ops(cpu_nodes: &[&NodeTime]) -> Vec<FallbackOp> {
    let mut ops: Vec<FallbackOp> = Vec::new();
    for n in cpu_nodes {
        match ops.iter_mut().find(|o| o.op == n.op) {
            Some(o) => {
                o.time_ms += n.time_ms;
                o.events += n.events;
                o.nodes += 1;
            }
            None => ops.push(FallbackOp {
                op: n.op.clone(),
                time_ms: n.time_ms,
                events: n.events,
                nodes: 1,
            }),
        }
    }
    by_time_desc(&mut ops, |o| o.time_ms, |o| &o.op);
    ops
}

fn category_totals(events: &[ProfileEvent]) -> Vec<CategoryTotal> {
    let mut totals: Vec<CategoryTotal> = Vec::new();
    for e in events {
        let name = e.category.as_str();
        match totals.iter_mut().find(|t| t.category == name) {
            Some(t) => {
                t.time_ms += e.dur_us / 1e3;
                t.events += 1;
            }
            None => totals.push(CategoryTotal {
                category: name.to_string(),
                time_ms: e.dur_us / 1e3,
                events: 1,
            }),
        }
    }
    by_time_desc(&mut totals, |t| t.time_ms, |t| &t.category);
    totals
}

/// See [`ProfileSummary::transitions_per_run`].
fn transitions_per_run(events: &[ProfileEvent], kernels: &[Kernel<'_>]) -> Option<f64> {
    let mut runs: Vec<(f64, f64)> = events
        .iter()
        .filter(|e| is_model_run(e))
        .map(|e| (e.ts_us, e.end_us()))
        .collect();
    if runs.is_empty() {
        return None;
    }
    runs.sort_by(|a, b| a.0.total_cmp(&b.0));

    // Kernels by start time; the sort is stable, so equal starts keep the file's order.
    let mut ordered: Vec<&Kernel<'_>> = kernels.iter().collect();
    ordered.sort_by(|a, b| a.ts_us.total_cmp(&b.ts_us));

    let mut transitions = 0usize;
    // (run index, provider) of the previous kernel that fell inside a run.
    let mut previous: Option<(usize, &str)> = None;
    for k in ordered {
        // The run that started last at or before the kernel, if the kernel is inside it.
        let started = runs.partition_point(|run| run.0 <= k.ts_us);
        let Some(run) = started.checked_sub(1) else {
            continue;
        };
        if k.ts_us > runs[run].1 {
            continue;
        }
        if let Some((prev_run, prev_provider)) = previous
            && prev_run == run
            && prev_provider != k.provider
        {
            transitions += 1;
        }
        previous = Some((run, k.provider));
    }
    Some(transitions as f64 / runs.len() as f64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Map, Value};

    fn session(name: &str, ts: f64, dur: f64) -> ProfileEvent {
        ProfileEvent {
            category: Category::Session,
            name: name.to_string(),
            ts_us: ts,
            dur_us: dur,
            args: Map::new(),
        }
    }

    fn kernel(node: &str, op: &str, provider: &str, ts: f64, dur: f64) -> ProfileEvent {
        let mut args = Map::new();
        args.insert("op_name".into(), Value::String(op.into()));
        args.insert("provider".into(), Value::String(provider.into()));
        ProfileEvent {
            category: Category::Node,
            name: format!("{node}_kernel_time"),
            ts_us: ts,
            dur_us: dur,
            args,
        }
    }

    /// Two runs of [EP partition, CPU Erf, EP partition]: 2 transitions per run.
    fn two_runs() -> Vec<ProfileEvent> {
        let ep = "OpenVINOExecutionProvider";
        let mut events = vec![session("session_initialization", 0.0, 100.0)];
        for start in [1000.0, 2000.0] {
            events.push(session("model_run", start, 100.0));
            events.push(kernel(
                &format!("{ep}_S_1_0"),
                "S_1",
                ep,
                start + 10.0,
                20.0,
            ));
            events.push(kernel("erf", "Erf", CPU_PROVIDER, start + 30.0, 10.0));
            events.push(kernel(
                &format!("{ep}_S_2_1"),
                "S_2",
                ep,
                start + 40.0,
                30.0,
            ));
        }
        events
    }

    #[test]
    fn order_of_events_does_not_matter() {
        let events = two_runs();
        let mut reversed = events.clone();
        reversed.reverse();
        assert_eq!(
            ProfileSummary::from_events(&events, None),
            ProfileSummary::from_events(&reversed, None)
        );
    }

    #[test]
    fn overhead_is_run_time_not_spent_in_kernels() {
        let s = ProfileSummary::from_events(&two_runs(), None);
        // Runs: 2 x 100 µs; kernels: 2 x (20 + 10 + 30) µs = 120 µs.
        assert_eq!(s.model_run_ms, 0.2);
        assert!((s.node_execution_ms - 0.12).abs() < 1e-12);
        assert!((s.session_overhead_ms - 0.08).abs() < 1e-12);
        assert_eq!(s.node_execution_share, Some(0.6));
        assert_eq!(s.transitions_per_run, Some(2.0));
        assert_eq!(s.partitions.len(), 2);
        assert_eq!(s.fallback_nodes, Some(1));
    }

    #[test]
    fn kernels_outside_runs_do_not_make_transitions() {
        let mut events = two_runs();
        // A CPU kernel between the runs, e.g. from a profile that lost its model_run events.
        events.push(kernel("stray", "Cast", CPU_PROVIDER, 1500.0, 5.0));
        let s = ProfileSummary::from_events(&events, None);
        assert_eq!(s.transitions_per_run, Some(2.0));
        assert_eq!(s.nodes, 4);
    }

    #[test]
    fn a_registered_ep_that_took_nothing_makes_every_cpu_node_a_fallback() {
        let events = vec![
            session("model_run", 0.0, 50.0),
            kernel("a", "Cast", CPU_PROVIDER, 1.0, 10.0),
            kernel("b", "Erf", CPU_PROVIDER, 20.0, 20.0),
        ];
        let inferred = ProfileSummary::from_events(&events, None);
        assert_eq!(inferred.fallback_nodes, None);
        assert!(inferred.fallback_ops.is_empty());
        assert_eq!(inferred.ep_time_share, None);

        let told = ProfileSummary::from_events(&events, Some("CoreMLExecutionProvider"));
        assert_eq!(told.accelerators, ["CoreMLExecutionProvider"]);
        assert_eq!(told.fallback_nodes, Some(2));
        assert_eq!(told.fallback_ops[0].op, "Erf");
        assert_eq!(told.ep_executed_node_share, Some(0.0));
        assert_eq!(told.ep_time_share, Some(0.0));

        let cpu = ProfileSummary::from_events(&events, Some(CPU_PROVIDER));
        assert_eq!(cpu, inferred);
    }

    #[test]
    fn no_events_is_an_empty_summary_without_shares() {
        let s = ProfileSummary::from_events(&[], None);
        assert_eq!(s.total_events, 0);
        assert_eq!(s.total_duration_ms, 0.0);
        assert_eq!(s.node_execution_share, None);
        assert_eq!(s.transitions_per_run, None);
    }

    #[test]
    fn only_names_with_the_provider_prefix_are_partitions() {
        assert!(is_fused_name(
            "CoreMLExecutionProvider_CoreML_1_0_0",
            "CoreMLExecutionProvider"
        ));
        assert!(!is_fused_name(
            "CoreMLExecutionProviderX",
            "CoreMLExecutionProvider"
        ));
        // A per-op EP (CUDA-like) runs ordinary named nodes: not partitions.
        assert!(!is_fused_name("/encoder/MatMul", "CUDAExecutionProvider"));
    }
}

//! The events of an ORT JSON profile.
//!
//! Format (onnxruntime/core/common/profiler.cc, `Profiler::EndProfiling`): `[`, then one event
//! per line, then `]` — written last, so a file without it is truncated. Each event is
//! `{"cat","pid","tid","dur","ts","ph":"X","name","args"}` with `ts` and `dur` in integer
//! microseconds since profiling started. `args` values are JSON strings unless the value
//! itself starts with `{` or `[` (then it is inlined as JSON); key order is not stable.
//! Events appear in the order they ended in some versions and sorted by start in others, so
//! nothing here relies on the order of the file.
//!
//! Node events (core/framework/sequential_executor.cc, and session_scope.cc in 2023–2024) are
//! named `<node name>_kernel_time` — or `<OpType>_<index>_kernel_time` for a node without a
//! name — with args `op_name`, `provider`, `node_index`, sizes and shapes. Before October 2024
//! every kernel event was bracketed by `<node>_fence_before` and `<node>_fence_after` events
//! whose only arg is `op_name`.

use serde_json::{Map, Value};

/// The `cat` of an event. ORT writes the first four; anything else (a newer ORT, an EP
/// profiler) is kept as [`Category::Other`] rather than rejected.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Category {
    /// Session lifetime: model loading, initialisation, `model_run`, the executor.
    Session,
    /// One node (kernel) execution, or its fences.
    Node,
    /// Device kernels reported by an EP profiler (CUDA, ROCm).
    Kernel,
    /// C API calls.
    Api,
    Other(String),
}

impl Category {
    fn parse(name: &str) -> Category {
        match name {
            "Session" => Category::Session,
            "Node" => Category::Node,
            "Kernel" => Category::Kernel,
            "Api" => Category::Api,
            other => Category::Other(other.to_string()),
        }
    }

    /// The name as it appears in the profile.
    pub fn as_str(&self) -> &str {
        match self {
            Category::Session => "Session",
            Category::Node => "Node",
            Category::Kernel => "Kernel",
            Category::Api => "Api",
            Category::Other(name) => name,
        }
    }
}

/// One event of the profile.
#[derive(Debug, Clone, PartialEq)]
pub struct ProfileEvent {
    pub category: Category,
    pub name: String,
    /// Start, in microseconds since profiling started.
    pub ts_us: f64,
    /// Duration in microseconds.
    pub dur_us: f64,
    /// The event's `args`; empty when the event has none.
    pub args: Map<String, Value>,
}

/// Which part of a node's execution a `Node` event times.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NodePhase {
    /// `<node>_kernel_time`: the kernel's compute, the only phase that is node execution.
    Kernel,
    /// `<node>_fence_before`: synchronisation before the kernel (ORT before October 2024).
    FenceBefore,
    /// `<node>_fence_after`: synchronisation after the kernel (ORT before October 2024).
    FenceAfter,
}

/// A `Node` event split into the node it belongs to and the phase it times.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NodeEvent<'a> {
    /// The node's name as ORT reports it (for a fused EP partition, the fused node's name).
    pub node: &'a str,
    pub phase: NodePhase,
}

impl ProfileEvent {
    /// End of the event, in microseconds since profiling started.
    pub fn end_us(&self) -> f64 {
        self.ts_us + self.dur_us
    }

    /// A string-valued arg (`provider`, `op_name`, `node_index`, ...).
    pub fn arg(&self, key: &str) -> Option<&str> {
        self.args.get(key).and_then(Value::as_str)
    }

    /// The execution provider that ran a node (`args.provider`), e.g. `CPUExecutionProvider`.
    pub fn provider(&self) -> Option<&str> {
        self.arg("provider")
    }

    /// The kernel's op (`args.op_name`): the op type, or the metadef name of a fused partition.
    pub fn op_name(&self) -> Option<&str> {
        self.arg("op_name")
    }

    /// The node and phase of a `Node` event; `None` for other categories and for node events
    /// with a suffix this version does not know.
    pub fn node_event(&self) -> Option<NodeEvent<'_>> {
        if self.category != Category::Node {
            return None;
        }
        let phases = [
            ("_kernel_time", NodePhase::Kernel),
            ("_fence_before", NodePhase::FenceBefore),
            ("_fence_after", NodePhase::FenceAfter),
        ];
        phases.into_iter().find_map(|(suffix, phase)| {
            self.name
                .strip_suffix(suffix)
                .map(|node| NodeEvent { node, phase })
        })
    }
}

/// Why the contents of a file are not an ORT profile.
#[derive(Debug, thiserror::Error)]
pub enum ParseError {
    #[error(
        "the file is empty (ORT writes the profile only when profiling ends, at Session::end_profiling)"
    )]
    Empty,
    #[error(
        "the JSON ends at line {line} column {column} before the closing `]` that ORT writes last: \
         the profile is truncated (read while ORT was still writing it, or cut short)"
    )]
    Truncated { line: usize, column: usize },
    #[error("not JSON: {0}")]
    NotJson(#[source] serde_json::Error),
    #[error("expected a JSON array of events, found {found}")]
    NotAnArray { found: &'static str },
    #[error("not an array of ORT profile events: {0}")]
    NotEvents(#[source] serde_json::Error),
    #[error("event {index} (`{name}`): {reason}")]
    InvalidEvent {
        index: usize,
        name: String,
        reason: &'static str,
    },
}

/// The fields summaries need; everything else (`pid`, `tid`, `ph`, unknown keys) is ignored
/// so that newer ORT versions still parse.
#[derive(serde::Deserialize)]
struct RawEvent {
    cat: String,
    name: String,
    ts: f64,
    dur: f64,
    #[serde(default)]
    args: Map<String, Value>,
}

/// Parses the contents of an ORT JSON profile.
///
/// ```
/// use epbench::measure::profile::{parse_events, NodePhase};
///
/// let json = r#"[
/// {"cat" : "Node","pid" :7,"tid" :7,"dur" :12,"ts" :100,"ph" : "X","name" :"/Erf_kernel_time","args" : {"op_name" : "Erf","provider" : "CPUExecutionProvider"}}
/// ]"#;
/// let events = parse_events(json)?;
/// assert_eq!(events[0].provider(), Some("CPUExecutionProvider"));
/// assert_eq!(events[0].node_event().map(|n| n.phase), Some(NodePhase::Kernel));
/// # Ok::<(), epbench::measure::profile::ParseError>(())
/// ```
pub fn parse_events(json: impl AsRef<[u8]>) -> Result<Vec<ProfileEvent>, ParseError> {
    let bytes = json.as_ref();
    // Editors on Windows may add a byte-order mark when a profile is saved again.
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let first = bytes.iter().copied().find(|b| !b.is_ascii_whitespace());
    match first {
        None => return Err(ParseError::Empty),
        Some(b'[') => {}
        Some(_) => return Err(not_an_array(bytes)),
    }

    let raw: Vec<RawEvent> = serde_json::from_slice(bytes).map_err(|e| {
        if e.is_eof() {
            ParseError::Truncated {
                line: e.line(),
                column: e.column(),
            }
        } else if e.is_data() {
            ParseError::NotEvents(e)
        } else {
            ParseError::NotJson(e)
        }
    })?;

    raw.into_iter()
        .enumerate()
        .map(|(index, event)| {
            let invalid = |reason| ParseError::InvalidEvent {
                index,
                name: event.name.clone(),
                reason,
            };
            if !event.ts.is_finite() {
                return Err(invalid("`ts` is not a finite number"));
            }
            if !event.dur.is_finite() || event.dur < 0.0 {
                return Err(invalid("`dur` is negative or not a finite number"));
            }
            Ok(ProfileEvent {
                category: Category::parse(&event.cat),
                ts_us: event.ts,
                dur_us: event.dur,
                name: event.name,
                args: event.args,
            })
        })
        .collect()
}

/// The error for input that does not start with `[`: say what it is instead, if it is JSON.
fn not_an_array(bytes: &[u8]) -> ParseError {
    let found = match serde_json::from_slice::<Value>(bytes) {
        Ok(Value::Object(_)) => "an object",
        Ok(Value::String(_)) => "a string",
        Ok(Value::Number(_)) => "a number",
        Ok(Value::Bool(_)) => "a boolean",
        Ok(Value::Null) => "null",
        // Unreachable (the input does not start with `[`), but an array is no reason to fail.
        Ok(Value::Array(_)) => "an array",
        Err(e) => return ParseError::NotJson(e),
    };
    ParseError::NotAnArray { found }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn node_suffixes_are_split_off_once() {
        let event = |name: &str, cat: &str| ProfileEvent {
            category: Category::parse(cat),
            name: name.to_string(),
            ts_us: 0.0,
            dur_us: 0.0,
            args: Map::new(),
        };
        let kernel = event("/a/Erf_kernel_time", "Node");
        assert_eq!(
            kernel.node_event(),
            Some(NodeEvent {
                node: "/a/Erf",
                phase: NodePhase::Kernel
            })
        );
        // A node literally named "x_kernel_time" keeps its own suffix.
        let odd = event("x_kernel_time_fence_after", "Node");
        assert_eq!(
            odd.node_event(),
            Some(NodeEvent {
                node: "x_kernel_time",
                phase: NodePhase::FenceAfter
            })
        );
        assert_eq!(event("model_run", "Session").node_event(), None);
        assert_eq!(event("x_kernel_time", "Session").node_event(), None);
        assert_eq!(event("x_something_new", "Node").node_event(), None);
    }

    #[test]
    fn args_that_are_json_stay_json() {
        let json = r#"[{"cat":"Node","name":"n_kernel_time","ts":1,"dur":2,"ph":"X",
            "args":{"input_type_shape":[{"float":[1,8]}],"provider":"CPUExecutionProvider",
            "thread_scheduling_stats":{"main_thread":{"thread_pool_name":"x"}}}}]"#;
        let events = parse_events(json).unwrap();
        assert_eq!(events[0].provider(), Some("CPUExecutionProvider"));
        assert_eq!(events[0].arg("input_type_shape"), None);
        assert!(events[0].args["input_type_shape"].is_array());
    }

    #[test]
    fn unknown_categories_and_fields_are_kept_or_ignored() {
        let json = r#"[{"cat":"Gpu","name":"x","ts":1,"dur":2,"extra":true}]"#;
        let events = parse_events(json).unwrap();
        assert_eq!(events[0].category, Category::Other("Gpu".to_string()));
        assert!(events[0].args.is_empty());
    }

    #[test]
    fn each_damage_has_its_own_error() {
        assert!(matches!(parse_events(" \n"), Err(ParseError::Empty)));
        assert!(matches!(
            parse_events(r#"[{"cat":"Session","name":"x","ts":1,"dur":2},"#),
            Err(ParseError::Truncated { line: 1, .. })
        ));
        assert!(matches!(
            parse_events(r#"{"traceEvents":[]}"#),
            Err(ParseError::NotAnArray { found: "an object" })
        ));
        assert!(matches!(
            parse_events("<html>"),
            Err(ParseError::NotJson(_))
        ));
        assert!(matches!(parse_events("[] x"), Err(ParseError::NotJson(_))));
        let missing_ts = parse_events(r#"[{"cat":"Session","name":"x","dur":2}]"#);
        assert!(
            matches!(missing_ts, Err(ParseError::NotEvents(e)) if e.to_string().contains("`ts`"))
        );
        assert!(matches!(
            parse_events(r#"[{"cat":"Session","name":"x","ts":1,"dur":-2}]"#),
            Err(ParseError::InvalidEvent { index: 0, .. })
        ));
    }
}

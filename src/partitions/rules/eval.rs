//! Evaluating a [`RuleFamily`] on one node, in the order ORT's `BaseOpBuilder::IsOpSupported`
//! does (`builders/impl/base_op_builder.cc`): builder and format, opset range, generic input
//! checks, input types, external initializers, then the op's own conditions. The first failing
//! check is the node's reason, as it would be the first VERBOSE line ORT logs for it.

use serde::Serialize;

use crate::onnx::proto::data_type;
use crate::runtime::ModelFormat;

use super::{BuilderFn, Check, GenericRules, OpRule, RuleFamily, Support};
use crate::partitions::graph::{AnalysisGraph, Dim, GraphNode};
use crate::partitions::report::format_name;
use crate::partitions::shapes::slice_len;

/// Why a node was rejected, coarsely: what a user could change about it. Recommendations key on
/// these.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RejectCategory {
    /// The op has no CoreML builder in this release.
    NoBuilder,
    /// The op is supported only in the other model format.
    Format,
    /// The op's schema version is outside the builder's range.
    Opset,
    /// An input has no shape (ORT could not infer one).
    NoShape,
    /// An input has symbolic or unknown dims where the EP needs static ones.
    DynamicShape,
    /// An input has too many dims or the wrong rank.
    Rank,
    /// An input has a dim above CoreML's limit or a 0-sized dim.
    DimLimit,
    /// An input or output element type is not supported.
    Dtype,
    /// An input that must be a constant initializer is computed at run time (or overridable).
    NotConstant,
    /// An attribute value or input count the builder does not handle.
    Attribute,
    /// The node's producer is not what the builder requires (Cast after ArgMax).
    Producer,
    /// An initializer is stored as external data.
    ExternalData,
    /// The node was supported but its partition held only trivial ops and was dropped.
    TrivialPartition,
    /// Rejected by the EP itself (read from its log, which gives no reason).
    Measured,
}

/// A rejected node's category and human-readable reason, e.g. "MatMul: input A has rank 3;
/// NeuralNetwork needs 2-D inputs (gemm_op_builder.cc)".
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rejection {
    pub category: RejectCategory,
    pub reason: String,
}

/// The verdict on one node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Supported,
    Rejected(Rejection),
}

impl Verdict {
    /// True for [`Verdict::Supported`].
    pub fn is_supported(&self) -> bool {
        matches!(self, Verdict::Supported)
    }
}

/// The CoreML EP's `IsNodeSupported` for node `index` of `graph`.
///
/// `require_static_input_shapes` is the `RequireStaticInputShapes` provider option.
pub fn evaluate_node(
    graph: &AnalysisGraph,
    index: usize,
    family: &RuleFamily,
    format: ModelFormat,
    require_static_input_shapes: bool,
) -> Verdict {
    let node = graph.node(index);
    let ctx = Ctx {
        graph,
        node,
        family,
        format,
        require_static_input_shapes,
    };
    match ctx.evaluate() {
        Ok(()) => Verdict::Supported,
        Err(rejection) => Verdict::Rejected(rejection),
    }
}

/// What an op builder written as code ([`Check::Builder`]) sees: the node, its graph and the
/// options, as ORT's `IsOpSupportedImpl` and `HasSupportedInputsImpl` do.
pub struct BuilderInput<'a> {
    pub graph: &'a AnalysisGraph,
    pub node: &'a GraphNode,
    pub family: &'a RuleFamily,
    pub format: ModelFormat,
    pub require_static_input_shapes: bool,
}

impl BuilderInput<'_> {
    /// ORT's `IsNodeSupported` on another node of the graph (Cast looks at its producer).
    pub fn is_supported(&self, index: usize) -> bool {
        evaluate_node(
            self.graph,
            index,
            self.family,
            self.format,
            self.require_static_input_shapes,
        )
        .is_supported()
    }
}

struct Ctx<'a> {
    graph: &'a AnalysisGraph,
    node: &'a GraphNode,
    family: &'a RuleFamily,
    format: ModelFormat,
    require_static_input_shapes: bool,
}

type Outcome = Result<(), Rejection>;

/// ONNX element type names for messages.
fn dtype_name(code: i32) -> String {
    match code {
        data_type::FLOAT => "float32".into(),
        data_type::FLOAT16 => "float16".into(),
        data_type::INT64 => "int64".into(),
        data_type::INT32 => "int32".into(),
        data_type::BOOL => "bool".into(),
        data_type::DOUBLE => "float64".into(),
        data_type::UINT8 => "uint8".into(),
        data_type::INT8 => "int8".into(),
        data_type::BFLOAT16 => "bfloat16".into(),
        0 => "unknown".into(),
        other => format!("type {other}"),
    }
}

fn dtype_list(codes: &[i32]) -> String {
    codes
        .iter()
        .map(|&c| dtype_name(c))
        .collect::<Vec<_>>()
        .join("/")
}

impl Ctx<'_> {
    fn reject(&self, category: RejectCategory, detail: impl AsRef<str>, file: &str) -> Rejection {
        Rejection {
            category,
            reason: format!("{}: {} ({file})", self.node.op_type, detail.as_ref()),
        }
    }

    fn evaluate(&self) -> Outcome {
        let registry = self.family.registry_source;
        let Some(rule) = self.family.op(&self.node.op_type) else {
            return Err(self.reject(
                RejectCategory::NoBuilder,
                format!("no CoreML builder in ORT {}", self.family.ort_versions),
                registry,
            ));
        };
        let checks = match rule.support(self.format) {
            Support::No(why) => {
                return Err(self.reject(RejectCategory::Format, why, rule.file));
            }
            Support::When(checks) => checks,
        };
        self.opset(rule)?;
        self.generic_inputs(&self.family.generic)?;
        // ORT checks input types (HasSupportedInputsImpl) before external data and before the
        // op-specific conditions; the tables list dtype checks first to keep that order.
        let (types, conditions): (Vec<&Check>, Vec<&Check>) =
            checks.iter().partition(|c| c.is_dtype());
        for check in types {
            self.check(check, rule)?;
        }
        if self.family.generic.reject_external_initializers {
            self.external_data()?;
        }
        for check in conditions {
            self.check(check, rule)?;
        }
        Ok(())
    }

    fn opset(&self, rule: &OpRule) -> Outcome {
        let Some(since) = self.node.since_version else {
            return Ok(());
        };
        let max = rule
            .max_opset
            .unwrap_or(self.family.generic.default_max_opset);
        if since < rule.min_opset || since > max {
            return Err(self.reject(
                RejectCategory::Opset,
                format!(
                    "op version {since} is outside the builder's supported range [{}, {max}]",
                    rule.min_opset
                ),
                "base_op_builder.cc HasSupportedOpSet",
            ));
        }
        Ok(())
    }

    /// `IsInputSupported` on every present input.
    fn generic_inputs(&self, generic: &GenericRules) -> Outcome {
        for (slot, name) in self.node.inputs.iter().enumerate() {
            if name.is_empty() {
                continue;
            }
            let Some(dims) = self.graph.value(name).and_then(|v| v.shape.as_ref()) else {
                return Err(self.reject(
                    RejectCategory::NoShape,
                    format!("input {slot} has no shape"),
                    "helper.cc IsInputSupported",
                ));
            };
            if self.require_static_input_shapes && dims.iter().any(|d| d.fixed().is_none()) {
                return Err(self.reject(
                    RejectCategory::DynamicShape,
                    format!("input {slot} has a dynamic shape and RequireStaticInputShapes is set"),
                    "helper.cc IsInputSupported",
                ));
            }
            for dim in dims.iter().filter_map(Dim::fixed) {
                if dim > generic.max_dim {
                    return Err(self.reject(
                        RejectCategory::DimLimit,
                        format!(
                            "input {slot} has a dim of {dim} > {}; CoreML fails to load such inputs",
                            generic.max_dim
                        ),
                        "helper.cc IsInputSupported",
                    ));
                }
                // ResizeOpBuilder is built with allow_empty_tensor_as_input (an absent roi is
                // often written as an empty tensor).
                let resize = self.node.op_type == "Resize";
                if dim == 0 && generic.reject_zero_dims && !resize {
                    return Err(self.reject(
                        RejectCategory::DimLimit,
                        format!("input {slot} has a 0-sized dim"),
                        "helper.cc IsInputSupported",
                    ));
                }
            }
            if dims.len() > generic.max_rank {
                return Err(self.reject(
                    RejectCategory::Rank,
                    format!(
                        "input {slot} has rank {} > {}",
                        dims.len(),
                        generic.max_rank
                    ),
                    "helper.cc IsInputSupported",
                ));
            }
        }
        Ok(())
    }

    fn external_data(&self) -> Outcome {
        let external = self
            .node
            .inputs
            .iter()
            .filter_map(|name| self.graph.initializer(name))
            .any(|init| init.external);
        if external {
            return Err(self.reject(
                RejectCategory::ExternalData,
                "an input initializer is stored as external data",
                "base_op_builder.cc HasExternalInitializer",
            ));
        }
        Ok(())
    }

    fn dtype(&self, input: usize) -> i32 {
        self.node
            .input(input)
            .and_then(|name| self.graph.value(name))
            .map_or(0, |v| v.elem_type)
    }

    fn shape(&self, input: usize) -> Option<&Vec<Dim>> {
        self.node
            .input(input)
            .and_then(|name| self.graph.value(name))
            .and_then(|v| v.shape.as_ref())
    }

    fn check(&self, check: &Check, rule: &OpRule) -> Outcome {
        let file = rule.file;
        match *check {
            Check::DefaultDtype { input } => self.check_default_dtype(input),
            Check::Dtype { input, allowed } => self.check_dtype(input, allowed, file),
            Check::OutputDtype { output, allowed } => {
                self.check_output_dtype(output, allowed, file)
            }
            Check::SameDtype { a, b } => self.check_same_dtype(a, b, file),
            Check::Constant {
                input,
                what,
                optional,
            } => self.check_constant(input, what, optional, file),
            Check::Initializer { input, what } => self.check_initializer(input, what, file),
            Check::StaticShape { input, what, why } => {
                self.check_static_shape(input, what, why, file)
            }
            Check::Rank {
                input,
                min,
                max,
                what,
                why,
            } => self.check_rank(input, min, max, what, why, file),
            Check::OutputRank { output, max, why } => {
                self.check_output_rank(output, max, why, file)
            }
            Check::MinInputs { min, why } => self.check_min_inputs(min, why, file),
            Check::MaxInputs { max, why } => self.check_max_inputs(max, why, file),
            Check::AttrInt {
                name,
                default,
                allowed,
                why,
            } => self.check_attr_int(name, default, allowed, why, file),
            Check::AttrFloat {
                name,
                default,
                value,
                why,
            } => self.check_attr_float(name, default, value, why, file),
            Check::AttrAbsent { name, why } => self.check_attr_absent(name, why, file),
            Check::Axis {
                default,
                rank_of,
                allowed,
                why,
            } => self.check_axis(default, rank_of, allowed, why, file),
            Check::InputEdges { min, max, why } => self.check_input_edges(min, max, why, file),
            Check::SupportedProducer { op, why } => self.check_supported_producer(op, why, file),
            Check::GemmBias => self.gemm_bias(file),
            Check::Builder(builder) => self.check_builder(builder, file),
            Check::ConstantLength {
                input,
                what,
                min,
                max,
            } => self.check_constant_length(input, what, min, max, file),
            Check::ReshapeZeros { symbolic_zero } => self.reshape_zeros(symbolic_zero, file),
            Check::SliceNotEmpty => self.slice_not_empty(file),
            Check::ReduceNoopAxes => self.check_reduce_noop_axes(file),
            Check::GatherScalarIndices {
                unless_static_rank_at_most,
            } => self.check_gather_scalar_indices(unless_static_rank_at_most, file),
        }
    }

    /// [`Check::DefaultDtype`].
    fn check_default_dtype(&self, input: usize) -> Outcome {
        let format = format_name(self.format);
        let allowed = self.family.generic.default_dtypes(self.format);
        let actual = self.dtype(input);
        if !allowed.contains(&actual) {
            return Err(self.reject(
                RejectCategory::Dtype,
                format!(
                    "input {input} is {}; {format} takes {} here",
                    dtype_name(actual),
                    dtype_list(allowed)
                ),
                "base_op_builder.cc HasSupportedInputsImpl",
            ));
        }
        Ok(())
    }

    /// [`Check::Dtype`].
    fn check_dtype(&self, input: usize, allowed: &'static [i32], file: &str) -> Outcome {
        let actual = self.dtype(input);
        if !allowed.contains(&actual) {
            return Err(self.reject(
                RejectCategory::Dtype,
                format!(
                    "input {input} is {}; the builder takes {}",
                    dtype_name(actual),
                    dtype_list(allowed)
                ),
                file,
            ));
        }
        Ok(())
    }

    /// [`Check::OutputDtype`].
    fn check_output_dtype(&self, output: usize, allowed: &'static [i32], file: &str) -> Outcome {
        let actual = self
            .node
            .outputs
            .get(output)
            .and_then(|name| self.graph.value(name))
            .map_or(0, |v| v.elem_type);
        if !allowed.contains(&actual) {
            return Err(self.reject(
                RejectCategory::Dtype,
                format!(
                    "output {output} is {}; the builder produces {}",
                    dtype_name(actual),
                    dtype_list(allowed)
                ),
                file,
            ));
        }
        Ok(())
    }

    /// [`Check::SameDtype`].
    fn check_same_dtype(&self, a: usize, b: usize, file: &str) -> Outcome {
        if self.dtype(a) != self.dtype(b) {
            return Err(self.reject(
                RejectCategory::Dtype,
                format!(
                    "inputs {a} and {b} have different types ({} and {})",
                    dtype_name(self.dtype(a)),
                    dtype_name(self.dtype(b))
                ),
                file,
            ));
        }
        Ok(())
    }

    /// [`Check::Constant`].
    fn check_constant(
        &self,
        input: usize,
        what: &'static str,
        optional: bool,
        file: &str,
    ) -> Outcome {
        match self.node.input(input) {
            None if optional => {}
            None => {
                return Err(self.reject(
                    RejectCategory::NotConstant,
                    format!("{what} is missing"),
                    file,
                ));
            }
            Some(name) => {
                if self.graph.constant_initializer(name).is_none() {
                    let detail = if self.graph.initializer(name).is_some() {
                        format!(
                            "{what} is an overridable initializer (also a graph input), not a constant"
                        )
                    } else {
                        format!(
                            "{what} is computed at run time; the builder needs a constant initializer"
                        )
                    };
                    return Err(self.reject(RejectCategory::NotConstant, detail, file));
                }
            }
        }
        Ok(())
    }

    /// [`Check::Initializer`].
    fn check_initializer(&self, input: usize, what: &'static str, file: &str) -> Outcome {
        if let Some(name) = self.node.input(input)
            && self.graph.initializer(name).is_none()
        {
            return Err(self.reject(
                RejectCategory::NotConstant,
                format!("{what} is computed at run time; the builder needs an initializer"),
                file,
            ));
        }
        Ok(())
    }

    /// [`Check::StaticShape`].
    fn check_static_shape(
        &self,
        input: usize,
        what: &'static str,
        why: &'static str,
        file: &str,
    ) -> Outcome {
        let is_static = self
            .shape(input)
            .is_some_and(|dims| dims.iter().all(|d| d.fixed().is_some()));
        if !is_static {
            return Err(self.reject(
                RejectCategory::DynamicShape,
                format!("{what} has a dynamic shape; {why}"),
                file,
            ));
        }
        Ok(())
    }

    /// [`Check::Rank`].
    fn check_rank(
        &self,
        input: usize,
        min: usize,
        max: usize,
        what: &'static str,
        why: &'static str,
        file: &str,
    ) -> Outcome {
        let rank = self.shape(input).map_or(0, Vec::len);
        if rank < min || rank > max {
            return Err(self.reject(
                RejectCategory::Rank,
                format!("{what} has rank {rank}; {why}"),
                file,
            ));
        }
        Ok(())
    }

    /// [`Check::OutputRank`].
    fn check_output_rank(
        &self,
        output: usize,
        max: usize,
        why: &'static str,
        file: &str,
    ) -> Outcome {
        let rank = self
            .node
            .outputs
            .get(output)
            .and_then(|name| self.graph.value(name))
            .and_then(|v| v.rank());
        if let Some(rank) = rank
            && rank > max
        {
            return Err(self.reject(
                RejectCategory::Rank,
                format!("output {output} has rank {rank}; {why}"),
                file,
            ));
        }
        Ok(())
    }

    /// [`Check::MinInputs`].
    fn check_min_inputs(&self, min: usize, why: &'static str, file: &str) -> Outcome {
        let count = self.node.inputs.iter().filter(|s| !s.is_empty()).count();
        if count < min {
            return Err(self.reject(
                RejectCategory::Attribute,
                format!("{count} inputs; {why}"),
                file,
            ));
        }
        Ok(())
    }

    /// [`Check::MaxInputs`].
    fn check_max_inputs(&self, max: usize, why: &'static str, file: &str) -> Outcome {
        if self.node.inputs.len() > max {
            return Err(self.reject(
                RejectCategory::Attribute,
                format!("{} inputs; {why}", self.node.inputs.len()),
                file,
            ));
        }
        Ok(())
    }

    /// [`Check::AttrInt`].
    fn check_attr_int(
        &self,
        name: &'static str,
        default: i64,
        allowed: &'static [i64],
        why: &'static str,
        file: &str,
    ) -> Outcome {
        let value = self.node.attr_int(name, default);
        if !allowed.contains(&value) {
            return Err(self.reject(
                RejectCategory::Attribute,
                format!("{name}={value}; {why}"),
                file,
            ));
        }
        Ok(())
    }

    /// [`Check::AttrFloat`].
    fn check_attr_float(
        &self,
        name: &'static str,
        default: f32,
        value: f32,
        why: &'static str,
        file: &str,
    ) -> Outcome {
        let actual = self.node.attr_float(name, default);
        if actual != value {
            return Err(self.reject(
                RejectCategory::Attribute,
                format!("{name}={actual}; {why}"),
                file,
            ));
        }
        Ok(())
    }

    /// [`Check::AttrAbsent`].
    fn check_attr_absent(&self, name: &'static str, why: &'static str, file: &str) -> Outcome {
        if self.node.attr(name).is_some() {
            return Err(self.reject(
                RejectCategory::Attribute,
                format!("has the '{name}' attribute; {why}"),
                file,
            ));
        }
        Ok(())
    }

    /// [`Check::Axis`].
    fn check_axis(
        &self,
        default: i64,
        rank_of: usize,
        allowed: &'static [usize],
        why: &'static str,
        file: &str,
    ) -> Outcome {
        let rank = self.shape(rank_of).map_or(0, Vec::len) as i64;
        let axis = self.node.attr_int("axis", default);
        let normalised = if axis < 0 { axis + rank } else { axis };
        let ok = usize::try_from(normalised).is_ok_and(|a| allowed.contains(&a));
        if !ok {
            return Err(self.reject(
                RejectCategory::Attribute,
                format!("axis {axis} on rank {rank}; {why}"),
                file,
            ));
        }
        Ok(())
    }

    /// [`Check::InputEdges`].
    fn check_input_edges(&self, min: usize, max: usize, why: &'static str, file: &str) -> Outcome {
        let edges = self.graph.input_edges(self.node.index).len();
        if edges < min || edges > max {
            let detail = if edges == 0 {
                format!("fed only by graph inputs or initializers; {why}")
            } else {
                format!("{edges} producing nodes; {why}")
            };
            return Err(self.reject(RejectCategory::Producer, detail, file));
        }
        Ok(())
    }

    /// [`Check::SupportedProducer`].
    fn check_supported_producer(&self, op: &'static str, why: &'static str, file: &str) -> Outcome {
        let producer = self
            .graph
            .input_edges(self.node.index)
            .first()
            .map(|edge| edge.from);
        let supported = producer.is_some_and(|p| {
            self.graph.node(p).op_type == op
                && evaluate_node(
                    self.graph,
                    p,
                    self.family,
                    self.format,
                    self.require_static_input_shapes,
                )
                .is_supported()
        });
        if !supported {
            let from = producer.map_or("no node", |p| self.graph.node(p).op_type.as_str());
            return Err(self.reject(
                RejectCategory::Producer,
                format!("produced by {from}; {why}"),
                file,
            ));
        }
        Ok(())
    }

    /// [`Check::Builder`].
    fn check_builder(&self, builder: BuilderFn, file: &str) -> Outcome {
        let input = BuilderInput {
            graph: self.graph,
            node: self.node,
            family: self.family,
            format: self.format,
            require_static_input_shapes: self.require_static_input_shapes,
        };
        if let Err((category, detail)) = builder(&input) {
            return Err(self.reject(category, detail, file));
        }
        Ok(())
    }

    /// [`Check::ConstantLength`].
    fn check_constant_length(
        &self,
        input: usize,
        what: &'static str,
        min: usize,
        max: usize,
        file: &str,
    ) -> Outcome {
        let len = self
            .node
            .input(input)
            .and_then(|name| self.graph.constant_initializer(name))
            .and_then(|init| init.int_values.as_ref())
            .map(Vec::len);
        match len {
            Some(len) if len < min || len > max => {
                return Err(self.reject(
                    RejectCategory::Attribute,
                    format!("{what} has {len} values; the builder takes {min} to {max}"),
                    file,
                ));
            }
            Some(_) => {}
            None => {
                return Err(self.reject(
                    RejectCategory::NotConstant,
                    format!("{what} is not a readable constant"),
                    file,
                ));
            }
        }
        Ok(())
    }

    /// [`Check::ReduceNoopAxes`].
    fn check_reduce_noop_axes(&self, file: &str) -> Outcome {
        let empty_axes = self
            .node
            .input(1)
            .and_then(|name| self.graph.initializer(name))
            .is_some_and(|init| init.int_values.as_ref().is_some_and(Vec::is_empty));
        if empty_axes && self.node.attr_int("noop_with_empty_axes", 0) != 0 {
            return Err(self.reject(
                RejectCategory::Attribute,
                "noop_with_empty_axes with empty axes is not supported",
                file,
            ));
        }
        Ok(())
    }

    /// [`Check::GatherScalarIndices`].
    fn check_gather_scalar_indices(
        &self,
        unless_static_rank_at_most: Option<usize>,
        file: &str,
    ) -> Outcome {
        let scalar = self.shape(1).is_some_and(Vec::is_empty);
        if scalar {
            let allowed = unless_static_rank_at_most.is_some_and(|max| {
                self.shape(0)
                    .is_some_and(|d| d.len() <= max && d.iter().all(|x| x.fixed().is_some()))
            });
            if !allowed {
                let detail = match unless_static_rank_at_most {
                    None => {
                        "indices are a scalar; the builder takes only tensor indices".to_string()
                    }
                    Some(max) => {
                        format!("indices are a scalar and the data is not static with rank ≤ {max}")
                    }
                };
                return Err(self.reject(RejectCategory::Rank, detail, file));
            }
        }
        Ok(())
    }

    fn gemm_bias(&self, file: &str) -> Outcome {
        let Some(c) = self.node.input(2) else {
            return Ok(());
        };
        let Some(init) = self.graph.constant_initializer(c) else {
            return Err(self.reject(
                RejectCategory::NotConstant,
                "C is not a constant initializer",
                file,
            ));
        };
        let b = self.shape(1).cloned().unwrap_or_default();
        let trans_b = self.node.attr_int("transB", 0) != 0;
        let n = b
            .get(if trans_b { 0 } else { 1 })
            .and_then(Dim::fixed)
            .unwrap_or(-1);
        let valid = match init.dims.as_slice() {
            [] => true,
            [d] => *d == 1 || *d == n,
            [1, d] => *d == n,
            _ => false,
        };
        if !valid {
            return Err(self.reject(
                RejectCategory::Rank,
                format!(
                    "C has shape {:?}; the builder takes {{}}, {{1}}, {{N}} or {{1, N}}",
                    init.dims
                ),
                file,
            ));
        }
        Ok(())
    }

    fn reshape_zeros(&self, symbolic_zero: bool, file: &str) -> Outcome {
        let Some(target) = self
            .node
            .input(1)
            .and_then(|name| self.graph.initializer(name))
            .and_then(|init| init.int_values.clone())
        else {
            return Ok(());
        };
        let allow_zero = self.node.attr_int("allowzero", 0) == 1;
        if allow_zero && target.contains(&0) {
            return Err(self.reject(
                RejectCategory::Attribute,
                "the new shape has a 0 with allowzero=1",
                file,
            ));
        }
        if symbolic_zero && !allow_zero {
            let data = self.shape(0).cloned().unwrap_or_default();
            let copies_symbolic = target
                .iter()
                .enumerate()
                .any(|(i, &t)| t == 0 && data.get(i).is_some_and(|d| d.fixed().is_none()));
            if copies_symbolic {
                return Err(self.reject(
                    RejectCategory::DynamicShape,
                    "a 0 in the new shape copies a symbolic input dim",
                    file,
                ));
            }
        }
        Ok(())
    }

    fn slice_not_empty(&self, file: &str) -> Outcome {
        let ints = |i: usize| {
            self.node
                .input(i)
                .and_then(|name| self.graph.initializer(name))
                .and_then(|init| init.int_values.clone())
        };
        let (Some(data), Some(starts), Some(ends)) = (self.shape(0), ints(1), ints(2)) else {
            return Ok(());
        };
        let axes = ints(3).unwrap_or_else(|| (0..starts.len() as i64).collect());
        let steps = ints(4).unwrap_or_else(|| vec![1; starts.len()]);
        for (i, &axis) in axes.iter().enumerate() {
            let axis = if axis < 0 {
                axis + data.len() as i64
            } else {
                axis
            };
            let len = usize::try_from(axis)
                .ok()
                .and_then(|a| data.get(a))
                .and_then(Dim::fixed);
            let (Some(len), Some(&start), Some(&end), Some(&step)) =
                (len, starts.get(i), ends.get(i), steps.get(i))
            else {
                continue;
            };
            if step != 0 && slice_len(len, start, end, step) == 0 {
                return Err(self.reject(
                    RejectCategory::Attribute,
                    "an empty slice range is not supported",
                    file,
                ));
            }
        }
        Ok(())
    }
}

impl Check {
    /// Input/output type checks, which ORT runs before the op-specific conditions.
    fn is_dtype(&self) -> bool {
        matches!(
            self,
            Check::DefaultDtype { .. }
                | Check::Dtype { .. }
                | Check::OutputDtype { .. }
                | Check::SameDtype { .. }
        )
    }
}

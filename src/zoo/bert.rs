//! BERT and DistilBERT graphs as `torch.onnx.export` (opset 14) writes Hugging Face's
//! `BertModel` and `DistilBertModel` with SDPA attention (transformers 4.4x, torch 2.x).
//!
//! What the exporter emits, and so what is emitted here:
//! - embeddings: `Gather` of word (+ token type) + position embeddings, `Add`s, LayerNorm;
//!   the position ids are a `Slice` of the `position_ids` buffer up to the sequence length
//!   (folded to a constant, with the position `Gather`, when shapes are static);
//! - LayerNorm decomposed (opset < 17): `ReduceMean, Sub, Pow, ReduceMean, Add, Sqrt, Div, Mul,
//!   Add`;
//! - the extended attention mask of `_prepare_4d_attention_mask_for_sdpa`: `Unsqueeze` x2,
//!   `Expand` to `[B, 1, S, S]` (its size made dynamic with `Equal`/`Where` when shapes are),
//!   `Cast` to float, `Sub` from 1, `Cast` to bool, `Where(mask, finfo.min, x)` — the study's
//!   CPU-fallback cut-makers `/Unsqueeze`, `/Expand`, `/Cast`, `/Cast_1`, `/Where_1`;
//! - per layer: `MatMul`+`Add` projections, `Reshape`/`Transpose` to heads, the
//!   `scaled_dot_product_attention` symbolic (its scale computed from the query's shape,
//!   `Shape, Slice, Cast, Sqrt, Div, Cast`, when that is dynamic; both operands multiplied by
//!   `Sqrt(scale)`; `MatMul, Add(mask), Softmax, MatMul`), `Transpose`/`Reshape` back, output
//!   projection, residual `Add`, LayerNorm, feed-forward with GELU (`Div, Erf, Add, Mul, Mul`) or
//!   FastGELU (`gelu(approximate="tanh")`: `Mul, Mul, Mul, Add, Mul, Tanh, Add, Mul, Mul`);
//! - dynamic shapes: every `view`/`reshape` target built with `Shape -> Gather -> Unsqueeze ->
//!   Concat`; static shapes: constant targets.
//! - BERT's pooler: `Gather` of the first token, `Gemm`, `Tanh`.
//!
//! With ONNX Runtime's basic (level 1) optimisation the tiny model has 125 nodes static
//! (b1 s128; 129 with ORT 1.31.1's newer `MatMulAddFusion`) and 164 dynamic, as in the study
//! (125 and 167) — see `tests/zoo_fidelity.rs`.

use serde::{Deserialize, Serialize};

use crate::onnx::proto::AttributeProto;
use crate::onnx::{Dim, ElemType, GraphBuilder, ModelProto};

use super::ZooError;
use super::variant::{Activation, TokenShape, TransformerVariant};
use super::weights::{Init, Weights, transpose};

/// The two model classes of the family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BertArchitecture {
    /// `BertModel`: token types, pooler output.
    Bert,
    /// `DistilBertModel`: no token types, no pooler.
    #[serde(rename = "distilbert")]
    DistilBert,
}

/// A BERT-family configuration (the fields of Hugging Face's `config.json` that shape the graph).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BertConfig {
    pub architecture: BertArchitecture,
    pub layers: usize,
    pub hidden: usize,
    pub heads: usize,
    pub intermediate: usize,
    pub vocab: usize,
    pub max_positions: usize,
    /// Token-type vocabulary (BERT only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub type_vocab: Option<usize>,
    pub layer_norm_eps: f32,
}

/// Hugging Face's `initializer_range`: BERT's weights are drawn from Normal(0, 0.02).
const INIT_STD: f32 = 0.02;
/// `pad_token_id`: its word-embedding row is zero in a fresh model.
const PAD_TOKEN_ID: usize = 0;

/// Builds the graph of `variant` with weights from `weights`. `progress(done, total)` is
/// called after each encoder layer.
pub fn build(
    config: &BertConfig,
    variant: &TransformerVariant,
    weights: &mut dyn Weights,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<ModelProto, ZooError> {
    if let TokenShape::Static { seq, .. } = variant.shape
        && seq as usize > config.max_positions
    {
        return Err(ZooError::BadVariantName {
            name: variant.to_string(),
            reason: format!(
                "sequence length {seq} exceeds the model's {} positions",
                config.max_positions
            ),
        });
    }
    let mut b = Bert {
        g: GraphBuilder::new("main_graph", variant.dtype),
        w: weights,
        config,
        variant,
    };
    b.graph(progress)?;
    Ok(b.g.finish(14, vec![]))
}

struct Bert<'a> {
    g: GraphBuilder,
    w: &'a mut dyn Weights,
    config: &'a BertConfig,
    variant: &'a TransformerVariant,
}

/// The `(batch, seq)` input dims: named symbols, or fixed sizes.
fn token_dims(shape: TokenShape) -> [Dim; 2] {
    match shape {
        TokenShape::Dynamic => [Dim::from("batch_size"), Dim::from("sequence_length")],
        TokenShape::Static { batch, seq } => [Dim::from(batch as i64), Dim::from(seq as i64)],
    }
}

impl Bert<'_> {
    fn dynamic(&self) -> bool {
        self.variant.shape == TokenShape::Dynamic
    }

    /// `(batch, seq)` of a static variant (only asked for on static paths).
    fn static_dims(&self) -> (i64, i64) {
        match self.variant.shape {
            TokenShape::Static { batch, seq } => (batch as i64, seq as i64),
            TokenShape::Dynamic => (-1, -1),
        }
    }

    fn hidden(&self) -> i64 {
        self.config.hidden as i64
    }

    fn graph(&mut self, progress: &mut dyn FnMut(usize, usize)) -> Result<(), ZooError> {
        let dims = token_dims(self.variant.shape);
        let distil = self.config.architecture == BertArchitecture::DistilBert;
        let input_ids = self.g.input("input_ids", ElemType::Int64, &dims);
        let attention_mask = self.g.input("attention_mask", ElemType::Int64, &dims);
        let token_type_ids = if distil {
            None
        } else {
            Some(self.g.input("token_type_ids", ElemType::Int64, &dims))
        };

        // `batch_size, seq_length = input_ids.size()` in the model's forward.
        let seq = self.dim(&input_ids, 1);
        let mut hidden = match &token_type_ids {
            None => self.distil_embeddings(&input_ids)?,
            Some(token_types) => self.bert_embeddings(&input_ids, token_types, seq.as_deref())?,
        };
        let mask = self.extended_mask(&attention_mask, seq.as_deref());

        let layers = self.config.layers;
        let container = if distil { "transformer" } else { "encoder" };
        for layer in 0..layers {
            let prefix = format!("{container}.layer.{layer}");
            hidden = self.scoped(container, |b| {
                b.scoped(&format!("layer.{layer}"), |b| {
                    if distil {
                        b.distil_layer(&hidden, &mask, &prefix)
                    } else {
                        b.bert_layer(&hidden, &mask, &prefix)
                    }
                })
            })?;
            progress(layer + 1, layers);
        }

        let float = self.g.float_elem();
        let [batch, seq_dim] = dims;
        let h = self.hidden();
        if distil {
            self.g.output(
                &hidden,
                "last_hidden_state",
                float,
                &[batch, seq_dim, Dim::from(h)],
            );
        } else {
            let pooled = self.pooler(&hidden)?;
            self.g.output(
                &hidden,
                "last_hidden_state",
                float,
                &[batch.clone(), seq_dim, Dim::from(h)],
            );
            self.g
                .output(&pooled, "pooler_output", float, &[batch, Dim::from(h)]);
        }
        Ok(())
    }

    /// Runs `f` inside a module scope (see [`GraphBuilder::enter`]).
    fn scoped<R>(&mut self, component: &str, f: impl FnOnce(&mut Self) -> R) -> R {
        self.g.enter(component);
        let result = f(self);
        self.g.leave();
        result
    }

    /// `x.size(axis)` while tracing: `Shape -> Gather`, a scalar. `None` when shapes are static
    /// (the exporter folds it), after using up the names it would have had.
    fn dim(&mut self, x: &str, axis: i64) -> Option<String> {
        if self.dynamic() {
            let shape = self.g.op("Shape", &[x], vec![]);
            let index = self.g.const_i64_scalar(axis);
            Some(self.g.op(
                "Gather",
                &[&shape, &index],
                vec![AttributeProto::int("axis", 0)],
            ))
        } else {
            self.g.skip("Shape");
            self.g.skip("Gather");
            None
        }
    }

    /// A `view`/`reshape` target: `Concat` of unsqueezed traced sizes and constants when
    /// dynamic, a constant otherwise. `parts` are either a traced size or a constant.
    fn shape_target(&mut self, parts: &[ShapePart<'_>]) -> String {
        if self.dynamic() {
            let mut pieces = Vec::with_capacity(parts.len());
            for part in parts {
                pieces.push(match part {
                    ShapePart::Size(Some(name), _) => {
                        let axes = self.g.const_i64_1d(&[0]);
                        self.g.op("Unsqueeze", &[name, &axes], vec![])
                    }
                    ShapePart::Size(None, v) | ShapePart::Const(v) => self.g.const_i64_1d(&[*v]),
                });
            }
            let refs: Vec<&str> = pieces.iter().map(String::as_str).collect();
            self.g
                .op("Concat", &refs, vec![AttributeProto::int("axis", 0)])
        } else {
            let values: Vec<i64> = parts
                .iter()
                .map(|p| match p {
                    ShapePart::Size(_, v) | ShapePart::Const(v) => *v,
                })
                .collect();
            for part in parts {
                if matches!(part, ShapePart::Size(..)) {
                    self.g.skip("Unsqueeze");
                }
            }
            self.g.skip("Concat");
            self.g.const_i64_1d(&values)
        }
    }

    fn embedding(
        &mut self,
        name: &str,
        rows: usize,
        pad_row: Option<usize>,
    ) -> Result<Vec<f32>, ZooError> {
        let init = match pad_row {
            Some(row) => Init::NormalZeroRow { std: INIT_STD, row },
            None => Init::Normal { std: INIT_STD },
        };
        self.w.tensor(name, &[rows, self.config.hidden], init)
    }

    /// `nn.Embedding` lookup: `Gather(weight, ids)` in the embedding's scope.
    fn gather_embedding(
        &mut self,
        scope: &str,
        weight_name: &str,
        rows: usize,
        pad_row: Option<usize>,
        ids: &str,
    ) -> Result<String, ZooError> {
        let values = self.embedding(weight_name, rows, pad_row)?;
        let h = self.hidden();
        let weight = self.g.weight(weight_name, &[rows as i64, h], &values);
        Ok(self.scoped(scope, |b| b.g.op("Gather", &[&weight, ids], vec![])))
    }

    /// `self.position_ids[:, :seq]`: a `Slice` of the `position_ids` buffer when dynamic;
    /// `None` when static (the exporter folds it, see [`Bert::position_embeddings`]).
    fn position_ids(&mut self, seq: Option<&str>, prefix: &str) -> Option<String> {
        let Some(seq) = seq else {
            self.g.skip("Unsqueeze");
            self.g.skip("Slice");
            return None;
        };
        let max = self.config.max_positions as i64;
        let axes = self.g.const_i64_1d(&[0]);
        let end = self.g.op("Unsqueeze", &[seq, &axes], vec![]);
        let ids: Vec<i64> = (0..max).collect();
        let buffer = self
            .g
            .initializer_i64(&format!("{prefix}.position_ids"), &[1, max], &ids);
        let starts = self.g.const_i64_1d(&[0]);
        let slice_axes = self.g.const_i64_1d(&[1]);
        let steps = self.g.const_i64_1d(&[1]);
        Some(self.g.op(
            "Slice",
            &[&buffer, &starts, &end, &slice_axes, &steps],
            vec![],
        ))
    }

    /// `self.position_embeddings(position_ids)`: a `Gather` when the ids are computed; when
    /// shapes are static, the exporter's constant folding leaves the lookup's result, rows
    /// `0..S` of the table as a `[1, S, H]` initializer.
    fn position_embeddings(
        &mut self,
        position_ids: Option<&str>,
        prefix: &str,
    ) -> Result<String, ZooError> {
        let max = self.config.max_positions;
        let weight_name = format!("{prefix}.position_embeddings.weight");
        match position_ids {
            Some(ids) => self.gather_embedding("position_embeddings", &weight_name, max, None, ids),
            None => {
                let (_, s) = self.static_dims();
                let table = self.embedding(&weight_name, max, None)?;
                let h = self.config.hidden;
                let rows = &table[..s as usize * h];
                let name = format!("/{prefix}/position_embeddings/Gather_output_0");
                Ok(self.g.weight(&name, &[1, s, h as i64], rows))
            }
        }
    }

    /// `BertEmbeddings.forward`.
    fn bert_embeddings(
        &mut self,
        input_ids: &str,
        token_type_ids: &str,
        seq: Option<&str>,
    ) -> Result<String, ZooError> {
        let type_vocab = self
            .config
            .type_vocab
            .ok_or_else(|| ZooError::Catalogue("a BERT configuration needs `type_vocab`".into()))?;
        self.scoped("embeddings", |b| {
            // `seq_length + past_key_values_length`: an int `Add` the exporter keeps when
            // shapes are dynamic.
            let end = match seq {
                Some(seq) => {
                    let zero = b.g.const_i64_scalar(0);
                    Some(b.g.op("Add", &[seq, &zero], vec![]))
                }
                None => {
                    b.g.skip("Add");
                    None
                }
            };
            let position_ids = b.position_ids(end.as_deref(), "embeddings");
            let vocab = b.config.vocab;
            let words = b.gather_embedding(
                "word_embeddings",
                "embeddings.word_embeddings.weight",
                vocab,
                Some(PAD_TOKEN_ID),
                input_ids,
            )?;
            let types = b.gather_embedding(
                "token_type_embeddings",
                "embeddings.token_type_embeddings.weight",
                type_vocab,
                None,
                token_type_ids,
            )?;
            let sum = b.g.op("Add", &[&words, &types], vec![]);
            let positions = b.position_embeddings(position_ids.as_deref(), "embeddings")?;
            let sum = b.g.op("Add", &[&sum, &positions], vec![]);
            b.layer_norm(&sum, "LayerNorm", "embeddings.LayerNorm")
        })
    }

    /// `Embeddings.forward` of DistilBERT: words + positions, LayerNorm.
    fn distil_embeddings(&mut self, input_ids: &str) -> Result<String, ZooError> {
        self.scoped("embeddings", |b| {
            let vocab = b.config.vocab;
            let words = b.gather_embedding(
                "word_embeddings",
                "embeddings.word_embeddings.weight",
                vocab,
                Some(PAD_TOKEN_ID),
                input_ids,
            )?;
            let seq = b.dim(&words, 1);
            let position_ids = b.position_ids(seq.as_deref(), "embeddings");
            let positions = b.position_embeddings(position_ids.as_deref(), "embeddings")?;
            let sum = b.g.op("Add", &[&words, &positions], vec![]);
            b.layer_norm(&sum, "LayerNorm", "embeddings.LayerNorm")
        })
    }

    /// `_prepare_4d_attention_mask_for_sdpa(mask, dtype, tgt_len=seq)`, i.e.
    /// `AttentionMaskConverter._expand_mask`.
    fn extended_mask(&mut self, mask: &str, seq: Option<&str>) -> String {
        // `bsz, src_len = mask.size()`
        let bsz = self.dim(mask, 0);
        let src = self.dim(mask, 1);
        // `mask[:, None, None, :]`
        let axes1 = self.g.const_i64_1d(&[1]);
        let m = self.g.op("Unsqueeze", &[mask, &axes1], vec![]);
        let axes2 = self.g.const_i64_1d(&[2]);
        let m = self.g.op("Unsqueeze", &[&m, &axes2], vec![]);
        // `.expand(bsz, 1, tgt_len, src_len)`: the `expand` symbolic turns -1 into 1 with
        // `Where(Equal(size, -1), 1, size)`; it folds away when the size is constant.
        let size = match (bsz, seq, src) {
            (Some(bsz), Some(seq), Some(src)) => {
                let concat = self.shape_target(&[
                    ShapePart::Size(Some(&bsz), 0),
                    ShapePart::Const(1),
                    ShapePart::Size(Some(seq), 0),
                    ShapePart::Size(Some(&src), 0),
                ]);
                let minus_one = self.g.const_i64_1d(&[-1, -1, -1, -1]);
                let is_minus_one = self.g.op("Equal", &[&concat, &minus_one], vec![]);
                let ones = self.g.const_i64_1d(&[1, 1, 1, 1]);
                self.g.op("Where", &[&is_minus_one, &ones, &concat], vec![])
            }
            _ => {
                let (b, s) = self.static_dims();
                for _ in 0..3 {
                    self.g.skip("Unsqueeze");
                }
                self.g.skip("Concat");
                self.g.skip("Equal");
                self.g.skip("Where");
                self.g.const_i64_1d(&[b, 1, s, s])
            }
        };
        let expanded = self.g.op("Expand", &[&m, &size], vec![]);
        let float = self.g.float_elem().onnx() as i64;
        let as_float = self
            .g
            .op("Cast", &[&expanded], vec![AttributeProto::int("to", float)]);
        let one = self.g.const_float_scalar(1.0);
        let inverted = self.g.op("Sub", &[&one, &as_float], vec![]);
        let as_bool = self.g.op(
            "Cast",
            &[&inverted],
            vec![AttributeProto::int("to", ElemType::Bool.onnx() as i64)],
        );
        // `masked_fill(mask, torch.finfo(dtype).min)`; fp16 conversion clamps it to -1e4.
        let min = self.g.const_float_scalar(f32::MIN);
        self.g.op("Where", &[&as_bool, &min, &inverted], vec![])
    }

    /// `nn.Linear` on a 3-D input: `MatMul` with the transposed weight (a folded initializer)
    /// then `Add(bias, x)`, in scope `scope`.
    fn linear(
        &mut self,
        x: &str,
        scope: &str,
        prefix: &str,
        inputs: usize,
        outputs: usize,
    ) -> Result<String, ZooError> {
        let weight = self.w.tensor(
            &format!("{prefix}.weight"),
            &[outputs, inputs],
            Init::Normal { std: INIT_STD },
        )?;
        let bias = self
            .w
            .tensor(&format!("{prefix}.bias"), &[outputs], Init::Constant(0.0))?;
        let name = self.g.folded_name("MatMul");
        let weight_t = self.g.weight(
            &name,
            &[inputs as i64, outputs as i64],
            &transpose(&weight, outputs, inputs),
        );
        let bias = self
            .g
            .weight(&format!("{prefix}.bias"), &[outputs as i64], &bias);
        Ok(self.scoped(scope, |b| {
            let y = b.g.op("MatMul", &[x, &weight_t], vec![]);
            b.g.op("Add", &[&bias, &y], vec![])
        }))
    }

    /// `nn.LayerNorm` over the last axis, decomposed as the opset-14 exporter does.
    fn layer_norm(&mut self, x: &str, scope: &str, prefix: &str) -> Result<String, ZooError> {
        let h = self.config.hidden;
        let gamma = self
            .w
            .tensor(&format!("{prefix}.weight"), &[h], Init::Constant(1.0))?;
        let beta = self
            .w
            .tensor(&format!("{prefix}.bias"), &[h], Init::Constant(0.0))?;
        let gamma = self
            .g
            .weight(&format!("{prefix}.weight"), &[h as i64], &gamma);
        let beta = self.g.weight(&format!("{prefix}.bias"), &[h as i64], &beta);
        let eps = self.config.layer_norm_eps;
        Ok(self.scoped(scope, |b| {
            let axes = vec![AttributeProto::ints("axes", &[-1])];
            let mean = b.g.op("ReduceMean", &[x], axes.clone());
            let centered = b.g.op("Sub", &[x, &mean], vec![]);
            let two = b.g.const_float_scalar(2.0);
            let squared = b.g.op("Pow", &[&centered, &two], vec![]);
            let variance = b.g.op("ReduceMean", &[&squared], axes);
            let eps = b.g.const_float_scalar(eps);
            let shifted = b.g.op("Add", &[&variance, &eps], vec![]);
            let std = b.g.op("Sqrt", &[&shifted], vec![]);
            let normalized = b.g.op("Div", &[&centered, &std], vec![]);
            let scaled = b.g.op("Mul", &[&normalized, &gamma], vec![]);
            b.g.op("Add", &[&scaled, &beta], vec![])
        }))
    }

    /// The feed-forward activation, in scope `scope`.
    fn activation(&mut self, x: &str, scope: &str) -> String {
        let activation = self.variant.activation;
        self.scoped(scope, |b| match activation {
            Activation::Gelu => {
                let sqrt2 = b.g.const_float_scalar(std::f32::consts::SQRT_2);
                let scaled = b.g.op("Div", &[x, &sqrt2], vec![]);
                let erf = b.g.op("Erf", &[&scaled], vec![]);
                let one = b.g.const_float_scalar(1.0);
                let plus_one = b.g.op("Add", &[&erf, &one], vec![]);
                let product = b.g.op("Mul", &[x, &plus_one], vec![]);
                let half = b.g.const_float_scalar(0.5);
                b.g.op("Mul", &[&product, &half], vec![])
            }
            Activation::FastGelu => {
                // torch's `gelu(approximate="tanh")` symbolic:
                // 0.5 * x * (1 + tanh(sqrt(2/pi) * (x + 0.044715 * x * x * x)))
                let square = b.g.op("Mul", &[x, x], vec![]);
                let cube = b.g.op("Mul", &[x, &square], vec![]);
                let kappa = b.g.const_float_scalar(0.044715);
                let scaled_cube = b.g.op("Mul", &[&kappa, &cube], vec![]);
                let inner = b.g.op("Add", &[x, &scaled_cube], vec![]);
                let beta = b.g.const_float_scalar((2.0 / std::f32::consts::PI).sqrt());
                let scaled = b.g.op("Mul", &[&beta, &inner], vec![]);
                let tanh = b.g.op("Tanh", &[&scaled], vec![]);
                let one = b.g.const_float_scalar(1.0);
                let plus_one = b.g.op("Add", &[&one, &tanh], vec![]);
                let product = b.g.op("Mul", &[x, &plus_one], vec![]);
                let half = b.g.const_float_scalar(0.5);
                b.g.op("Mul", &[&half, &product], vec![])
            }
        })
    }

    /// The `scaled_dot_product_attention` symbolic (opset 14) with a float mask.
    fn sdpa(&mut self, q: &str, k: &str, v: &str, mask: &str) -> String {
        let head_dim = (self.config.hidden / self.config.heads) as f32;
        let float = self.g.float_elem().onnx() as i64;
        // `_attention_scale(query)`: 1 / sqrt(query.shape[-1]).
        let scale = if self.dynamic() {
            let shape = self.g.op("Shape", &[q], vec![]);
            let start = self.g.const_i64_1d(&[-1]);
            let end = self.g.const_i64_1d(&[i64::MAX]);
            let last = self.g.op("Slice", &[&shape, &start, &end], vec![]);
            let size = self
                .g
                .op("Cast", &[&last], vec![AttributeProto::int("to", float)]);
            let one = self.g.const_float(&[1.0], &[1]);
            let root = self.g.op("Sqrt", &[&size], vec![]);
            let scale = self.g.op("Div", &[&one, &root], vec![]);
            Some(
                self.g
                    .op("Cast", &[&scale], vec![AttributeProto::int("to", float)]),
            )
        } else {
            for op in ["Shape", "Slice", "Cast", "Sqrt", "Div", "Cast"] {
                self.g.skip(op);
            }
            None
        };
        let key_t = self.g.op(
            "Transpose",
            &[k],
            vec![AttributeProto::ints("perm", &[0, 1, 3, 2])],
        );
        let folded_root = (1.0 / head_dim.sqrt()).sqrt();
        let scaled = |b: &mut Self, x: &str| match &scale {
            Some(scale) => {
                let root = b.g.op("Sqrt", &[scale], vec![]);
                b.g.op("Mul", &[x, &root], vec![])
            }
            None => {
                b.g.skip("Sqrt");
                let root = b.g.const_float(&[folded_root], &[1]);
                b.g.op("Mul", &[x, &root], vec![])
            }
        };
        let q_scaled = scaled(self, q);
        let k_scaled = scaled(self, &key_t);
        let scores = self.g.op("MatMul", &[&q_scaled, &k_scaled], vec![]);
        let masked = self.g.op("Add", &[&scores, mask], vec![]);
        let probs = self
            .g
            .op("Softmax", &[&masked], vec![AttributeProto::int("axis", -1)]);
        self.g.op("MatMul", &[&probs, v], vec![])
    }

    /// `BertLayer.forward` (in scope `encoder/layer.N`).
    fn bert_layer(&mut self, hidden: &str, mask: &str, prefix: &str) -> Result<String, ZooError> {
        let h = self.config.hidden;
        let heads = self.config.heads as i64;
        let head_dim = (h / self.config.heads) as i64;
        let (b_static, s_static) = self.static_dims();
        let attention = self.scoped("attention", |b| -> Result<String, ZooError> {
            let context = b.scoped("self", |b| -> Result<String, ZooError> {
                let p = format!("{prefix}.attention.self");
                let bsz = b.dim(hidden, 0);
                let tgt = b.dim(hidden, 1);
                // `transpose_for_scores`: view to [B, S, heads, head_dim], permute(0, 2, 1, 3).
                let heads_of = |b: &mut Self, x: &str| {
                    let d0 = b.dim(x, 0);
                    let d1 = b.dim(x, 1);
                    let target = b.shape_target(&[
                        traced(&d0, b_static),
                        traced(&d1, s_static),
                        ShapePart::Const(heads),
                        ShapePart::Const(head_dim),
                    ]);
                    let viewed = b.g.op("Reshape", &[x, &target], vec![]);
                    b.g.op(
                        "Transpose",
                        &[&viewed],
                        vec![AttributeProto::ints("perm", &[0, 2, 1, 3])],
                    )
                };
                let q = b.linear(hidden, "query", &format!("{p}.query"), h, h)?;
                let q = heads_of(b, &q);
                let k = b.linear(hidden, "key", &format!("{p}.key"), h, h)?;
                let k = heads_of(b, &k);
                let v = b.linear(hidden, "value", &format!("{p}.value"), h, h)?;
                let v = heads_of(b, &v);
                let context = b.sdpa(&q, &k, &v, mask);
                let context = b.g.op(
                    "Transpose",
                    &[&context],
                    vec![AttributeProto::ints("perm", &[0, 2, 1, 3])],
                );
                let target = b.shape_target(&[
                    traced(&bsz, b_static),
                    traced(&tgt, s_static),
                    ShapePart::Const(h as i64),
                ]);
                Ok(b.g.op("Reshape", &[&context, &target], vec![]))
            })?;
            b.scoped("output", |b| {
                let p = format!("{prefix}.attention.output");
                let dense = b.linear(&context, "dense", &format!("{p}.dense"), h, h)?;
                let residual = b.g.op("Add", &[&dense, hidden], vec![]);
                b.layer_norm(&residual, "LayerNorm", &format!("{p}.LayerNorm"))
            })
        })?;
        let inter = self.config.intermediate;
        let intermediate = self.scoped("intermediate", |b| -> Result<String, ZooError> {
            let dense = b.linear(
                &attention,
                "dense",
                &format!("{prefix}.intermediate.dense"),
                h,
                inter,
            )?;
            Ok(b.activation(&dense, "intermediate_act_fn"))
        })?;
        self.scoped("output", |b| {
            let p = format!("{prefix}.output");
            let dense = b.linear(&intermediate, "dense", &format!("{p}.dense"), inter, h)?;
            let residual = b.g.op("Add", &[&dense, &attention], vec![]);
            b.layer_norm(&residual, "LayerNorm", &format!("{p}.LayerNorm"))
        })
    }

    /// DistilBERT's `TransformerBlock.forward` (in scope `transformer/layer.N`).
    fn distil_layer(&mut self, x: &str, mask: &str, prefix: &str) -> Result<String, ZooError> {
        let h = self.config.hidden;
        let heads = self.config.heads as i64;
        let head_dim = (h / self.config.heads) as i64;
        let (b_static, _) = self.static_dims();
        let attention = self.scoped("attention", |b| -> Result<String, ZooError> {
            let p = format!("{prefix}.attention");
            // `batch_size, _, _ = query.size()`; `shape(x)` views to [B, -1, heads, head_dim].
            let bsz = b.dim(x, 0);
            let split = |b: &mut Self, x: &str, target: &str| {
                let viewed = b.g.op("Reshape", &[x, target], vec![]);
                b.g.op(
                    "Transpose",
                    &[&viewed],
                    vec![AttributeProto::ints("perm", &[0, 2, 1, 3])],
                )
            };
            let q = b.linear(x, "q_lin", &format!("{p}.q_lin"), h, h)?;
            // The three `view`s share one traced size list, which TorchScript's CSE merges.
            let heads_target = b.shape_target(&[
                traced(&bsz, b_static),
                ShapePart::Const(-1),
                ShapePart::Const(heads),
                ShapePart::Const(head_dim),
            ]);
            let q = split(b, &q, &heads_target);
            let k = b.linear(x, "k_lin", &format!("{p}.k_lin"), h, h)?;
            let k = split(b, &k, &heads_target);
            let v = b.linear(x, "v_lin", &format!("{p}.v_lin"), h, h)?;
            let v = split(b, &v, &heads_target);
            let context = b.sdpa(&q, &k, &v, mask);
            let context = b.g.op(
                "Transpose",
                &[&context],
                vec![AttributeProto::ints("perm", &[0, 2, 1, 3])],
            );
            let target = b.shape_target(&[
                traced(&bsz, b_static),
                ShapePart::Const(-1),
                ShapePart::Const(h as i64),
            ]);
            let context = b.g.op("Reshape", &[&context, &target], vec![]);
            b.linear(&context, "out_lin", &format!("{p}.out_lin"), h, h)
        })?;
        let residual = self.g.op("Add", &[&attention, x], vec![]);
        let sa = self.layer_norm(
            &residual,
            "sa_layer_norm",
            &format!("{prefix}.sa_layer_norm"),
        )?;
        let inter = self.config.intermediate;
        let ffn = self.scoped("ffn", |b| -> Result<String, ZooError> {
            let up = b.linear(&sa, "lin1", &format!("{prefix}.ffn.lin1"), h, inter)?;
            let act = b.activation(&up, "activation");
            b.linear(&act, "lin2", &format!("{prefix}.ffn.lin2"), inter, h)
        })?;
        let residual = self.g.op("Add", &[&ffn, &sa], vec![]);
        self.layer_norm(
            &residual,
            "output_layer_norm",
            &format!("{prefix}.output_layer_norm"),
        )
    }

    /// `BertPooler.forward`: `Tanh(Gemm(hidden[:, 0]))`.
    fn pooler(&mut self, hidden: &str) -> Result<String, ZooError> {
        let h = self.config.hidden;
        let weight = self.w.tensor(
            "pooler.dense.weight",
            &[h, h],
            Init::Normal { std: INIT_STD },
        )?;
        let bias = self
            .w
            .tensor("pooler.dense.bias", &[h], Init::Constant(0.0))?;
        let weight = self
            .g
            .weight("pooler.dense.weight", &[h as i64, h as i64], &weight);
        let bias = self.g.weight("pooler.dense.bias", &[h as i64], &bias);
        Ok(self.scoped("pooler", |b| {
            let index = b.g.const_i64_scalar(0);
            let first = b.g.op(
                "Gather",
                &[hidden, &index],
                vec![AttributeProto::int("axis", 1)],
            );
            let dense = b.scoped("dense", |b| {
                b.g.op(
                    "Gemm",
                    &[&first, &weight, &bias],
                    vec![
                        AttributeProto::float("alpha", 1.0),
                        AttributeProto::float("beta", 1.0),
                        AttributeProto::int("transB", 1),
                    ],
                )
            });
            b.scoped("activation", |b| b.g.op("Tanh", &[&dense], vec![]))
        }))
    }
}

/// One element of a shape target.
enum ShapePart<'a> {
    /// A size of some tensor: its traced value when shapes are dynamic, and its static value.
    Size(Option<&'a str>, i64),
    Const(i64),
}

/// A traced size (if any) with its static value.
fn traced(size: &Option<String>, static_value: i64) -> ShapePart<'_> {
    ShapePart::Size(size.as_deref(), static_value)
}

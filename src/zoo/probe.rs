//! Benchmark helper models: the per-run overhead floor (`add_64k`) and the probe chains of the
//! fragmentation experiment.
//!
//! A probe chain is [`BLOCKS`] identical blocks of work, `x = MatMul(x, W) + b` on a
//! `[128, H]` float tensor with constant weights, and `k` cut-makers placed in `k` of the
//! `BLOCKS - 1` gaps between them, spread evenly. A cut is `x = x + Cut(x)`: the `Cut` op is
//! one the EP under study rejects, so it runs on the CPU and splits the EP's work into one more
//! partition, while the residual `Add` (which the EP takes) keeps the values flowing and
//! well-defined whatever the cut computes (`Erf` squashes to (-1, 1); `Hardmax` on the last axis
//! is one-hot). The total work is the same for every `k`, so latency against `k` measures the
//! cost of an EP<->CPU hop plus one cheap CPU op.
//!
//! The tensor is 2-D on purpose: CoreML's NeuralNetwork format takes `MatMul` only with 2-D
//! inputs and a constant right-hand side, which a 3-D `[1, 128, H]` chain would only meet on
//! ONNX Runtime versions that rewrite `MatMul + Add` into `Gemm` before partitioning.

use crate::onnx::proto::AttributeProto;
use crate::onnx::{Dim, ElemType, FloatType, GraphBuilder, ModelProto};

use super::ZooError;
use super::variant::CutOp;
use super::weights::{Init, Weights};

/// Blocks in every probe chain.
pub const BLOCKS: u32 = 17;
/// The most cuts a chain can hold: one per gap between blocks.
pub const MAX_CUTS: u32 = BLOCKS - 1;
/// Rows of the probe tensor (the study's sequence length).
pub const ROWS: i64 = 128;

/// The gaps (1-based: gap `g` sits between blocks `g - 1` and `g`) that hold a cut when there
/// are `k` cuts, evenly spread.
pub fn cut_gaps(k: u32) -> Vec<u32> {
    (0..k.min(MAX_CUTS))
        .map(|j| (j + 1) * BLOCKS / (k.min(MAX_CUTS) + 1))
        .collect()
}

/// Builds a probe chain with `k` cuts of op `cut` on a `[128, hidden]` tensor: input `input`,
/// output `output`, both float32.
///
/// ```
/// use epbench::zoo::{probe::probe_chain, CutOp};
/// let model = probe_chain(2, CutOp::Erf, 64).unwrap();
/// let graph = model.graph.unwrap();
/// assert_eq!(graph.node.iter().filter(|n| n.op_type == "Erf").count(), 2);
/// assert_eq!(graph.node.iter().filter(|n| n.op_type == "MatMul").count(), 17);
/// ```
pub fn probe_chain(k: u32, cut: CutOp, hidden: u32) -> Result<ModelProto, ZooError> {
    let mut weights = super::weights::Seeded::new(PROBE_SEED, "probe");
    probe_chain_with(k, cut, hidden, &mut weights)
}

/// Probe weights do not depend on the catalogue seed: a probe is a timing instrument.
pub(crate) const PROBE_SEED: u64 = 0x9e3779b97f4a7c15;

/// [`probe_chain`] with weights from `weights` (tensors `block.<i>.weight` `[H, H]` and
/// `block.<i>.bias`).
pub fn probe_chain_with(
    k: u32,
    cut: CutOp,
    hidden: u32,
    weights: &mut dyn Weights,
) -> Result<ModelProto, ZooError> {
    if k > MAX_CUTS {
        return Err(ZooError::BadVariantName {
            name: format!("probe with {k} cuts"),
            reason: format!("at most {MAX_CUTS} cuts fit between {BLOCKS} blocks"),
        });
    }
    let h = hidden as usize;
    let mut g = GraphBuilder::new("probe_chain", FloatType::F32);
    let dims = [Dim::from(ROWS), Dim::from(hidden as i64)];
    let mut x = g.input("input", ElemType::Float32, &dims);
    let gaps = cut_gaps(k);
    for block in 0..BLOCKS {
        if gaps.contains(&block) {
            x = g.scoped(&format!("cut.{block}"), |g| {
                let attributes = match cut {
                    CutOp::Erf => vec![],
                    CutOp::Hardmax => vec![AttributeProto::int("axis", -1)],
                };
                let cut_value = g.op(cut.op_type(), &[&x], attributes);
                g.op("Add", &[&x, &cut_value], vec![])
            });
        }
        // Unit-variance weights keep the signal's scale through 17 linear blocks.
        let weight = weights.tensor(
            &format!("block.{block}.weight"),
            &[h, h],
            Init::Normal {
                std: (1.0 / hidden as f32).sqrt(),
            },
        )?;
        let bias = weights.tensor(
            &format!("block.{block}.bias"),
            &[h],
            Init::Normal { std: 0.1 },
        )?;
        let weight = g.weight(
            &format!("block.{block}.weight"),
            &[hidden as i64, hidden as i64],
            &weight,
        );
        let bias = g.weight(&format!("block.{block}.bias"), &[hidden as i64], &bias);
        x = g.scoped(&format!("block.{block}"), |g| {
            let y = g.op("MatMul", &[&x, &weight], vec![]);
            g.op("Add", &[&y, &bias], vec![])
        });
    }
    g.output(&x, "output", ElemType::Float32, &dims);
    Ok(g.finish(14, vec![]))
}

/// The `add_64k` model: `output = input + 1` on a `[1, 128, 128]` float32 tensor (64 KiB), one
/// node, to measure what a `Session::run` costs when the work is negligible.
pub fn add_64k() -> ModelProto {
    let mut g = GraphBuilder::new("add_64k", FloatType::F32);
    let dims = [Dim::from(1), Dim::from(128), Dim::from(128)];
    let x = g.input("input", ElemType::Float32, &dims);
    let one = g.weight("one", &[], &[1.0]);
    let y = g.op("Add", &[&x, &one], vec![]);
    g.output(&y, "output", ElemType::Float32, &dims);
    g.finish(14, vec![])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_are_spread_over_distinct_gaps() {
        assert_eq!(cut_gaps(0), Vec::<u32>::new());
        assert_eq!(cut_gaps(1), vec![8]);
        assert_eq!(cut_gaps(2), vec![5, 11]);
        assert_eq!(cut_gaps(16), (1..=16).collect::<Vec<_>>());
        for k in 0..=MAX_CUTS {
            let gaps = cut_gaps(k);
            assert_eq!(gaps.len(), k as usize);
            assert!(gaps.windows(2).all(|w| w[0] < w[1]));
            assert!(gaps.iter().all(|&g| (1..BLOCKS).contains(&g)));
        }
    }

    #[test]
    fn too_many_cuts_are_refused() {
        assert!(probe_chain(MAX_CUTS + 1, CutOp::Erf, 8).is_err());
    }
}

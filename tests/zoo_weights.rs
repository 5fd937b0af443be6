//! Are weights wired as Hugging Face wires them? With the real all-MiniLM-L6-v2 checkpoint,
//! sentence embeddings must behave like that model's: paraphrases close, unrelated sentences
//! far. Variants of the same weights must agree: static with dynamic (exactly, up to float
//! rounding), FastGELU with GELU and fp16 with fp32 (approximately, with stated tolerances).
//! Everything runs on ONNX Runtime's CPU EP.

use std::error::Error;
use std::path::Path;

use half::f16;
use ndarray::{Array2, ArrayD, Axis};

use epbench::runtime::{Ep, OptLevel, SessionConfig};
use epbench::zoo::{self, TextBatch, TransformerModel};

type TestResult = Result<(), Box<dyn Error>>;

/// Runs `variant` (built into `dir`) on `text` and returns `last_hidden_state` as f32.
fn last_hidden_state(
    variant: &str,
    dir: &Path,
    text: &TextBatch,
) -> Result<ArrayD<f32>, Box<dyn Error>> {
    let path = zoo::build(variant, dir)?;
    let mut built = SessionConfig::new(Ep::Cpu)
        .intra_threads(1)
        .optimization(OptLevel::Basic)
        .build(&path)?;
    let inputs = zoo::text_inputs(&variant.parse()?, text)?;
    let outputs = built.session.run(inputs.to_ort()?)?;
    let value = &outputs["last_hidden_state"];
    Ok(match value.try_extract_array::<f32>() {
        Ok(array) => array.to_owned(),
        Err(_) => value.try_extract_array::<f16>()?.mapv(f16::to_f32),
    })
}

/// sentence-transformers' pooling for this model: the mean over real tokens, L2-normalised.
fn sentence_embeddings(hidden: &ArrayD<f32>, mask: &Array2<i64>) -> Array2<f32> {
    let (batch, seq) = mask.dim();
    let width = hidden.shape()[2];
    let mut out = Array2::zeros((batch, width));
    for b in 0..batch {
        let mut count = 0.0;
        for s in 0..seq {
            if mask[[b, s]] == 1 {
                count += 1.0;
                for d in 0..width {
                    out[[b, d]] += hidden[[b, s, d]];
                }
            }
        }
        let mut row = out.index_axis_mut(Axis(0), b);
        row /= count;
        let norm = row.dot(&row).sqrt();
        row /= norm;
    }
    out
}

fn max_abs_diff(a: &ArrayD<f32>, b: &ArrayD<f32>) -> f32 {
    assert_eq!(a.shape(), b.shape());
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f32::max)
}

const PAIRS: [(&str, &str); 4] = [
    (
        "A man is playing a guitar on stage.",
        "Someone performs music with a guitar in front of an audience.",
    ),
    (
        "The cat is sleeping on the sofa.",
        "A kitten naps on the couch.",
    ),
    (
        "How do I reset my password?",
        "What are the steps to change my account password?",
    ),
    (
        "The stock market fell sharply today.",
        "Share prices dropped steeply in today's trading.",
    ),
];

#[test]
fn real_weights_give_meaningful_sentence_embeddings() -> TestResult {
    let dir = tempfile::tempdir()?;
    let tokenizer = zoo::tokenizer_for(TransformerModel::AllMiniLmL6V2)?;
    let sentences: Vec<&str> = PAIRS.iter().flat_map(|(a, b)| [*a, *b]).collect();
    let text = tokenizer.encode(&sentences, sentences.len(), 32)?;
    let hidden = last_hidden_state("all-minilm-l6-v2_gelu_fp32_dynamic", dir.path(), &text)?;
    let embeddings = sentence_embeddings(&hidden, &text.attention_mask);
    let similarity = |i: usize, j: usize| embeddings.row(i).dot(&embeddings.row(j));

    let paraphrases: Vec<f32> = (0..PAIRS.len())
        .map(|p| similarity(2 * p, 2 * p + 1))
        .collect();
    let mut unrelated = Vec::new();
    for p in 0..PAIRS.len() {
        for q in 0..PAIRS.len() {
            if p != q {
                unrelated.push(similarity(2 * p, 2 * q + 1));
            }
        }
    }
    let worst_paraphrase = paraphrases.iter().copied().fold(f32::INFINITY, f32::min);
    let best_unrelated = unrelated.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    println!("paraphrase cosine {paraphrases:?}; unrelated at most {best_unrelated}");
    // Miswired weights (a transposed matrix, a swapped bias) give embeddings that are all alike
    // or all different; the real model separates these pairs by a wide margin.
    assert!(worst_paraphrase > 0.5, "paraphrases {paraphrases:?}");
    assert!(
        best_unrelated < 0.3,
        "unrelated pairs up to {best_unrelated}"
    );
    assert!(
        worst_paraphrase > best_unrelated + 0.3,
        "paraphrases {paraphrases:?} vs unrelated up to {best_unrelated}"
    );
    Ok(())
}

#[test]
fn variants_of_the_same_weights_agree() -> TestResult {
    let dir = tempfile::tempdir()?;
    let tokenizer = zoo::tokenizer_for(TransformerModel::AllMiniLmL6V2)?;
    let one = tokenizer.encode(&zoo::SENTENCES[1..2], 1, 128)?;
    let dynamic = last_hidden_state("all-minilm-l6-v2_gelu_fp32_dynamic", dir.path(), &one)?;
    let fixed = last_hidden_state(
        "all-minilm-l6-v2_gelu_fp32_static_b1_s128",
        dir.path(),
        &one,
    )?;
    // Same graph up to shape plumbing: only float rounding may differ.
    let static_vs_dynamic = max_abs_diff(&fixed, &dynamic);
    println!("static vs dynamic: max |diff| {static_vs_dynamic}");
    assert!(static_vs_dynamic < 1e-4, "{static_vs_dynamic}");

    let batch = tokenizer.encode(&zoo::SENTENCES, zoo::SENTENCES.len(), 48)?;
    let gelu = last_hidden_state("all-minilm-l6-v2_gelu_fp32_dynamic", dir.path(), &batch)?;
    let fast = last_hidden_state(
        "all-minilm-l6-v2_fast-gelu_fp32_dynamic",
        dir.path(),
        &batch,
    )?;
    let half = last_hidden_state("all-minilm-l6-v2_gelu_fp16_dynamic", dir.path(), &batch)?;
    let reference = sentence_embeddings(&gelu, &batch.attention_mask);
    for (name, other, max_abs, min_cosine) in [
        // The tanh approximation differs from erf by at most ~3e-4 per activation.
        ("FastGELU", &fast, 0.1, 0.9999),
        // fp16 keeps ~3 significant digits through six layers.
        ("fp16", &half, 0.05, 0.9999),
    ] {
        let diff = max_abs_diff(&gelu, other);
        let embeddings = sentence_embeddings(other, &batch.attention_mask);
        let cosine = (0..batch.attention_mask.nrows())
            .map(|i| reference.row(i).dot(&embeddings.row(i)))
            .fold(f32::INFINITY, f32::min);
        let scale = gelu.iter().fold(0.0f32, |m, v| m.max(v.abs()));
        println!(
            "{name} vs GELU fp32: max |diff| {diff} (largest value {scale}), worst embedding cosine {cosine}"
        );
        assert!(diff < max_abs, "{name}: max |diff| {diff} >= {max_abs}");
        assert!(
            cosine > min_cosine,
            "{name}: embedding cosine {cosine} <= {min_cosine}"
        );
    }
    Ok(())
}

#[test]
fn tiny_model_tokens_fit_its_vocabulary() -> TestResult {
    // Words whose bert-base-uncased ids exceed 8000 (umbrella 12977, pneumonia 18583,
    // fjord 26158): the full tokenizer uses them, the tiny model's must spell them with pieces.
    let sentence = ["An umbrella against pneumonia in the fjord."];
    let full = zoo::tokenizer_for(TransformerModel::AllMiniLmL6V2)?.encode(&sentence, 1, 24)?;
    assert!(
        full.input_ids.iter().any(|&id| id >= 8000),
        "{:?}",
        full.input_ids
    );
    let tokenizer = zoo::tokenizer_for(TransformerModel::TinySystemsBert)?;
    assert_eq!(tokenizer.vocab(), 8000);
    let text = tokenizer.encode(&sentence, 2, 24)?;
    assert!(
        text.input_ids.iter().all(|&id| (0..8000).contains(&id)),
        "{:?}",
        text.input_ids
    );
    // [CLS] first, [SEP] last of the real tokens (mask 1), then padding ([PAD] = 0, mask 0).
    let real = text.attention_mask.row(0).sum() as usize;
    assert!(
        real > full.attention_mask.row(0).sum() as usize,
        "pieces make the text longer"
    );
    assert!(real < 24, "{real} tokens");
    assert_eq!(text.input_ids[[0, 0]], 101);
    assert_eq!(text.input_ids[[0, real - 1]], 102);
    assert!(text.input_ids.row(0).iter().skip(real).all(|&id| id == 0));
    assert!(
        text.attention_mask
            .row(0)
            .iter()
            .skip(real)
            .all(|&m| m == 0)
    );
    assert_eq!(text.input_ids.row(0), text.input_ids.row(1));
    Ok(())
}

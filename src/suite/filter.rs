//! Criterion's benchmark filter, read ahead of criterion so that benchmarks it would skip are
//! never prepared (building a BERT-base session only to skip it would cost seconds each).

use regex::Regex;

/// Options of criterion 0.8's command line that take a value (`configure_from_args`).
const OPTIONS_WITH_VALUE: [&str; 16] = [
    "--color",
    "--colour",
    "-c",
    "--save-baseline",
    "-s",
    "--baseline",
    "-b",
    "--baseline-lenient",
    "--load-baseline",
    "--profile-time",
    "--sample-size",
    "--warm-up-time",
    "--measurement-time",
    "--nresamples",
    "--noise-threshold",
    "--format",
];
const MORE_OPTIONS_WITH_VALUE: [&str; 3] = [
    "--confidence-level",
    "--significance-level",
    "--plotting-backend",
];

/// Which benchmark ids the command line selects, exactly as criterion will decide.
#[derive(Debug, Clone)]
pub enum Filter {
    All,
    Regex(Regex),
    Exact(String),
    /// `--ignored`: nothing is run.
    Nothing,
}

impl Filter {
    /// Parses criterion's arguments (without the program name).
    pub fn from_args<I: IntoIterator<Item = String>>(args: I) -> Result<Self, String> {
        let mut positional = None;
        let mut exact = false;
        let mut nothing = false;
        let mut args = args.into_iter();
        while let Some(arg) = args.next() {
            let name = arg.split('=').next().unwrap_or(&arg);
            if OPTIONS_WITH_VALUE.contains(&name) || MORE_OPTIONS_WITH_VALUE.contains(&name) {
                if !arg.contains('=') {
                    args.next();
                }
            } else if arg == "--exact" {
                exact = true;
            } else if arg == "--ignored" {
                nothing = true;
            } else if !arg.starts_with('-') && positional.is_none() {
                positional = Some(arg);
            }
        }
        Ok(match (nothing, positional) {
            (true, _) => Filter::Nothing,
            (false, None) => Filter::All,
            (false, Some(text)) if exact => Filter::Exact(text),
            (false, Some(text)) => Filter::Regex(
                Regex::new(&text)
                    .map_err(|e| format!("`{text}` is not a valid benchmark filter: {e}"))?,
            ),
        })
    }

    /// Whether the arguments ask for criterion's `--list` (the ids the filter selects, each as
    /// `<id>: benchmark`, nothing run).
    pub fn wants_list<'a>(args: impl IntoIterator<Item = &'a String>) -> bool {
        args.into_iter().any(|a| a == "--list")
    }

    /// Whether criterion would run the benchmark `id`.
    pub fn matches(&self, id: &str) -> bool {
        match self {
            Filter::All => true,
            Filter::Regex(regex) => regex.is_match(id),
            Filter::Exact(exact) => id == exact,
            Filter::Nothing => false,
        }
    }
}

/// What `cargo bench -- --list` prints: every id of every study that `filter` selects, each as
/// criterion prints it (`<id>: benchmark`), in run order. Nothing is loaded or built.
pub fn list(filter: &Filter, settings: &super::Settings) -> Vec<String> {
    crate::runtime::EpKind::ALL
        .into_iter()
        .flat_map(|study| super::plan(study, settings))
        .map(|case| case.id())
        .filter(|id| filter.matches(id))
        .map(|id| format!("{id}: benchmark"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Filter {
        Filter::from_args(args.iter().map(|s| s.to_string())).unwrap()
    }

    #[test]
    fn reads_the_filter_like_criterion() {
        assert!(parse(&["--bench"]).matches("coreml/ep_vs_cpu/x/cpu"));
        let coreml = parse(&["--bench", "coreml"]);
        assert!(coreml.matches("coreml/ep_vs_cpu/x/cpu"));
        assert!(!coreml.matches("openvino/ep_vs_cpu/x/cpu"));
        // A value of an option is not the filter.
        let saved = parse(&["--bench", "--save-baseline", "openvino", "coreml"]);
        assert!(saved.matches("coreml/a/b/c") && !saved.matches("openvino/a/b/c"));
        let regex = parse(&["--bench", "^cpu/(overhead|threads)"]);
        assert!(
            regex.matches("cpu/overhead/add_64k/cpu") && !regex.matches("coreml/overhead/x/cpu")
        );
        assert!(
            parse(&["--bench", "--exact", "cpu/overhead/add_64k/cpu"])
                .matches("cpu/overhead/add_64k/cpu")
        );
        assert!(
            !parse(&["--bench", "--exact", "cpu/overhead"]).matches("cpu/overhead/add_64k/cpu")
        );
        // `--list` keeps the filter: it lists what a run would select.
        let list = ["--bench", "--list", "^cpu/"].map(String::from);
        assert!(Filter::wants_list(&list));
        assert!(parse(&["--bench", "--list", "^cpu/"]).matches("cpu/overhead/add_64k/cpu"));
        assert!(!parse(&["--bench", "--list", "^cpu/"]).matches("coreml/x/y/cpu"));
        assert!(!parse(&["--bench", "--ignored"]).matches("cpu/overhead/add_64k/cpu"));
        assert!(Filter::from_args(["(".to_string()]).is_err());
    }
}

//! Settings that one side of an upgrade check overrides, for A/B experiments such as
//! `--to-options threads=1`, `--to-options opt=disabled` or `--to-options slowdown=5%`: a known
//! difference on one side shows what size of change the check detects.

use std::fmt;
use std::str::FromStr;

use crate::runtime::{OptLevel, SessionConfig};

use super::UpgradeError;
use super::slowdown::Slowdown;

/// The option keys, for error messages and help.
pub const KEYS: &str = "threads=N (intra-op threads), opt=disabled|basic|extended|all (ORT graph \
     optimisation), slowdown=K% (busy-wait K% of the deciding clock, for validation)";

/// Overrides applied to every selected benchmark on one side; `None` keeps the benchmark's own
/// setting.
///
/// ```
/// use epbench::upgrade::SideOptions;
/// let options: SideOptions = "threads=1,opt=disabled,slowdown=5%".parse().unwrap();
/// assert_eq!(options.threads, Some(1));
/// assert_eq!(options.to_string(), "threads=1,opt=disable,slowdown=5%");
/// assert!("speed=max".parse::<SideOptions>().is_err());
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SideOptions {
    /// Intra-op threads for every session.
    pub threads: Option<usize>,
    /// ORT's graph optimisation level for every session.
    pub opt: Option<OptLevel>,
    /// A synthetic slowdown of every timed run (see [`Slowdown`]); not a session setting.
    pub slowdown: Option<Slowdown>,
}

impl SideOptions {
    /// `config` with the session overrides applied (the slowdown is the worker's).
    pub fn apply(&self, mut config: SessionConfig) -> SessionConfig {
        if let Some(threads) = self.threads {
            config.intra_threads = Some(threads);
        }
        if let Some(level) = self.opt {
            config.optimization = level;
        }
        config
    }

    /// Whether nothing is overridden.
    pub fn is_empty(&self) -> bool {
        *self == SideOptions::default()
    }
}

impl FromStr for SideOptions {
    type Err = UpgradeError;

    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let bad = |reason: String| UpgradeError::BadOption {
            input: input.to_string(),
            reason,
        };
        let mut options = SideOptions::default();
        for pair in input.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let Some((key, value)) = pair.split_once('=') else {
                return Err(bad(format!(
                    "`{pair}` is not key=value; the keys are {KEYS}"
                )));
            };
            let value = value.trim();
            match key.trim() {
                "threads" => {
                    let threads = value.parse::<usize>().ok().filter(|&n| n > 0);
                    options.threads = Some(threads.ok_or_else(|| {
                        bad(format!("threads=`{value}`: expected a positive number"))
                    })?);
                }
                "opt" => {
                    let level = match value.to_ascii_lowercase().as_str() {
                        "disabled" => Ok(OptLevel::Disable),
                        other => other.parse::<OptLevel>(),
                    };
                    options.opt = Some(level.map_err(|_| {
                        bad(format!(
                            "opt=`{value}`: expected disabled, basic, extended or all"
                        ))
                    })?);
                }
                "slowdown" => {
                    options.slowdown = Some(
                        value
                            .parse()
                            .map_err(|reason| bad(format!("slowdown=`{value}`: {reason}")))?,
                    );
                }
                other => {
                    return Err(bad(format!("unknown key `{other}`; the keys are {KEYS}")));
                }
            }
        }
        Ok(options)
    }
}

impl fmt::Display for SideOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts = Vec::new();
        if let Some(threads) = self.threads {
            parts.push(format!("threads={threads}"));
        }
        if let Some(level) = self.opt {
            let name = match level {
                OptLevel::Disable => "disable",
                OptLevel::Basic => "basic",
                OptLevel::Extended => "extended",
                OptLevel::All => "all",
            };
            parts.push(format!("opt={name}"));
        }
        if let Some(slowdown) = self.slowdown {
            parts.push(format!("slowdown={slowdown}"));
        }
        f.write_str(&parts.join(","))
    }
}

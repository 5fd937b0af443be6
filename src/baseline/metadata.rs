//! `machine.json`: what a baseline was measured on, so that a comparison can say what differs.

use std::path::Path;
use std::process::Command;
use std::time::SystemTime;

use crate::Ep;
use crate::machine::Machine;
use crate::provisioning::OrtRequirement;

use super::BaselineError;
use super::criterion_files;

/// The version of the `machine.json` layout; bumped when a field changes meaning.
pub const FORMAT: u32 = 1;

/// The content of a baseline's `machine.json`.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct BaselineMetadata {
    /// Layout version ([`FORMAT`]).
    pub format: u32,
    /// CPU or Apple chip, cores, memory, OS, architecture.
    pub machine: Machine,
    /// The ONNX Runtime the benchmarks ran on.
    pub ort: OrtInfo,
    /// Execution providers in the benchmark ids, with the options named by `--ep` when saving
    /// (ORT's defaults otherwise).
    pub eps: Vec<Ep>,
    /// One entry per saved run, in order; run 1 is what `restore` puts back by default.
    pub runs: Vec<RunInfo>,
}

/// Which ONNX Runtime produced the numbers.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct OrtInfo {
    /// The version ORT reports, e.g. `1.31.1`.
    pub version: String,
    /// The pip requirement it was provisioned from; `None` under `ORT_DYLIB_PATH`.
    pub requirement: Option<OrtRequirement>,
}

/// When and from which code one run was saved.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RunInfo {
    /// When the run was saved (UTC, RFC 3339).
    pub saved_at: String,
    /// When its benchmarks finished, from criterion's files.
    pub measured: Option<MeasuredSpan>,
    /// `git rev-parse HEAD` of the working tree, with `+dirty` when it had local changes.
    pub epbench_commit: Option<String>,
    /// The epbench crate version.
    pub epbench_version: String,
    /// How many benchmarks the run holds.
    pub benchmarks: usize,
}

/// When the first and the last benchmark of a run finished (UTC, RFC 3339).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct MeasuredSpan {
    /// The first benchmark's end.
    pub first: String,
    /// The last benchmark's end.
    pub last: String,
}

impl BaselineMetadata {
    /// Metadata for a baseline of the benchmarks in `ids`, measured on `machine` with `ort`.
    ///
    /// `named_eps` are the EPs (with options) the user says the benches used; EPs that appear in
    /// the ids as `<ep>/<finding>/<variant>/<provider>` are added with default options unless an EP
    /// of the same kind was named.
    pub fn new<'a>(
        machine: Machine,
        ort: OrtInfo,
        named_eps: &[Ep],
        ids: impl IntoIterator<Item = &'a str>,
    ) -> Self {
        let mut eps = named_eps.to_vec();
        for id in ids {
            let parts: Vec<&str> = id.split('/').collect();
            let [ep, _, _, provider] = parts.as_slice() else {
                continue;
            };
            for name in [ep, provider] {
                if let Ok(found) = name.parse::<Ep>()
                    && !eps.iter().any(|e| e.kind() == found.kind())
                {
                    eps.push(found);
                }
            }
        }
        eps.sort_by_key(|ep| (ep.kind(), ep.to_string()));
        BaselineMetadata {
            format: FORMAT,
            machine,
            ort,
            eps,
            runs: Vec::new(),
        }
    }

    /// One line describing the setup; two runs may share a baseline only if this is equal.
    pub fn setup(&self) -> String {
        let m = &self.machine;
        let eps: Vec<String> = self.eps.iter().map(ToString::to_string).collect();
        format!(
            "{} ({} cores, {:.0} GiB), {} {}, ORT {} ({}), EPs {}",
            m.cpu,
            m.cores,
            m.memory_bytes as f64 / (1u64 << 30) as f64,
            m.os,
            m.arch,
            self.ort.version,
            self.ort.requirement_text(),
            if eps.is_empty() {
                "-".to_string()
            } else {
                eps.join(", ")
            }
        )
    }

    /// Reads `machine.json`.
    pub fn read(path: &Path) -> Result<Self, BaselineError> {
        let metadata: Self = criterion_files::parse(path, "epbench's machine.json")?;
        if metadata.format != FORMAT {
            return Err(BaselineError::malformed(
                path,
                format!(
                    "format {} is not the format this epbench reads ({FORMAT})",
                    metadata.format
                ),
            ));
        }
        Ok(metadata)
    }

    /// Writes `machine.json` (pretty, so that diffs of committed baselines are readable).
    pub fn write(&self, path: &Path) -> Result<(), BaselineError> {
        let text = serde_json::to_string_pretty(self)
            .map_err(|e| BaselineError::malformed(path, e.to_string()))?;
        std::fs::write(path, text + "\n").map_err(|e| BaselineError::io("writing", path, e))
    }
}

impl OrtInfo {
    /// The requirement as text, or where the library came from when there is none.
    pub fn requirement_text(&self) -> String {
        self.requirement
            .as_ref()
            .map_or_else(|| "ORT_DYLIB_PATH".to_string(), ToString::to_string)
    }
}

impl RunInfo {
    /// A run saved now from the working tree in the current directory.
    pub fn now(benchmarks: usize, finished: &[SystemTime]) -> Self {
        let measured = match (finished.iter().min(), finished.iter().max()) {
            (Some(first), Some(last)) => Some(MeasuredSpan {
                first: utc(*first),
                last: utc(*last),
            }),
            _ => None,
        };
        RunInfo {
            saved_at: utc(SystemTime::now()),
            measured,
            epbench_commit: git_commit(),
            epbench_version: env!("CARGO_PKG_VERSION").to_string(),
            benchmarks,
        }
    }
}

/// The commit of the working tree, `None` outside a git checkout or without git.
fn git_commit() -> Option<String> {
    let git = |args: &[&str]| {
        Command::new("git")
            .args(args)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
    };
    let head = git(&["rev-parse", "HEAD"]).filter(|h| !h.is_empty())?;
    let dirty = git(&["status", "--porcelain", "--untracked-files=no"])
        .is_some_and(|status| !status.is_empty());
    Some(if dirty { format!("{head}+dirty") } else { head })
}

/// RFC 3339 in UTC to the second, without a date-time dependency.
pub fn utc(time: SystemTime) -> String {
    let seconds = time
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let days = (seconds / 86_400) as i64;
    let rest = seconds % 86_400;
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

/// Howard Hinnant's `civil_from_days`: days since 1970-01-01 to (year, month, day).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn formats_utc_dates() {
        assert_eq!(utc(SystemTime::UNIX_EPOCH), "1970-01-01T00:00:00Z");
        let leap = SystemTime::UNIX_EPOCH + Duration::from_secs(951_782_400 + 3_661);
        assert_eq!(utc(leap), "2000-02-29T01:01:01Z");
        let later = SystemTime::UNIX_EPOCH + Duration::from_secs(1_795_000_000);
        assert_eq!(utc(later), "2026-11-18T11:06:40Z");
    }

    #[test]
    fn eps_come_from_ids_and_named_options() {
        let machine = Machine {
            cpu: "Apple M2".into(),
            cores: 8,
            memory_bytes: 16 << 30,
            os: "macOS 15.1".into(),
            arch: "aarch64".into(),
        };
        let ort = OrtInfo {
            version: "1.31.1".into(),
            requirement: Some(OrtRequirement::default()),
        };
        let named: Ep = "coreml:format=mlprogram".parse().unwrap();
        let metadata = BaselineMetadata::new(
            machine,
            ort,
            std::slice::from_ref(&named),
            [
                "coreml/ep_vs_cpu/tiny_b1/cpu",
                "coreml/ep_vs_cpu/tiny_b1/coreml",
                "not/an/epbench/id/at/all",
            ],
        );
        assert_eq!(metadata.eps, vec![Ep::Cpu, named]);
        assert_eq!(
            metadata.setup(),
            "Apple M2 (8 cores, 16 GiB), macOS 15.1 aarch64, ORT 1.31.1 (onnxruntime==1.31.1), \
             EPs cpu, coreml:format=mlprogram"
        );
    }
}

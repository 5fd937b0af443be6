//! Downloading wheels with pip: the one tool that knows how to pick the right wheel for a
//! platform from PyPI, whatever Python the host has.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::ProvisioningError;

/// The Python interpreter used to run pip: `EPBENCH_PYTHON`, else `python3`.
pub fn default_python() -> PathBuf {
    std::env::var_os("EPBENCH_PYTHON")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("python3"))
}

/// Downloads the wheel for `requirement` (e.g. `onnxruntime==1.31.1`) into `dest` and returns its
/// path. `platform_tags` selects a binary wheel for another platform than pip's own; `None` asks
/// for a pure-Python wheel.
pub fn download_wheel(
    python: &Path,
    requirement: &str,
    platform_tags: Option<&[&str]>,
    dest: &Path,
) -> Result<PathBuf, ProvisioningError> {
    let mut command = Command::new(python);
    command
        .args(["-m", "pip", "download", "--no-deps", "--only-binary=:all:"])
        .args([
            "--disable-pip-version-check",
            "--no-input",
            "--progress-bar",
            "off",
        ])
        .args(["--retries", "2", "--timeout", "30"])
        .arg("--dest")
        .arg(dest);
    if let Some(tags) = platform_tags {
        // pip needs a target Python when given a foreign platform; the C library inside the
        // wheel does not depend on it.
        command.args(["--python-version", "3.12"]);
        for tag in tags {
            command.args(["--platform", tag]);
        }
    }
    command.arg(requirement);
    command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());

    let progress = super::progress::spinner(format!("downloading {requirement} from PyPI"));
    let started = Instant::now();
    let mut child = command.spawn().map_err(|e| ProvisioningError::NoPip {
        python: python.to_path_buf(),
        reason: e.to_string(),
    })?;
    let mut stderr_text = String::new();
    let mut stdout_text = String::new();
    if let Some(mut stderr) = child.stderr.take() {
        let _ = stderr.read_to_string(&mut stderr_text);
    }
    if let Some(mut stdout) = child.stdout.take() {
        let _ = stdout.read_to_string(&mut stdout_text);
    }
    let status = child.wait().map_err(|e| ProvisioningError::NoPip {
        python: python.to_path_buf(),
        reason: e.to_string(),
    })?;
    progress.finish_and_clear();

    if !status.success() {
        return Err(classify_failure(
            python,
            requirement,
            platform_tags,
            &stderr_text,
        ));
    }
    let wheel = newest_wheel(dest).ok_or_else(|| ProvisioningError::PipFailed {
        requirement: requirement.to_string(),
        output: format!(
            "pip reported success but left no wheel in {}",
            dest.display()
        ),
    })?;
    let size = std::fs::metadata(&wheel).map(|m| m.len()).unwrap_or(0);
    eprintln!(
        "epbench: downloaded {} ({:.1} MB) in {}",
        wheel
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("wheel"),
        size as f64 / 1e6,
        format_duration(started.elapsed())
    );
    Ok(wheel)
}

fn newest_wheel(dir: &Path) -> Option<PathBuf> {
    std::fs::read_dir(dir)
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| p.extension().is_some_and(|ext| ext == "whl"))
}

fn format_duration(d: Duration) -> String {
    format!("{:.1} s", d.as_secs_f64())
}

/// Turns pip's output into an error that says what to do.
fn classify_failure(
    python: &Path,
    requirement: &str,
    platform_tags: Option<&[&str]>,
    stderr: &str,
) -> ProvisioningError {
    let lower = stderr.to_ascii_lowercase();
    let tail: String = stderr
        .lines()
        .filter(|l| !l.trim().is_empty())
        .rev()
        .take(4)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect::<Vec<_>>()
        .join("\n");
    if lower.contains("no module named pip") || lower.contains("no module named 'pip'") {
        ProvisioningError::NoPip {
            python: python.to_path_buf(),
            reason: "that Python has no pip module".into(),
        }
    } else if [
        "failed to establish a new connection",
        "temporary failure in name resolution",
        "name or service not known",
        "network is unreachable",
        "connection refused",
        "read timed out",
        "connecttimeout",
        "proxyerror",
    ]
    .iter()
    .any(|needle| lower.contains(needle))
    {
        ProvisioningError::Offline {
            requirement: requirement.to_string(),
            detail: tail,
        }
    } else if lower.contains("no matching distribution")
        || lower.contains("could not find a version")
    {
        ProvisioningError::NoSuchWheel {
            requirement: requirement.to_string(),
            platform: platform_tags
                .and_then(|t| t.first())
                .unwrap_or(&"any")
                .to_string(),
            detail: tail,
        }
    } else {
        ProvisioningError::PipFailed {
            requirement: requirement.to_string(),
            output: tail,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pip_messages_become_specific_errors() {
        let python = Path::new("python3");
        let offline = "WARNING: Retrying ... NewConnectionError('<pip._vendor.urllib3.connection.HTTPSConnection>: Failed to establish a new connection: [Errno -3] Temporary failure in name resolution')\nERROR: Could not find a version that satisfies the requirement onnxruntime==1.31.1 (from versions: none)";
        assert!(matches!(
            classify_failure(python, "onnxruntime==1.31.1", None, offline),
            ProvisioningError::Offline { .. }
        ));
        let unknown = "ERROR: Could not find a version that satisfies the requirement onnxruntime==9.9.9 (from versions: 1.30.0, 1.31.1)\nERROR: No matching distribution found for onnxruntime==9.9.9";
        let err = classify_failure(
            python,
            "onnxruntime==9.9.9",
            Some(&["manylinux_2_28_x86_64"]),
            unknown,
        );
        assert!(matches!(err, ProvisioningError::NoSuchWheel { .. }));
        assert!(err.to_string().contains("manylinux_2_28_x86_64"), "{err}");
        assert!(matches!(
            classify_failure(
                python,
                "x==1.0",
                None,
                "/usr/bin/python3: No module named pip"
            ),
            ProvisioningError::NoPip { .. }
        ));
    }
}

//! What machine a measurement was made on: recorded next to every result and baseline.

use std::process::Command;

/// The hardware and OS, as far as they matter for comparing benchmark numbers.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Machine {
    /// CPU model or Apple chip, e.g. `AMD EPYC 7B13` or `Apple M2`.
    pub cpu: String,
    /// Logical cores available to this process.
    pub cores: usize,
    /// Physical memory in bytes (0 when unknown).
    pub memory_bytes: u64,
    /// `Debian GNU/Linux 12 (bookworm)`, `macOS 15.1`, ...
    pub os: String,
    /// `x86_64`, `aarch64`.
    pub arch: String,
}

impl Machine {
    /// Reads the running machine's description; fields that cannot be read say `unknown`.
    pub fn detect() -> Self {
        Machine {
            cpu: cpu_model().unwrap_or_else(|| "unknown".into()),
            cores: std::thread::available_parallelism().map_or(1, |n| n.get()),
            memory_bytes: memory_bytes().unwrap_or(0),
            os: os_name().unwrap_or_else(|| std::env::consts::OS.into()),
            arch: std::env::consts::ARCH.into(),
        }
    }

    /// A short slug for names such as baseline folders: `linux-x86_64-amd-epyc-7b13`.
    pub fn slug(&self) -> String {
        let cpu: String = self
            .cpu
            .to_ascii_lowercase()
            .replace("(r)", "")
            .replace("(tm)", "")
            .split(|c: char| !c.is_ascii_alphanumeric())
            .filter(|w| {
                !w.is_empty()
                    && !["processor", "cpu", "core", "with", "radeon", "graphics"].contains(w)
            })
            .take(4)
            .collect::<Vec<_>>()
            .join("-");
        format!("{}-{}-{}", std::env::consts::OS, self.arch, cpu)
    }
}

fn cpu_model() -> Option<String> {
    if cfg!(target_os = "macos") {
        return sysctl("machdep.cpu.brand_string");
    }
    let info = std::fs::read_to_string("/proc/cpuinfo").ok()?;
    info.lines()
        .find(|l| l.starts_with("model name") || l.starts_with("Model"))
        .and_then(|l| l.split_once(':'))
        .map(|(_, v)| v.trim().to_string())
}

fn memory_bytes() -> Option<u64> {
    if cfg!(target_os = "macos") {
        return sysctl("hw.memsize")?.parse().ok();
    }
    let info = std::fs::read_to_string("/proc/meminfo").ok()?;
    let kib: u64 = info
        .lines()
        .find(|l| l.starts_with("MemTotal:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()?;
    Some(kib * 1024)
}

fn os_name() -> Option<String> {
    if cfg!(target_os = "macos") {
        let output = Command::new("sw_vers")
            .arg("-productVersion")
            .output()
            .ok()?;
        return Some(format!(
            "macOS {}",
            String::from_utf8_lossy(&output.stdout).trim()
        ));
    }
    let release = std::fs::read_to_string("/etc/os-release").ok()?;
    release
        .lines()
        .find_map(|l| l.strip_prefix("PRETTY_NAME="))
        .map(|v| v.trim_matches('"').to_string())
}

fn sysctl(key: &str) -> Option<String> {
    let output = Command::new("sysctl").args(["-n", key]).output().ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).trim().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_this_machine() {
        let machine = Machine::detect();
        assert!(machine.cores >= 1);
        assert_ne!(machine.cpu, "unknown", "CPU model should be readable here");
        assert!(machine.memory_bytes > 1 << 30, "{machine:?}");
        assert!(machine.slug().starts_with(std::env::consts::OS));
        assert!(!machine.slug().contains("--"), "{}", machine.slug());
    }
}

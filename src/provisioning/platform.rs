//! Which wheel platform tags fit the machine epbench runs on.

use super::ProvisioningError;

/// A platform for which ONNX Runtime publishes wheels with a C library epbench can load.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WheelPlatform {
    LinuxX86_64,
    LinuxAarch64,
    MacOsArm64,
}

impl WheelPlatform {
    /// The platform of the running process.
    pub fn host() -> Result<Self, ProvisioningError> {
        match (std::env::consts::OS, std::env::consts::ARCH) {
            ("linux", "x86_64") => Ok(Self::LinuxX86_64),
            ("linux", "aarch64") => Ok(Self::LinuxAarch64),
            ("macos", "aarch64") => Ok(Self::MacOsArm64),
            (os, arch) => Err(ProvisioningError::UnsupportedPlatform {
                platform: format!("{os}-{arch}"),
            }),
        }
    }

    /// Tags passed to `pip download --platform`, newest first. pip accepts a wheel matching any.
    pub fn pip_tags(self) -> &'static [&'static str] {
        match self {
            Self::LinuxX86_64 => &[
                "manylinux_2_28_x86_64",
                "manylinux_2_27_x86_64",
                "manylinux_2_17_x86_64",
                "manylinux2014_x86_64",
            ],
            Self::LinuxAarch64 => &[
                "manylinux_2_28_aarch64",
                "manylinux_2_27_aarch64",
                "manylinux_2_17_aarch64",
                "manylinux2014_aarch64",
            ],
            Self::MacOsArm64 => &[
                "macosx_15_0_arm64",
                "macosx_14_0_arm64",
                "macosx_13_0_arm64",
                "macosx_12_0_arm64",
                "macosx_11_0_arm64",
            ],
        }
    }

    /// A short name used in cache folder names.
    pub fn slug(self) -> &'static str {
        match self {
            Self::LinuxX86_64 => "linux-x86_64",
            Self::LinuxAarch64 => "linux-aarch64",
            Self::MacOsArm64 => "macos-arm64",
        }
    }

    /// Whether `file_name` (inside the wheel's `onnxruntime/capi/`) is the main ORT library,
    /// `libonnxruntime.so.<version>` on Linux and `libonnxruntime.<version>.dylib` on macOS.
    pub fn is_main_library(self, file_name: &str) -> bool {
        match self {
            Self::LinuxX86_64 | Self::LinuxAarch64 => file_name.starts_with("libonnxruntime.so."),
            Self::MacOsArm64 => {
                file_name.starts_with("libonnxruntime.") && file_name.ends_with(".dylib")
            }
        }
    }
}

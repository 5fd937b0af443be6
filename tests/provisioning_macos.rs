//! The Mac path, proven on any machine: the official macOS arm64 wheel of the default ONNX
//! Runtime is provisioned for that platform (not the host's), its library is checked against
//! the wheel's `RECORD` independently of the provisioning code, is a 64-bit arm64 Mach-O file,
//! and carries the CoreML EP: its provider option names are among the library's strings, which
//! the Linux library of the same release lacks. Nothing here loads the library.
//!
//! The first run downloads the macOS wheel from PyPI into the user's cache; later runs reuse it.

use std::collections::BTreeSet;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use base64::Engine;
use epbench::provisioning::{self, Cache, LibraryOrigin, OrtRequirement, WheelPlatform};
use sha2::{Digest, Sha256};

/// Option keys the CoreML EP parses (onnxruntime/core/providers/coreml/coreml_options.cc); a
/// library without the CoreML EP has no reason to contain them.
const COREML_OPTIONS: [&str; 5] = [
    "ModelFormat",
    "MLComputeUnits",
    "RequireStaticInputShapes",
    "EnableOnSubgraphs",
    "ModelCacheDirectory",
];

/// `MH_MAGIC_64` (mach-o/loader.h) as it appears on disk in a little-endian file.
const MACH_O_64_MAGIC: [u8; 4] = [0xcf, 0xfa, 0xed, 0xfe];
/// `CPU_TYPE_ARM64` (mach/machine.h): `CPU_TYPE_ARM | CPU_ARCH_ABI64`.
const CPU_TYPE_ARM64: u32 = 0x0100_000c;

fn macos_library() -> (Cache, provisioning::OrtLibrary) {
    let cache = Cache::from_env().expect("cache folder");
    let library = provisioning::ensure_ort_for(
        &OrtRequirement::default(),
        &cache,
        WheelPlatform::MacOsArm64,
    )
    .expect("provision the macOS arm64 wheel");
    (cache, library)
}

/// The cache entry holding `library` (the folder with `manifest.json` and `wheel/`).
fn entry_of(library: &Path) -> PathBuf {
    library
        .ancestors()
        .find(|p| p.join("manifest.json").is_file())
        .expect("the library lives in a cache entry")
        .to_path_buf()
}

fn kept_wheel(entry: &Path) -> PathBuf {
    fs::read_dir(entry.join("wheel"))
        .expect("the entry keeps its wheel")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| p.extension().is_some_and(|x| x == "whl"))
        .expect("a .whl file")
}

/// The sha256 (hex) that the wheel's `RECORD` lists for `member`, read straight from the zip.
fn record_sha256(wheel: &Path, member: &str) -> String {
    let mut archive = zip::ZipArchive::new(fs::File::open(wheel).unwrap()).unwrap();
    let record_name = archive
        .file_names()
        .filter_map(Result::ok)
        .find(|n| n.ends_with(".dist-info/RECORD"))
        .expect("RECORD")
        .into_owned();
    let mut record = String::new();
    archive
        .by_name(&record_name)
        .unwrap()
        .read_to_string(&mut record)
        .unwrap();
    let line = record
        .lines()
        .find(|l| l.starts_with(&format!("{member},")))
        .unwrap_or_else(|| panic!("{member} is not in RECORD"));
    let digest = line
        .split(',')
        .nth(1)
        .and_then(|h| h.strip_prefix("sha256="))
        .expect("a sha256 entry");
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(digest)
        .unwrap();
    raw.iter().map(|b| format!("{b:02x}")).collect()
}

/// Which of `needles` occur in `bytes`.
fn strings_in(bytes: &[u8], needles: &[&str]) -> BTreeSet<String> {
    let pattern = needles
        .iter()
        .map(|n| regex::escape(n))
        .collect::<Vec<_>>()
        .join("|");
    let regex = regex::bytes::Regex::new(&pattern).unwrap();
    regex
        .find_iter(bytes)
        .map(|m| String::from_utf8_lossy(m.as_bytes()).into_owned())
        .collect()
}

#[test]
fn macos_arm64_wheel_is_provisioned_for_that_platform_and_matches_its_record() {
    let (_, library) = macos_library();
    assert_eq!(
        library.origin,
        LibraryOrigin::Wheel {
            requirement: OrtRequirement::default()
        }
    );
    let version = OrtRequirement::default()
        .version()
        .expect("the default is a release")
        .to_string();
    let name = library.path.file_name().unwrap().to_string_lossy();
    assert_eq!(name, format!("libonnxruntime.{version}.dylib"));

    let entry = entry_of(&library.path);
    let wheel = kept_wheel(&entry);
    let wheel_name = wheel.file_name().unwrap().to_string_lossy().into_owned();
    assert!(
        wheel_name.contains("macosx_") && wheel_name.ends_with("_arm64.whl"),
        "{wheel_name}"
    );

    let member = format!("onnxruntime/capi/{name}");
    let bytes = fs::read(&library.path).unwrap();
    let sha256: String = Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(sha256, record_sha256(&wheel, &member), "{member}");
}

#[test]
fn macos_library_is_arm64_mach_o_with_the_coreml_ep() {
    let (cache, library) = macos_library();
    let bytes = fs::read(&library.path).unwrap();
    assert_eq!(bytes[..4], MACH_O_64_MAGIC, "not a 64-bit Mach-O file");
    let cpu_type = u32::from_le_bytes(bytes[4..8].try_into().unwrap());
    assert_eq!(cpu_type, CPU_TYPE_ARM64, "cputype {cpu_type:#x}");

    let found = strings_in(&bytes, &COREML_OPTIONS);
    let expected: BTreeSet<String> = COREML_OPTIONS.iter().map(|s| s.to_string()).collect();
    assert_eq!(found, expected, "CoreML EP options in the macOS library");

    // The contrast that makes the check mean something: the Linux library of the same release
    // (no CoreML EP) has none of them. Only on hosts that have a wheel for themselves.
    match WheelPlatform::host() {
        Ok(host) if host != WheelPlatform::MacOsArm64 => {
            let linux = provisioning::ensure_ort(&OrtRequirement::default(), &cache)
                .expect("provision the host's wheel");
            let linux_bytes = fs::read(&linux.path).unwrap();
            assert_eq!(
                strings_in(&linux_bytes, &COREML_OPTIONS),
                BTreeSet::new(),
                "{} should have no CoreML EP",
                linux.path.display()
            );
        }
        _ => println!("the host is the Mac itself (or has no wheel): no Linux library to contrast"),
    }
}

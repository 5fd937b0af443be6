//! Compiles the stand-in CoreML EP's loader library (`src/partitions/stand_in/shim.rs`): ONNX
//! Runtime loads plugin EPs only from a shared library, and epbench embeds this one and writes
//! it to its cache when it first needs it. Also digests the partition code for the cache key of
//! partitioning runs (`src/partitions/stand_in/cache.rs`).

use std::path::PathBuf;
use std::process::Command;

fn main() {
    compile_shim();
    digest_partitions();
}

/// A digest of the partition code (rules, grouping, graph reading) and the ONNX reader, keying
/// epbench's cache of partitioning runs: what the rules claimed in one pass shapes ORT's next.
fn digest_partitions() {
    use std::hash::{Hash, Hasher};
    let mut files = Vec::new();
    let mut stack = vec![PathBuf::from("src/partitions"), PathBuf::from("src/onnx")];
    while let Some(dir) = stack.pop() {
        println!("cargo::rerun-if-changed={}", dir.display());
        for entry in std::fs::read_dir(&dir)
            .expect("the digested sources are readable")
            .flatten()
        {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files.sort();
    let mut hasher = std::hash::DefaultHasher::new();
    for file in files {
        file.hash(&mut hasher);
        std::fs::read(&file)
            .expect("partition sources are readable")
            .hash(&mut hasher);
    }
    println!(
        "cargo::rustc-env=EPBENCH_PARTITIONS_DIGEST={:016x}",
        hasher.finish()
    );
}

fn compile_shim() {
    let source = "src/partitions/stand_in/shim.rs";
    println!("cargo::rerun-if-changed={source}");
    let out_dir = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let target = std::env::var("TARGET").expect("cargo sets TARGET");
    let output = out_dir.join("stand_in_shim");
    let mut command = Command::new(rustc);
    command
        .args([
            "--edition",
            "2024",
            "--crate-type",
            "cdylib",
            "--crate-name",
        ])
        .arg("epbench_stand_in")
        .args(["-C", "opt-level=2", "-C", "panic=abort", "--target"])
        .arg(&target)
        .arg("-o")
        .arg(&output)
        .arg(source);
    // The linker cargo resolved for the target (`target.<triple>.linker`), so that a cross
    // build links the library as it links epbench (scripts/cross-check-macos.sh sets zig's).
    println!("cargo::rerun-if-env-changed=RUSTC_LINKER");
    if let Ok(linker) = std::env::var("RUSTC_LINKER") {
        command.arg("-C").arg(format!("linker={linker}"));
    }
    let status = command
        .status()
        .expect("cannot run rustc for the stand-in EP library");
    assert!(status.success(), "compiling {source} failed");
}

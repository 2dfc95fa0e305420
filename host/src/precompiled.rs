//! A cache of components compiled for this machine, so a fresh process
//! answers without compiling again. Files are keyed by the component's hash
//! and the engine's compatibility hash (wasmtime version and settings), and
//! carry a checksum: a stale, truncated or corrupt file is never loaded —
//! it is ignored and written anew.

use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use wasmtime::Engine;
use wasmtime::component::Component;

/// Compiles `wasm` for `engine`, or loads it from `dir` when a valid
/// compiled file is there. The cache is best-effort: if it cannot be
/// written, the component is still returned.
pub(crate) fn load(
    engine: &Engine,
    wasm: &[u8],
    dir: Option<&Path>,
) -> wasmtime::Result<Component> {
    let Some(dir) = dir else {
        return Component::new(engine, wasm);
    };
    let path = cache_path(engine, wasm, dir);
    if let Some(component) = read_verified(engine, &path) {
        return Ok(component);
    }
    let compiled = engine.precompile_component(wasm)?;
    if let Err(error) = write_verified(&path, &compiled) {
        eprintln!(
            "warning: could not cache the compiled component at {}: {error}",
            path.display()
        );
    }
    // SAFETY: `compiled` was produced by `precompile_component` on this very engine.
    unsafe { Component::deserialize(engine, &compiled) }
}

/// Where the compiled form of `wasm` for `engine` is cached in `dir`.
fn cache_path(engine: &Engine, wasm: &[u8], dir: &Path) -> PathBuf {
    let mut engine_hash = DefaultHasher::new();
    engine
        .precompile_compatibility_hash()
        .hash(&mut engine_hash);
    let component_hash = Sha256::digest(wasm);
    let name = format!(
        "{}-{:016x}.cwasm",
        hex::encode(&component_hash[..16]),
        engine_hash.finish()
    );
    dir.join(name)
}

/// The cached component at `path`, if the file is there and its checksum
/// (the first 32 bytes: SHA-256 of the rest) holds.
fn read_verified(engine: &Engine, path: &Path) -> Option<Component> {
    let file = std::fs::read(path).ok()?;
    let (checksum, compiled) = file.split_at_checked(32)?;
    if Sha256::digest(compiled).as_slice() != checksum {
        return None;
    }
    // SAFETY: the checksum shows these are the bytes we wrote from
    // `precompile_component`, and the file name pins the engine they were
    // compiled for; wasmtime checks its version and settings again.
    unsafe { Component::deserialize(engine, compiled) }.ok()
}

/// Writes checksum and bytes atomically: readers never see a half-written
/// file.
fn write_verified(path: &Path, compiled: &[u8]) -> std::io::Result<()> {
    let mut file = Sha256::digest(compiled).to_vec();
    file.extend_from_slice(compiled);
    crate::files::write_atomically(path, &file)
}

#[cfg(test)]
mod tests {
    use super::*;
    use pi_digits_artifacts::PI_COMPONENT as EMBEDDED_COMPONENT;

    fn cached_file(dir: &Path) -> PathBuf {
        let mut files: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|entry| entry.unwrap().path())
            .collect();
        assert_eq!(files.len(), 1, "one cached file: {files:?}");
        files.pop().unwrap()
    }

    #[test]
    fn a_corrupt_or_truncated_file_is_ignored_and_rewritten() {
        let engine = Engine::default();
        let dir = tempfile::tempdir().unwrap();
        load(&engine, EMBEDDED_COMPONENT, Some(dir.path())).unwrap();
        let path = cached_file(dir.path());
        let good = std::fs::read(&path).unwrap();
        assert!(
            read_verified(&engine, &path).is_some(),
            "a fresh file is loaded"
        );

        let mut corrupt = good.clone();
        let middle = corrupt.len() / 2;
        corrupt[middle] ^= 0xff;
        for bad in [corrupt, good[..good.len() / 3].to_vec(), Vec::new()] {
            std::fs::write(&path, &bad).unwrap();
            assert!(
                read_verified(&engine, &path).is_none(),
                "a bad file is never loaded"
            );
            load(&engine, EMBEDDED_COMPONENT, Some(dir.path())).unwrap();
            assert_eq!(
                std::fs::read(cached_file(dir.path())).unwrap(),
                good,
                "and is rewritten"
            );
        }
    }

    #[test]
    fn files_are_keyed_by_component_and_engine() {
        let dir = Path::new("/cache");
        let engine = Engine::default();
        let mut config = wasmtime::Config::new();
        config.epoch_interruption(true);
        let other_engine = Engine::new(&config).unwrap();
        let path = cache_path(&engine, EMBEDDED_COMPONENT, dir);
        assert_eq!(path, cache_path(&engine, EMBEDDED_COMPONENT, dir));
        assert_ne!(path, cache_path(&engine, b"other bytes", dir));
        assert_ne!(path, cache_path(&other_engine, EMBEDDED_COMPONENT, dir));
    }
}

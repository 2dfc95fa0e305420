//! Builds the pi component for wasm32-wasip2 so the host can embed it: a
//! fresh `cargo run` then needs nothing else.

use std::env;
use std::path::PathBuf;
use std::process::Command;

fn main() {
    let manifest_dir = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").unwrap());
    let workspace = manifest_dir.parent().unwrap();
    for input in ["component", "wit", "Cargo.lock", ".cargo"] {
        println!("cargo:rerun-if-changed={}", workspace.join(input).display());
    }

    // A target directory of its own: the outer cargo holds the lock on ours.
    let target_dir = workspace.join("target").join("component");
    let cargo = env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = Command::new(cargo)
        .current_dir(workspace)
        .args(["build", "--release", "--locked", "--target", "wasm32-wasip2", "-p", "pi-digits"])
        .arg("--target-dir")
        .arg(&target_dir)
        // Flags meant for the host build must not reach the wasm build.
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .env_remove("CARGO_BUILD_TARGET")
        .status()
        .expect("cargo runs");
    assert!(
        status.success(),
        "building the pi component failed; is the target installed? (rustup target add wasm32-wasip2)"
    );

    let wasm = target_dir.join("wasm32-wasip2/release/pi_digits.wasm");
    println!("cargo:rustc-env=PI_DIGITS_WASM={}", wasm.display());
}

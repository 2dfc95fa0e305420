//! Builds the components the host embeds, so a fresh `cargo run` needs
//! nothing else: the pi component, and the HTTP app — the HTTP component
//! with the pi component plugged into its `pi:digits/pi` import.

use std::env;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use wac_graph::types::Package;
use wac_graph::{CompositionGraph, EncodeOptions};

fn main() {
    let manifest_dir = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").unwrap());
    let workspace = manifest_dir.parent().unwrap();
    for input in ["component", "http", "wit", "Cargo.lock", ".cargo"] {
        println!("cargo:rerun-if-changed={}", workspace.join(input).display());
    }

    // A target directory of its own: the outer cargo holds the lock on ours.
    let target_dir = workspace.join("target").join("component");
    let cargo = env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = Command::new(cargo)
        .current_dir(workspace)
        .args([
            "build",
            "--release",
            "--locked",
            "--target",
            "wasm32-wasip2",
        ])
        .args(["-p", "pi-digits", "-p", "pi-digits-http"])
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
        "building the components failed; is the target installed? (rustup target add wasm32-wasip2)"
    );

    let wasm_dir = target_dir.join("wasm32-wasip2/release");
    let pi = wasm_dir.join("pi_digits.wasm");
    let app = Path::new(&env::var_os("OUT_DIR").unwrap()).join("pi_digits_app.wasm");
    let web = read(&wasm_dir.join("pi_digits_http.wasm"));
    fs::write(&app, plug(&web, &read(&pi))).expect("writing the composed app");

    // For the tests: the same app on a pi component whose every call traps.
    let trapping = manifest_dir.join("tests/fixtures/trapping.wat");
    println!("cargo:rerun-if-changed={}", trapping.display());
    let trapping = wat::parse_file(&trapping).expect("the trapping component parses");
    let trapping_app = Path::new(&env::var_os("OUT_DIR").unwrap()).join("trapping_app.wasm");
    fs::write(&trapping_app, plug(&web, &trapping)).expect("writing the trapping app");
    println!(
        "cargo:rustc-env=PI_DIGITS_TRAPPING_APP_WASM={}",
        trapping_app.display()
    );
    println!("cargo:rustc-env=PI_DIGITS_WASM={}", pi.display());
    println!("cargo:rustc-env=PI_DIGITS_APP_WASM={}", app.display());
}

fn read(path: &Path) -> Vec<u8> {
    fs::read(path).unwrap_or_else(|error| panic!("reading {}: {error}", path.display()))
}

/// Plugs the pi component into the HTTP component's import, as `wac plug`.
fn plug(socket: &[u8], plug: &[u8]) -> Vec<u8> {
    let mut graph = CompositionGraph::new();
    let socket = Package::from_bytes("pi-digits:http", None, socket.to_vec(), graph.types_mut())
        .expect("the HTTP component parses");
    let socket = graph
        .register_package(socket)
        .expect("registering the HTTP component");
    let plug = Package::from_bytes("pi:digits", None, plug.to_vec(), graph.types_mut())
        .expect("the pi component parses");
    let plug = graph
        .register_package(plug)
        .expect("registering the pi component");
    wac_graph::plug(&mut graph, vec![plug], socket).expect("the pi component satisfies the import");
    graph
        .encode(EncodeOptions::default())
        .expect("encoding the composition")
}

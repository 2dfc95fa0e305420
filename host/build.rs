//! Builds the components the host embeds, so a fresh `cargo run` needs
//! nothing else: the pi component; its transpile to JavaScript, which the
//! HTTP component serves to browsers; and the HTTP app — the HTTP component
//! with the pi component plugged into its `pi:digits/pi` import.

use std::env;
use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use flate2::Compression;
use flate2::write::GzEncoder;
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
    let wasm_dir = target_dir.join("wasm32-wasip2/release");
    build_wasm(workspace, &target_dir, "pi-digits", &[]);
    let pi = wasm_dir.join("pi_digits.wasm");

    // The HTTP component serves the pi component transpiled to JavaScript,
    // for the page's in-browser mode, so the transpile comes first.
    let browser_dir = target_dir.join("browser");
    transpile_for_browser(&read(&pi), &browser_dir);
    build_wasm(
        workspace,
        &target_dir,
        "pi-digits-http",
        &[("PI_DIGITS_BROWSER_DIR", &browser_dir)],
    );

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

/// `cargo build --release --target wasm32-wasip2 -p <package>`.
fn build_wasm(workspace: &Path, target_dir: &Path, package: &str, envs: &[(&str, &Path)]) {
    let cargo = env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = Command::new(cargo)
        .current_dir(workspace)
        .args([
            "build",
            "--release",
            "--locked",
            "--target",
            "wasm32-wasip2",
            "-p",
            package,
        ])
        .arg("--target-dir")
        .arg(target_dir)
        .envs(envs.iter().copied())
        // Flags meant for the host build must not reach the wasm build.
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .env_remove("CARGO_BUILD_TARGET")
        .status()
        .expect("cargo runs");
    assert!(
        status.success(),
        "building {package} failed; is the target installed? (rustup target add wasm32-wasip2)"
    );
}

/// Transpiles the pi component to an ES module with jco's code generator:
/// `pi_digits.js` and the core wasm it loads. Its WASI imports (pulled in
/// by Rust's std, never called by the math) map to `wasi.js`, the page's
/// small browser shim, instead of preview2-shim: the server build then
/// needs no npm packages.
fn transpile_for_browser(component: &[u8], out_dir: &Path) {
    let map = ["wasi:cli/*", "wasi:io/*"]
        .into_iter()
        .map(|import| (import.to_string(), "./wasi.js#*".to_string()))
        .collect();
    let opts = js_component_bindgen::TranspileOpts::builder()
        .name("pi_digits".to_string())
        .no_typescript(true)
        .map(map)
        // As the jco CLI: inline the tiny adapter modules, one fewer fetch each.
        .base64_cutoff(5000)
        .build();
    let transpiled =
        js_component_bindgen::transpile(component, opts).expect("transpiling the pi component");
    let mut names: Vec<&str> = transpiled.files.iter().map(|(name, _)| &**name).collect();
    names.sort_unstable();
    // http/src/browser.rs embeds exactly these files, and their gzip.
    assert_eq!(
        names,
        ["pi_digits.core.wasm", "pi_digits.js"],
        "jco's output changed: update http/src/browser.rs"
    );
    fs::create_dir_all(out_dir).expect("creating the browser directory");
    for (name, bytes) in &transpiled.files {
        let mut gzip = GzEncoder::new(Vec::new(), Compression::best());
        gzip.write_all(bytes).expect("compressing in memory");
        let gzip = gzip.finish().expect("compressing in memory");
        write_if_changed(&out_dir.join(name), bytes);
        write_if_changed(&out_dir.join(format!("{name}.gz")), &gzip);
    }
}

/// Unchanged files keep their time stamps: no needless HTTP rebuild.
fn write_if_changed(path: &Path, bytes: &[u8]) {
    if fs::read(path).ok().as_deref() != Some(bytes) {
        fs::write(path, bytes)
            .unwrap_or_else(|error| panic!("writing {}: {error}", path.display()));
    }
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

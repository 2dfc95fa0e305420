//! Builds the wasm artifacts, each once: the pi component; its transpile
//! to JavaScript, which the HTTP component serves to browsers; the HTTP
//! component; and the HTTP app composed of the two. They go where a plain
//! `cargo build --release --target wasm32-wasip2 -p <package>` writes them,
//! so every user of a file (README, spin.toml, Python, host) shares it.

use std::env;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

const TARGET: &str = "wasm32-wasip2";

fn main() {
    let manifest_dir = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").unwrap());
    let workspace = manifest_dir.parent().unwrap();
    // Where a plain cargo command in the workspace puts its builds.
    println!("cargo:rerun-if-env-changed=CARGO_TARGET_DIR");
    let target_dir = env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace.join("target"));
    let wasm_dir = target_dir.join(TARGET).join("release");
    // What every nested build reads besides its sources.
    for input in ["Cargo.lock", "Cargo.toml", ".cargo/config.toml"] {
        println!("cargo:rerun-if-changed={}", workspace.join(input).display());
    }

    // The component's build script reads it (component/build.rs).
    println!("cargo:rerun-if-env-changed=PI_DIGITS_SNAPSHOT_DIGITS");
    build_wasm(workspace, &target_dir, "release", "pi-digits", &[]);
    let pi = wasm_dir.join("pi_digits.wasm");
    rerun_if_inputs_change(&wasm_dir.join("pi_digits.d"));
    println!("cargo:rustc-env=PI_DIGITS_WASM={}", pi.display());
    #[cfg(feature = "http")]
    http::build(workspace, &target_dir, &wasm_dir, &pi);
}

#[cfg(feature = "http")]
mod http {
    use std::fs;
    use std::io::Write as _;
    use std::path::Path;

    use flate2::Compression;
    use flate2::write::GzEncoder;

    use super::{TARGET, build_wasm, read, rerun_if_inputs_change, write_if_changed};

    /// The snapshot of the pi component the page runs in the browser, unless
    /// `PI_DIGITS_BROWSER_SNAPSHOT_DIGITS` says otherwise: every visitor
    /// downloads it, so it holds a tenth of the server's million (50 KB).
    const BROWSER_SNAPSHOT_DIGITS: &str = "100000";

    /// Builds the HTTP component around the browser files, and the app.
    pub(super) fn build(workspace: &Path, target_dir: &Path, wasm_dir: &Path, pi: &Path) {
        // The HTTP component serves the pi component transpiled to JavaScript,
        // for the page's in-browser mode, so the transpile comes first. It is
        // a build of its own (the `browser` profile), with a smaller snapshot.
        println!("cargo:rerun-if-env-changed=PI_DIGITS_BROWSER_SNAPSHOT_DIGITS");
        let snapshot = std::env::var("PI_DIGITS_BROWSER_SNAPSHOT_DIGITS")
            .unwrap_or_else(|_| BROWSER_SNAPSHOT_DIGITS.to_owned());
        build_wasm(
            workspace,
            target_dir,
            "browser",
            "pi-digits",
            &[("PI_DIGITS_SNAPSHOT_DIGITS", snapshot.as_ref())],
        );
        let browser_wasm_dir = target_dir.join(TARGET).join("browser");
        rerun_if_inputs_change(&browser_wasm_dir.join("pi_digits.d"));
        let browser_dir = wasm_dir.join("browser");
        transpile_for_browser(
            &read(&browser_wasm_dir.join("pi_digits.wasm")),
            &browser_dir,
        );
        build_wasm(
            workspace,
            target_dir,
            "release",
            "pi-digits-http",
            &[("PI_DIGITS_BROWSER_DIR", browser_dir.as_ref())],
        );
        let http = wasm_dir.join("pi_digits_http.wasm");
        rerun_if_inputs_change(&wasm_dir.join("pi_digits_http.d"));

        let app = wasm_dir.join("pi_digits_app.wasm");
        let composed = pi_digits_compose::plug(&read(&http), &read(pi))
            .expect("the pi component plugs into the HTTP component");
        write_if_changed(&app, &composed);
        println!("cargo:rustc-env=PI_DIGITS_HTTP_WASM={}", http.display());
        println!("cargo:rustc-env=PI_DIGITS_APP_WASM={}", app.display());
    }

    /// Transpiles the pi component to an ES module with jco's code generator:
    /// `pi_digits.js` and the core wasm it loads, each with its gzip. The
    /// component imports nothing, so the module needs no WASI shim and the
    /// build no npm packages.
    fn transpile_for_browser(component: &[u8], out_dir: &Path) {
        let opts = js_component_bindgen::TranspileOpts::builder()
            .name("pi_digits".to_string())
            .no_typescript(true)
            // As the jco CLI: inline the tiny adapter modules, one fewer fetch each.
            .base64_cutoff(5000)
            .build();
        let transpiled =
            js_component_bindgen::transpile(component, opts).expect("transpiling the pi component");
        let mut names: Vec<&str> = transpiled.files.iter().map(|(name, _)| &**name).collect();
        names.sort_unstable();
        // http/src/lib.rs embeds exactly these files, and their gzip.
        assert_eq!(
            names,
            ["pi_digits.core.wasm", "pi_digits.js"],
            "jco's output changed: update http/src/lib.rs"
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
}

/// `cargo build --profile <profile> --target wasm32-wasip2 -p <package>`.
fn build_wasm(
    workspace: &Path,
    target_dir: &Path,
    profile: &str,
    package: &str,
    envs: &[(&str, &std::ffi::OsStr)],
) {
    let cargo = env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = Command::new(cargo)
        .current_dir(workspace)
        .args([
            "build",
            "--profile",
            profile,
            "--locked",
            "--target",
            TARGET,
            "-p",
            package,
        ])
        .arg("--target-dir")
        .arg(target_dir)
        .envs(envs.iter().copied())
        // Flags meant for the outer build must not reach the wasm build,
        // or it would differ from a plain one and rebuild every time.
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .env_remove("CARGO_BUILD_TARGET")
        .status()
        .expect("cargo runs");
    assert!(
        status.success(),
        "building {package} failed; is the target installed? (rustup target add {TARGET})"
    );
}

/// Reruns this script when a file the nested build read changes: the
/// inputs its dep-info lists (sources, WIT files, embedded assets).
fn rerun_if_inputs_change(dep_info: &Path) {
    let text = read_to_string(dep_info);
    let (_, inputs) = text
        .split_once(": ")
        .unwrap_or_else(|| panic!("{} is not a dep-info file", dep_info.display()));
    let inputs = inputs.lines().next().unwrap_or_default();
    // Paths are separated by spaces; a space inside a path is `\ `.
    let mut path = String::new();
    let mut chars = inputs.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&' ') => path.push(chars.next().unwrap()),
            ' ' => emit_rerun(&mut path),
            _ => path.push(c),
        }
    }
    emit_rerun(&mut path);
}

fn emit_rerun(path: &mut String) {
    if !path.is_empty() {
        println!("cargo:rerun-if-changed={path}");
        path.clear();
    }
}

/// Unchanged files keep their time stamps: no needless rebuild of what
/// embeds them.
#[cfg(feature = "http")]
fn write_if_changed(path: &Path, bytes: &[u8]) {
    if fs::read(path).ok().as_deref() != Some(bytes) {
        fs::write(path, bytes)
            .unwrap_or_else(|error| panic!("writing {}: {error}", path.display()));
    }
}

#[cfg(feature = "http")]
fn read(path: &Path) -> Vec<u8> {
    fs::read(path).unwrap_or_else(|error| panic!("reading {}: {error}", path.display()))
}

fn read_to_string(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|error| panic!("reading {}: {error}", path.display()))
}

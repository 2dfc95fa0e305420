//! The peers: the programs other than the component that compute the same
//! digits, and the component as measured (without its snapshot). The Rust
//! peers (`bench/peers/native-pi`, `bench/peers/dashu-pi`) are built here; the Python peers (`bench/peers/*.py`) are run from the
//! source tree. [`Peers::command`] says how to run each implementation.

use std::path::PathBuf;
use std::process::Command;

use anyhow::Context;

use crate::implementation::Implementation;
use crate::settings::Settings;
use crate::workspace_root;

/// Where the peers' programs are.
pub struct Peers {
    /// The pi component built without its snapshot.
    component: PathBuf,
    /// The native peer, built in release.
    native: PathBuf,
    /// The same program built for wasm32-wasip2.
    math_wasm: PathBuf,
    /// The dashu peer, built for wasm32-wasip2.
    dashu: PathBuf,
    /// The mpmath+gmpy2 script.
    mpmath: PathBuf,
    /// The spigot script.
    spigot: PathBuf,
}

/// A cargo in the workspace root without the variables that a `cargo run`
/// of the bench may have set for the workspace's own build (flags, target,
/// target directory): the peers are built the same however the bench was
/// started.
pub(crate) fn cargo() -> Command {
    let mut command = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    command
        .current_dir(workspace_root())
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .env_remove("CARGO_BUILD_TARGET")
        .env_remove("CARGO_TARGET_DIR");
    command
}

impl Peers {
    /// Builds the Rust peers that `implementations` need (release) into
    /// target/peers, their own target directory: they are not workspace
    /// members and have their own lock files. The pi component is built
    /// there too, without its snapshot.
    pub fn build(implementations: &[Implementation]) -> anyhow::Result<Peers> {
        let root = workspace_root();
        let target = root.join("target").join("peers");
        if implementations.contains(&Implementation::Native) {
            eprintln!("building the native peer (bench/peers/native-pi) ...");
            let status = cargo()
                .args([
                    "build",
                    "--release",
                    "--manifest-path",
                    "bench/peers/native-pi/Cargo.toml",
                ])
                .arg("--target-dir")
                .arg(&target)
                .status()
                .context("running cargo")?;
            anyhow::ensure!(status.success(), "building bench/peers/native-pi failed");
        }
        if implementations.contains(&Implementation::MathWasm) {
            eprintln!("building the native peer for wasm32-wasip2 (bench/peers/native-pi) ...");
            let status = cargo()
                .args(["build", "--release", "--target", "wasm32-wasip2"])
                .args(["--manifest-path", "bench/peers/native-pi/Cargo.toml"])
                .arg("--target-dir")
                .arg(&target)
                .status()
                .context("running cargo")?;
            anyhow::ensure!(
                status.success(),
                "building bench/peers/native-pi for wasm failed"
            );
        }
        if implementations.contains(&Implementation::Dashu) {
            eprintln!("building the dashu peer (bench/peers/dashu-pi, wasm32-wasip2) ...");
            let status = cargo()
                .args([
                    "build",
                    "--release",
                    "--locked",
                    "--target",
                    "wasm32-wasip2",
                ])
                .args(["--manifest-path", "bench/peers/dashu-pi/Cargo.toml"])
                .arg("--target-dir")
                .arg(&target)
                .status()
                .context("running cargo")?;
            anyhow::ensure!(status.success(), "building bench/peers/dashu-pi failed");
        }
        if implementations.contains(&Implementation::Component) {
            // The embedded component answers up to 1,000,000 digits from its
            // snapshot: the one measured computes every size.
            eprintln!(
                "building the pi component without its snapshot (PI_DIGITS_SNAPSHOT_DIGITS=0) ..."
            );
            let status = cargo()
                .args([
                    "build",
                    "--release",
                    "--locked",
                    "--target",
                    "wasm32-wasip2",
                    "-p",
                    "pi-digits",
                ])
                .env("PI_DIGITS_SNAPSHOT_DIGITS", "0")
                .arg("--target-dir")
                .arg(&target)
                .status()
                .context("running cargo")?;
            anyhow::ensure!(
                status.success(),
                "building the pi component without its snapshot failed"
            );
        }
        let scripts = root.join("bench").join("peers");
        Ok(Peers {
            component: target.join("wasm32-wasip2/release/pi_digits.wasm"),
            native: target.join("release").join("native-pi"),
            math_wasm: target.join("wasm32-wasip2/release/native-pi.wasm"),
            dashu: target.join("wasm32-wasip2/release/dashu-pi.wasm"),
            mpmath: scripts.join("mpmath_pi.py"),
            spigot: scripts.join("spigot_pi.py"),
        })
    }

    /// The command that computes `n` digits with `implementation`, speaking
    /// the [`protocol`](crate::protocol).
    pub fn command(
        &self,
        implementation: Implementation,
        n: u64,
        settings: &Settings,
    ) -> anyhow::Result<Command> {
        let mut command;
        match implementation {
            Implementation::Component => {
                // This binary's hidden `component` subcommand.
                command = Command::new(std::env::current_exe()?);
                command.args(["component", &n.to_string(), "--file"]);
                command.arg(&self.component);
            }
            Implementation::Native => {
                command = Command::new(&self.native);
                command.arg(n.to_string());
            }
            Implementation::MathWasm => {
                command = Command::new(&settings.wasmtime);
                command.arg("run").arg(&self.math_wasm).arg(n.to_string());
            }
            Implementation::Dashu => {
                command = Command::new(&settings.wasmtime);
                command.arg("run").arg(&self.dashu).arg(n.to_string());
            }
            Implementation::Gmp => {
                command = Command::new(&settings.python);
                command.arg(&self.mpmath).arg(n.to_string());
            }
            Implementation::Spigot => {
                command = Command::new(&settings.python);
                command.arg(&self.spigot).arg(n.to_string());
            }
        }
        Ok(command)
    }
}

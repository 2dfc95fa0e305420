"""Build hook: puts the pi component into the package when it is built from
a checkout, so `pip install ./python` needs no manual step.

The component is a build product, not a source file. In the pi-digits
workspace the hook builds it with cargo (the wasm32-wasip2 target must be
installed: `rustup target add wasm32-wasip2`; an up-to-date build takes a
moment) and copies it in, so the package never carries a stale one. An
sdist, built elsewhere, already carries the file.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class ComponentBuildHook(BuildHookInterface):
    PLUGIN_NAME = "pi-digits-component"

    def initialize(self, version: str, build_data: dict) -> None:
        wasm = Path(self.root) / "pi_digits" / "pi_digits.wasm"
        workspace = Path(self.root).parent
        if not (workspace / "component" / "Cargo.toml").is_file():
            if wasm.is_file():
                return
            raise RuntimeError(
                f"{wasm} is missing and this is not a pi-digits checkout to build it in"
            )
        # An explicit target directory: CARGO_TARGET_DIR may point elsewhere.
        target_dir = workspace / "target"
        command = [
            "cargo", "build", "--release", "--locked",
            "--target", "wasm32-wasip2", "-p", "pi-digits",
            "--target-dir", str(target_dir),
        ]
        self.app.display_info(f"building the pi component: {' '.join(command)}")
        try:
            subprocess.run(command, cwd=workspace, check=True)
        except (OSError, subprocess.CalledProcessError) as error:
            raise RuntimeError(
                "building the pi component failed; install Rust and the target "
                "(rustup target add wasm32-wasip2), or copy a built "
                f"pi_digits.wasm to {wasm}"
            ) from error
        shutil.copyfile(target_dir / "wasm32-wasip2/release/pi_digits.wasm", wasm)

//! The Pi Day page in headless Chromium (tests/browser/page.test.mjs,
//! playwright-core), served by the host's `serve`.

use std::process::Command;

use pi_digits_testkit::{SERVING, Server, run, stderr};

#[test]
fn the_page_shows_the_reference_histogram_and_tiles() {
    let mut serve = Command::new(env!("CARGO_BIN_EXE_pi-digits"));
    serve.args(["serve", "--addr", "127.0.0.1:0"]);
    let server = Server::start(serve, SERVING);

    let workspace = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    // node, playwright-core and chromium: scripts/test.sh installs them.
    let output = run(Command::new("node")
        .arg("tests/browser/page.test.mjs")
        .env("PI_DIGITS_URL", &server.base_url)
        .current_dir(workspace));
    assert!(
        output.status.success(),
        "the browser test failed:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        stderr(&output)
    );
}

//! The Pi Day page in headless Chromium (tests/browser/page.test.mjs,
//! playwright-core), served by the host's `serve`.

use std::process::Command;

use pi_digits_testkit::{Server, free_loopback_addr};

#[test]
fn the_page_shows_the_reference_histogram_and_tiles() {
    let addr = free_loopback_addr();
    let mut serve = Command::new(env!("CARGO_BIN_EXE_pi-digits"));
    serve.args(["serve", "--addr", &addr.to_string()]);
    let server = Server::start(serve, addr);

    let workspace = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    let status = Command::new("node")
        .arg("tests/browser/page.test.mjs")
        .env("PI_DIGITS_URL", &server.base_url)
        .current_dir(workspace)
        .status()
        .expect("node runs (scripts/test.sh installs playwright-core and chromium)");
    assert!(status.success(), "the browser test failed");
}

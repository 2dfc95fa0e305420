//! The files of the page's in-browser mode, served under `/browser/`: a
//! module Web Worker that runs the pi component off the page's main thread.
//! `worker.js` and `wasi.js` are ours; the component transpiled to an ES
//! module (`pi_digits.js`) and the core wasm it loads are written by the
//! host's build (host/build.rs, with jco's code generator) into the folder
//! named by `PI_DIGITS_BROWSER_DIR` when it builds this component.

/// A file under `/browser/`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct File {
    /// Its `Content-Type`.
    pub content_type: &'static str,
    /// Its bytes.
    pub body: &'static [u8],
    /// The same, gzip-compressed by the build, for the large files.
    pub gzip: Option<&'static [u8]>,
}

const JAVASCRIPT: &str = "text/javascript; charset=utf-8";

/// The file called `name` (the path after `/browser/`), if there is one.
pub fn file(name: &str) -> Option<File> {
    match name {
        "worker.js" => Some(File {
            content_type: JAVASCRIPT,
            body: include_bytes!("../assets/browser/worker.js"),
            gzip: None,
        }),
        "wasi.js" => Some(File {
            content_type: JAVASCRIPT,
            body: include_bytes!("../assets/browser/wasi.js"),
            gzip: None,
        }),
        _ => transpiled(name),
    }
}

// Without PI_DIGITS_BROWSER_DIR, build the HTTP component through the host
// (`cargo build -p pi-digits-host`): it transpiles the pi component first.
#[cfg(target_family = "wasm")]
fn transpiled(name: &str) -> Option<File> {
    match name {
        "pi_digits.js" => Some(File {
            content_type: JAVASCRIPT,
            body: include_bytes!(concat!(env!("PI_DIGITS_BROWSER_DIR"), "/pi_digits.js")),
            gzip: Some(include_bytes!(concat!(
                env!("PI_DIGITS_BROWSER_DIR"),
                "/pi_digits.js.gz"
            ))),
        }),
        // `application/wasm` lets the browser compile while it downloads.
        "pi_digits.core.wasm" => Some(File {
            content_type: "application/wasm",
            body: include_bytes!(concat!(
                env!("PI_DIGITS_BROWSER_DIR"),
                "/pi_digits.core.wasm"
            )),
            gzip: Some(include_bytes!(concat!(
                env!("PI_DIGITS_BROWSER_DIR"),
                "/pi_digits.core.wasm.gz"
            ))),
        }),
        _ => None,
    }
}

/// Native builds (the API's tests) have no transpiled component.
#[cfg(not(target_family = "wasm"))]
fn transpiled(_name: &str) -> Option<File> {
    None
}

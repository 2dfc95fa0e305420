//! The files of the page's in-browser mode, served under `/browser/`: a
//! module Web Worker that runs the pi component off the page's main thread.
//! `worker.js` is ours; the component transpiled to an ES
//! module (`pi_digits.js`) and the core wasm it loads are build products
//! (`artifacts/`, with jco's code generator), which the HTTP component
//! embeds and hands to [`file`] as [`Transpiled`] files.

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

/// `Content-Type` of JavaScript modules.
pub const JAVASCRIPT: &str = "text/javascript; charset=utf-8";

/// `Content-Type` of wasm: it lets the browser compile while it downloads.
pub const WASM: &str = "application/wasm";

/// The build's files under `/browser/`, by name: the pi component
/// transpiled by jco. Empty where there are none (native tests).
pub type Transpiled<'a> = &'a [(&'a str, File)];

/// The file called `name` (the path after `/browser/`), if there is one.
pub fn file(name: &str, transpiled: Transpiled) -> Option<File> {
    match name {
        "worker.js" => Some(File {
            content_type: JAVASCRIPT,
            body: include_bytes!("../assets/browser/worker.js"),
            gzip: None,
        }),
        _ => transpiled
            .iter()
            .find(|(file_name, _)| *file_name == name)
            .map(|(_, file)| *file),
    }
}

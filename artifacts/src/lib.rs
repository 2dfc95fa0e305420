//! The wasm artifacts of pi-digits, built by this crate's build script
//! with `cargo build --release --target wasm32-wasip2` into the workspace's
//! target directory — the same files `cargo build --release --target
//! wasm32-wasip2 -p pi-digits` writes, which the README, `spin.toml` and
//! the Python package use — and embedded here for the host. Without the
//! `http` feature, only the pi component is built.

/// The pi component (`pi:digits/pi`, world `calculator`).
pub const PI_COMPONENT: &[u8] = include_bytes!(env!("PI_DIGITS_WASM"));

/// The HTTP component (`wasi:http/proxy`), importing `pi:digits/pi`; it
/// embeds the pi component transpiled for browsers.
#[cfg(feature = "http")]
pub const HTTP_COMPONENT: &[u8] = include_bytes!(env!("PI_DIGITS_HTTP_WASM"));

/// The HTTP app: the HTTP component with the pi component plugged in, a
/// self-contained `wasi:http/proxy` component.
#[cfg(feature = "http")]
pub const APP: &[u8] = include_bytes!(env!("PI_DIGITS_APP_WASM"));

/// Where the build wrote the pi component.
pub const PI_COMPONENT_PATH: &str = env!("PI_DIGITS_WASM");

/// Where the build wrote the HTTP component.
#[cfg(feature = "http")]
pub const HTTP_COMPONENT_PATH: &str = env!("PI_DIGITS_HTTP_WASM");

/// Where the build wrote the HTTP app.
#[cfg(feature = "http")]
pub const APP_PATH: &str = env!("PI_DIGITS_APP_WASM");

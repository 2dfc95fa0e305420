//! Composes the HTTP app: the HTTP component with a pi component plugged
//! into its `pi:digits/pi` import, as `wac plug` does. The build
//! (`artifacts/`) composes the built-in app with it, and the host composes
//! an app around another pi component (`pi-digits serve --component`).

use thiserror::Error;
use wac_graph::types::Package;
use wac_graph::{CompositionGraph, EncodeOptions};

/// The import of the HTTP component that a pi component fills.
pub const PI_IMPORT: &str = "pi:digits/pi@0.2.0";

/// Why the two components could not be composed.
#[derive(Debug, Error)]
pub enum ComposeError {
    /// The HTTP component is not a component that wac can read.
    #[error("the HTTP component cannot be read")]
    Http(#[source] anyhow::Error),
    /// The pi component is not a pi component that fits the import.
    #[error("the component cannot be plugged into the HTTP component's {PI_IMPORT} import")]
    Plug(#[source] anyhow::Error),
}

/// The HTTP app: `http` with `pi` plugged into its [`PI_IMPORT`] import.
pub fn plug(http: &[u8], pi: &[u8]) -> Result<Vec<u8>, ComposeError> {
    let plug_error = |error: anyhow::Error| ComposeError::Plug(error);
    let mut graph = CompositionGraph::new();
    let socket = Package::from_bytes("pi-digits:http", None, http.to_vec(), graph.types_mut())
        .map_err(ComposeError::Http)?;
    let socket = graph
        .register_package(socket)
        .map_err(|error| ComposeError::Http(error.into()))?;
    let plug = Package::from_bytes("pi:digits", None, pi.to_vec(), graph.types_mut())
        .map_err(plug_error)?;
    let plug = graph
        .register_package(plug)
        .map_err(|error| plug_error(error.into()))?;
    wac_graph::plug(&mut graph, vec![plug], socket).map_err(|error| plug_error(error.into()))?;
    graph
        .encode(EncodeOptions::default())
        .map_err(|error| plug_error(error.into()))
}

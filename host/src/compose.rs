//! Builds the HTTP app around another pi component: the HTTP component
//! from the built-in app, with the given component plugged into its
//! `pi:digits/pi` import (as `wac plug` does), so `pi-digits serve
//! --component …` serves that component.

use thiserror::Error;
use wac_graph::types::Package;
use wac_graph::{CompositionGraph, EncodeOptions};
use wasmparser::{Parser, Payload};

use crate::serve::EMBEDDED_APP;

/// The import of the HTTP component that a pi component fills.
pub const PI_IMPORT: &str = "pi:digits/pi@0.1.0";

/// Why no app could be built.
#[derive(Debug, Error)]
pub enum ComposeError {
    /// The built-in app holds no component importing [`PI_IMPORT`].
    #[error("the built-in app holds no HTTP component importing {PI_IMPORT}")]
    NoHttpComponent,
    /// The component is not a pi component that fits the import.
    #[error("the component cannot be plugged into the HTTP component's {PI_IMPORT} import")]
    Plug(#[source] anyhow::Error),
}

/// The built-in HTTP app with `pi` in place of the built-in pi component.
pub fn app_with_component(pi: &[u8]) -> Result<Vec<u8>, ComposeError> {
    let http = http_component(EMBEDDED_APP)?;
    let plug_error = |error: anyhow::Error| ComposeError::Plug(error);
    let mut graph = CompositionGraph::new();
    let socket = Package::from_bytes("pi-digits:http", None, http.to_vec(), graph.types_mut())
        .map_err(plug_error)?;
    let socket = graph
        .register_package(socket)
        .map_err(|error| plug_error(error.into()))?;
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

/// The component nested in `app` that imports [`PI_IMPORT`]: the HTTP
/// component, whose bytes the composition embeds unchanged.
fn http_component(app: &[u8]) -> Result<&[u8], ComposeError> {
    let mut types = wac_graph::types::Types::default();
    nested_components(app)
        .into_iter()
        .find(|nested| {
            Package::from_bytes("nested", None, nested.to_vec(), &mut types)
                .is_ok_and(|package| types[package.ty()].imports.contains_key(PI_IMPORT))
        })
        .ok_or(ComposeError::NoHttpComponent)
}

/// The components nested directly in the component `wasm`.
fn nested_components(wasm: &[u8]) -> Vec<&[u8]> {
    let mut nested = Vec::new();
    let mut depth = 0usize;
    for payload in Parser::new(0).parse_all(wasm) {
        let Ok(payload) = payload else {
            break;
        };
        match payload {
            Payload::Version { .. } => depth += 1,
            Payload::End(_) => depth = depth.saturating_sub(1),
            Payload::ComponentSection {
                unchecked_range, ..
            } if depth == 1 => nested.push(&wasm[unchecked_range]),
            _ => {}
        }
    }
    nested
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::EMBEDDED_COMPONENT;

    #[test]
    fn the_built_in_app_is_rebuilt_from_its_parts() {
        let http = http_component(EMBEDDED_APP).unwrap();
        assert!(http.len() < EMBEDDED_APP.len());
        let app = app_with_component(EMBEDDED_COMPONENT).unwrap();
        assert_eq!(
            nested_components(&app),
            nested_components(EMBEDDED_APP),
            "the same two components"
        );
    }

    #[test]
    fn a_component_without_the_export_is_refused() {
        let http = http_component(EMBEDDED_APP).unwrap();
        assert!(matches!(
            app_with_component(http),
            Err(ComposeError::Plug(_))
        ));
        assert!(matches!(
            app_with_component(b"not wasm"),
            Err(ComposeError::Plug(_))
        ));
    }
}

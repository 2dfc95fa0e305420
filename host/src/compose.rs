//! Builds the HTTP app around another pi component: the built-in HTTP
//! component with the given component plugged into its `pi:digits/pi`
//! import, so `pi-digits serve --component …` serves that component.

pub use pi_digits_compose::{ComposeError, PI_IMPORT};

/// The built-in HTTP component with `pi` plugged in.
pub fn app_with_component(pi: &[u8]) -> Result<Vec<u8>, ComposeError> {
    pi_digits_compose::plug(pi_digits_artifacts::HTTP_COMPONENT, pi)
}

#[cfg(test)]
mod tests {
    use super::*;
    use pi_digits_artifacts::{APP, HTTP_COMPONENT, PI_COMPONENT};

    #[test]
    fn the_built_in_app_is_rebuilt_from_its_parts() {
        assert!(app_with_component(PI_COMPONENT).unwrap() == APP);
    }

    #[test]
    fn a_component_without_the_export_is_refused() {
        assert!(matches!(
            app_with_component(HTTP_COMPONENT),
            Err(ComposeError::Plug(_))
        ));
        assert!(matches!(
            app_with_component(b"not wasm"),
            Err(ComposeError::Plug(_))
        ));
    }
}

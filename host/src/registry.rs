//! OCI registries from the command line: loading a `--component`,
//! pulling and publishing artifacts.

use std::path::Path;

use anyhow::Context as _;
use pi_digits_host::Options;
use pi_digits_host::oci::{self, ComponentSource, OciReference, Registry, RegistryOptions};
use serde_json::json;
use thousands::Separable as _;

use crate::args::Cli;

/// Registry settings from the command line and the environment; pulled
/// artifacts are cached in `oci/` under the cache directory. A CA file
/// that cannot be used is an error here, whatever the command: a
/// misconfiguration shows at once, not at the first pull.
pub fn registry(cli: &Cli, options: &Options) -> anyhow::Result<Registry> {
    let credentials = std::env::var("PI_DIGITS_REGISTRY_USERNAME")
        .ok()
        .filter(|user| !user.is_empty())
        .map(|user| {
            let password = std::env::var("PI_DIGITS_REGISTRY_PASSWORD").unwrap_or_default();
            (user, password)
        });
    let ca_certificates = match &cli.registry_ca {
        Some(path) => oci::read_ca_certificates(path)
            .context("the registry CA file (--registry-ca, PI_DIGITS_REGISTRY_CA)")?,
        None => Vec::new(),
    };
    Ok(Registry::new(RegistryOptions {
        insecure: cli.insecure_registry.clone(),
        credentials,
        ca_certificates,
        cache_dir: options.cache_dir.as_ref().map(|dir| dir.join("oci")),
    }))
}

/// The bytes of a component: read from a file, or pulled (verified, and
/// cached by digest) from a registry.
pub fn load(source: &ComponentSource, registry: &Registry) -> anyhow::Result<Vec<u8>> {
    match source {
        ComponentSource::File(path) => read(path),
        ComponentSource::Oci(reference) => Ok(pull(registry, reference)?.wasm),
    }
}

/// Pulls `reference`, saying on stderr when bytes were downloaded.
pub fn pull(registry: &Registry, reference: &OciReference) -> anyhow::Result<oci::Artifact> {
    let artifact =
        block_on(registry.pull(reference))?.with_context(|| format!("pulling {reference}"))?;
    if !artifact.layer_from_cache {
        eprintln!(
            "Pulled {} ({} bytes)",
            artifact.pinned,
            artifact.wasm.len().separate_with_commas()
        );
    }
    Ok(artifact)
}

/// Publishes the component, and the WIT package if asked, and prints the
/// pinned references.
pub fn publish(
    registry: &Registry,
    reference: OciReference,
    component: Vec<u8>,
    wit_reference: Option<OciReference>,
    json: bool,
) -> anyhow::Result<()> {
    let annotations = |title: &str, description: &str| {
        [
            ("org.opencontainers.image.title", title),
            ("org.opencontainers.image.description", description),
            (
                "org.opencontainers.image.version",
                env!("CARGO_PKG_VERSION"),
            ),
            (
                "org.opencontainers.image.source",
                env!("CARGO_PKG_REPOSITORY"),
            ),
            (
                "org.opencontainers.image.licenses",
                env!("CARGO_PKG_LICENSE"),
            ),
        ]
        .into_iter()
        .map(|(key, value)| (key.to_owned(), value.to_owned()))
        .collect()
    };
    let published = block_on(registry.publish(
        &reference,
        component,
        annotations(
            "pi-digits",
            "The digits of π and their histogram: a component exporting pi:digits/pi",
        ),
    ))?
    .with_context(|| format!("publishing to {reference}"))?;
    let wit = match wit_reference {
        Some(wit_reference) => {
            let package = oci::wit_package().context("encoding the WIT package")?;
            let published = block_on(registry.publish(
                &wit_reference,
                package,
                annotations("pi:digits", "The WIT package pi:digits: interface pi"),
            ))?
            .with_context(|| format!("publishing the WIT package to {wit_reference}"))?;
            Some(published)
        }
        None => None,
    };
    if json {
        let describe = |published: &oci::Published| {
            json!({
                "reference": published.reference.to_string(),
                "pinned": published.pinned.to_string(),
                "digest": published.manifest_digest,
                "layer_digest": published.layer_digest,
            })
        };
        println!(
            "{}",
            json!({ "component": describe(&published), "wit": wit.as_ref().map(describe) })
        );
    } else {
        println!("{}", published.pinned);
        if let Some(wit) = wit {
            println!("{}", wit.pinned);
        }
    }
    Ok(())
}

/// Runs `future` to completion on a runtime of its own.
pub fn block_on<F: std::future::Future>(future: F) -> anyhow::Result<F::Output> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    Ok(runtime.block_on(future))
}

fn read(path: &Path) -> anyhow::Result<Vec<u8>> {
    std::fs::read(path).with_context(|| format!("reading {}", path.display()))
}

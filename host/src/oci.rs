//! Publishes components to OCI registries and pulls them back, as wasm
//! artifacts in the CNCF layout (`tag-group wg-wasm`'s OCI artifact
//! format, as `wkg` and `oci-wasm` write it): an OCI image manifest whose
//! config has media type `application/vnd.wasm.config.v0+json` and whose
//! one layer is the component, `application/wasm`.
//!
//! A reference is written `oci://REGISTRY/REPOSITORY:TAG` or
//! `oci://REGISTRY/REPOSITORY@sha256:HEX` ([`OciReference`]). The
//! [`Registry`] speaks HTTPS, except to loopback registries (`localhost`,
//! `127.0.0.0/8`) and to registries named in
//! [`RegistryOptions::insecure`], which it speaks plain HTTP to, as Docker
//! does. Over HTTPS, a registry's certificate must chain to the system's
//! trust store or to a certificate authority of
//! [`RegistryOptions::ca_certificates`] ([`read_ca_certificates`] reads
//! them from a PEM file): a private registry's own CA.
//!
//! Pulled artifacts are verified and cached by digest: the manifest's
//! SHA-256 must be its digest (and the reference's, if it names one), the
//! layer's SHA-256 and size must be what the manifest says, and a mismatch
//! is an error — other bytes are never returned. A tag is resolved to a
//! digest on every pull (one small manifest request); the layer is then
//! taken from the cache if it is there. A digest reference whose manifest
//! and layer are cached needs no network at all. A cached file that no
//! longer matches its digest is discarded and pulled again.

use std::collections::BTreeMap;
use std::fmt;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use oci_client::client::{Certificate, CertificateEncoding, ClientConfig, ClientProtocol};
use oci_client::errors::{DigestError, OciDistributionError};
use oci_client::manifest::{OCI_IMAGE_MEDIA_TYPE, OciDescriptor, OciImageManifest};
use oci_client::secrets::RegistryAuth;
use oci_client::{Client, Reference};
use oci_wasm::{WasmClient, WasmConfig};
use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject as _;
use sha2::{Digest as _, Sha256};
use thiserror::Error;

pub use oci_wasm::{WASM_LAYER_MEDIA_TYPE, WASM_MANIFEST_CONFIG_MEDIA_TYPE};

/// The scheme that marks an OCI reference on the command line.
pub const SCHEME: &str = "oci://";

/// The WIT package `pi:digits` (`wit/pi.wit`), as text.
pub const WIT_SOURCE: &str = include_str!("../../wit/pi.wit");

/// The largest layer [`Registry::pull`] accepts, in bytes: a registry
/// cannot make the host read an unbounded blob.
pub const MAX_LAYER_SIZE: u64 = 256 << 20;

/// Why publishing or pulling failed.
#[derive(Debug, Error)]
pub enum OciError {
    /// The text is not an `oci://` reference.
    #[error(
        "{text:?} is not an OCI reference (oci://REGISTRY/REPOSITORY:TAG or @sha256:…): {reason}"
    )]
    InvalidReference {
        /// The text given.
        text: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The registry refused or failed a request, or could not be reached.
    #[error("registry request for {reference} failed")]
    Registry {
        /// The reference being published or pulled.
        reference: String,
        /// What the client reported.
        #[source]
        source: Box<OciDistributionError>,
    },
    /// The artifact is not a wasm artifact in the CNCF layout.
    #[error("{reference} is not a wasm artifact: {reason}")]
    NotWasm {
        /// The reference pulled.
        reference: String,
        /// What differs from the layout.
        reason: String,
    },
    /// Bytes received do not hash to the digest that names them; they
    /// were discarded.
    #[error("digest mismatch for the {what} of {reference}: expected {expected}, got {actual}")]
    DigestMismatch {
        /// The reference pulled.
        reference: String,
        /// `manifest` or `layer`.
        what: &'static str,
        /// The digest the bytes should have.
        expected: String,
        /// The digest they have.
        actual: String,
    },
    /// The component or WIT package could not be described or encoded.
    #[error("encoding the artifact failed")]
    Encode(#[source] anyhow::Error),
    /// The registry client could not be set up with these options.
    #[error("setting up the registry client failed")]
    Client(#[source] Box<OciDistributionError>),
    /// A file of CA certificates could not be read.
    #[error("reading CA certificates from {path}")]
    CaFileUnreadable {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A file of CA certificates holds none, or one that cannot be trusted.
    #[error("{path} does not hold PEM CA certificates: {reason}")]
    CaFileInvalid {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// The cache could not be written.
    #[error("writing the cache at {path}")]
    Cache {
        /// The file or directory.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
}

/// A reference to an artifact in an OCI registry, written
/// `oci://REGISTRY/REPOSITORY:TAG` or `oci://REGISTRY/REPOSITORY@sha256:HEX`.
/// Without a registry part, Docker Hub is meant, as for `docker pull`; a
/// missing tag means `latest`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OciReference(Reference);

impl OciReference {
    /// The registry, `HOST[:PORT]`.
    pub fn registry(&self) -> &str {
        self.0.registry()
    }

    /// The repository within the registry.
    pub fn repository(&self) -> &str {
        self.0.repository()
    }

    /// The tag, unless the reference names a digest only.
    pub fn tag(&self) -> Option<&str> {
        self.0.tag()
    }

    /// The digest, `sha256:HEX`, if the reference names one.
    pub fn digest(&self) -> Option<&str> {
        self.0.digest()
    }

    /// The same repository, pinned to `digest` (no tag).
    pub fn with_digest(&self, digest: &str) -> OciReference {
        OciReference(Reference::with_digest(
            self.0.registry().to_owned(),
            self.0.repository().to_owned(),
            digest.to_owned(),
        ))
    }

    /// Whether the registry is this machine (`localhost`, `127.0.0.0/8`),
    /// which is spoken to over plain HTTP. (References cannot name an IPv6
    /// address.)
    pub fn is_loopback(&self) -> bool {
        let registry = self.0.resolve_registry();
        let host = registry.split(':').next().unwrap_or_default();
        host.eq_ignore_ascii_case("localhost")
            || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
    }
}

impl FromStr for OciReference {
    type Err = OciError;

    fn from_str(text: &str) -> Result<OciReference, OciError> {
        let invalid = |reason: String| OciError::InvalidReference {
            text: text.to_owned(),
            reason,
        };
        let rest = text
            .strip_prefix(SCHEME)
            .ok_or_else(|| invalid(format!("it must start with {SCHEME}")))?;
        let reference: Reference = rest.parse().map_err(|error| invalid(format!("{error}")))?;
        if let Some(digest) = reference.digest() {
            let hex = digest
                .strip_prefix("sha256:")
                .ok_or_else(|| invalid("only sha256 digests are supported".to_owned()))?;
            if hex.len() != 64 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(invalid("a sha256 digest is 64 hex digits".to_owned()));
            }
        }
        Ok(OciReference(reference))
    }
}

impl fmt::Display for OciReference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{SCHEME}{}", self.0.whole())
    }
}

/// Where a component comes from: a file, or an OCI reference (any text
/// starting with `oci://`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ComponentSource {
    /// A `.wasm` file.
    File(PathBuf),
    /// An artifact in a registry.
    Oci(OciReference),
}

impl FromStr for ComponentSource {
    type Err = OciError;

    fn from_str(text: &str) -> Result<ComponentSource, OciError> {
        if text.starts_with(SCHEME) {
            text.parse().map(ComponentSource::Oci)
        } else {
            Ok(ComponentSource::File(PathBuf::from(text)))
        }
    }
}

impl fmt::Display for ComponentSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ComponentSource::File(path) => write!(f, "{}", path.display()),
            ComponentSource::Oci(reference) => write!(f, "{reference}"),
        }
    }
}

/// How a [`Registry`] connects and caches.
#[derive(Debug, Clone, Default)]
pub struct RegistryOptions {
    /// Registries (`HOST[:PORT]`, as in references) spoken to over plain
    /// HTTP, besides loopback ones, which always are.
    pub insecure: Vec<String>,
    /// User name and password (or token) for HTTP basic authentication,
    /// exchanged for a bearer token when the registry asks; `None` is
    /// anonymous.
    pub credentials: Option<(String, String)>,
    /// DER certificates of certificate authorities a registry's TLS
    /// certificate may be issued by, trusted besides the system's trust
    /// store: for registries whose certificate a private CA issued. They
    /// play no part with registries spoken to over plain HTTP.
    pub ca_certificates: Vec<Vec<u8>>,
    /// Where pulled manifests and layers are cached, by digest; `None`
    /// pulls every time.
    pub cache_dir: Option<PathBuf>,
}

/// A wasm artifact pulled from a registry, verified against its digests.
#[derive(Debug, Clone)]
pub struct Artifact {
    /// The reference, pinned to the manifest's digest.
    pub pinned: OciReference,
    /// The manifest's digest, `sha256:HEX`.
    pub manifest_digest: String,
    /// The layer's digest, `sha256:HEX`.
    pub layer_digest: String,
    /// The layer: the component or WIT package.
    pub wasm: Vec<u8>,
    /// Whether the layer came from the cache rather than the network.
    pub layer_from_cache: bool,
}

/// A published artifact.
#[derive(Debug, Clone)]
pub struct Published {
    /// The reference pushed to.
    pub reference: OciReference,
    /// The same repository, pinned to the manifest's digest.
    pub pinned: OciReference,
    /// The manifest's digest, `sha256:HEX`.
    pub manifest_digest: String,
    /// The layer's digest, `sha256:HEX`.
    pub layer_digest: String,
}

/// Publishes and pulls wasm artifacts, through `oci-client` and `oci-wasm`.
#[derive(Debug, Clone, Default)]
pub struct Registry {
    options: RegistryOptions,
}

impl Registry {
    /// A registry client with these options.
    pub fn new(options: RegistryOptions) -> Registry {
        Registry { options }
    }

    /// Publishes `wasm` (a component, or a WIT package encoded as wasm) to
    /// `reference`, with `annotations` on the manifest, and returns its
    /// digest. The config is `oci-wasm`'s: architecture `wasm`, OS
    /// `wasip2`, and the component's imports and exports.
    pub async fn publish(
        &self,
        reference: &OciReference,
        wasm: Vec<u8>,
        annotations: BTreeMap<String, String>,
    ) -> Result<Published, OciError> {
        let layer_digest = sha256_digest(&wasm);
        let (config, layer) =
            WasmConfig::from_raw_component(wasm, None).map_err(OciError::Encode)?;
        let client = self.client(reference)?;
        let auth = self.auth();
        let registry_error = |source| OciError::Registry {
            reference: reference.to_string(),
            source: Box::new(source),
        };
        client
            .push(&reference.0, &auth, layer, config, Some(annotations))
            .await
            .map_err(|error| match error.downcast::<OciDistributionError>() {
                Ok(source) => registry_error(source),
                Err(other) => OciError::Encode(other),
            })?;
        let manifest_digest = client
            .fetch_manifest_digest(&reference.0, &auth)
            .await
            .map_err(registry_error)?;
        Ok(Published {
            pinned: reference.with_digest(&manifest_digest),
            reference: reference.clone(),
            manifest_digest,
            layer_digest,
        })
    }

    /// Pulls the wasm artifact at `reference`: resolves a tag to its
    /// manifest digest, checks the layout, and returns the layer, verified.
    /// With a cache, a digest reference whose files are cached makes no
    /// request, and a cached layer is not downloaded again.
    pub async fn pull(&self, reference: &OciReference) -> Result<Artifact, OciError> {
        let cache = self.options.cache_dir.as_deref().map(BlobCache::new);
        // A digest reference may be answered from the cache alone.
        if let (Some(cache), Some(digest)) = (&cache, reference.digest())
            && let Some(raw) = cache.get(digest)
            && let Ok(layer) = wasm_layer(reference, &raw)
            && let Some(wasm) = cache.get(&layer.digest)
        {
            return Ok(Artifact {
                pinned: reference.with_digest(digest),
                manifest_digest: digest.to_owned(),
                layer_digest: layer.digest.clone(),
                wasm,
                layer_from_cache: true,
            });
        }

        let client = self.client(reference)?;
        let auth = self.auth();
        let registry_error = |source| mismatch_or(reference, "manifest", source);
        let (raw, manifest_digest) = client
            .pull_manifest_raw(&reference.0, &auth, &[OCI_IMAGE_MEDIA_TYPE])
            .await
            .map_err(registry_error)?;
        let actual = sha256_digest(&raw);
        let expected = reference.digest().unwrap_or(&manifest_digest);
        if actual != expected || actual != manifest_digest {
            return Err(OciError::DigestMismatch {
                reference: reference.to_string(),
                what: "manifest",
                expected: expected.to_owned(),
                actual,
            });
        }
        let layer = wasm_layer(reference, &raw)?;

        let cached = cache.as_ref().and_then(|cache| cache.get(&layer.digest));
        let layer_from_cache = cached.is_some();
        let wasm = match cached {
            Some(wasm) => wasm,
            None => {
                let mut wasm = Vec::with_capacity(usize::try_from(layer.size).unwrap_or(0));
                client
                    .pull_blob(&reference.0, &layer, &mut wasm)
                    .await
                    .map_err(|source| mismatch_or(reference, "layer", source))?;
                let actual = sha256_digest(&wasm);
                if actual != layer.digest || wasm.len() as u64 != layer.size as u64 {
                    return Err(OciError::DigestMismatch {
                        reference: reference.to_string(),
                        what: "layer",
                        expected: layer.digest.clone(),
                        actual,
                    });
                }
                wasm
            }
        };
        if let Some(cache) = &cache {
            cache.put(&layer.digest, &wasm)?;
            cache.put(&manifest_digest, &raw)?;
        }
        Ok(Artifact {
            pinned: reference.with_digest(&manifest_digest),
            manifest_digest,
            layer_digest: layer.digest.clone(),
            wasm,
            layer_from_cache,
        })
    }

    fn client(&self, reference: &OciReference) -> Result<WasmClient, OciError> {
        let mut plain_http = self.options.insecure.clone();
        if reference.is_loopback() {
            plain_http.push(reference.0.resolve_registry().to_owned());
        }
        let client = oci_client(plain_http, &self.options.ca_certificates)
            .map_err(|source| OciError::Client(Box::new(source)))?;
        Ok(WasmClient::new(client))
    }

    fn auth(&self) -> RegistryAuth {
        match &self.options.credentials {
            Some((user, password)) => RegistryAuth::Basic(user.clone(), password.clone()),
            None => RegistryAuth::Anonymous,
        }
    }
}

/// An `oci-client` that speaks plain HTTP to the registries `plain_http`
/// and HTTPS to every other, trusting `ca_certificates` (DER) besides the
/// system's trust store. Built with `try_from`: `Client::new` would
/// replace a configuration it cannot build by its defaults, and so drop
/// the certificates without a word.
fn oci_client(
    plain_http: Vec<String>,
    ca_certificates: &[Vec<u8>],
) -> Result<Client, OciDistributionError> {
    Client::try_from(ClientConfig {
        protocol: ClientProtocol::HttpsExcept(plain_http),
        connect_timeout: Some(Duration::from_secs(30)),
        extra_root_certificates: ca_certificates
            .iter()
            .map(|der| Certificate {
                encoding: CertificateEncoding::Der,
                data: der.clone(),
            })
            .collect(),
        ..ClientConfig::default()
    })
}

/// The certificates in the PEM file `path` (one or more `CERTIFICATE`
/// sections; anything else in the file is ignored), as DER for
/// [`RegistryOptions::ca_certificates`]. A file without a certificate, or
/// with one the TLS client cannot trust as an authority, is an error
/// naming the file, rather than a registry refused later for a reason that
/// does not.
pub fn read_ca_certificates(path: &Path) -> Result<Vec<Vec<u8>>, OciError> {
    let invalid = |reason: String| OciError::CaFileInvalid {
        path: path.to_owned(),
        reason,
    };
    let pem = std::fs::read(path).map_err(|source| OciError::CaFileUnreadable {
        path: path.to_owned(),
        source,
    })?;
    let certificates = CertificateDer::pem_slice_iter(&pem)
        .map(|certificate| certificate.map(|der| der.to_vec()))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|error| invalid(format!("{error}")))?;
    if certificates.is_empty() {
        return Err(invalid(
            "it has no certificate (-----BEGIN CERTIFICATE-----)".to_owned(),
        ));
    }
    // The same check the client makes when it is built, one certificate
    // at a time, so that the error says which.
    for (index, der) in certificates.iter().enumerate() {
        oci_client(Vec::new(), std::slice::from_ref(der)).map_err(|error| {
            invalid(format!(
                "certificate {} of {}: {}",
                index + 1,
                certificates.len(),
                error_chain(&error)
            ))
        })?;
    }
    Ok(certificates)
}

/// `error` and its sources, `: `-separated.
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(error) = source {
        text.push_str(": ");
        text.push_str(&error.to_string());
        source = error.source();
    }
    text
}

/// The WIT package `pi:digits` ([`WIT_SOURCE`]) encoded as a WIT-package
/// wasm binary, as `wkg wit build` writes it.
pub fn wit_package() -> Result<Vec<u8>, OciError> {
    let mut resolve = wit_parser::Resolve::default();
    let package = resolve
        .push_str("pi.wit", WIT_SOURCE)
        .map_err(OciError::Encode)?;
    wit_component::encode(&resolve, package).map_err(OciError::Encode)
}

/// `sha256:HEX` of `bytes`.
pub fn sha256_digest(bytes: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(bytes)))
}

/// The one wasm layer of the manifest `raw`, if it is a wasm artifact in
/// the CNCF layout with a layer of an acceptable size.
fn wasm_layer(reference: &OciReference, raw: &[u8]) -> Result<OciDescriptor, OciError> {
    let not_wasm = |reason: String| OciError::NotWasm {
        reference: reference.to_string(),
        reason,
    };
    let manifest: OciImageManifest = serde_json::from_slice(raw)
        .map_err(|error| not_wasm(format!("its manifest does not parse: {error}")))?;
    if manifest.media_type.as_deref() != Some(OCI_IMAGE_MEDIA_TYPE) {
        return Err(not_wasm(format!(
            "the manifest's media type is {:?}, not {OCI_IMAGE_MEDIA_TYPE}",
            manifest.media_type
        )));
    }
    if manifest.config.media_type != WASM_MANIFEST_CONFIG_MEDIA_TYPE {
        return Err(not_wasm(format!(
            "the config's media type is {}, not {WASM_MANIFEST_CONFIG_MEDIA_TYPE}",
            manifest.config.media_type
        )));
    }
    let [layer] = manifest.layers.as_slice() else {
        return Err(not_wasm(format!(
            "it has {} layers, not one",
            manifest.layers.len()
        )));
    };
    if layer.media_type != WASM_LAYER_MEDIA_TYPE {
        return Err(not_wasm(format!(
            "its layer's media type is {}, not {WASM_LAYER_MEDIA_TYPE}",
            layer.media_type
        )));
    }
    if !is_sha256_digest(&layer.digest) {
        return Err(not_wasm(format!(
            "its layer's digest {:?} is not a sha256 digest",
            layer.digest
        )));
    }
    if !(0..=MAX_LAYER_SIZE as i64).contains(&layer.size) {
        return Err(not_wasm(format!(
            "its layer's size, {} bytes, is not between 0 and {MAX_LAYER_SIZE}",
            layer.size
        )));
    }
    Ok(layer.clone())
}

/// A digest mismatch reported by the client as such; any other failure as
/// a registry error.
fn mismatch_or(
    reference: &OciReference,
    what: &'static str,
    source: OciDistributionError,
) -> OciError {
    match source {
        OciDistributionError::DigestError(DigestError::VerificationError { expected, actual }) => {
            OciError::DigestMismatch {
                reference: reference.to_string(),
                what,
                expected,
                actual,
            }
        }
        source => OciError::Registry {
            reference: reference.to_string(),
            source: Box::new(source),
        },
    }
}

fn is_sha256_digest(digest: &str) -> bool {
    digest.strip_prefix("sha256:").is_some_and(|hex| {
        hex.len() == 64
            && hex
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    })
}

/// Content-addressed files, `DIR/sha256/HEX`: a file is returned only if
/// its bytes still hash to its name.
struct BlobCache {
    dir: PathBuf,
}

impl BlobCache {
    fn new(dir: &Path) -> BlobCache {
        BlobCache {
            dir: dir.join("sha256"),
        }
    }

    fn path(&self, digest: &str) -> Option<PathBuf> {
        is_sha256_digest(digest).then(|| self.dir.join(&digest["sha256:".len()..]))
    }

    /// The bytes cached for `digest`, verified; a file that does not match
    /// is removed (with a warning), so it is pulled again.
    fn get(&self, digest: &str) -> Option<Vec<u8>> {
        let path = self.path(digest)?;
        let bytes = std::fs::read(&path).ok()?;
        let actual = sha256_digest(&bytes);
        if actual == digest {
            return Some(bytes);
        }
        eprintln!(
            "warning: the cached {} is {actual}, not {digest}: discarding it",
            path.display()
        );
        let _ = std::fs::remove_file(&path);
        None
    }

    /// Caches `bytes` under `digest`, atomically.
    fn put(&self, digest: &str, bytes: &[u8]) -> Result<(), OciError> {
        let Some(path) = self.path(digest) else {
            return Ok(());
        };
        let cache_error = |source| OciError::Cache {
            path: path.clone(),
            source,
        };
        if std::fs::read(&path).is_ok_and(|cached| cached == bytes) {
            return Ok(());
        }
        crate::files::write_atomically(&path, bytes).map_err(cache_error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_parse_and_print() {
        let tagged: OciReference = "oci://127.0.0.1:5000/pi-digits/pi:0.2.0".parse().unwrap();
        assert_eq!(tagged.registry(), "127.0.0.1:5000");
        assert_eq!(tagged.repository(), "pi-digits/pi");
        assert_eq!(tagged.tag(), Some("0.2.0"));
        assert_eq!(tagged.digest(), None);
        assert_eq!(
            tagged.to_string(),
            "oci://127.0.0.1:5000/pi-digits/pi:0.2.0"
        );
        assert!(tagged.is_loopback());

        let digest = format!("sha256:{}", "ab".repeat(32));
        let pinned = tagged.with_digest(&digest);
        assert_eq!(
            pinned.to_string(),
            format!("oci://127.0.0.1:5000/pi-digits/pi@{digest}")
        );
        assert_eq!(pinned, pinned.to_string().parse().unwrap());

        for (text, loopback) in [
            ("oci://localhost:5000/pi", true),
            ("oci://localhost/pi", true),
            ("oci://127.1.2.3/pi", true),
            ("oci://ghcr.io/pi-digits/pi:0.2.0", false),
            ("oci://registry.localhost.example:5000/pi", false),
            ("oci://10.0.0.1:5000/pi", false),
        ] {
            let reference: OciReference = text.parse().unwrap();
            assert_eq!(reference.is_loopback(), loopback, "{text}");
        }
    }

    #[test]
    fn bad_references_are_refused() {
        for text in [
            "127.0.0.1:5000/pi:0.2.0",
            "oci://",
            "oci://127.0.0.1:5000/Pi:0.2.0",
            "oci://127.0.0.1:5000/pi@sha256:abc",
            "oci://127.0.0.1:5000/pi@md5:0123456789abcdef0123456789abcdef",
        ] {
            assert!(text.parse::<OciReference>().is_err(), "{text}");
        }
        assert_eq!(
            "pi.wasm".parse::<ComponentSource>().unwrap(),
            ComponentSource::File("pi.wasm".into())
        );
        assert!(matches!(
            "oci://127.0.0.1:5000/pi".parse::<ComponentSource>(),
            Ok(ComponentSource::Oci(_))
        ));
    }

    #[test]
    fn the_wit_package_encodes_and_describes_itself() {
        let wasm = wit_package().unwrap();
        let component = oci_wasm::Component::from_raw_component(&wasm).unwrap();
        assert!(
            component.exports.contains(&"pi:digits/pi@0.2.0".to_owned()),
            "{component:?}"
        );
        assert!(
            component
                .exports
                .contains(&"pi:digits/calculator@0.2.0".to_owned())
        );
    }

    #[test]
    fn the_cache_returns_only_bytes_that_match_their_digest() {
        let dir = tempfile::tempdir().unwrap();
        let cache = BlobCache::new(dir.path());
        let digest = sha256_digest(b"pi");
        assert_eq!(cache.get(&digest), None);
        cache.put(&digest, b"pi").unwrap();
        assert_eq!(cache.get(&digest).as_deref(), Some(&b"pi"[..]));
        let path = cache.path(&digest).unwrap();
        std::fs::write(&path, b"tau").unwrap();
        assert_eq!(cache.get(&digest), None, "a tampered file is refused");
        assert!(!path.exists(), "and removed");
        assert_eq!(cache.path("sha256:../../etc/passwd"), None);
    }
}

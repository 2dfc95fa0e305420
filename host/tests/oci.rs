//! Publishing to and running from an OCI registry, end to end, against a
//! real registry on loopback: Debian's `docker-registry` (the CNCF
//! Distribution registry), which `scripts/test.sh` installs.

use std::net::{Ipv4Addr, SocketAddr, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use pi_digits_testkit::{
    REGISTRY_LISTENING, Reference, SERVING, Server, agent, run, stderr, stdout,
};
use serde_json::Value;
use sha2::{Digest as _, Sha256};
use tempfile::TempDir;

const REGISTRY_BIN: &str = "/usr/bin/docker-registry";
const MANIFEST_TYPE: &str = "application/vnd.oci.image.manifest.v1+json";
const CONFIG_TYPE: &str = "application/vnd.wasm.config.v0+json";
const LAYER_TYPE: &str = "application/wasm";

/// A `docker-registry` serving a temporary directory on a loopback port
/// it picked; stopped when dropped.
struct LocalRegistry {
    server: Option<Server>,
    addr: SocketAddr,
    root: TempDir,
}

impl LocalRegistry {
    fn start() -> LocalRegistry {
        LocalRegistry::start_with(Ipv4Addr::LOCALHOST, |_| String::new())
    }

    /// A registry on `ip`, with `extra` configuration (given the registry's
    /// directory, for files it names) after the usual.
    fn start_with(ip: Ipv4Addr, extra: impl FnOnce(&Path) -> String) -> LocalRegistry {
        let root = tempfile::tempdir().unwrap();
        // Port 0: the registry binds a port no one else holds, and logs
        // it ("listening on …", at level info).
        let config = format!(
            "version: 0.1\n\
             log:\n  level: info\n  accesslog:\n    disabled: true\n\
             storage:\n  filesystem:\n    rootdirectory: {}\n\
             http:\n  addr: {ip}:0\n{}",
            root.path().join("storage").display(),
            extra(root.path()),
        );
        std::fs::write(root.path().join("config.yml"), config).unwrap();
        let mut registry = LocalRegistry {
            server: None,
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            root,
        };
        registry.resume();
        registry
    }

    /// Starts the registry (again) on the same storage, on a new port.
    fn resume(&mut self) {
        let bin =
            std::env::var_os("DOCKER_REGISTRY").map_or_else(|| REGISTRY_BIN.into(), PathBuf::from);
        assert!(
            bin.exists(),
            "{} is not installed: the OCI tests need a registry on loopback. \
             Install Debian's docker-registry (`sudo apt-get install docker-registry`; \
             scripts/test.sh does) or set DOCKER_REGISTRY to the binary.",
            bin.display()
        );
        let mut command = Command::new(bin);
        command
            .arg("serve")
            .arg(self.root.path().join("config.yml"));
        let server = Server::start(command, REGISTRY_LISTENING);
        self.addr = server.addr();
        self.server = Some(server);
    }

    fn stop(&mut self) {
        self.server = None;
    }

    fn reference(&self, repository_and_tag: &str) -> String {
        format!("oci://{}/{repository_and_tag}", self.addr)
    }

    /// The registry's own copy of a blob (layer, config or manifest).
    fn blob_file(&self, digest: &str) -> PathBuf {
        let hex = digest.strip_prefix("sha256:").unwrap();
        self.root
            .path()
            .join("storage/docker/registry/v2/blobs/sha256")
            .join(&hex[..2])
            .join(hex)
            .join("data")
    }

    /// GET `/v2/{path}` with an Accept header: status and body.
    fn get(&self, path: &str) -> (u16, Vec<u8>) {
        let response = agent()
            .get(&format!("http://{}/v2/{path}", self.addr))
            .set("accept", MANIFEST_TYPE)
            .call()
            .unwrap();
        let status = response.status();
        let mut body = Vec::new();
        std::io::Read::read_to_end(&mut response.into_reader(), &mut body).unwrap();
        (status, body)
    }
}

fn pi_digits(cache: &Path, args: &[&str]) -> Output {
    run(Command::new(env!("CARGO_BIN_EXE_pi-digits"))
        .arg("--cache-dir")
        .arg(cache)
        .args(args)
        .env_remove("PI_DIGITS_INSECURE_REGISTRIES")
        .env_remove("PI_DIGITS_REGISTRY_CA"))
}

/// GETs `path` from `server` and parses the JSON answer.
fn get_json(server: &Server, path: &str) -> Value {
    let url = format!("{}{path}", server.base_url);
    serde_json::from_str(&agent().get(&url).call().unwrap().into_string().unwrap()).unwrap()
}

fn sha256(bytes: &[u8]) -> String {
    let hash = Sha256::digest(bytes);
    format!(
        "sha256:{}",
        hash.iter().map(|b| format!("{b:02x}")).collect::<String>()
    )
}

fn component() -> Vec<u8> {
    std::fs::read(pi_digits_artifacts::PI_COMPONENT_PATH).unwrap()
}

/// Publishes the built-in component (and the WIT package) and returns the
/// `--json` answer.
fn publish(registry: &LocalRegistry, cache: &Path) -> Value {
    let output = pi_digits(
        cache,
        &[
            "--json",
            "publish",
            &registry.reference("pi-digits/pi:0.2.0"),
            "--wit-reference",
            &registry.reference("pi-digits/wit:0.2.0"),
        ],
    );
    serde_json::from_str(&stdout(&output)).unwrap()
}

/// The histogram of the first 1,000 digits, from `component`.
fn histogram(cache: &Path, component: &str) -> Output {
    pi_digits(
        cache,
        &["--component", component, "--json", "histogram", "1000"],
    )
}

fn assert_histogram_is_right(output: &Output) {
    let json: Value = serde_json::from_str(&stdout(output)).unwrap();
    assert_eq!(
        json["counts"],
        serde_json::to_value(Reference::load().histogram(1_000)).unwrap()
    );
}

#[test]
fn publish_then_pull_and_run_by_tag_and_by_digest() {
    let registry = LocalRegistry::start();
    let work = tempfile::tempdir().unwrap();
    let published = publish(&registry, &work.path().join("publisher"));
    let component = component();

    let tagged = registry.reference("pi-digits/pi:0.2.0");
    let digest = published["component"]["digest"].as_str().unwrap();
    let pinned = format!("oci://{}/pi-digits/pi@{digest}", registry.addr);
    assert_eq!(published["component"]["reference"], tagged.as_str());
    assert_eq!(published["component"]["pinned"], pinned.as_str());
    assert_eq!(published["component"]["layer_digest"], sha256(&component));

    // The registry holds the CNCF wasm layout: an OCI manifest, the wasm
    // config, one application/wasm layer; the manifest hashes to the digest.
    let (status, raw) = registry.get("pi-digits/pi/manifests/0.2.0");
    assert_eq!(status, 200);
    assert_eq!(sha256(&raw), digest);
    let manifest: Value = serde_json::from_slice(&raw).unwrap();
    assert_eq!(manifest["mediaType"], MANIFEST_TYPE);
    assert_eq!(manifest["config"]["mediaType"], CONFIG_TYPE);
    let layers = manifest["layers"].as_array().unwrap();
    assert_eq!(layers.len(), 1);
    assert_eq!(layers[0]["mediaType"], LAYER_TYPE);
    assert_eq!(layers[0]["digest"], sha256(&component));
    assert_eq!(layers[0]["size"], component.len());
    assert_eq!(
        manifest["annotations"]["org.opencontainers.image.title"],
        "pi-digits"
    );
    let config_digest = manifest["config"]["digest"].as_str().unwrap();
    let (_, config) = registry.get(&format!("pi-digits/pi/blobs/{config_digest}"));
    let config: Value = serde_json::from_slice(&config).unwrap();
    assert_eq!(config["architecture"], "wasm");
    assert_eq!(config["os"], "wasip2");
    assert_eq!(config["layerDigests"][0], sha256(&component));
    assert!(
        config["component"]["exports"]
            .as_array()
            .unwrap()
            .contains(&"pi:digits/pi@0.2.0".into()),
        "{config}"
    );

    // Pulled back by tag and by digest, each into an empty cache: the very
    // bytes published.
    for (name, reference) in [("by-tag", &tagged), ("by-digest", &pinned)] {
        let file = work.path().join(format!("{name}.wasm"));
        let output = pi_digits(
            &work.path().join(name),
            &["pull", reference, "-o", file.to_str().unwrap()],
        );
        assert_eq!(stdout(&output), format!("{pinned}\n"));
        assert_eq!(std::fs::read(&file).unwrap(), component, "{reference}");
    }

    // And run from either reference: the reference histogram.
    let cache = work.path().join("runner");
    for reference in [&tagged, &pinned] {
        assert_histogram_is_right(&histogram(&cache, reference));
    }

    // The WIT package, encoded as wasm, in the same layout.
    let (_, raw) = registry.get("pi-digits/wit/manifests/0.2.0");
    let manifest: Value = serde_json::from_slice(&raw).unwrap();
    assert_eq!(sha256(&raw), published["wit"]["digest"].as_str().unwrap());
    assert_eq!(manifest["mediaType"], MANIFEST_TYPE);
    assert_eq!(manifest["config"]["mediaType"], CONFIG_TYPE);
    assert_eq!(manifest["layers"][0]["mediaType"], LAYER_TYPE);
    let file = work.path().join("wit.wasm");
    let output = pi_digits(
        &cache,
        &[
            "pull",
            &registry.reference("pi-digits/wit:0.2.0"),
            "-o",
            file.to_str().unwrap(),
        ],
    );
    stdout(&output);
    let wit = std::fs::read(&file).unwrap();
    match wit_component::decode(&wit).unwrap() {
        wit_component::DecodedWasm::WitPackage(resolve, package) => {
            let package = &resolve.packages[package];
            assert_eq!(package.name.to_string(), "pi:digits@0.2.0");
            assert!(package.interfaces.contains_key("pi"));
            assert!(package.worlds.contains_key("calculator"));
        }
        wit_component::DecodedWasm::Component(..) => panic!("a component, not a WIT package"),
    }
}

#[test]
fn a_digest_reference_runs_from_the_cache_and_a_tampered_cache_is_refused() {
    let mut registry = LocalRegistry::start();
    let work = tempfile::tempdir().unwrap();
    let published = publish(&registry, &work.path().join("publisher"));
    let pinned = published["component"]["pinned"].as_str().unwrap();
    let tagged = registry.reference("pi-digits/pi:0.2.0");
    let cache = work.path().join("cache");

    let output = histogram(&cache, pinned);
    assert_histogram_is_right(&output);
    assert!(stderr(&output).contains("Pulled"), "{}", stderr(&output));

    // Pinned and cached: no network needed. A tag is resolved every run.
    registry.stop();
    let output = histogram(&cache, pinned);
    assert_histogram_is_right(&output);
    assert!(!stderr(&output).contains("Pulled"), "{}", stderr(&output));
    let output = histogram(&cache, &tagged);
    assert!(!output.status.success(), "a tag needs the registry");
    assert!(
        stderr(&output).contains(&format!("pulling {tagged}")),
        "{}",
        stderr(&output)
    );

    // A cached layer that no longer matches its digest is never run: it is
    // discarded, and with the registry down the run fails.
    let layer = published["component"]["layer_digest"].as_str().unwrap();
    let cached = cache
        .join("oci/sha256")
        .join(layer.strip_prefix("sha256:").unwrap());
    let mut tampered = std::fs::read(&cached).unwrap();
    assert_eq!(tampered, component());
    let middle = tampered.len() / 2;
    tampered[middle] ^= 0x01;
    std::fs::write(&cached, &tampered).unwrap();
    let output = histogram(&cache, pinned);
    assert!(!output.status.success());
    assert!(output.stdout.is_empty());
    assert!(
        stderr(&output).contains("discarding it"),
        "{}",
        stderr(&output)
    );

    // With the registry back (on another port), the layer is pulled
    // again, verified, cached.
    registry.resume();
    let digest = published["component"]["digest"].as_str().unwrap();
    let pinned = format!("oci://{}/pi-digits/pi@{digest}", registry.addr);
    let output = histogram(&cache, &pinned);
    assert_histogram_is_right(&output);
    assert!(stderr(&output).contains("Pulled"), "{}", stderr(&output));
    assert_eq!(std::fs::read(&cached).unwrap(), component());
}

#[test]
fn a_registry_serving_other_bytes_is_refused() {
    let registry = LocalRegistry::start();
    let work = tempfile::tempdir().unwrap();
    let published = publish(&registry, &work.path().join("publisher"));
    let tagged = registry.reference("pi-digits/pi:0.2.0");
    let pinned = published["component"]["pinned"].as_str().unwrap();

    // A layer that is not what the manifest names.
    let layer = published["component"]["layer_digest"].as_str().unwrap();
    let file = registry.blob_file(layer);
    let good = std::fs::read(&file).unwrap();
    let mut bad = good.clone();
    let middle = bad.len() / 2;
    bad[middle] ^= 0x01;
    std::fs::write(&file, &bad).unwrap();
    for reference in [tagged.as_str(), pinned] {
        let cache = tempfile::tempdir().unwrap();
        let out = work.path().join("pulled.wasm");
        let output = pi_digits(
            cache.path(),
            &["pull", reference, "-o", out.to_str().unwrap()],
        );
        assert!(!output.status.success());
        assert!(
            stderr(&output).contains("digest mismatch for the layer"),
            "{}",
            stderr(&output)
        );
        assert!(!out.exists(), "nothing is written");
        let output = histogram(cache.path(), reference);
        assert!(!output.status.success());
        assert!(output.stdout.is_empty());
        assert!(
            stderr(&output).contains("digest mismatch for the layer"),
            "{}",
            stderr(&output)
        );
    }
    std::fs::write(&file, &good).unwrap();

    // A manifest that is not what its digest names.
    let digest = published["component"]["digest"].as_str().unwrap();
    let file = registry.blob_file(digest);
    let good = std::fs::read_to_string(&file).unwrap();
    assert!(good.contains("\"application/wasm\""));
    std::fs::write(
        &file,
        good.replace("\"application/wasm\"", "\"application/wasn\""),
    )
    .unwrap();
    let cache = tempfile::tempdir().unwrap();
    let output = histogram(cache.path(), pinned);
    assert!(!output.status.success());
    assert!(
        stderr(&output).contains("digest mismatch for the manifest"),
        "{}",
        stderr(&output)
    );
    std::fs::write(&file, &good).unwrap();

    // A digest the registry does not have.
    let unknown = format!(
        "oci://{}/pi-digits/pi@sha256:{}",
        registry.addr,
        "0".repeat(64)
    );
    let output = histogram(cache.path(), &unknown);
    assert!(!output.status.success());
    assert!(
        stderr(&output).contains(&format!("pulling {unknown}")),
        "{}",
        stderr(&output)
    );

    // Still fine once the registry is repaired.
    assert_histogram_is_right(&histogram(cache.path(), pinned));
}

#[test]
fn serve_runs_a_component_from_a_registry() {
    let registry = LocalRegistry::start();
    let work = tempfile::tempdir().unwrap();
    let published = publish(&registry, &work.path().join("publisher"));
    let pinned = published["component"]["pinned"].as_str().unwrap();

    let mut command = Command::new(env!("CARGO_BIN_EXE_pi-digits"));
    command
        .arg("--cache-dir")
        .arg(work.path().join("cache"))
        .args(["--component", pinned, "serve", "--addr", "127.0.0.1:0"]);
    let server = Server::start(command, SERVING);
    let json = get_json(&server, "/api/histogram?n=1000");
    assert_eq!(
        json["counts"],
        serde_json::to_value(Reference::load().histogram(1_000)).unwrap()
    );
    let json = get_json(&server, "/api/digits?n=50");
    assert_eq!(json["digits"], Reference::load().prefix(50));
    // write-app plugs the pulled component in just as the build does.
    let cache = work.path().join("cache");
    let plugged = work.path().join("plugged.wasm");
    let built_in = work.path().join("built-in.wasm");
    stdout(&pi_digits(
        &cache,
        &[
            "--component",
            pinned,
            "write-app",
            plugged.to_str().unwrap(),
        ],
    ));
    stdout(&pi_digits(
        &cache,
        &["write-app", built_in.to_str().unwrap()],
    ));
    assert_eq!(
        std::fs::read(&plugged).unwrap(),
        std::fs::read(&built_in).unwrap()
    );
}

/// The Spin app pushed with `spin registry push` and run with
/// `spin up -f REFERENCE`, from the same kind of registry. scripts/test.sh
/// runs it where `spin` is on PATH, and lists it as skipped where not.
#[test]
#[ignore = "needs `spin` on PATH"]
fn the_spin_app_is_pushed_and_run_by_reference() {
    let registry = LocalRegistry::start();
    let reference = format!("{}/pi-digits/app:0.2.0", registry.addr);
    // spin.toml's components are what building this crate wrote. Spin
    // speaks plain HTTP to the registry with --insecure.
    let workspace = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    stdout(&run(Command::new("spin")
        .args([
            "registry",
            "push",
            "--insecure",
            "-f",
            "spin.toml",
            &reference,
        ])
        .current_dir(workspace)));

    let mut up = Command::new("spin");
    up.args(["up", "--insecure", "-f", &reference])
        .args(["--listen", "127.0.0.1:0"]);
    let server = Server::start(up, SERVING);
    let json = get_json(&server, "/api/histogram?n=1000");
    assert_eq!(
        json["counts"],
        serde_json::to_value(Reference::load().histogram(1_000)).unwrap()
    );
}

#[test]
fn bad_references_are_refused_before_any_request() {
    let cache = tempfile::tempdir().unwrap();
    for reference in ["oci://", "oci://127.0.0.1:1/pi@sha256:abc"] {
        let output = histogram(cache.path(), reference);
        assert_eq!(output.status.code(), Some(2), "{reference}");
        assert!(
            stderr(&output).contains("is not an OCI reference"),
            "{}",
            stderr(&output)
        );
    }
    let output = pi_digits(
        cache.path(),
        &["--component", "pi.wasm", "serve", "--app", "app.wasm"],
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("cannot be used together"),
        "{}",
        stderr(&output)
    );
}

/// This machine's address on its default route: a registry there is not
/// loopback to pi-digits, so HTTPS is its default.
fn own_address() -> Ipv4Addr {
    // connect(2) on UDP sends nothing; it only picks the route (TEST-NET-3).
    let socket = UdpSocket::bind("0.0.0.0:0").unwrap();
    socket
        .connect("203.0.113.1:9")
        .expect("the OCI tests need a network interface besides loopback");
    match socket.local_addr().unwrap().ip() {
        std::net::IpAddr::V4(ip) if !ip.is_loopback() => ip,
        other => panic!("no address besides loopback: {other}"),
    }
}

/// The user `pi`, password `digits-of-pi`, for the registry's htpasswd:
/// bcrypt made with Python's crypt over libxcrypt,
/// `crypt.crypt("digits-of-pi", "$2b$05$abcdefghijklmnopqrstuv")`.
const HTPASSWD: &str = "pi:$2b$05$abcdefghijklmnopqrstuuVvElPHnW0DkT.gUTF78bHUR2GDXTvdu\n";
/// The user of [`HTPASSWD`], as pi-digits takes it.
const USER: (&str, &str) = ("PI_DIGITS_REGISTRY_USERNAME", "pi");
/// Its password.
const PASSWORD: (&str, &str) = ("PI_DIGITS_REGISTRY_PASSWORD", "digits-of-pi");

/// `pi-digits ARGS` with a fresh cache and exactly these registry
/// variables.
fn pi_digits_with(envs: &[(&str, &str)], args: &[&str]) -> Output {
    let cache = tempfile::tempdir().unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_pi-digits"));
    command.arg("--cache-dir").arg(cache.path()).args(args);
    for name in [
        "PI_DIGITS_INSECURE_REGISTRIES",
        "PI_DIGITS_REGISTRY_USERNAME",
        "PI_DIGITS_REGISTRY_PASSWORD",
        "PI_DIGITS_REGISTRY_CA",
    ] {
        command.env_remove(name);
    }
    command.envs(envs.iter().copied());
    run(&mut command)
}

/// A registry that is not on loopback, with htpasswd authentication:
/// spoken to over HTTPS unless named with --insecure-registry or
/// PI_DIGITS_INSECURE_REGISTRIES, and only with the credentials of
/// PI_DIGITS_REGISTRY_USERNAME and PI_DIGITS_REGISTRY_PASSWORD.
#[test]
fn other_registries_get_https_unless_insecure_and_credentials_are_sent() {
    let registry = LocalRegistry::start_with(own_address(), |root| {
        std::fs::write(root.join("htpasswd"), HTPASSWD).unwrap();
        format!(
            "auth:\n  htpasswd:\n    realm: pi-digits\n    path: {}\n",
            root.join("htpasswd").display()
        )
    });
    let addr = registry.addr.to_string();
    let reference = registry.reference("pi-digits/pi:0.2.0");
    let publish = ["publish", reference.as_str()];
    let insecure = ["--insecure-registry", addr.as_str()];
    let (user, password) = (USER, PASSWORD);

    let output = pi_digits_with(&[user, password], &publish);
    assert!(!output.status.success());
    assert!(
        stderr(&output).contains(&format!("https://{addr}/v2/")),
        "HTTPS by default: {}",
        stderr(&output)
    );

    let as_insecure = [insecure.as_slice(), &publish].concat();
    for envs in [&[][..], &[user, ("PI_DIGITS_REGISTRY_PASSWORD", "wrong")]] {
        let output = pi_digits_with(envs, &as_insecure);
        assert!(!output.status.success());
        assert!(
            stderr(&output).contains(&format!("http://{addr}/v2/"))
                && stderr(&output).contains("code: 401"),
            "{envs:?}: {}",
            stderr(&output)
        );
    }
    let output = pi_digits_with(&[user, password], &as_insecure);
    let pinned = stdout(&output).trim_end().to_owned();
    assert!(pinned.starts_with(&format!("oci://{addr}/pi-digits/pi@sha256:")));

    // Pulled back, the registry named insecure by the variable this time.
    let run_it = [
        "--component",
        reference.as_str(),
        "--json",
        "histogram",
        "1000",
    ];
    let variable = ("PI_DIGITS_INSECURE_REGISTRIES", addr.as_str());
    let output = pi_digits_with(&[variable], &run_it);
    assert!(!output.status.success(), "no credentials, no pull");
    assert!(
        stderr(&output).contains("Not authorized"),
        "{}",
        stderr(&output)
    );
    assert_histogram_is_right(&pi_digits_with(&[variable, user, password], &run_it));
}

/// `openssl WORDS ARGS`, `words` split at spaces and `args` as they are,
/// which must succeed.
fn openssl(words: &str, args: &[&str]) {
    let made = run(Command::new("openssl").args(words.split(' ')).args(args));
    assert!(
        made.status.success(),
        "openssl {words} {args:?}: {}",
        stderr(&made)
    );
}

/// `openssl req` arguments for a new P-256 key, unencrypted.
const NEW_KEY: &str = "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";

/// A path the tests made, as text (their temporary directories' names
/// are ASCII).
fn text(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// A certificate authority of its own, made in `dir`: its certificate
/// `NAME.pem` and key `NAME.key`.
fn make_ca(dir: &Path, name: &str) -> (PathBuf, PathBuf) {
    let [cert, key] = ["pem", "key"].map(|extension| dir.join(format!("{name}.{extension}")));
    let subject = format!("/CN=pi-digits test {name}");
    let files = ["-keyout", text(&key), "-out", text(&cert)];
    openssl(
        &format!("req -x509 {NEW_KEY} -days 1"),
        &[&["-subj", &subject][..], &files].concat(),
    );
    (cert, key)
}

/// A server certificate for `ip` issued by the CA `ca` (certificate,
/// key), made in `dir`: `cert.pem` and `key.pem`.
fn issue_certificate(dir: &Path, ca: &(PathBuf, PathBuf), ip: Ipv4Addr) -> (PathBuf, PathBuf) {
    let [cert, key, request, extensions] =
        ["cert.pem", "key.pem", "cert.csr", "cert.ext"].map(|name| dir.join(name));
    let subject = "/CN=pi-digits test registry";
    let files = ["-keyout", text(&key), "-out", text(&request)];
    openssl(
        &format!("req {NEW_KEY}"),
        &[&["-subj", subject][..], &files].concat(),
    );
    std::fs::write(
        &extensions,
        format!(
            "subjectAltName=IP:{ip}\n\
             basicConstraints=critical,CA:FALSE\n\
             extendedKeyUsage=serverAuth\n"
        ),
    )
    .unwrap();
    let issuer = ["-CA", text(&ca.0), "-CAkey", text(&ca.1)];
    let files = ["-in", text(&request), "-extfile", text(&extensions)];
    openssl(
        "x509 -req -days 1",
        &[&issuer[..], &files, &["-out", text(&cert)]].concat(),
    );
    (cert, key)
}

/// A registry over TLS with htpasswd authentication, whose certificate a
/// CA of its own issued. pi-digits speaks TLS to it and refuses the
/// certificate, rather than falling back to plain HTTP or accepting it: no
/// authority of the system's trust store issued it, nor one from another
/// CA's file. Trusting its CA, from --registry-ca or PI_DIGITS_REGISTRY_CA
/// (a file of two certificates, the CA's second), and with the
/// credentials, it is published to and pulled from: the very bytes.
#[test]
fn a_registry_over_tls_is_verified_and_trusted_with_its_ca() {
    let ip = own_address();
    let pki = tempfile::tempdir().unwrap();
    let ca = make_ca(pki.path(), "ca");
    let (other_ca, _) = make_ca(pki.path(), "other-ca");
    let registry = LocalRegistry::start_with(ip, |root| {
        let (cert, key) = issue_certificate(root, &ca, ip);
        std::fs::write(root.join("htpasswd"), HTPASSWD).unwrap();
        format!(
            "  tls:\n    certificate: {}\n    key: {}\n\
             auth:\n  htpasswd:\n    realm: pi-digits\n    path: {}\n",
            cert.display(),
            key.display(),
            root.join("htpasswd").display()
        )
    });
    let https = format!("https://{}/v2/", registry.addr);
    let reference = registry.reference("pi-digits/pi:0.2.0");
    let credentials = [USER, PASSWORD];
    let (ca_file, other_ca_file) = (text(&ca.0), text(&other_ca));
    let publish = ["publish", reference.as_str()];
    let refused = |output: &Output, why: &str| {
        assert!(!output.status.success(), "{why}");
        assert!(
            stderr(output).contains(&https) && stderr(output).contains(why),
            "{why}: {}",
            stderr(output)
        );
    };

    let untrusted = "invalid peer certificate: UnknownIssuer";
    refused(&pi_digits_with(&credentials, &publish), untrusted);
    let with_other_ca = [&["--registry-ca", other_ca_file][..], &publish].concat();
    refused(&pi_digits_with(&credentials, &with_other_ca), untrusted);

    // Trusted, and the registry's own refusal comes through: no
    // credentials, no push.
    let with_ca = [&["--registry-ca", ca_file][..], &publish].concat();
    refused(&pi_digits_with(&[], &with_ca), "code: 401");
    let output = pi_digits_with(&credentials, &with_ca);
    let pinned = stdout(&output).trim_end().to_owned();
    assert!(
        pinned.starts_with(&format!("oci://{}/pi-digits/pi@sha256:", registry.addr)),
        "{pinned}"
    );

    let bundle = pki.path().join("bundle.pem");
    let pem = [other_ca.as_path(), &ca.0].map(|file| std::fs::read_to_string(file).unwrap());
    std::fs::write(&bundle, pem.concat()).unwrap();
    let pulled = pki.path().join("pulled.wasm");
    let variable = ("PI_DIGITS_REGISTRY_CA", text(&bundle));
    let output = pi_digits_with(
        &[variable, USER, PASSWORD],
        &["pull", &reference, "-o", text(&pulled)],
    );
    assert_eq!(stdout(&output), format!("{pinned}\n"));
    assert_eq!(std::fs::read(&pulled).unwrap(), component());
}

/// A CA file that cannot be used is an error naming the file, and no
/// request is made: a file that is not there, one with no certificate, one
/// whose certificate section holds something else.
#[test]
fn a_registry_ca_file_that_cannot_be_used_is_an_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.pem");
    let no_certificate = dir.path().join("no-certificate.pem");
    std::fs::write(&no_certificate, "a CA's name, but no certificate\n").unwrap();
    // "pi-digits" in base64: valid PEM, but not DER of a certificate.
    let not_a_certificate = dir.path().join("not-a-certificate.pem");
    std::fs::write(
        &not_a_certificate,
        "-----BEGIN CERTIFICATE-----\ncGktZGlnaXRz\n-----END CERTIFICATE-----\n",
    )
    .unwrap();
    let out = dir.path().join("pulled.wasm");
    for (file, why) in [
        (&missing, "No such file"),
        (&no_certificate, "it has no certificate"),
        (&not_a_certificate, "certificate 1 of 1"),
    ] {
        let output = pi_digits_with(
            &[],
            &[
                "--registry-ca",
                text(file),
                "pull",
                "oci://127.0.0.1:1/pi-digits/pi:0.2.0",
                "-o",
                text(&out),
            ],
        );
        assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
        assert!(
            stderr(&output).contains(text(file)) && stderr(&output).contains(why),
            "{why}: {}",
            stderr(&output)
        );
        assert!(
            !stderr(&output).contains("pulling"),
            "no request: {}",
            stderr(&output)
        );
        assert!(!out.exists());
    }
}

/// `serve --app oci://…`: the whole HTTP app, published as a component,
/// is pulled and served.
#[test]
fn serve_runs_an_app_from_a_registry() {
    let registry = LocalRegistry::start();
    let work = tempfile::tempdir().unwrap();
    let published: Value = serde_json::from_str(&stdout(&pi_digits(
        &work.path().join("publisher"),
        &[
            "--component",
            pi_digits_artifacts::APP_PATH,
            "--json",
            "publish",
            &registry.reference("pi-digits/app:0.2.0"),
        ],
    )))
    .unwrap();
    let pinned = published["component"]["pinned"].as_str().unwrap();

    let mut command = Command::new(env!("CARGO_BIN_EXE_pi-digits"));
    command
        .arg("--cache-dir")
        .arg(work.path().join("cache"))
        .args(["serve", "--app", pinned, "--addr", "127.0.0.1:0"]);
    let server = Server::start(command, SERVING);
    server.wait_for_output("Pulled");
    let json = get_json(&server, "/api/histogram?n=1000");
    assert_eq!(
        json["counts"],
        serde_json::to_value(Reference::load().histogram(1_000)).unwrap()
    );
}

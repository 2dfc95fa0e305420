//! Serves the HTTP app (the HTTP component with the pi component plugged
//! in) through `wasmtime-wasi-http`: each request gets a fresh instance,
//! as under Spin and `wasmtime serve`.

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context as _;
use http_body_util::{BodyExt as _, Full};
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use tokio::net::TcpListener;
use wasmtime::component::{Component, Linker, ResourceTable};
use wasmtime::{Config, Engine, Store};
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};
use wasmtime_wasi_http::io::TokioIo;
use wasmtime_wasi_http::p2::bindings::ProxyPre;
use wasmtime_wasi_http::p2::bindings::http::types::Scheme;
use wasmtime_wasi_http::p2::body::HyperOutgoingBody;
use wasmtime_wasi_http::{WasiHttpCtx, WasiHttpCtxView, WasiHttpView};

/// The composed HTTP app built from this workspace, embedded at build time.
pub const EMBEDDED_APP: &[u8] = include_bytes!(env!("PI_DIGITS_APP_WASM"));

/// A compiled HTTP app, ready to answer requests.
#[derive(Clone)]
pub struct App {
    pre: Arc<ProxyPre<State>>,
}

impl App {
    /// Compiles an HTTP app component (`wasi:http/proxy`, no other imports
    /// than WASI's).
    pub fn new(wasm: &[u8]) -> anyhow::Result<App> {
        let engine = Engine::new(&Config::new())?;
        let component = Component::new(&engine, wasm)
            .map_err(anyhow::Error::from)
            .context("compiling the HTTP app")?;
        let mut linker = Linker::new(&engine);
        wasmtime_wasi::p2::add_to_linker_async(&mut linker)?;
        wasmtime_wasi_http::p2::add_only_http_to_linker_async(&mut linker)?;
        let pre = linker
            .instantiate_pre(&component)
            .map_err(anyhow::Error::from)
            .context("linking the HTTP app")?;
        let pre = ProxyPre::new(pre)?;
        Ok(App { pre: Arc::new(pre) })
    }

    /// Serves on `listener` until the process ends.
    pub async fn serve(self, listener: TcpListener) -> anyhow::Result<()> {
        loop {
            let (stream, _) = listener.accept().await.context("accepting a connection")?;
            let app = self.clone();
            tokio::spawn(async move {
                let service = service_fn(move |request| {
                    let app = app.clone();
                    async move { anyhow::Ok(app.handle(request).await) }
                });
                // A client that goes away mid-request is not our error.
                let _ = http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    }

    /// Answers one request; a failing guest becomes a 500 with a JSON body.
    async fn handle(
        &self,
        request: hyper::Request<Incoming>,
    ) -> hyper::Response<HyperOutgoingBody> {
        match self.call_guest(request).await {
            Ok(response) => response,
            Err(error) => {
                eprintln!("error: the HTTP app failed: {error:#}");
                let body = serde_json::json!({
                    "error": "internal",
                    "message": "the pi component failed to answer",
                });
                hyper::Response::builder()
                    .status(500)
                    .header("content-type", "application/json")
                    .header("cache-control", "no-store")
                    .body(
                        Full::new(Bytes::from(body.to_string()))
                            .map_err(|never| match never {})
                            .boxed_unsync(),
                    )
                    .expect("a valid response")
            }
        }
    }

    async fn call_guest(
        &self,
        request: hyper::Request<Incoming>,
    ) -> anyhow::Result<hyper::Response<HyperOutgoingBody>> {
        let mut store = Store::new(self.pre.engine(), State::new());
        let (sender, receiver) = tokio::sync::oneshot::channel();
        let request = store
            .data_mut()
            .http()
            .new_incoming_request(Scheme::Http, request)?;
        let response = store.data_mut().http().new_response_outparam(sender)?;
        let pre = self.pre.clone();
        let guest = tokio::spawn(async move {
            let proxy = pre.instantiate_async(&mut store).await?;
            proxy
                .wasi_http_incoming_handler()
                .call_handle(&mut store, request, response)
                .await
        });
        match receiver.await {
            Ok(Ok(response)) => Ok(response),
            Ok(Err(code)) => Err(anyhow::anyhow!(
                "the guest answered with an error: {code:?}"
            )),
            // The guest ended without answering: report why.
            Err(_) => match guest.await? {
                Ok(()) => Err(anyhow::anyhow!("the guest returned without a response")),
                Err(error) => Err(anyhow::Error::from(error)),
            },
        }
    }
}

/// Binds `addr`, then serves `app` on it; prints the address it serves.
pub async fn run(app: App, addr: SocketAddr) -> anyhow::Result<()> {
    let listener = TcpListener::bind(addr)
        .await
        .with_context(|| format!("binding {addr}"))?;
    println!("Serving http://{}/", listener.local_addr()?);
    app.serve(listener).await
}

/// What a store holds for one request.
struct State {
    wasi: WasiCtx,
    http: WasiHttpCtx,
    table: ResourceTable,
}

impl State {
    fn new() -> State {
        State {
            // No files, environment or network: only stderr, for panics.
            wasi: WasiCtx::builder().inherit_stderr().build(),
            http: WasiHttpCtx::new(),
            table: ResourceTable::new(),
        }
    }
}

impl WasiView for State {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

impl WasiHttpView for State {
    fn http(&mut self) -> WasiHttpCtxView<'_> {
        WasiHttpCtxView {
            ctx: &mut self.http,
            table: &mut self.table,
            hooks: Default::default(),
        }
    }
}

//! Serves the HTTP app (the HTTP component with the pi component plugged
//! in) through `wasmtime-wasi-http`. Each request gets a fresh instance from
//! a pre-linked component and the pooling allocator, as under Spin; every
//! request runs under the [`Limits`], every client under the
//! [`ClientLimits`], and SIGINT or SIGTERM stop the server once the requests
//! in flight are answered, or their grace period is over.

use std::io;
use std::net::SocketAddr;
use std::num::NonZeroUsize;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use http_body_util::combinators::UnsyncBoxBody;
use http_body_util::{BodyExt as _, Empty, Full, Limited};
use hyper::body::{Body, Bytes, Frame, Incoming, SizeHint};
use hyper::header::{CONNECTION, HeaderValue, IF_NONE_MATCH};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioTimer;
use pi_digits_api::api::{self, ApiError, BeyondMaximum, Reply};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, watch};
use tokio::task::JoinSet;
use wasmtime::component::{Linker, Resource};
use wasmtime::{Config, Enabled, InstanceAllocationStrategy, PoolingAllocationConfig, Store};
use wasmtime_wasi_http::WasiHttpView as _;
use wasmtime_wasi_http::io::TokioIo;
use wasmtime_wasi_http::p2::bindings::ProxyPre;
use wasmtime_wasi_http::p2::bindings::http::types::{ErrorCode, Scheme};
use wasmtime_wasi_http::p2::body::HyperOutgoingBody;
use wasmtime_wasi_http::p2::hyper_request_error;
use wasmtime_wasi_http::p2::types::{HostIncomingRequest, HostResponseOutparam};

use crate::http_cache::HttpCache;
use crate::limits::{self, Failure, Limits};
use crate::state::State;
use crate::{Options, SetupError, precompiled};

/// The HTTP app built from this workspace (`artifacts/`), embedded.
pub const EMBEDDED_APP: &[u8] = pi_digits_artifacts::APP;

/// Requests computed at once; more wait for a slot. The pooling allocator
/// holds exactly this many instances.
const CONCURRENT_REQUESTS: u32 = 64;

/// Bytes of each memory and table of an instance slot that stay resident
/// for the slot's next instance (see [`pooling`]). Measured on requests
/// for 1,000,000 digits: 4 MiB gains most of what 16 MiB does, 1 MiB a
/// third of it; every slot in use may hold this much of each memory.
const KEEP_RESIDENT: usize = 4 << 20;

/// How long the server waits after a failed accept before the next.
const ACCEPT_RETRY_PAUSE: Duration = Duration::from_millis(50);

/// At most one warning about failed accepts per this interval.
const ACCEPT_REPORT_INTERVAL: Duration = Duration::from_secs(10);

/// File descriptors kept for everything but connections: the standard
/// streams, the listener, the runtime's epoll and wakers, the signal pipe
/// (a dozen in all, measured) and room for more.
const RESERVED_FILES: usize = 32;

/// The most bytes of a request body an app is given: no route of our app
/// takes a body, and a foreign app's is cut off here. Reading stops there
/// too, but for what hyper has read ahead (see
/// [`ClientLimits::max_header_size`]).
const MAX_BODY: usize = 64 * 1024;

/// The least [`ClientLimits::max_header_size`] may be: hyper's own floor
/// for a connection's buffer (it panics below it).
pub const MIN_HEADER_SIZE: usize = 8 * 1024;

/// How the server bounds its clients, so that slow, idle or many of them
/// cannot lock others out, nor hold a shutdown hostage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientLimits {
    /// How long a connection may take to send a complete request head,
    /// counted from its start and again from the end of each response: a
    /// half-sent head, or a keep-alive connection idle this long, is closed.
    pub header_timeout: Duration,
    /// Connections open at once; at the bound the server stops accepting
    /// (the kernel queues the rest) until one closes. `None`: as many as the
    /// open-file limit (`ulimit -n`) leaves room for, less a reserve for the
    /// server's other files.
    pub max_connections: Option<NonZeroUsize>,
    /// How long a shutdown waits for the requests in flight.
    pub shutdown_grace: Duration,
    /// The most bytes hyper buffers of a connection's input, and so about
    /// the longest request head: past it, hyper answers 431 and closes the
    /// connection (it checks between reads, so a head up to about 1.25
    /// times this can pass). A body is read at most about two buffers past
    /// [`MAX_BODY`]. At least [`MIN_HEADER_SIZE`]. Hyper's own default, some
    /// 400 KiB, would read far ahead.
    pub max_header_size: usize,
}

impl Default for ClientLimits {
    /// 10 s for a request head, as many connections as file descriptors
    /// allow, 10 s for the requests in flight at a shutdown (well within
    /// the 30 s Kubernetes waits after SIGTERM), and 16 KiB for a request
    /// head, as Node.js allows.
    fn default() -> ClientLimits {
        ClientLimits {
            header_timeout: Duration::from_secs(10),
            max_connections: None,
            shutdown_grace: Duration::from_secs(10),
            max_header_size: 16 * 1024,
        }
    }
}

/// The most connections that fit under this process's open-file limit
/// (`RLIMIT_NOFILE`, `ulimit -n`), less [`RESERVED_FILES`] (half of a limit
/// too small for them) for the server's other descriptors.
fn connections_within_file_limit() -> io::Result<NonZeroUsize> {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit(2) writes only to the struct it is given.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } != 0 {
        return Err(io::Error::last_os_error());
    }
    // RLIM_INFINITY does not fit in 32 bits; no bound is then as good.
    let files = usize::try_from(limit.rlim_cur).unwrap_or(usize::MAX);
    let connections = files - RESERVED_FILES.min(files / 2);
    Ok(NonZeroUsize::new(connections).unwrap_or(NonZeroUsize::MIN))
}

/// A compiled HTTP app, ready to answer requests.
#[derive(Clone)]
pub struct App {
    pre: Arc<ProxyPre<State>>,
    limits: Limits,
    clients: ClientLimits,
    slots: Arc<Semaphore>,
    /// Whether the app is built on our HTTP component, whose query grammar
    /// the server may read (see [`App::answer`]).
    ours: bool,
    /// Answers kept for every client, if there is a cache.
    cache: Option<HttpCache>,
}

/// Which HTTP component an [`App`] is built on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Ours (the built-in app, or one composed around another pi
    /// component): its requests are read by `pi-digits-api`.
    Ours,
    /// Any other `wasi:http/proxy` component: its requests are its own.
    Foreign,
}

impl App {
    /// Compiles an HTTP app component (`wasi:http/proxy`, no other imports
    /// than WASI's).
    pub fn new(wasm: &[u8], kind: Kind, options: &Options) -> Result<App, SetupError> {
        let mut config = Config::new();
        config.allocation_strategy(InstanceAllocationStrategy::Pooling(pooling(
            &options.limits,
        )));
        let engine = limits::interruptible_engine(&mut config).map_err(SetupError::Engine)?;
        let component = precompiled::load(&engine, wasm, options.cache_dir.as_deref())
            .map_err(SetupError::Compile)?;
        let mut linker = Linker::new(&engine);
        wasmtime_wasi::p2::add_to_linker_async(&mut linker).map_err(SetupError::Link)?;
        wasmtime_wasi_http::p2::add_only_http_to_linker_async(&mut linker)
            .map_err(SetupError::Link)?;
        let pre = linker
            .instantiate_pre(&component)
            .and_then(ProxyPre::new)
            .map_err(SetupError::Link)?;
        Ok(App {
            pre: Arc::new(pre),
            limits: options.limits,
            clients: options.clients,
            slots: Arc::new(Semaphore::new(CONCURRENT_REQUESTS as usize)),
            ours: kind == Kind::Ours,
            cache: HttpCache::new(options.http_cache_bytes),
        })
    }

    /// Compiles the built-in app.
    pub fn embedded(options: &Options) -> Result<App, SetupError> {
        App::new(EMBEDDED_APP, Kind::Ours, options)
    }

    /// Serves one connection until it closes, or until `shutdown` turns
    /// true and the request in flight, if any, is answered. `_open` is the
    /// connection's place under [`ClientLimits::max_connections`], given
    /// back when the connection is closed.
    async fn serve_connection(
        self,
        stream: TcpStream,
        mut shutdown: watch::Receiver<bool>,
        _open: OwnedSemaphorePermit,
    ) {
        let in_flight = Arc::new(AtomicUsize::new(0));
        let ClientLimits {
            header_timeout,
            max_header_size,
            ..
        } = self.clients;
        let service = service_fn({
            let in_flight = Arc::clone(&in_flight);
            move |request| {
                let app = self.clone();
                let counted = InFlight::new(&in_flight);
                async move {
                    let response = app.handle(request).await;
                    anyhow::Ok(response.map(|body| CountedBody {
                        body,
                        _in_flight: counted,
                    }))
                }
            }
        });
        // The head timer starts with the connection and, in hyper 1.12
        // (`State::idle` in src/proto/h1/conn.rs), again whenever a
        // keep-alive connection goes idle after a response: the one timer
        // closes half-sent heads and idle connections alike.
        let connection = http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(header_timeout)
            .max_buf_size(max_header_size)
            .serve_connection(TokioIo::new(stream), service);
        tokio::pin!(connection);
        // A client that goes away mid-request is not our error.
        tokio::select! {
            _ = connection.as_mut() => {}
            // The only change ever sent is the stop.
            _ = shutdown.changed() => {
                // Without a complete request head there is nothing to
                // finish; hyper's graceful shutdown would wait for the rest
                // of the head. Dropping the connection closes it now.
                if in_flight.load(Ordering::Relaxed) > 0 {
                    connection.as_mut().graceful_shutdown();
                    let _ = connection.await;
                }
            }
        }
    }

    /// Answers one request without reading more than [`MAX_BODY`] bytes of
    /// its body: a longer declared body is refused unread (413); our app,
    /// which reads none, is given none; a foreign app's is cut off.
    async fn handle(
        &self,
        request: hyper::Request<Incoming>,
    ) -> hyper::Response<HyperOutgoingBody> {
        if request.body().size_hint().lower() > MAX_BODY as u64 {
            let message = format!(
                "the request body is longer than {MAX_BODY} bytes, the most this server accepts"
            );
            let mut response = to_hyper(ApiError::new(413, "body-too-large", message).reply());
            close_after(&mut response);
            return response;
        }
        let (parts, body) = request.into_parts();
        if self.ours {
            // Unread, an upload leaves the connection unfit for another
            // request (hyper closes its reading side): the client is told.
            let unread = !body.is_end_stream();
            drop(body);
            let empty = Empty::new().map_err(|never| match never {}).boxed_unsync();
            let mut response = self.answer(hyper::Request::from_parts(parts, empty)).await;
            if unread {
                close_after(&mut response);
            }
            response
        } else {
            let capped = Limited::new(body, MAX_BODY)
                .map_err(body_error)
                .boxed_unsync();
            self.answer(hyper::Request::from_parts(parts, capped)).await
        }
    }

    /// Answers one request: from the cache if it holds the answer; else
    /// refused before any work if it needs too many digits; else by the
    /// guest, whose answer the cache keeps if the answer allows.
    async fn answer(
        &self,
        request: hyper::Request<GuestBody>,
    ) -> hyper::Response<HyperOutgoingBody> {
        let Some(cache) = &self.cache else {
            return self.compute(request).await;
        };
        let Some(key) = HttpCache::key(&request) else {
            return self.compute(request).await;
        };
        let method = request.method().clone();
        if let Some(response) = cache.lookup(&key, &method, request.headers().get(IF_NONE_MATCH)) {
            return response;
        }
        let response = self.compute(request).await;
        cache.store(key, &method, response)
    }

    /// Answers one request through the guest: refused before any work if
    /// it needs too many digits; a guest stopped by a limit becomes a 503,
    /// any other guest failure a 500, each with a JSON body.
    async fn compute(
        &self,
        request: hyper::Request<GuestBody>,
    ) -> hyper::Response<HyperOutgoingBody> {
        // The app refuses oversized requests itself (it reads our limit from
        // its environment), but only once it has an instance: under load, a
        // request for 10^9 digits would wait for a slot to be told no. So for
        // our own HTTP component the server asks its grammar, pi-digits-api,
        // first; a foreign app's queries mean what that app says.
        // Only GET and HEAD compute: a preflight (OPTIONS) or another
        // method is the app's to answer (204, 405), whatever the query.
        let uri = request.uri();
        let computes = matches!(*request.method(), hyper::Method::GET | hyper::Method::HEAD);
        let needed = (self.ours && computes)
            .then(|| api::digits_needed(uri.path(), uri.query().unwrap_or_default()))
            .flatten();
        if needed.is_some_and(|needed| needed > self.limits.max_digits) {
            let maximum = self.limits.max_digits;
            return to_hyper(ApiError::beyond_maximum(BeyondMaximum { maximum }).reply());
        }
        let slot = Arc::clone(&self.slots)
            .acquire_owned()
            .await
            .expect("the semaphore is never closed");
        match self.call_guest(request, slot).await {
            Ok(response) => response,
            Err((Failure::Deadline, _)) => {
                let message = format!(
                    "the computation took longer than {:?} and was stopped",
                    self.limits.timeout
                );
                to_hyper(ApiError::new(503, "deadline-exceeded", message).reply())
            }
            Err((Failure::Memory, _)) => {
                let message = format!(
                    "the computation needed more than {} bytes and was stopped",
                    self.limits.max_memory
                );
                to_hyper(ApiError::new(503, "memory-limit-exceeded", message).reply())
            }
            Err((Failure::Other, error)) => {
                eprintln!("error: the HTTP app failed: {error:#}");
                let message = "the pi component failed to answer".to_owned();
                to_hyper(ApiError::new(500, "internal", message).reply())
            }
        }
    }

    /// Runs the guest on `slot`, which it holds until its instance is gone:
    /// after the response head, while the guest streams the body, too.
    async fn call_guest(
        &self,
        request: hyper::Request<GuestBody>,
        slot: OwnedSemaphorePermit,
    ) -> Result<hyper::Response<HyperOutgoingBody>, (Failure, anyhow::Error)> {
        let other = |error: wasmtime::Error| (Failure::Other, anyhow::Error::from(error));
        let mut store = Store::new(self.pre.engine(), State::new(&self.limits));
        store.limiter(|state| &mut state.memory);
        self.limits.arm_yielding_deadline(&mut store);
        let (sender, receiver) = tokio::sync::oneshot::channel();
        let request = store
            .data_mut()
            .http()
            .new_incoming_request(Scheme::Http, request)
            .map_err(other)?;
        let response = store
            .data_mut()
            .http()
            .new_response_outparam(sender)
            .map_err(other)?;
        let guest = Guest { store, _slot: slot };
        let guest = tokio::spawn(run_guest(self.pre.clone(), guest, request, response));
        // If the client goes away, hyper drops this future: stop the guest
        // too. Once the response has started, the guest streams its body.
        let mut cancel = CancelOnDrop(Some(guest.abort_handle()));
        match receiver.await {
            Ok(Ok(response)) => {
                cancel.0 = None;
                Ok(response)
            }
            Ok(Err(code)) => Err((
                Failure::Other,
                anyhow::anyhow!("the guest answered with an error: {code:?}"),
            )),
            // The guest ended without answering: report why.
            Err(_) => match guest.await {
                Ok(Ok(())) => Err((
                    Failure::Other,
                    anyhow::anyhow!("the guest returned without a response"),
                )),
                Ok(Err(failure)) => Err(failure),
                Err(join_error) => Err((Failure::Other, join_error.into())),
            },
        }
    }
}

/// A request body as the guest gets it.
type GuestBody = UnsyncBoxBody<Bytes, ErrorCode>;

/// What the guest is told when the body it reads fails: cut off at
/// [`MAX_BODY`], or hyper's error (the client went away).
fn body_error(error: Box<dyn std::error::Error + Send + Sync>) -> ErrorCode {
    match error.downcast::<hyper::Error>() {
        Ok(error) => hyper_request_error(*error),
        // `Limited`'s only error of its own.
        Err(_) => ErrorCode::HttpRequestBodySize(Some(MAX_BODY as u64)),
    }
}

/// Marks a response as the connection's last.
fn close_after(response: &mut hyper::Response<HyperOutgoingBody>) {
    response
        .headers_mut()
        .insert(CONNECTION, HeaderValue::from_static("close"));
}

/// Counts a request of a connection as in flight while it lives: from the
/// complete head until hyper drops the response body, sent or not.
struct InFlight(Arc<AtomicUsize>);

impl InFlight {
    fn new(count: &Arc<AtomicUsize>) -> InFlight {
        count.fetch_add(1, Ordering::Relaxed);
        InFlight(Arc::clone(count))
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

/// A response body that keeps its request counted in flight.
struct CountedBody {
    body: HyperOutgoingBody,
    _in_flight: InFlight,
}

impl Body for CountedBody {
    type Data = Bytes;
    type Error = <HyperOutgoingBody as Body>::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        // Both fields are Unpin, so is the body.
        Pin::new(&mut self.get_mut().body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

/// A guest's store and its slot. The store is dropped first (fields drop in
/// order), so the pooling allocator has its instance back before another
/// request may take the slot, however the task ends.
struct Guest {
    store: Store<State>,
    _slot: OwnedSemaphorePermit,
}

/// Instantiates the app and lets it handle one request. `guest` is a
/// parameter, so the task owns all of it: an async block would capture
/// only the store and leave the slot behind, freed at the response head
/// while the instance still streams the body (the load test's 500s).
async fn run_guest(
    pre: Arc<ProxyPre<State>>,
    mut guest: Guest,
    request: Resource<HostIncomingRequest>,
    response: Resource<HostResponseOutparam>,
) -> Result<(), (Failure, anyhow::Error)> {
    let store = &mut guest.store;
    let result = async {
        let proxy = pre.instantiate_async(&mut *store).await?;
        proxy
            .wasi_http_incoming_handler()
            .call_handle(&mut *store, request, response)
            .await
    }
    .await;
    result.map_err(|error| {
        (
            limits::classify(&error, &store.data().memory),
            anyhow::Error::from(error),
        )
    })
}

/// Aborts a task when dropped, unless emptied first.
struct CancelOnDrop(Option<tokio::task::AbortHandle>);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        if let Some(task) = &self.0 {
            task.abort();
        }
    }
}

/// Instance slots for [`CONCURRENT_REQUESTS`] apps, each with a memory cap.
fn pooling(limits: &Limits) -> PoolingAllocationConfig {
    // A composed app holds two components, each a few core instances,
    // memories and tables; these bounds leave room for both.
    let mut pool = PoolingAllocationConfig::default();
    pool.total_component_instances(CONCURRENT_REQUESTS)
        .total_core_instances(CONCURRENT_REQUESTS * 32)
        .total_memories(CONCURRENT_REQUESTS * 4)
        .total_tables(CONCURRENT_REQUESTS * 8)
        .max_memory_size(limits.max_memory);
    // Where Linux's PAGEMAP_SCAN (6.7 and later) tells which pages the last
    // instance of a slot touched, those are reset for the next instance by
    // writing their initial contents back, up to KEEP_RESIDENT bytes of
    // each memory, instead of being unmapped (then every request faults
    // its pages in again): fresh instances all the same, at twice the
    // stock server's requests/s (docs/load-test.md). Without the scan the
    // first KEEP_RESIDENT bytes would all be rewritten, which costs more.
    if PoolingAllocationConfig::is_pagemap_scan_available() {
        pool.linear_memory_keep_resident(KEEP_RESIDENT)
            .table_keep_resident(KEEP_RESIDENT)
            .pagemap_scan(Enabled::Yes);
    }
    pool
}

/// Binds `addr`, prints the address it serves, and serves `app` until
/// SIGINT or SIGTERM; then stops accepting, closes the connections without a
/// request in flight, and waits for the others at most the shutdown grace.
pub async fn run(app: App, addr: SocketAddr) -> io::Result<()> {
    let clients = app.clients;
    let room = connections_within_file_limit()?;
    let max_connections = match clients.max_connections {
        Some(max) if max > room => {
            eprintln!(
                "warning: {max} connections are allowed, but the open-file limit leaves room \
                 for {room}: past that, accepting will fail"
            );
            max
        }
        Some(max) => max,
        None => room,
    };
    let listener = TcpListener::bind(addr).await?;
    println!("Serving http://{}/", listener.local_addr()?);
    let (stop, stopped) = watch::channel(false);
    let open = Arc::new(Semaphore::new(
        max_connections.get().min(Semaphore::MAX_PERMITS),
    ));
    let mut connections = JoinSet::new();
    let mut failures = AcceptFailures::default();
    let signal = shutdown_signal();
    tokio::pin!(signal);
    loop {
        tokio::select! {
            accepted = accept(&listener, &open) => match accepted {
                Ok((stream, place)) => {
                    connections.spawn(app.clone().serve_connection(stream, stopped.clone(), place));
                }
                // A client that gave up before it was accepted, or no file
                // descriptor left (an explicit bound past the limit): the
                // server goes on, after a pause so that it does not spin.
                Err(error) => {
                    failures.record(&error);
                    tokio::time::sleep(ACCEPT_RETRY_PAUSE).await;
                }
            },
            signal = &mut signal => {
                signal?;
                break;
            }
        }
        while connections.try_join_next().is_some() {}
    }
    drop(listener);
    eprintln!(
        "Shutting down: closing connections without a request in flight, finishing the others \
         for at most {:?}",
        clients.shutdown_grace
    );
    stop.send_replace(true);
    let drained = tokio::time::timeout(clients.shutdown_grace, async {
        while connections.join_next().await.is_some() {}
    })
    .await;
    if drained.is_err() {
        eprintln!(
            "warning: {} connections still busy after {:?}: closed",
            connections.len(),
            clients.shutdown_grace
        );
        connections.shutdown().await;
    }
    Ok(())
}

/// Accepts a connection once there is a place for it: at the bound, new
/// connections wait in the kernel's backlog, not for a file descriptor.
async fn accept(
    listener: &TcpListener,
    open: &Arc<Semaphore>,
) -> io::Result<(TcpStream, OwnedSemaphorePermit)> {
    let place = Arc::clone(open)
        .acquire_owned()
        .await
        .expect("the semaphore is never closed");
    let (stream, _) = listener.accept().await?;
    Ok((stream, place))
}

/// Failed accepts, reported at most once per [`ACCEPT_REPORT_INTERVAL`] with
/// their count: out of file descriptors every retry fails, and a line per
/// retry flooded the log.
#[derive(Default)]
struct AcceptFailures {
    unreported: u64,
    last_report: Option<Instant>,
}

impl AcceptFailures {
    fn record(&mut self, error: &io::Error) {
        self.unreported += 1;
        let now = Instant::now();
        if self
            .last_report
            .is_none_or(|last| now.duration_since(last) >= ACCEPT_REPORT_INTERVAL)
        {
            eprintln!(
                "warning: accepting a connection failed {} times since the last warning \
                 (one per {ACCEPT_REPORT_INTERVAL:?} at most): {error}",
                self.unreported
            );
            self.unreported = 0;
            self.last_report = Some(now);
        }
    }
}

/// Resolves at the first SIGINT (Ctrl-C) or SIGTERM.
async fn shutdown_signal() -> std::io::Result<()> {
    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    tokio::select! {
        interrupted = tokio::signal::ctrl_c() => interrupted?,
        _ = terminate.recv() => {}
    }
    Ok(())
}

fn to_hyper(reply: Reply) -> hyper::Response<HyperOutgoingBody> {
    let mut response = hyper::Response::builder().status(reply.status);
    for (name, value) in reply.headers {
        response = response.header(name, value);
    }
    let body = Full::new(Bytes::from(reply.body))
        .map_err(|never| match never {})
        .boxed_unsync();
    response.body(body).expect("a valid response")
}

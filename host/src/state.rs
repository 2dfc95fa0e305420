//! What a store holds for a guest, in the CLI and the server alike: WASI's
//! context (and wasi:http's, which only the HTTP app uses), the resource
//! table, and the memory cap.

use wasmtime::component::ResourceTable;
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};
#[cfg(feature = "serve")]
use wasmtime_wasi_http::{WasiHttpCtx, WasiHttpCtxView, WasiHttpView};

use crate::limits::{Limits, MemoryCap};

/// One store's host state.
pub(crate) struct State {
    wasi: WasiCtx,
    #[cfg(feature = "serve")]
    http: WasiHttpCtx,
    table: ResourceTable,
    /// The memory cap, also asked after a failure whether it refused a growth.
    pub(crate) memory: MemoryCap,
}

impl State {
    /// Fresh state under `limits`.
    pub(crate) fn new(limits: &Limits) -> State {
        // No files or network: stderr, for panics, and the HTTP app's
        // maximum, so its /api/info and refusals state the host's limit.
        let mut wasi = WasiCtx::builder();
        wasi.inherit_stderr();
        #[cfg(feature = "serve")]
        wasi.env(
            pi_digits_api::api::MAX_DIGITS_VAR,
            limits.max_digits.to_string(),
        );
        State {
            wasi: wasi.build(),
            #[cfg(feature = "serve")]
            http: WasiHttpCtx::new(),
            table: ResourceTable::new(),
            memory: limits.memory_cap(),
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

#[cfg(feature = "serve")]
impl WasiHttpView for State {
    fn http(&mut self) -> WasiHttpCtxView<'_> {
        WasiHttpCtxView {
            ctx: &mut self.http,
            table: &mut self.table,
            hooks: Default::default(),
        }
    }
}

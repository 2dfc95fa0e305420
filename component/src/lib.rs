//! The pi component: exports `pi:digits/pi` (see `wit/pi.wit`), the WIT
//! glue over the math of `pi-digits-math`. Built for wasm only: its export
//! names are not valid native symbol names.

//!
//! `no_std`: without std nothing can write to stderr, so the component
//! imports nothing (world `calculator` needs nothing from its host). A
//! panic, or an allocation that fails, traps: the call fails and the host
//! reports it, as it did when std aborted.

#![cfg(target_family = "wasm")]
#![no_std]

extern crate alloc;

use alloc::string::String;
use alloc::vec::Vec;

use pi_digits_math::cache::{self, DigitCache, MAX_DIGITS};
use pi_digits_math::pi;
use pi_digits_math::search::{Pattern, PatternProblem};
use pi_digits_math::snapshot::Snapshot;
use spin::{Mutex, MutexGuard};

/// dlmalloc, the allocator std uses on wasm, as a crate.
#[global_allocator]
static ALLOCATOR: dlmalloc::GlobalDlmalloc = dlmalloc::GlobalDlmalloc;

/// Any panic (an allocation failure is one, in `no_std`) ends the call
/// with a trap, and nothing else: there is no stderr to write to.
#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    core::arch::wasm32::unreachable()
}

/// The canonical ABI's allocator, through which a host hands the component
/// the arguments it cannot pass in registers (`search`'s pattern). On
/// wasm32-wasip2 wit-bindgen leaves it to std, which has it; without std
/// the component must export it itself. A failed allocation traps, as any
/// other does here.
///
/// # Safety
///
/// Called by the host only, as the canonical ABI says: `old_ptr` and
/// `old_len` are an earlier allocation of this function (or 0 and 0),
/// `align` a power of two.
#[unsafe(no_mangle)]
unsafe extern "C" fn cabi_realloc(
    old_ptr: *mut u8,
    old_len: usize,
    align: usize,
    new_len: usize,
) -> *mut u8 {
    use alloc::alloc::{Layout, alloc, realloc};

    if new_len == 0 {
        // A zero-sized allocation needs no memory, only an aligned pointer.
        return align as *mut u8;
    }
    // The new size checked against the alignment; too large is a trap.
    let Ok(new) = Layout::from_size_align(new_len, align) else {
        core::arch::wasm32::unreachable()
    };
    // SAFETY: `new` is not zero-sized; an old allocation was made here with
    // `old_len` and `align`, a layout checked then, as the caller promises.
    let ptr = unsafe {
        if old_len == 0 {
            alloc(new)
        } else {
            let old = Layout::from_size_align_unchecked(old_len, align);
            realloc(old_ptr, old, new_len)
        }
    };
    if ptr.is_null() {
        core::arch::wasm32::unreachable()
    }
    ptr
}

wit_bindgen::generate!({
    world: "calculator",
    path: "../wit",
});

use exports::pi::digits::pi::{Error, Guest, Occurrences, PatternProblem as Problem};

/// The first digits of π and their running counts, written by build.rs
/// (`PI_DIGITS_SNAPSHOT_DIGITS`, 1,000,000 unless set): data in the
/// module's memory from the start, so a fresh instance answers inside them
/// without computing.
static SNAPSHOT: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/snapshot.bin"));

/// The snapshot, and digits computed by earlier calls on this instance. The component is
/// single-threaded and a call never re-enters another, so the lock is never
/// contended; it is there because a `static` must be `Sync`. A trap ends
/// the instance, so no half-updated cache is ever seen again.
static CACHE: Mutex<DigitCache> = Mutex::new(DigitCache::with_snapshot(
    pi::digits,
    Snapshot::new(SNAPSHOT),
));

fn cache() -> MutexGuard<'static, DigitCache> {
    CACHE.lock()
}

impl From<cache::Error> for Error {
    fn from(error: cache::Error) -> Self {
        match error {
            cache::Error::BeyondMaximum { maximum } => Error::BeyondMaximum(maximum),
        }
    }
}

impl From<PatternProblem> for Error {
    fn from(problem: PatternProblem) -> Self {
        Error::BadPattern(match problem {
            PatternProblem::Empty => Problem::Empty,
            PatternProblem::NotADigit => Problem::NotADigit,
            PatternProblem::TooLong => Problem::TooLong,
        })
    }
}

struct Component;

impl Guest for Component {
    fn max_digits() -> u64 {
        MAX_DIGITS
    }

    fn digits(n: u64) -> Result<String, Error> {
        Ok(cache().prefix(n)?.into_owned())
    }

    fn digits_window(offset: u64, length: u64) -> Result<String, Error> {
        Ok(cache().window(offset, length)?.into_owned())
    }

    fn histogram(n: u64) -> Result<Vec<u64>, Error> {
        Ok(cache().histogram(n)?.to_vec())
    }

    fn search(pattern: String, n: u64) -> Result<Occurrences, Error> {
        let pattern = Pattern::new(&pattern)?;
        let found = cache().search(pattern, n)?;
        Ok(Occurrences {
            position: found.position,
            count: found.count,
        })
    }
}

export!(Component);

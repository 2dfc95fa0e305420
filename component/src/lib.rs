//! The pi component: exports `pi:digits/pi` (see `wit/pi.wit`), the WIT
//! glue over the math of `pi-digits-math`. Built for wasm only: its export
//! names are not valid native symbol names.

#![cfg(target_family = "wasm")]

use std::sync::{Mutex, MutexGuard, PoisonError};

use pi_digits_math::cache::{self, DigitCache, MAX_DIGITS};
use pi_digits_math::pi;

wit_bindgen::generate!({
    world: "calculator",
    path: "../wit",
});

use exports::pi::digits::pi::{Error, Guest};

/// Digits computed by earlier calls on this instance.
static CACHE: Mutex<DigitCache> = Mutex::new(DigitCache::new(pi::digits));

fn cache() -> MutexGuard<'static, DigitCache> {
    // In the component a panic aborts the instance (panic = "abort"), so the
    // lock is never poisoned there; no call may trap on a poisoned lock.
    CACHE.lock().unwrap_or_else(PoisonError::into_inner)
}

impl From<cache::Error> for Error {
    fn from(error: cache::Error) -> Self {
        match error {
            cache::Error::BeyondMaximum { maximum } => Error::BeyondMaximum(maximum),
        }
    }
}

struct Component;

impl Guest for Component {
    fn max_digits() -> u64 {
        MAX_DIGITS
    }

    fn digits(n: u64) -> Result<String, Error> {
        Ok(cache().prefix(n)?.to_owned())
    }

    fn digits_window(offset: u64, length: u64) -> Result<String, Error> {
        Ok(cache().window(offset, length)?.to_owned())
    }

    fn histogram(n: u64) -> Result<Vec<u64>, Error> {
        Ok(cache().histogram(n)?.to_vec())
    }
}

export!(Component);

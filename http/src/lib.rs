//! The Spin HTTP component: `wasi:http` requests in (spin-sdk), answered
//! by `pi-digits-api`, whose `pi:digits/pi` calls go out through the
//! imported interface; the math is never linked in. Built for wasm only:
//! its export names are not valid native symbol names.
//!
//! It embeds the pi component transpiled to JavaScript for the page's
//! in-browser mode, from the folder `PI_DIGITS_BROWSER_DIR` names: build it
//! through `artifacts/` (`cargo build -p pi-digits-artifacts`, as
//! `spin build` does), which writes that folder first.

#![cfg(target_family = "wasm")]

use pi_digits_api::api::{
    self, BeyondMaximum, Capped, DEFAULT_MAX_DIGITS, Headers, MAX_DIGITS_VAR, Method, Occurrences,
    PatternProblem, Pi, SearchRefusal,
};
use pi_digits_api::browser::{File, JAVASCRIPT, WASM};
use spin_sdk::http::{Request, Response};
use spin_sdk::http_component;

mod bindings {
    spin_sdk::wit_bindgen::generate!({
        path: "../wit",
        world: "pi:digits/client",
        runtime_path: "::spin_sdk::wit_bindgen::rt",
        generate_all,
    });
}

use bindings::pi::digits::pi::{self as imported, Error, PatternProblem as Problem};

/// The pi component, reached through the imported interface.
struct ImportedPi;

/// The component's refusal, as the API reads it.
fn refusal(error: Error) -> SearchRefusal {
    match error {
        Error::BeyondMaximum(maximum) => SearchRefusal::BeyondMaximum(BeyondMaximum { maximum }),
        Error::BadPattern(problem) => SearchRefusal::BadPattern(match problem {
            Problem::Empty => PatternProblem::Empty,
            Problem::NotADigit => PatternProblem::NotADigit,
            Problem::TooLong => PatternProblem::TooLong,
        }),
    }
}

/// The refusal of a call that takes no pattern. A bad pattern there breaks
/// the contract: trapping makes the host answer 500, not a wrong answer.
fn beyond(error: Error) -> BeyondMaximum {
    match refusal(error) {
        SearchRefusal::BeyondMaximum(beyond) => beyond,
        SearchRefusal::BadPattern(problem) => {
            panic!("the pi component refused a call without a pattern as bad-pattern ({problem:?})")
        }
    }
}

impl Pi for ImportedPi {
    fn max_digits(&self) -> u64 {
        imported::max_digits()
    }

    fn digits(&self, n: u64) -> Result<String, BeyondMaximum> {
        imported::digits(n).map_err(beyond)
    }

    fn digits_window(&self, offset: u64, length: u64) -> Result<String, BeyondMaximum> {
        imported::digits_window(offset, length).map_err(beyond)
    }

    fn histogram(&self, n: u64) -> Result<Vec<u64>, BeyondMaximum> {
        imported::histogram(n).map_err(beyond)
    }

    fn search(&self, pattern: &str, n: u64) -> Result<Occurrences, SearchRefusal> {
        let found = imported::search(pattern, n).map_err(refusal)?;
        Ok(Occurrences {
            position: found.position,
            count: found.count,
        })
    }
}

#[http_component]
fn handle(request: Request) -> Response {
    let method = match request.method() {
        spin_sdk::http::Method::Get => Method::Get,
        spin_sdk::http::Method::Head => Method::Head,
        spin_sdk::http::Method::Options => Method::Options,
        _ => Method::Other,
    };
    let header = |name: &str| request.header(name).and_then(|value| value.as_str());
    let headers = Headers {
        accept: header("accept"),
        accept_encoding: header("accept-encoding"),
        if_none_match: header("if-none-match"),
    };
    // Unset (or not a number): the hosts' default, below the component's.
    let maximum = std::env::var(MAX_DIGITS_VAR)
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(DEFAULT_MAX_DIGITS);
    let pi = Capped {
        pi: ImportedPi,
        maximum,
    };
    let reply = api::respond(
        &pi,
        TRANSPILED,
        method,
        request.path(),
        request.query(),
        headers,
    );
    let mut response = Response::builder();
    response.status(reply.status);
    for (name, value) in reply.headers {
        response.header(name, value);
    }
    response.body(reply.body).build()
}

/// The pi component transpiled by jco, and each file's gzip.
const TRANSPILED: &[(&str, File)] = &[
    (
        "pi_digits.js",
        File {
            content_type: JAVASCRIPT,
            body: include_bytes!(concat!(env!("PI_DIGITS_BROWSER_DIR"), "/pi_digits.js")),
            gzip: Some(include_bytes!(concat!(
                env!("PI_DIGITS_BROWSER_DIR"),
                "/pi_digits.js.gz"
            ))),
        },
    ),
    (
        "pi_digits.core.wasm",
        File {
            content_type: WASM,
            body: include_bytes!(concat!(
                env!("PI_DIGITS_BROWSER_DIR"),
                "/pi_digits.core.wasm"
            )),
            gzip: Some(include_bytes!(concat!(
                env!("PI_DIGITS_BROWSER_DIR"),
                "/pi_digits.core.wasm.gz"
            ))),
        },
    ),
];

//! Glue: `wasi:http` requests in (spin-sdk), `pi:digits/pi` calls out.

use spin_sdk::http::{Request, Response};
use spin_sdk::http_component;

use crate::api::{self, BeyondMaximum, Capped, Headers, MAX_DIGITS_VAR, Method, Pi};

mod bindings {
    spin_sdk::wit_bindgen::generate!({
        path: "../wit",
        world: "pi:digits/client",
        runtime_path: "::spin_sdk::wit_bindgen::rt",
        generate_all,
    });
}

use bindings::pi::digits::pi::{self as imported, Error};

/// The pi component, reached through the imported interface.
struct ImportedPi;

fn beyond(error: Error) -> BeyondMaximum {
    match error {
        Error::BeyondMaximum(maximum) => BeyondMaximum { maximum },
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
}

#[http_component]
fn handle(request: Request) -> Response {
    let method = match request.method() {
        spin_sdk::http::Method::Get => Method::Get,
        _ => Method::Other,
    };
    let headers = Headers {
        accept: request.header("accept").and_then(|value| value.as_str()),
        accept_encoding: request
            .header("accept-encoding")
            .and_then(|value| value.as_str()),
    };
    // Unset (or not a number): the component's own maximum.
    let maximum = std::env::var(MAX_DIGITS_VAR)
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(u64::MAX);
    let pi = Capped {
        pi: ImportedPi,
        maximum,
    };
    let reply = api::respond(&pi, method, request.path(), request.query(), headers);
    let mut response = Response::builder();
    response.status(reply.status);
    for (name, value) in reply.headers {
        response.header(name, value);
    }
    response.body(reply.body).build()
}

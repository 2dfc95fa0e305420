//! Query strings as received: split, percent-decoded, checked strictly.
//! A request either names each parameter it needs once, in plain decimal,
//! or is refused with an [`ApiError`] saying exactly what is wrong.

use std::collections::BTreeMap;

use percent_encoding::percent_decode_str;

use crate::api::ApiError;

/// Longest query string accepted; anything longer is refused unread.
pub const MAX_QUERY_LEN: usize = 1024;

/// The decoded parameters of one query string.
#[derive(Debug, PartialEq, Eq)]
pub struct Query {
    params: BTreeMap<String, String>,
}

impl Query {
    /// Splits `raw` (without the `?`) into parameters, accepting only the
    /// names in `allowed`, each at most once.
    pub fn parse(raw: &str, allowed: &[&str]) -> Result<Query, ApiError> {
        if raw.len() > MAX_QUERY_LEN {
            return Err(ApiError::query_too_long());
        }
        let mut params = BTreeMap::new();
        for pair in raw.split('&').filter(|pair| !pair.is_empty()) {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            let name = decode(name)?;
            let value = decode(value)?;
            if !allowed.contains(&name.as_str()) {
                return Err(ApiError::unknown_parameter(&name, allowed));
            }
            if params.contains_key(&name) {
                return Err(ApiError::repeated_parameter(&name));
            }
            params.insert(name, value);
        }
        Ok(Query { params })
    }

    /// Whether the parameter `name` is present.
    pub fn has(&self, name: &str) -> bool {
        self.params.contains_key(name)
    }

    /// The text of parameter `name`, if present.
    pub fn text(&self, name: &str) -> Option<&str> {
        self.params.get(name).map(String::as_str)
    }

    /// Parameter `name` as a count: required, plain decimal digits only
    /// (no sign, space, point, exponent or hex), within a u64.
    pub fn count(&self, name: &str) -> Result<u64, ApiError> {
        let value = self
            .text(name)
            .ok_or_else(|| ApiError::missing_parameter(name))?;
        parse_count(value).ok_or_else(|| ApiError::invalid_number(name, value))
    }

    /// Parameter `name` as a count, `default` if absent.
    pub fn count_or(&self, name: &str, default: u64) -> Result<u64, ApiError> {
        if self.has(name) {
            self.count(name)
        } else {
            Ok(default)
        }
    }
}

/// A whole number written in plain decimal digits that fits a u64.
pub fn parse_count(value: &str) -> Option<u64> {
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    value.parse().ok()
}

/// Percent-decodes one name or value. `+` stays `+`: a count never holds
/// one, so `n=+5` is refused rather than read as ` 5`.
fn decode(raw: &str) -> Result<String, ApiError> {
    percent_decode_str(raw)
        .decode_utf8()
        .map(|text| text.into_owned())
        .map_err(|_| ApiError::invalid_query())
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn code(result: Result<impl std::fmt::Debug, ApiError>) -> &'static str {
        result.expect_err("refused").code
    }

    #[test]
    fn plain_counts_are_read() {
        let query = Query::parse("n=1000", &["n"]).unwrap();
        assert_eq!(query.count("n").unwrap(), 1000);
        assert_eq!(
            Query::parse("n=007&", &["n"]).unwrap().count("n").unwrap(),
            7
        );
        assert_eq!(
            Query::parse("n=%31%30", &["n"])
                .unwrap()
                .count("n")
                .unwrap(),
            10
        );
        let max = Query::parse("n=18446744073709551615", &["n"]).unwrap();
        assert_eq!(max.count("n").unwrap(), u64::MAX);
    }

    #[test]
    fn malformed_counts_are_refused() {
        for value in [
            "",
            "-1",
            "+5",
            "%2B5",
            "1.5",
            "1e3",
            "0x10",
            " 5",
            "5 ",
            "%205",
            "five",
            "18446744073709551616",
            "99999999999999999999999",
            "٣",
        ] {
            let query = Query::parse(&format!("n={value}"), &["n"]).unwrap();
            assert_eq!(code(query.count("n")), "invalid-number", "{value:?}");
        }
        assert_eq!(
            code(Query::parse("", &["n"]).unwrap().count("n")),
            "missing-parameter"
        );
    }

    #[test]
    fn unknown_repeated_and_undecodable_parameters_are_refused() {
        assert_eq!(code(Query::parse("m=5", &["n"])), "unknown-parameter");
        assert_eq!(code(Query::parse("n=5&n=5", &["n"])), "repeated-parameter");
        assert_eq!(
            code(Query::parse("n=5&%6E=6", &["n"])),
            "repeated-parameter"
        );
        assert_eq!(code(Query::parse("n=%FF", &["n"])), "invalid-query");
        let long = format!("n=1{}", "0".repeat(MAX_QUERY_LEN));
        assert_eq!(code(Query::parse(&long, &["n"])), "query-too-long");
    }

    proptest! {
        #[test]
        fn every_u64_round_trips(n: u64) {
            let query = Query::parse(&format!("n={n}"), &["n"]).unwrap();
            prop_assert_eq!(query.count("n").unwrap(), n);
        }

        #[test]
        fn any_query_is_answered_without_panicking(raw in ".{0,64}") {
            if let Ok(query) = Query::parse(&raw, &["n", "offset", "length"]) {
                let _ = query.count("n");
            }
        }

        #[test]
        fn anything_but_ascii_digits_is_refused(value in "[^0-9]{1,8}") {
            prop_assert_eq!(parse_count(&value), None);
        }
    }
}

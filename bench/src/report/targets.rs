//! The report's *Targets* table: the project's four performance targets,
//! each with what was measured and whether it was met.

use crate::child::{FirstAnswer, SEARCH_PATTERN, SEARCHED};
use crate::implementation::Implementation;
use crate::measure::{Measurement, find, seconds_of};
use crate::numbers::{mebibytes, ratio, seconds};

/// One row of the table.
pub struct Target {
    /// The target, as the issue states it.
    pub target: String,
    /// The numbers behind the verdict.
    pub measured: String,
    /// Met or missed, and by how much; "–" and why if not measured.
    pub verdict: String,
}

impl Target {
    fn new(target: &str, measured: impl Into<String>, verdict: impl Into<String>) -> Target {
        Target {
            target: target.to_string(),
            measured: measured.into(),
            verdict: verdict.into(),
        }
    }
}

/// The rows, in the targets' order.
pub fn rows(results: &[Measurement], first: &FirstAnswer) -> Vec<Target> {
    vec![
        within_2x_of_gmp(results),
        ten_million_digits(results),
        spigot_speedup(results, first),
        search_million(first),
    ]
}

/// Searching the first 1,000,000 digits in under 10 ms, the call on a
/// fresh instance: answered from the snapshot, so no size needs to run.
fn search_million(first: &FirstAnswer) -> Target {
    let limit = 10e-3;
    let time = first.search_million;
    let verdict = if time < limit {
        format!("**met**: {:.0}% under", (1.0 - time / limit) * 100.0)
    } else {
        format!("**missed** by {:.0}%", (time / limit - 1.0) * 100.0)
    };
    Target::new(
        "searching the first 1,000,000 digits under 10 ms (component, fresh instance)",
        format!(
            "`search(\"{SEARCH_PATTERN}\", {SEARCHED})` {} ({} with the instance)",
            seconds(time),
            seconds(first.instance_search_million)
        ),
        verdict,
    )
}

/// 1,000,000 digits within 2x of GMP.
fn within_2x_of_gmp(results: &[Measurement]) -> Target {
    let target = "1,000,000 digits within 2x of GMP (mpmath+gmpy2)";
    let (Some(ours), Some(gmp)) = (
        seconds_of(results, Implementation::Component, 1_000_000),
        seconds_of(results, Implementation::Gmp, 1_000_000),
    ) else {
        return Target::new(target, "not measured", "– (needs size 1000000)");
    };
    let r = ours / gmp;
    // The native math beside it: how much of the gap is wasm's.
    let native = seconds_of(results, Implementation::Native, 1_000_000)
        .map(|native| format!("; native {}", ratio(native / gmp)))
        .unwrap_or_default();
    let verdict = if r <= 2.0 {
        format!("**met**: {:.0}% under the limit", (1.0 - r / 2.0) * 100.0)
    } else {
        format!(
            "**missed** by {:.0}% ({} of GMP, limit 2x)",
            (r / 2.0 - 1.0) * 100.0,
            ratio(r)
        )
    };
    Target::new(
        target,
        format!(
            "component {} vs GMP {}: {}{native}",
            seconds(ours),
            seconds(gmp),
            ratio(r)
        ),
        verdict,
    )
}

/// 10,000,000 digits under 60 s with peak memory under 1 GiB.
fn ten_million_digits(results: &[Measurement]) -> Target {
    let target = "10,000,000 digits under 60 s, peak memory under 1 GiB";
    let measured = find(results, Implementation::Component, 10_000_000)
        .and_then(|result| Some((result.seconds()?, result.peak_kib().unwrap_or_default())));
    let Some((time, kib)) = measured else {
        return Target::new(target, "not measured", "– (run with `--full`)");
    };
    let limit_kib = 1024 * 1024;
    let time_verdict = if time < 60.0 {
        format!("time **met** ({:.0}% under)", (1.0 - time / 60.0) * 100.0)
    } else {
        format!("time **missed** by {:.0}%", (time / 60.0 - 1.0) * 100.0)
    };
    let memory_verdict = if kib < limit_kib {
        format!(
            "memory **met** ({:.0}% under)",
            (1.0 - kib as f64 / limit_kib as f64) * 100.0
        )
    } else {
        format!(
            "memory **missed** by {:.0}%",
            (kib as f64 / limit_kib as f64 - 1.0) * 100.0
        )
    };
    Target::new(
        target,
        format!("component {}, peak {}", seconds(time), mebibytes(kib)),
        format!("{time_verdict}; {memory_verdict}"),
    )
}

/// 30,000 digits + histogram at least 1000x faster than the spigot.
fn spigot_speedup(results: &[Measurement], first: &FirstAnswer) -> Target {
    let target = "30,000 digits + histogram at least 1000x faster than the Python spigot";
    let Some(calls) = seconds_of(results, Implementation::Component, 30_000) else {
        return Target::new(target, "not measured", "– (needs size 30000)");
    };
    // As a Spin request: a fresh instance, then the calls.
    let ours = calls + first.instance_digits10;
    let ours_text = format!(
        "component {} ({} of calls + {} for a fresh instance)",
        seconds(ours),
        seconds(calls),
        seconds(first.instance_digits10)
    );
    let original = format!(
        "; {} faster than the original app's 8.5 s",
        ratio(8.5 / ours)
    );
    let Some(spigot) = seconds_of(results, Implementation::Spigot, 30_000) else {
        return Target::new(
            target,
            format!("{ours_text}{original}"),
            "– (spigot not measured at 30,000)",
        );
    };
    let speedup = spigot / ours;
    let verdict = if speedup >= 1000.0 {
        format!("**met**: {:.1}x the required speed-up", speedup / 1000.0)
    } else {
        // speedup / 1000 as a percentage.
        format!(
            "**missed**: {:.0}% of the required speed-up",
            speedup / 10.0
        )
    };
    Target::new(
        target,
        format!(
            "{ours_text} vs spigot {}: {} faster{original}",
            seconds(spigot),
            ratio(speedup)
        ),
        verdict,
    )
}

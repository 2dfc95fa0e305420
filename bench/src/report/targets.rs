//! The report's *Targets* table: the project's performance targets,
//! each with what was measured and whether it was met.

use thousands::Separable;

use crate::child::{FirstAnswer, SEARCH_PATTERN, SEARCHED};
use crate::implementation::Implementation;
use crate::measure::{Measurement, Ratio, find, seconds_of};
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
        ahead_of_dashu(results),
        ten_million_digits(results),
        hundred_million_digits(results),
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

/// The component's ratio to `reference` at every size in `range` where
/// both were measured, smallest size first.
fn ratios(
    results: &[Measurement],
    reference: Implementation,
    range: std::ops::RangeInclusive<u64>,
) -> Vec<(u64, Ratio)> {
    let mut sizes: Vec<u64> = results.iter().map(|result| result.n).collect();
    sizes.sort_unstable();
    sizes.dedup();
    sizes
        .into_iter()
        .filter(|n| range.contains(n))
        .filter_map(|n| {
            let ours = find(results, Implementation::Component, n)?;
            Some((n, ours.ratio_to(find(results, reference, n)?)?))
        })
        .collect()
}

/// "10,000: 1.90x (1.85x–2.01x); …", a size a clause.
fn ratio_list(ratios: &[(u64, Ratio)]) -> String {
    ratios
        .iter()
        .map(|(n, r)| {
            if r.rounds > 1 {
                format!(
                    "{}: {} ({}–{})",
                    n.separate_with_commas(),
                    ratio(r.median),
                    ratio(r.lowest),
                    ratio(r.highest)
                )
            } else {
                format!("{}: {}", n.separate_with_commas(), ratio(r.median))
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// Met where every size's median ratio is at most `limit`; else the sizes
/// that missed.
fn verdict(ratios: &[(u64, Ratio)], limit: f64) -> String {
    let missed: Vec<String> = ratios
        .iter()
        .filter(|(_, r)| r.median > limit)
        .map(|(n, r)| format!("{} ({})", n.separate_with_commas(), ratio(r.median)))
        .collect();
    if missed.is_empty() {
        let worst = ratios.iter().map(|(_, r)| r.median).fold(0.0, f64::max);
        format!("**met**: at most {} (limit {})", ratio(worst), ratio(limit))
    } else {
        format!(
            "**missed** at {} (limit {})",
            missed.join(", "),
            ratio(limit)
        )
    }
}

/// The component within 2x of GMP from 10,000 to 10,000,000 digits.
fn within_2x_of_gmp(results: &[Measurement]) -> Target {
    let target = "the component within 2x of GMP (mpmath+gmpy2) at every size from 10,000 to 10,000,000 digits";
    let ratios = ratios(results, Implementation::Gmp, 10_000..=10_000_000);
    if ratios.is_empty() {
        return Target::new(target, "not measured", "– (needs sizes from 10000 up)");
    }
    Target::new(target, ratio_list(&ratios), verdict(&ratios, 2.0))
}

/// The component faster than dashu in wasm at every size.
fn ahead_of_dashu(results: &[Measurement]) -> Target {
    let target = "the component faster than dashu in wasm at every size";
    let ratios = ratios(results, Implementation::Dashu, 0..=u64::MAX);
    if ratios.is_empty() {
        return Target::new(target, "not measured", "– (needs the dashu peer)");
    }
    Target::new(target, ratio_list(&ratios), verdict(&ratios, 1.0))
}

/// 10,000,000 digits under 60 s with peak memory under 400 MiB.
fn ten_million_digits(results: &[Measurement]) -> Target {
    let target = "10,000,000 digits under 60 s, peak memory under 400 MiB";
    within(results, target, 10_000_000, 60.0, 400 * 1024)
}

/// The stretch: 100,000,000 digits inside wasm32's 4 GiB, under 5 minutes
/// with peak memory under 3.5 GiB.
fn hundred_million_digits(results: &[Measurement]) -> Target {
    let target = "100,000,000 digits under 5 minutes, peak memory under 3.5 GiB";
    within(results, target, 100_000_000, 300.0, 3584 * 1024)
}

/// `target`: the component's `n` digits under `limit` seconds and
/// `limit_kib` of peak memory.
fn within(results: &[Measurement], target: &str, n: u64, limit: f64, limit_kib: u64) -> Target {
    let measured = find(results, Implementation::Component, n)
        .and_then(|result| Some((result.seconds()?, result.peak_kib().unwrap_or_default())));
    let Some((time, kib)) = measured else {
        return Target::new(target, "not measured", "– (run with `--full`)");
    };
    let time_verdict = if time < limit {
        format!("time **met** ({:.0}% under)", (1.0 - time / limit) * 100.0)
    } else {
        format!("time **missed** by {:.0}%", (time / limit - 1.0) * 100.0)
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

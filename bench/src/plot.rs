//! `docs/benchmarks.svg`: median time against digits, log-log, one line per
//! implementation.

use std::path::Path;

use anyhow::anyhow;
use plotters::prelude::*;

use thousands::Separable;

use crate::implementation::Implementation;
use crate::machine::Machine;
use crate::measure::Measurement;

/// A colour per implementation, the same in every plot.
fn color(implementation: Implementation) -> RGBColor {
    match implementation {
        Implementation::Component => RGBColor(0xd6, 0x27, 0x28),
        Implementation::Native => RGBColor(0xff, 0x7f, 0x0e),
        Implementation::MathWasm => RGBColor(0x94, 0x67, 0xbd),
        Implementation::Dashu => RGBColor(0x1f, 0x77, 0xb4),
        Implementation::Gmp => RGBColor(0x2c, 0xa0, 0x2c),
        Implementation::Spigot => RGBColor(0x7f, 0x7f, 0x7f),
    }
}

/// Writes the plot of `results` to `path`: the median time of the right
/// answers only: a wrong, failed or skipped run has no point.
pub fn svg(
    path: &Path,
    implementations: &[Implementation],
    results: &[Measurement],
    machine: &Machine,
) -> anyhow::Result<()> {
    let series: Vec<(Implementation, Vec<(f64, f64)>)> = implementations
        .iter()
        .map(|&implementation| {
            let points = results
                .iter()
                .filter(|result| result.implementation == implementation)
                .filter_map(|result| {
                    // Floored: a zero time has no place on a log scale.
                    Some((result.n as f64, result.seconds()?.max(1e-7)))
                })
                .collect();
            (implementation, points)
        })
        .collect();
    let all = series.iter().flat_map(|(_, points)| points.iter().copied());
    let (mut x_min, mut x_max, mut y_min, mut y_max) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    for (x, y) in all {
        x_min = x_min.min(x);
        x_max = x_max.max(x);
        y_min = y_min.min(y);
        y_max = y_max.max(y);
    }
    if x_min > x_max {
        (x_min, x_max, y_min, y_max) = (1e3, 1e6, 1e-3, 1.0);
    }
    // A margin on x, whole decades on y.
    let x_range = x_min / 1.5..x_max * 1.5;
    let y_range = 10f64.powf(y_min.log10().floor())..10f64.powf(y_max.log10().ceil());

    let error = |error: DrawingAreaErrorKind<_>| anyhow!("drawing the plot: {error:?}");
    let root = SVGBackend::new(path, (900, 600)).into_drawing_area();
    root.fill(&WHITE).map_err(error)?;
    let mut chart = ChartBuilder::on(&root)
        .caption(
            format!(
                "π: digits + histogram, median wall time ({} cores, {})",
                machine.cores, machine.date
            ),
            ("sans-serif", 20),
        )
        .margin(20)
        .x_label_area_size(50)
        .y_label_area_size(80)
        .build_cartesian_2d(x_range.log_scale(), y_range.log_scale())
        .map_err(error)?;
    chart
        .configure_mesh()
        .x_desc("digits")
        .label_style(("sans-serif", 14))
        .axis_desc_style(("sans-serif", 15))
        .y_desc("seconds")
        .x_label_formatter(&|x| (x.round() as u64).separate_with_commas())
        .y_label_formatter(&|y| {
            if *y >= 1.0 {
                format!("{y:.0}")
            } else {
                let places = (-y.log10()).ceil() as usize;
                format!("{y:.places$}")
            }
        })
        .draw()
        .map_err(error)?;
    for (implementation, points) in &series {
        if points.is_empty() {
            continue;
        }
        let style = color(*implementation);
        chart
            .draw_series(LineSeries::new(
                points.iter().copied(),
                style.stroke_width(2),
            ))
            .map_err(error)?
            .label(implementation.name())
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 20, y)], style.stroke_width(2))
            });
        chart
            .draw_series(
                points
                    .iter()
                    .map(|&point| Circle::new(point, 4, style.filled())),
            )
            .map_err(error)?;
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::LowerRight)
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK)
        .label_font(("sans-serif", 14))
        .draw()
        .map_err(error)?;
    root.present().map_err(error)?;
    Ok(())
}

//! The report of a comparison: one self-contained HTML page with the table and SVG pictures
//! (test F1 against the share of closure edges given to training, and each run's figure
//! against its training time).

use std::fmt::Write as _;

use plotters::prelude::*;

use crate::error::{Error, Result};
use crate::hierarchy::compare::{claim_table, markdown_table, RunKey};
use crate::hierarchy::kind::ModelKind;
use crate::hierarchy::protocol::Protocol;
use crate::hierarchy::run::Summary;

const WIDTH: u32 = 640;
const HEIGHT: u32 = 400;

/// One colour per model, distinct and dark enough on white (ColorBrewer's Set1 without its
/// yellow, then Dark2's magenta): eight, one for each model.
const COLORS: [RGBColor; 8] = [
    RGBColor(228, 26, 28),
    RGBColor(55, 126, 184),
    RGBColor(77, 175, 74),
    RGBColor(152, 78, 163),
    RGBColor(255, 127, 0),
    RGBColor(166, 86, 40),
    RGBColor(90, 90, 90),
    RGBColor(231, 41, 138),
];

/// Width of the legend strip beside each picture.
const LEGEND_WIDTH: u32 = 140;

/// The models' names in their colours, one per line, in `area`.
fn legend(
    area: &DrawingArea<SVGBackend<'_>, plotters::coord::Shift>,
    models: &[ModelKind],
) -> Result<()> {
    for (i, model) in models.iter().enumerate() {
        let y = 60 + 22 * i as i32;
        area.draw(&Circle::new((10, y), 5, color(i).filled()))
            .map_err(plot_error)?;
        area.draw(&Text::new(model.name(), (22, y - 7), ("sans-serif", 14)))
            .map_err(plot_error)?;
    }
    Ok(())
}

fn color(i: usize) -> RGBAColor {
    COLORS[i % COLORS.len()].to_rgba()
}

/// The HTML page of `runs`, titled `title`: the table of [`markdown_table`], then the
/// pictures, then `drawings` (`(caption, svg)` pairs, such as
/// [`draw_regions`](crate::hierarchy::draw_regions) makes) in a section of their own when
/// there are any; all inline (no file beside it).
///
/// ```
/// use sphaera::data::{parse_edges, Hierarchy};
/// use sphaera::hierarchy::{draw_regions, html_report, Euclidean, Model};
/// let h = Hierarchy::from_edge_list(&parse_edges("dog\tanimal\n", "-").unwrap()).unwrap();
/// let points = Model::Euclidean(Euclidean::from_points(2, vec![1.0, 1.0, 0.0, 0.0]).unwrap());
/// let svg = draw_regions(&points, &h, &[1, 0], "euclidean").unwrap();
/// let page = html_report(&[], "no runs yet", &[("euclidean, d = 2".into(), svg)]).unwrap();
/// assert!(page.contains("<h2>Learned regions at d = 2</h2>"));
/// assert!(page.contains("<figcaption>euclidean, d = 2</figcaption>"));
/// ```
pub fn html_report(
    runs: &[(RunKey, Summary)],
    title: &str,
    drawings: &[(String, String)],
) -> Result<String> {
    let mut html = String::new();
    let _ = write!(
        html,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}</title>\n\
         <style>body{{font-family:sans-serif;max-width:70em;margin:2em auto}}\
         table{{border-collapse:collapse}}td,th{{border:1px solid #ccc;padding:.2em .6em;text-align:right}}\
         figure{{display:inline-block;margin:1em}}</style></head><body>\n<h1>{title}</h1>\n",
        title = escape(title)
    );
    html.push_str(&table_html(&markdown_table(runs)));
    let claim = claim_table(runs);
    if !claim.is_empty() {
        html.push_str("<h2>SpheREx against the best baseline</h2>\n");
        html.push_str(&table_html(&claim));
    }
    let mut dims: Vec<usize> = runs.iter().map(|(k, _)| k.dim).collect();
    dims.sort_unstable();
    dims.dedup();
    for &dim in &dims {
        let at_dim: Vec<&(RunKey, Summary)> = runs.iter().filter(|(k, _)| k.dim == dim).collect();
        if at_dim
            .iter()
            .any(|(k, _)| matches!(k.protocol, Protocol::Split { .. }))
        {
            figure(
                &mut html,
                &f1_by_percent(&at_dim, dim)?,
                &format!("Test F1 against the share of non-basic edges in training, d = {dim} (mean over seeds)"),
            );
        }
    }
    let mut protocols: Vec<String> = runs.iter().map(|(k, _)| k.protocol.to_string()).collect();
    protocols.sort();
    protocols.dedup();
    for protocol in &protocols {
        let of: Vec<&(RunKey, Summary)> = runs
            .iter()
            .filter(|(k, _)| &k.protocol.to_string() == protocol)
            .collect();
        figure(
            &mut html,
            &figure_by_time(&of, protocol)?,
            &format!("{protocol}: each run's figure against its training time"),
        );
    }
    if !drawings.is_empty() {
        html.push_str("<h2>Learned regions at d = 2</h2>\n");
        for (caption, svg) in drawings {
            figure(&mut html, svg, caption);
        }
    }
    html.push_str("</body></html>\n");
    Ok(html)
}

fn figure(html: &mut String, svg: &str, caption: &str) {
    let _ = writeln!(
        html,
        "<figure>{svg}<figcaption>{}</figcaption></figure>",
        escape(caption)
    );
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The Markdown table as an HTML table.
fn table_html(markdown: &str) -> String {
    let mut html = String::from("<table>\n");
    for (i, line) in markdown.lines().enumerate() {
        if i == 1 {
            continue; // the Markdown rule
        }
        let cell = if i == 0 { "th" } else { "td" };
        html.push_str("<tr>");
        for value in line.trim_matches('|').split('|') {
            let _ = write!(html, "<{cell}>{}</{cell}>", escape(value.trim()));
        }
        html.push_str("</tr>\n");
    }
    html.push_str("</table>\n");
    html
}

fn models(runs: &[&(RunKey, Summary)]) -> Vec<ModelKind> {
    let mut models: Vec<ModelKind> = runs.iter().map(|(k, _)| k.model).collect();
    models.sort();
    models.dedup();
    models
}

fn plot_error(e: impl std::fmt::Display) -> Error {
    Error::EmptyData {
        file: "report".into(),
        message: format!("cannot draw a picture ({e})"),
    }
}

/// Test F1 (%) against the percentage, one line per model.
fn f1_by_percent(runs: &[&(RunKey, Summary)], dim: usize) -> Result<String> {
    let max_percent = runs
        .iter()
        .filter_map(|(k, _)| match k.protocol {
            Protocol::Split { percent } => Some(percent),
            Protocol::Reconstruction => None,
        })
        .fold(0.0, f64::max)
        + 5.0;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE).map_err(plot_error)?;
        // The legend gets its own strip on the right, so it never hides a point.
        let (plot, side) = root.split_horizontally(WIDTH - LEGEND_WIDTH);
        let mut chart = ChartBuilder::on(&plot)
            .caption(format!("test F1, d = {dim}"), ("sans-serif", 18))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(50)
            .build_cartesian_2d(0f64..max_percent, 0f64..100f64)
            .map_err(plot_error)?;
        chart
            .configure_mesh()
            .light_line_style(WHITE)
            .x_desc("% of non-basic edges in training")
            .y_desc("test F1 (%)")
            .draw()
            .map_err(plot_error)?;
        for (i, model) in models(runs).into_iter().enumerate() {
            let color = color(i);
            let mut points: Vec<(f64, Vec<f64>)> = Vec::new();
            for (key, summary) in runs.iter().filter(|(k, _)| k.model == model) {
                let (Protocol::Split { percent }, Some(best)) = (key.protocol, summary.best) else {
                    continue;
                };
                let f1 = 100.0 * best.figures.test_f1;
                match points.iter_mut().find(|(p, _)| *p == percent) {
                    Some((_, values)) => values.push(f1),
                    None => points.push((percent, vec![f1])),
                }
            }
            points.sort_by(|a, b| a.0.total_cmp(&b.0));
            let means: Vec<(f64, f64)> = points
                .iter()
                .map(|(p, v)| (*p, v.iter().sum::<f64>() / v.len() as f64))
                .collect();
            chart
                .draw_series(LineSeries::new(means.clone(), color.stroke_width(2)))
                .map_err(plot_error)?;
            chart
                .draw_series(means.iter().map(|&p| Circle::new(p, 4, color.filled())))
                .map_err(plot_error)?;
        }
        legend(&side, &models(runs))?;
        root.present().map_err(plot_error)?;
    }
    Ok(svg)
}

/// Each run's figure (test F1 %, or MAP) against its training seconds, one colour per model.
fn figure_by_time(runs: &[&(RunKey, Summary)], protocol: &str) -> Result<String> {
    let value = |s: &Summary| -> Option<f64> {
        match (s.reconstruction, s.best) {
            (Some(r), _) => Some(r.map),
            (None, Some(b)) => Some(100.0 * b.figures.test_f1),
            (None, None) => None,
        }
    };
    let time = |s: &Summary| s.seconds_per_epoch * s.epochs as f64 + s.pretraining_seconds;
    let points: Vec<(ModelKind, f64, f64)> = runs
        .iter()
        .filter_map(|(k, s)| value(s).map(|v| (k.model, time(s), v)))
        .collect();
    let max_time = points.iter().map(|p| p.1).fold(0.0, f64::max).max(1e-3) * 1.1;
    let is_map = protocol == "reconstruction";
    let y_range = if is_map { 0f64..1f64 } else { 0f64..100f64 };
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE).map_err(plot_error)?;
        // The legend gets its own strip on the right, so it never hides a point.
        let (plot, side) = root.split_horizontally(WIDTH - LEGEND_WIDTH);
        let mut chart = ChartBuilder::on(&plot)
            .caption(protocol, ("sans-serif", 18))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(50)
            .build_cartesian_2d(0f64..max_time, y_range)
            .map_err(plot_error)?;
        chart
            .configure_mesh()
            .light_line_style(WHITE)
            .x_desc("training seconds")
            .y_desc(if is_map { "MAP" } else { "test F1 (%)" })
            .draw()
            .map_err(plot_error)?;
        for (i, model) in models(runs).into_iter().enumerate() {
            let color = color(i);
            let mine: Vec<(f64, f64)> = points
                .iter()
                .filter(|p| p.0 == model)
                .map(|p| (p.1, p.2))
                .collect();
            chart
                .draw_series(mine.iter().map(|&p| Circle::new(p, 4, color.filled())))
                .map_err(plot_error)?;
        }
        legend(&side, &models(runs))?;
        root.present().map_err(plot_error)?;
    }
    Ok(svg)
}

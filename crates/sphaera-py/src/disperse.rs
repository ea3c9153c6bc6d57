//! `sphaera.disperse`: a whole dispersion run, as `sphaera disperse` makes it.

use pyo3::prelude::*;
use pyo3::types::PyDict;
use sphaera::disperse::{Job, OptimizerKind, DEFAULT_DIM, DEFAULT_N, DEFAULT_STEPS};
use sphaera::optim::Schedule;
use sphaera::Precision;

use crate::arrays::{array_from, points_from, Dtype};
use crate::errors::value_error;
use crate::regularizer::{method_options, parse_method, thread_pool};

/// Spreads `n` points on the unit sphere in `R^dim` (or the rows of `init`) with `method`,
/// and returns the points (float64 unit rows) and the report `sphaera disperse --json`
/// prints. Settings left `None` take the command's defaults.
#[pyfunction]
#[pyo3(signature = (n=None, dim=None, method="mma", *, init=None, steps=None, lr=None,
                    optimizer="adam", momentum=0.0, schedule="cosine", seed=0,
                    anchor_weight=0.0, threads=None, kernel=None, distance=None, gamma=None,
                    s=None, t=None, samples=None, slices=None))]
#[allow(clippy::too_many_arguments)]
pub fn disperse<'py>(
    py: Python<'py>,
    n: Option<usize>,
    dim: Option<usize>,
    method: &str,
    init: Option<&Bound<'py, PyAny>>,
    steps: Option<u64>,
    lr: Option<f64>,
    optimizer: &str,
    momentum: f64,
    schedule: &str,
    seed: u64,
    anchor_weight: f64,
    threads: Option<usize>,
    kernel: Option<&str>,
    distance: Option<&str>,
    gamma: Option<f64>,
    s: Option<f64>,
    t: Option<f64>,
    samples: Option<usize>,
    slices: Option<usize>,
) -> PyResult<(PyObject, Bound<'py, PyDict>)> {
    let kind: OptimizerKind = optimizer.parse().map_err(value_error)?;
    let job = Job {
        method: parse_method(method)?,
        options: method_options(kernel, distance, gamma, s, t, samples, slices)?,
        optimizer: kind.optimizer(lr, momentum),
        schedule: schedule.parse::<Schedule>().map_err(value_error)?,
        steps: steps.unwrap_or(DEFAULT_STEPS),
        seed,
        anchor_weight,
        precision: Precision::F64,
    };
    let start = match init {
        Some(table) => {
            let (points, _) = points_from("init", table)?;
            for (name, given, found) in [("n", n, points.n()), ("dim", dim, points.dim())] {
                if given.is_some_and(|g| g != found) {
                    return Err(pyo3::exceptions::PyValueError::new_err(format!(
                        "{name} = {} disagrees with init, which has {found}",
                        given.unwrap_or(0)
                    )));
                }
            }
            points
        }
        None => job
            .random_start(n.unwrap_or(DEFAULT_N), dim.unwrap_or(DEFAULT_DIM))
            .map_err(value_error)?,
    };
    let pool = thread_pool(threads)?;
    let outcome = py
        .allow_threads(|| match &pool {
            Some(pool) => pool.install(|| job.run(start, |_, _| {})),
            None => job.run(start, |_, _| {}),
        })
        .map_err(value_error)?;
    let report = PyDict::new(py);
    let r = &outcome.report;
    report.set_item("n", outcome.points.n())?;
    report.set_item("dim", outcome.points.dim())?;
    report.set_item("method", job.method.name())?;
    report.set_item("regularizer", &outcome.regularizer)?;
    report.set_item("optimizer", kind.name())?;
    report.set_item("lr", job.optimizer.lr())?;
    report.set_item("steps", job.steps)?;
    report.set_item("seed", seed)?;
    report.set_item("final_regularizer", outcome.final_regularizer)?;
    report.set_item("final_anchor", outcome.final_anchor)?;
    report.set_item("min_angle_deg", r.min_angle_deg)?;
    report.set_item("median_nn_angle_deg", r.median_nn_angle_deg)?;
    report.set_item("mean_nn_angle_deg", r.mean_nn_angle_deg)?;
    report.set_item("max_nn_angle_deg", r.max_nn_angle_deg)?;
    report.set_item("circular_variance", r.circular_variance)?;
    report.set_item("mean_pairwise_angle_deg", r.mean_pairwise_angle_deg)?;
    report.set_item("riesz_energy", r.riesz_energy)?;
    report.set_item("best_known_deg", outcome.best_known_deg)?;
    report.set_item(
        "gap_deg",
        outcome.best_known_deg.map(|b| b - r.min_angle_deg),
    )?;
    Ok((array_from(py, &outcome.points, Dtype::F64)?, report))
}

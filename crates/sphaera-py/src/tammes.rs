//! `sphaera.tammes`: `n` points on `S^{dim−1}` with the largest minimum angle found.

use pyo3::prelude::*;
use pyo3::types::PyDict;
use sphaera::tammes::{best_known as table, search, SearchConfig};

use crate::arrays::{array_from, Dtype};
use crate::errors::value_error;

/// Searches for `n` points on the unit sphere in `R^dim` with the largest minimum angle.
/// Returns the points (float64, unit rows) and a report: the minimum angle in degrees, the
/// contacts, and the best known angle where one is tabulated.
#[pyfunction]
#[pyo3(signature = (n, dim=3, *, seed=0, restarts=None, polished=None, hops=None, time_limit=None))]
#[allow(clippy::too_many_arguments)]
pub fn tammes<'py>(
    py: Python<'py>,
    n: usize,
    dim: usize,
    seed: u64,
    restarts: Option<usize>,
    polished: Option<usize>,
    hops: Option<usize>,
    time_limit: Option<f64>,
) -> PyResult<(PyObject, Bound<'py, PyDict>)> {
    let mut config = SearchConfig {
        seed,
        ..SearchConfig::for_size(n)
    };
    if let Some(r) = restarts {
        config.restarts = r;
    }
    if let Some(p) = polished {
        config.polished = p;
    }
    if let Some(h) = hops {
        config.hops = h;
    }
    config.time_limit = time_limit
        .map(sphaera::tammes::time_limit)
        .transpose()
        .map_err(value_error)?;
    let code = py
        .allow_threads(|| search(n, dim, &config))
        .map_err(value_error)?;
    let report = PyDict::new(py);
    report.set_item("n", n)?;
    report.set_item("dim", dim)?;
    report.set_item("min_angle_deg", code.min_angle_deg)?;
    report.set_item("contacts", code.contacts)?;
    report.set_item("restarts", code.restarts)?;
    report.set_item("hops", code.hops)?;
    let best = table(n, dim);
    report.set_item("best_known_deg", best.as_ref().map(|b| b.angle_deg))?;
    report.set_item(
        "gap_deg",
        best.as_ref().map(|b| b.angle_deg - code.min_angle_deg),
    )?;
    Ok((array_from(py, &code.points, Dtype::F64)?, report))
}

/// The best known minimum angle (degrees) for `n` points in `R^dim` and where it comes
/// from, or `None` where no table has it.
#[pyfunction]
pub fn best_known(n: usize, dim: usize) -> Option<(f64, &'static str)> {
    table(n, dim).map(|b| (b.angle_deg, b.source))
}

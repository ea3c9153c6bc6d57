//! `sphaera.metrics`: how spread out points on the sphere are, on NumPy arrays.

use std::collections::BTreeMap;

use numpy::PyArray1;
use pyo3::prelude::*;
use sphaera::metrics::{self, Report};
use sphaera::Par;

use crate::arrays::points_from;

/// The smallest angle between two rows of `x`, in radians.
#[pyfunction]
pub fn min_angle(py: Python<'_>, x: &Bound<'_, PyAny>) -> PyResult<f64> {
    let (points, _) = points_from("x", x)?;
    check_rows(&points)?;
    Ok(py.allow_threads(|| metrics::min_angle(&points, Par::Rayon)))
}

/// The angle from each row of `x` to its nearest other row, in radians.
#[pyfunction]
pub fn nearest_neighbour_angles<'py>(
    py: Python<'py>,
    x: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyArray1<f64>>> {
    let (points, _) = points_from("x", x)?;
    check_rows(&points)?;
    let angles = py.allow_threads(|| metrics::nearest_neighbour_angles(&points, Par::Rayon));
    Ok(PyArray1::from_vec(py, angles))
}

/// `1 − ‖mean row‖`: 0 when every row is the same, 1 when they cancel out.
#[pyfunction]
pub fn circular_variance(x: &Bound<'_, PyAny>) -> PyResult<f64> {
    let (points, _) = points_from("x", x)?;
    check_rows(&points)?;
    Ok(metrics::circular_variance(&points))
}

/// Every metric at once (angles in degrees), as `sphaera disperse --json` reports them.
#[pyfunction]
pub fn report(py: Python<'_>, x: &Bound<'_, PyAny>) -> PyResult<BTreeMap<&'static str, f64>> {
    let (points, _) = points_from("x", x)?;
    check_rows(&points)?;
    let r = py.allow_threads(|| Report::of(&points, Par::Rayon));
    Ok(BTreeMap::from([
        ("min_angle_deg", r.min_angle_deg),
        ("median_nn_angle_deg", r.median_nn_angle_deg),
        ("mean_nn_angle_deg", r.mean_nn_angle_deg),
        ("max_nn_angle_deg", r.max_nn_angle_deg),
        ("circular_variance", r.circular_variance),
        ("mean_pairwise_angle_deg", r.mean_pairwise_angle_deg),
        ("riesz_energy", r.riesz_energy),
    ]))
}

fn check_rows(points: &sphaera::Points) -> PyResult<()> {
    if points.n() < 2 || points.dim() < 1 {
        return Err(pyo3::exceptions::PyValueError::new_err(format!(
            "x must have at least 2 rows, got shape ({}, {})",
            points.n(),
            points.dim()
        )));
    }
    Ok(())
}

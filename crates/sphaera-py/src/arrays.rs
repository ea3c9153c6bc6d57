//! NumPy arrays in and out: `(n, d)` tables of float32 or float64, checked with errors that
//! name the argument, converted to the library's `f64` points and back to the caller's dtype.

use numpy::{Element, PyArray1, PyArray2, PyArrayMethods, PyUntypedArray, PyUntypedArrayMethods};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use sphaera::Points;

/// The floating-point type of an input array, which outputs keep.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dtype {
    F32,
    F64,
}

/// Reads `array` (named `name` in errors) as `n × d` points: a 2-D float32 or float64
/// array of finite values, any memory layout.
pub fn points_from(name: &str, array: &Bound<'_, PyAny>) -> PyResult<(Points, Dtype)> {
    let untyped = array.downcast::<PyUntypedArray>().map_err(|_| {
        PyTypeError::new_err(format!(
            "{name} must be a NumPy array, got {}",
            type_name(array)
        ))
    })?;
    if untyped.ndim() != 2 {
        return Err(PyValueError::new_err(format!(
            "{name} must be a 2-D array (n, d), got shape {:?}",
            untyped.shape()
        )));
    }
    let (n, d) = (untyped.shape()[0], untyped.shape()[1]);
    let (data, dtype) = if let Ok(a) = array.downcast::<PyArray2<f64>>() {
        (copy_rows(&a.readonly(), |v| v), Dtype::F64)
    } else if let Ok(a) = array.downcast::<PyArray2<f32>>() {
        (copy_rows(&a.readonly(), f64::from), Dtype::F32)
    } else {
        return Err(PyTypeError::new_err(format!(
            "{name} must hold float32 or float64, got {}",
            untyped.dtype().str()?
        )));
    };
    if let Some(i) = data.iter().position(|v| !v.is_finite()) {
        return Err(PyValueError::new_err(format!(
            "{name} has a non-finite value in row {}",
            i / d.max(1)
        )));
    }
    let points = Points::from_vec(n, d, data).map_err(crate::errors::value_error)?;
    Ok((points, dtype))
}

/// The values of `a` row-major, whatever its strides.
fn copy_rows<T: Element + Copy>(
    a: &numpy::PyReadonlyArray2<'_, T>,
    to_f64: impl Fn(T) -> f64,
) -> Vec<f64> {
    // `as_slice` also accepts Fortran order, whose memory order is not the rows'.
    match a.as_slice() {
        Ok(slice) if a.is_c_contiguous() => slice.iter().map(|&v| to_f64(v)).collect(),
        _ => a.as_array().iter().map(|&v| to_f64(v)).collect(),
    }
}

fn type_name(object: &Bound<'_, PyAny>) -> String {
    object
        .get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "an unknown type".into())
}

/// `points` as a new `(n, d)` array of `dtype`.
pub fn array_from<'py>(py: Python<'py>, points: &Points, dtype: Dtype) -> PyResult<PyObject> {
    let shape = [points.n(), points.dim()];
    Ok(match dtype {
        Dtype::F64 => PyArray1::from_slice(py, points.as_slice())
            .reshape(shape)?
            .into_any()
            .unbind(),
        Dtype::F32 => {
            let values: Vec<f32> = points.as_slice().iter().map(|&v| v as f32).collect();
            PyArray1::from_vec(py, values)
                .reshape(shape)?
                .into_any()
                .unbind()
        }
    })
}

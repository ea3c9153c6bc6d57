//! Library errors as Python exceptions: every refusal of the library is a `ValueError`
//! carrying its message.

use pyo3::exceptions::PyValueError;
use pyo3::PyErr;

/// `error` as a `ValueError`.
pub fn value_error(error: sphaera::Error) -> PyErr {
    PyValueError::new_err(error.to_string())
}

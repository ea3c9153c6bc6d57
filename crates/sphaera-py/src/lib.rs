//! The `sphaera._core` extension module: the library's regularizers, metrics, Tammes search
//! and hierarchy protocol on NumPy arrays. The Python package around it (`python/sphaera`)
//! adds the PyTorch layer; this crate only maps arguments and converts arrays.

mod arrays;
mod data;
mod disperse;
mod errors;
mod hierarchy;
mod metrics;
mod regularizer;
mod tammes;

use pyo3::prelude::*;

/// The compiled core of the `sphaera` Python package.
#[pymodule]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<regularizer::PyRegularizer>()?;
    m.add_class::<data::PyHierarchy>()?;
    m.add_class::<data::PySplit>()?;
    m.add_class::<hierarchy::PyModel>()?;
    m.add_function(wrap_pyfunction!(hierarchy::train, m)?)?;
    m.add_function(wrap_pyfunction!(hierarchy::reconstruction, m)?)?;
    m.add_function(wrap_pyfunction!(hierarchy::link_prediction, m)?)?;
    m.add_function(wrap_pyfunction!(regularizer::methods, m)?)?;
    m.add_function(wrap_pyfunction!(metrics::min_angle, m)?)?;
    m.add_function(wrap_pyfunction!(metrics::nearest_neighbour_angles, m)?)?;
    m.add_function(wrap_pyfunction!(metrics::circular_variance, m)?)?;
    m.add_function(wrap_pyfunction!(metrics::report, m)?)?;
    m.add_function(wrap_pyfunction!(tammes::tammes, m)?)?;
    m.add_function(wrap_pyfunction!(disperse::disperse, m)?)?;
    m.add_function(wrap_pyfunction!(tammes::best_known, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}

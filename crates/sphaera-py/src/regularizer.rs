//! `sphaera.Regularizer`: any dispersion regularizer of `sphaera disperse`, on NumPy arrays.

use std::sync::atomic::{AtomicU64, Ordering};

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use sphaera::disperse::{
    build, describe, Context, Distance, KernelKind, Method, MethodOptions, Regularizer,
};
use sphaera::{random, Par, Points, Precision};

use crate::arrays::{array_from, points_from, Dtype};
use crate::errors::value_error;

/// The most threads a regularizer may be given (as `sphaera disperse --threads`).
const MAX_THREADS: usize = 1024;

/// A dispersion regularizer, built once with its options and called on `(n, d)` arrays of
/// unit rows.
///
/// Calls release the GIL and run on `threads` threads (all cores by default); results do not
/// depend on the number. Stochastic methods (`lloyd`, `sliced`, `sliced-axis`, `ssw`) draw
/// call `k`'s samples from substream `k` of `seed`: a new draw every call, the same sequence
/// in every run; with `resample=False` every call uses the first draw (a fixed function of
/// `x`, for checking gradients). Calls from several Python threads at once are safe.
#[pyclass(module = "sphaera._core", name = "Regularizer", frozen)]
pub struct PyRegularizer {
    method: Method,
    description: String,
    inner: Box<dyn Regularizer>,
    seed: u64,
    resample: bool,
    calls: AtomicU64,
    pool: Option<rayon::ThreadPool>,
}

#[pymethods]
impl PyRegularizer {
    #[new]
    #[pyo3(signature = (method, *, kernel=None, distance=None, gamma=None, s=None, t=None,
                        samples=None, slices=None, seed=0, resample=true, threads=None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        method: &str,
        kernel: Option<&str>,
        distance: Option<&str>,
        gamma: Option<f64>,
        s: Option<f64>,
        t: Option<f64>,
        samples: Option<usize>,
        slices: Option<usize>,
        seed: u64,
        resample: bool,
        threads: Option<usize>,
    ) -> PyResult<Self> {
        let method = parse_method(method)?;
        let options = method_options(kernel, distance, gamma, s, t, samples, slices)?;
        let inner = build(method, &options).map_err(value_error)?;
        let pool = thread_pool(threads)?;
        Ok(Self {
            method,
            description: describe(method, &options),
            inner,
            seed,
            resample,
            calls: AtomicU64::new(0),
            pool,
        })
    }

    /// The method's name, as `sphaera disperse --method` takes it.
    #[getter]
    fn method(&self) -> &'static str {
        self.method.name()
    }

    /// Whether each call draws new random samples.
    #[getter]
    fn stochastic(&self) -> bool {
        self.method.is_stochastic()
    }

    /// The regularizer's value at `x`, an `(n, d)` float32 or float64 array.
    fn value(&self, py: Python<'_>, x: &Bound<'_, PyAny>) -> PyResult<f64> {
        let (points, dtype) = points_from("x", x)?;
        check_size(&points)?;
        let mut ctx = self.next_context(dtype);
        Ok(py.allow_threads(|| self.run(|| self.inner.value(&points, &mut ctx))))
    }

    /// The value at `x` and its gradient, an array of `x`'s shape and dtype.
    fn value_and_grad(&self, py: Python<'_>, x: &Bound<'_, PyAny>) -> PyResult<(f64, PyObject)> {
        let (points, dtype) = points_from("x", x)?;
        check_size(&points)?;
        let mut ctx = self.next_context(dtype);
        let (value, grad) = py.allow_threads(|| {
            self.run(|| {
                let mut grad = Points::zeros(points.n(), points.dim());
                let value = self.inner.value_and_grad(&points, 1.0, &mut grad, &mut ctx);
                (value, grad)
            })
        });
        Ok((value, array_from(py, &grad, dtype)?))
    }

    fn __repr__(&self) -> String {
        format!("Regularizer({})", self.description)
    }
}

impl PyRegularizer {
    /// The context of the next call: its own substream of the seed, and pairwise products
    /// in the input's precision (float32 arrays get float32 products, as PyTorch computes).
    fn next_context(&self, dtype: Dtype) -> Context {
        let call = if self.resample {
            self.calls.fetch_add(1, Ordering::Relaxed)
        } else {
            0
        };
        Context {
            rng: random::substream(self.seed, call),
            par: Par::Rayon,
            precision: match dtype {
                Dtype::F32 => Precision::F32,
                Dtype::F64 => Precision::F64,
            },
        }
    }

    /// Runs `work` in this regularizer's pool, or in rayon's global one.
    fn run<T: Send>(&self, work: impl FnOnce() -> T + Send) -> T {
        match &self.pool {
            Some(pool) => pool.install(work),
            None => work(),
        }
    }
}

/// The method named `name`, or a `ValueError` listing them.
pub fn parse_method(name: &str) -> PyResult<Method> {
    name.parse().map_err(|_| {
        PyValueError::new_err(format!(
            "unknown method {name:?}; the methods are {}",
            method_names().join(", ")
        ))
    })
}

/// The regularizer options as the library takes them.
#[allow(clippy::too_many_arguments)]
pub fn method_options(
    kernel: Option<&str>,
    distance: Option<&str>,
    gamma: Option<f64>,
    s: Option<f64>,
    t: Option<f64>,
    samples: Option<usize>,
    slices: Option<usize>,
) -> PyResult<MethodOptions> {
    Ok(MethodOptions {
        kernel: kernel
            .map(str::parse::<KernelKind>)
            .transpose()
            .map_err(value_error)?,
        distance: distance
            .map(str::parse::<Distance>)
            .transpose()
            .map_err(value_error)?,
        gamma,
        s,
        t,
        samples,
        slices,
    })
}

/// A pool of `threads` threads, or `None` for rayon's global pool (all cores).
pub fn thread_pool(threads: Option<usize>) -> PyResult<Option<rayon::ThreadPool>> {
    match threads {
        None => Ok(None),
        Some(t) if (1..=MAX_THREADS).contains(&t) => rayon::ThreadPoolBuilder::new()
            .num_threads(t)
            .build()
            .map(Some)
            .map_err(|e| PyValueError::new_err(format!("cannot start {t} threads: {e}"))),
        Some(t) => Err(PyValueError::new_err(format!(
            "threads must be between 1 and {MAX_THREADS}, got {t}"
        ))),
    }
}

fn check_size(points: &Points) -> PyResult<()> {
    if points.n() < 2 || points.dim() < 2 {
        return Err(PyValueError::new_err(format!(
            "x must have at least 2 rows of at least 2 coordinates, got shape ({}, {})",
            points.n(),
            points.dim()
        )));
    }
    Ok(())
}

fn method_names() -> Vec<&'static str> {
    Method::ALL.iter().map(|m| m.name()).collect()
}

/// The names of every method, as `Regularizer` takes them.
#[pyfunction]
pub fn methods() -> Vec<&'static str> {
    method_names()
}

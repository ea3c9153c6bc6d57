//! `sphaera.hierarchy`: training balls or caps under the library's protocol, the trained
//! model as NumPy arrays, and the evaluation protocols for any scorer, including a Python
//! callable.

use std::path::PathBuf;
use std::sync::Mutex;

use numpy::{PyArray1, PyArray2, PyArrayMethods, PyReadonlyArray1};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyAny;
use serde::Serialize;
use sphaera::eval::{self, Sampling, Scorer};
use sphaera::hierarchy::{
    Model, ModelKind, ModelVisitor, Protocol, Regime, Regions, RegionsVisitor, Run, Schedule,
    SpherexConfig, Task,
};
use sphaera::Par;

use crate::data::{PyHierarchy, PySplit};
use crate::errors::value_error;

/// A trained hierarchy model: one ball (or cap) per named node.
#[pyclass(module = "sphaera._core", name = "HierarchyModel", frozen)]
pub struct PyModel {
    model: Model,
    names: Vec<String>,
}

#[pymethods]
impl PyModel {
    /// Reads a model file written by `save` or `sphaera hierarchy train --out`.
    #[staticmethod]
    fn load(path: PathBuf) -> PyResult<Self> {
        let (model, names) = Model::load(&path).map_err(value_error)?;
        Ok(Self { model, names })
    }

    /// Writes the model (safetensors, the node names in the metadata), atomically.
    fn save(&self, path: PathBuf) -> PyResult<()> {
        self.model.save(&path, &self.names).map_err(value_error)
    }

    /// `spherex` (balls in R^d), `caps` (caps of the unit sphere), or a baseline:
    /// `poincare`, `euclidean` (points), `order` (order embeddings), `euclidean-cones`,
    /// `hyperbolic-cones` (entailment cones), `box` (Gumbel boxes).
    #[getter]
    fn kind(&self) -> &'static str {
        struct Kind;
        impl RegionsVisitor for Kind {
            type Output = &'static str;
            fn visit<M: Regions>(self, _: &M) -> &'static str {
                M::KIND
            }
        }
        self.model.visit(Kind)
    }

    /// The node of each row.
    #[getter]
    fn names(&self) -> Vec<String> {
        self.names.clone()
    }

    /// The centres, `(n, d)`: unit rows for caps; the points of the point baselines and of
    /// order embeddings; the apexes of cones; the midpoints of boxes.
    #[getter]
    fn centers<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyArray2<f64>>> {
        let (values, dim) = match &self.model {
            Model::Balls(b) => (b.centers(), b.dim()),
            Model::Caps(c) => (c.centers(), c.dim()),
            Model::Poincare(p) => (p.points().to_vec(), p.dim()),
            Model::Euclidean(e) => (e.points().to_vec(), e.dim()),
            Model::Order(o) => (o.vectors().to_vec(), o.dim()),
            Model::EuclideanCones(c) => (c.apexes().to_vec(), c.dim()),
            Model::HyperbolicCones(c) => (c.apexes().to_vec(), c.dim()),
            Model::Boxes(x) => (
                x.min_corners()
                    .iter()
                    .zip(x.max_corners())
                    .map(|(lo, hi)| 0.5 * (lo + hi))
                    .collect(),
                x.dim(),
            ),
        };
        PyArray1::from_vec(py, values).reshape([self.names.len(), dim])
    }

    /// The radii: Euclidean for balls, angular (radians) for caps; the other models have
    /// none (a ValueError).
    #[getter]
    fn radii<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyArray1<f64>>> {
        let values = match &self.model {
            Model::Balls(b) => (0..b.n() as u32).map(|u| b.radius(u)).collect(),
            Model::Caps(c) => c.angular_radii(),
            _ => {
                return Err(PyValueError::new_err(format!(
                    "a {} model has no radii",
                    self.kind()
                )))
            }
        };
        Ok(PyArray1::from_vec(py, values))
    }

    /// The row of the node `name`.
    fn index(&self, name: &str) -> PyResult<u32> {
        self.names
            .iter()
            .position(|n| n == name)
            .map(|i| i as u32)
            .ok_or_else(|| PyValueError::new_err(format!("node {name} is not in the model")))
    }

    /// The scores of pairs `(u[i], v[i])` (rows), the score both evaluation protocols rank
    /// by: containment margins for balls and caps (positive: `u` inside `v`), minus the
    /// distance for points, `−E(u, v)` for order embeddings, minus the angle gap for cones
    /// (`−E(u, v)` outside the cone), `ln P(v | u)` for boxes.
    fn score<'py>(
        &self,
        py: Python<'py>,
        u: PyReadonlyArray1<'py, i64>,
        v: PyReadonlyArray1<'py, i64>,
    ) -> PyResult<Bound<'py, PyArray1<f64>>> {
        let pairs = self.pairs(&u, &v)?;
        let scores = match &self.model {
            Model::Balls(b) => pairs.iter().map(|&(a, c)| b.margin(a, c)).collect(),
            Model::Caps(c) => pairs.iter().map(|&(a, p)| c.margin(a, p)).collect(),
            Model::Poincare(p) => pairs.iter().map(|&(a, b)| p.score(a, b)).collect(),
            Model::Euclidean(e) => pairs.iter().map(|&(a, b)| e.score(a, b)).collect(),
            Model::Order(o) => pairs.iter().map(|&(a, p)| -o.energy(a, p)).collect(),
            Model::EuclideanCones(c) => pairs.iter().map(|&(a, p)| c.score(a, p)).collect(),
            Model::HyperbolicCones(c) => pairs.iter().map(|&(a, p)| c.score(a, p)).collect(),
            Model::Boxes(x) => pairs.iter().map(|&(a, p)| x.ln_conditional(a, p)).collect(),
        };
        Ok(PyArray1::from_vec(py, scores))
    }

    /// Whether region `u[i]` lies inside region `v[i]`: margin above 0 for balls and caps,
    /// no order violation for order embeddings, `u`'s apex inside `v`'s cone for cones, `P(v | u) > 1/2` for boxes (points contain
    /// nothing: a ValueError).
    fn contains<'py>(
        &self,
        py: Python<'py>,
        u: PyReadonlyArray1<'py, i64>,
        v: PyReadonlyArray1<'py, i64>,
    ) -> PyResult<Bound<'py, PyArray1<bool>>> {
        let scores = self.score(py, u, v)?;
        let threshold = match &self.model {
            Model::Balls(_) | Model::Caps(_) => 0.0,
            Model::Order(_) | Model::EuclideanCones(_) | Model::HyperbolicCones(_) => {
                -f64::MIN_POSITIVE
            }
            Model::Boxes(_) => -std::f64::consts::LN_2,
            Model::Poincare(_) | Model::Euclidean(_) => {
                return Err(PyValueError::new_err(format!(
                    "a {} model is made of points, which contain nothing",
                    self.kind()
                )))
            }
        };
        let inside: Vec<bool> = scores
            .readonly()
            .as_array()
            .iter()
            .map(|&m| m > threshold)
            .collect();
        Ok(PyArray1::from_vec(py, inside))
    }

    fn __len__(&self) -> usize {
        self.names.len()
    }

    fn __repr__(&self) -> String {
        let dim = match &self.model {
            Model::Balls(b) => b.dim(),
            Model::Caps(c) => c.dim(),
            Model::Poincare(p) => p.dim(),
            Model::Euclidean(e) => e.dim(),
            Model::Order(o) => o.dim(),
            Model::EuclideanCones(c) => c.dim(),
            Model::HyperbolicCones(c) => c.dim(),
            Model::Boxes(x) => x.dim(),
        };
        format!(
            "HierarchyModel({}, {} nodes, d = {dim})",
            self.kind(),
            self.names.len()
        )
    }
}

impl PyModel {
    /// The index pairs of `u` and `v`, checked against the model's rows.
    fn pairs(
        &self,
        u: &PyReadonlyArray1<'_, i64>,
        v: &PyReadonlyArray1<'_, i64>,
    ) -> PyResult<Vec<(u32, u32)>> {
        let (u, v) = (u.as_array(), v.as_array());
        if u.len() != v.len() {
            return Err(PyValueError::new_err(format!(
                "u and v must have the same length, got {} and {}",
                u.len(),
                v.len()
            )));
        }
        let n = self.names.len() as i64;
        u.iter()
            .zip(v.iter())
            .map(|(&a, &b)| {
                if (0..n).contains(&a) && (0..n).contains(&b) {
                    Ok((a as u32, b as u32))
                } else {
                    Err(PyValueError::new_err(format!(
                        "node index ({a}, {b}) out of range for {n} nodes"
                    )))
                }
            })
            .collect()
    }
}

/// Trains a model on `hierarchy` under `protocol` and returns it with the run's summary.
/// Settings left `None` take the model's own defaults (its paper's, as `sphaera hierarchy
/// train` uses them).
#[pyfunction]
#[pyo3(signature = (hierarchy=None, *, model="spherex", dim=None, epochs=None,
                    protocol="reconstruction", split=None, regime="published", seed=None,
                    eval_every=None, negatives=None, batch_size=None, lr=None, temperature=None,
                    margin=None, volume_weight=None, ln_p_floor=None, radius_weight=None,
                    min_radius=None, sibling_weight=None, edge_sampling="uniform",
                    lr_decay=false))]
#[allow(clippy::too_many_arguments)]
pub fn train(
    py: Python<'_>,
    hierarchy: Option<&PyHierarchy>,
    model: &str,
    dim: Option<usize>,
    epochs: Option<u64>,
    protocol: &str,
    split: Option<&PySplit>,
    regime: &str,
    seed: Option<u64>,
    eval_every: Option<u64>,
    negatives: Option<usize>,
    batch_size: Option<usize>,
    lr: Option<f64>,
    temperature: Option<f64>,
    margin: Option<f64>,
    volume_weight: Option<f64>,
    ln_p_floor: Option<f64>,
    radius_weight: Option<f64>,
    min_radius: Option<f64>,
    sibling_weight: Option<f64>,
    edge_sampling: &str,
    lr_decay: bool,
) -> PyResult<(PyModel, PyObject)> {
    let kind: ModelKind = model.parse().map_err(value_error)?;
    // Each model's own defaults (its paper's step size, batch and optimizer).
    let defaults = kind.default_config();
    let mut config = defaults.clone();
    config.dim = dim.unwrap_or(defaults.dim);
    config.seed = seed.unwrap_or(defaults.seed);
    config.negatives = negatives.unwrap_or(defaults.negatives);
    config.batch_size = batch_size.unwrap_or(defaults.batch_size);
    config.lr = lr.unwrap_or(defaults.lr);
    config.min_radius = min_radius.unwrap_or(defaults.min_radius);
    let loss = &mut config.loss;
    for (slot, value) in [
        (&mut loss.temperature, temperature),
        (&mut loss.margin, margin),
        (&mut loss.volume_weight, volume_weight),
        (&mut loss.ln_p_floor, ln_p_floor),
        (&mut loss.radius_weight, radius_weight),
        (&mut loss.sibling_weight, sibling_weight),
    ] {
        if let Some(v) = value {
            *slot = v;
        }
    }
    config.edge_sampling = edge_sampling.parse().map_err(value_error)?;
    let defaults = Schedule::default();
    let epochs = epochs.unwrap_or(defaults.epochs);
    config.lr_decay_epochs = lr_decay.then_some(epochs);
    let protocol: Protocol = protocol.parse().map_err(value_error)?;
    let regime: Regime = regime.parse().map_err(value_error)?;
    let eval_every = match eval_every {
        None => defaults.eval_every,
        Some(k) => std::num::NonZeroU64::new(k)
            .ok_or_else(|| PyValueError::new_err("eval_every must be at least 1, got 0"))?,
    };
    let schedule = Schedule { epochs, eval_every };
    let mammals;
    let hierarchy = match hierarchy {
        Some(h) => h,
        None => {
            mammals = PyHierarchy::mammals()?;
            &mammals
        }
    };
    let task = match (split, protocol) {
        (Some(s), Protocol::Split { .. }) => {
            Task::link_prediction(s.inner.clone(), protocol, regime, &s.source)
        }
        (Some(_), Protocol::Reconstruction) => {
            return Err(PyValueError::new_err(
                "a split is given, so protocol must be split:P",
            ))
        }
        (None, _) => Task::new(
            &hierarchy.inner,
            &hierarchy.source,
            protocol,
            regime,
            None,
            config.seed,
        ),
    }
    .map_err(value_error)?;
    let names = task.nodes.names().to_vec();
    let (summary, model) = kind.visit(TrainModel {
        py,
        task: &task,
        config,
        schedule,
    })?;
    Ok((PyModel { model, names }, to_python(py, &summary)?))
}

/// Trains the model of the kind visited.
struct TrainModel<'a, 'py> {
    py: Python<'py>,
    task: &'a Task,
    config: SpherexConfig,
    schedule: Schedule,
}

impl ModelVisitor for TrainModel<'_, '_> {
    type Output = PyResult<(sphaera::hierarchy::Summary, Model)>;

    fn visit<M: Regions>(self) -> Self::Output
    where
        Model: From<M>,
    {
        let (summary, model) = run::<M>(self.py, self.task, self.config, self.schedule)?;
        Ok((summary, Model::from(model)))
    }
}

/// Runs every epoch without the GIL, stopping for Ctrl-C between epochs.
fn run<M: Regions>(
    py: Python<'_>,
    task: &Task,
    config: SpherexConfig,
    schedule: Schedule,
) -> PyResult<(sphaera::hierarchy::Summary, M)> {
    let mut run = Run::<M>::new(task, config, schedule).map_err(value_error)?;
    while !run.is_done() {
        py.allow_threads(|| run.epoch()).map_err(value_error)?;
        py.check_signals()?;
    }
    Ok(run.finish())
}

/// A serde value as the Python object `json.loads` makes of it.
fn to_python(py: Python<'_>, value: &impl Serialize) -> PyResult<PyObject> {
    let text = serde_json::to_string(value)
        .map_err(|e| PyValueError::new_err(format!("cannot convert the report: {e}")))?;
    Ok(py.import("json")?.call_method1("loads", (text,))?.unbind())
}

/// A Python callable `scorer(u, v) -> scores` on int64 index arrays, as a library scorer.
/// Its first error is kept and raised once the evaluation ends (scores are NaN meanwhile).
struct PyScorer {
    callable: Py<PyAny>,
    error: Mutex<Option<PyErr>>,
}

impl PyScorer {
    fn call(&self, u: Vec<i64>, v: Vec<i64>, out: &mut [f64]) {
        let result = Python::with_gil(|py| -> PyResult<()> {
            let k = u.len();
            let scores = self
                .callable
                .bind(py)
                .call1((PyArray1::from_vec(py, u), PyArray1::from_vec(py, v)))?;
            let scores = py
                .import("numpy")?
                .call_method1("asarray", (scores, "float64"))?;
            let scores = scores.downcast::<PyArray1<f64>>().map_err(|_| {
                PyValueError::new_err("the scorer must return a 1-D array of scores")
            })?;
            let scores = scores.readonly();
            let scores = scores.as_array();
            if scores.len() != k {
                return Err(PyValueError::new_err(format!(
                    "the scorer returned {} scores for {k} pairs",
                    scores.len()
                )));
            }
            out.iter_mut().zip(scores.iter()).for_each(|(o, &s)| *o = s);
            Ok(())
        });
        if let Err(e) = result {
            out.fill(f64::NAN);
            let mut slot = self.error.lock().unwrap_or_else(|p| p.into_inner());
            slot.get_or_insert(e);
        }
    }

    fn take_error(&self) -> PyResult<()> {
        let mut slot = self.error.lock().unwrap_or_else(|p| p.into_inner());
        slot.take().map_or(Ok(()), Err)
    }
}

impl Scorer for PyScorer {
    fn score(&self, u: u32, v: u32) -> f64 {
        let mut out = [0.0];
        self.call(vec![i64::from(u)], vec![i64::from(v)], &mut out);
        out[0]
    }

    fn score_pairs(&self, pairs: &[(u32, u32)], out: &mut [f64]) {
        let (u, v) = pairs
            .iter()
            .map(|&(u, v)| (i64::from(u), i64::from(v)))
            .unzip();
        self.call(u, v, out);
    }

    fn score_rows(&self, us: &[u32], out: &mut [f64]) {
        // One call for the whole block: every `u` of `us` against every node.
        let n = out.len() / us.len().max(1);
        let u = us
            .iter()
            .flat_map(|&u| std::iter::repeat_n(i64::from(u), n))
            .collect();
        let v = us.iter().flat_map(|_| 0..n as i64).collect();
        self.call(u, v, out);
    }
}

/// Reconstruction (mean rank and MAP over every node with an ancestor) of `hierarchy` by
/// `scorer`: a `HierarchyModel` (rows matched by name) or a callable `scorer(u, v)` on
/// int64 index arrays of `hierarchy`'s nodes returning one score per pair (higher: more
/// likely that `v` is an ancestor of `u`).
#[pyfunction]
pub fn reconstruction(
    py: Python<'_>,
    hierarchy: &PyHierarchy,
    scorer: &Bound<'_, PyAny>,
) -> PyResult<PyObject> {
    let result = if let Ok(model) = scorer.downcast::<PyModel>() {
        let model = model.get();
        py.allow_threads(|| model.model.evaluate(&model.names, &hierarchy.inner, None))
            .map_err(value_error)?
            .reconstruction
    } else {
        let scorer = callable(scorer)?;
        let closure = hierarchy.inner.checked_closure().map_err(value_error)?;
        let r = eval::reconstruction(&closure, &scorer, Sampling::All, Par::Seq);
        scorer.take_error()?;
        r
    };
    to_python(py, &result)
}

/// Link prediction on the held-out pairs of `split` by `scorer` (a `HierarchyModel`, or a
/// callable on int64 index arrays of `split.nodes`): the threshold best on validation, test
/// F1, AUROC and average precision.
#[pyfunction]
pub fn link_prediction(
    py: Python<'_>,
    split: &PySplit,
    scorer: &Bound<'_, PyAny>,
) -> PyResult<PyObject> {
    let figures = if let Ok(model) = scorer.downcast::<PyModel>() {
        let model = model.get();
        let hierarchy = &split.inner.hierarchy;
        let judged = py
            .allow_threads(|| {
                model
                    .model
                    .evaluate(&model.names, hierarchy, Some(&split.inner))
            })
            .map_err(value_error)?;
        judged.link_prediction
    } else {
        let scorer = callable(scorer)?;
        let figures = eval::link_prediction_on(&split.inner.held_out, &scorer);
        scorer.take_error()?;
        Some(figures)
    };
    to_python(py, &figures)
}

fn callable(scorer: &Bound<'_, PyAny>) -> PyResult<PyScorer> {
    if !scorer.is_callable() {
        return Err(pyo3::exceptions::PyTypeError::new_err(format!(
            "scorer must be a HierarchyModel or a callable scorer(u, v), got {}",
            scorer.get_type().name()?
        )));
    }
    Ok(PyScorer {
        callable: scorer.clone().unbind(),
        error: Mutex::new(None),
    })
}

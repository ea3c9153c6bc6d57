//! `sphaera.data`: hierarchies (edge lists, the embedded mammals, WordNet) and the
//! link-prediction split, with node pairs as `(k, 2)` int64 arrays of indices.

use std::collections::HashSet;
use std::path::PathBuf;

use numpy::{PyArray1, PyArray2, PyArrayMethods};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use sphaera::data::{self, EdgeList};

use crate::errors::value_error;

/// A hierarchy: named nodes and their is-a edges (child → parent), acyclic.
#[pyclass(module = "sphaera._core", name = "Hierarchy", frozen)]
#[derive(Clone)]
pub struct PyHierarchy {
    pub inner: data::Hierarchy,
    /// Names the data in summaries and checkpoints.
    pub source: String,
}

#[pymethods]
impl PyHierarchy {
    /// A hierarchy from `(child, parent)` name pairs (duplicates and self loops dropped).
    #[new]
    #[pyo3(signature = (edges, source="edges"))]
    fn new(edges: Vec<(String, String)>, source: &str) -> PyResult<Self> {
        let mut list = EdgeList::default();
        let mut seen = HashSet::new();
        for (child, parent) in edges {
            if child == parent {
                list.self_loops += 1;
            } else if seen.insert((child.clone(), parent.clone())) {
                list.edges.push((child, parent));
            } else {
                list.duplicates += 1;
            }
        }
        if list.edges.is_empty() {
            return Err(PyValueError::new_err("edges: no edges"));
        }
        Self::from_list(&list, source)
    }

    /// The hierarchy of an edge-list file (`child<TAB>parent` lines, as `sphaera` reads).
    #[staticmethod]
    fn from_file(path: PathBuf) -> PyResult<Self> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(&path)
            .map_err(|e| PyValueError::new_err(format!("cannot read {shown}: {e}")))?;
        let list = data::parse_edges(&text, &shown).map_err(value_error)?;
        Self::from_list(&list, &shown)
    }

    /// The embedded default: the WordNet 3.0 closure under `mammal.n.01`.
    #[staticmethod]
    pub fn mammals() -> PyResult<Self> {
        Self::from_list(&data::mammals(), data::MAMMALS_SOURCE)
    }

    /// WordNet's noun hierarchy read from its database files (`dict`, default Debian's
    /// `/usr/share/wordnet`), or its subtree under `root` (e.g. `mammal.n.01`).
    #[staticmethod]
    #[pyo3(signature = (dict=None, root=None))]
    fn wordnet(py: Python<'_>, dict: Option<PathBuf>, root: Option<&str>) -> PyResult<Self> {
        let dict = dict.unwrap_or_else(|| PathBuf::from(data::DEFAULT_DICT));
        let nouns = py
            .allow_threads(|| data::load_nouns(&dict))
            .map_err(value_error)?;
        let inner = match root {
            Some(name) => nouns.subtree(nouns.index_of(name).map_err(value_error)?),
            None => nouns,
        };
        Ok(Self {
            inner,
            source: format!("WordNet nouns in {}", dict.display()),
        })
    }

    /// The node names, in index order.
    #[getter]
    fn names(&self) -> Vec<String> {
        self.inner.names().to_vec()
    }

    /// Number of nodes.
    fn __len__(&self) -> usize {
        self.inner.n()
    }

    /// The index of the node `name`.
    fn index(&self, name: &str) -> PyResult<u32> {
        self.inner.index_of(name).map_err(value_error)
    }

    /// The edges, `(k, 2)` indices `(child, parent)`.
    fn edges<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyArray2<i64>>> {
        pairs_array(py, &self.inner.edges().collect::<Vec<_>>())
    }

    /// The transitive closure, `(k, 2)` indices `(descendant, ancestor)`.
    fn closure<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyArray2<i64>>> {
        let closure = self.inner.checked_closure().map_err(value_error)?;
        pairs_array(py, &closure.edges().collect::<Vec<_>>())
    }

    fn __repr__(&self) -> String {
        format!(
            "Hierarchy({} nodes, {} edges, from {})",
            self.inner.n(),
            self.inner.edge_count(),
            self.source
        )
    }
}

impl PyHierarchy {
    fn from_list(list: &EdgeList, source: &str) -> PyResult<Self> {
        Ok(Self {
            inner: data::Hierarchy::from_edge_list(list).map_err(value_error)?,
            source: source.to_string(),
        })
    }
}

/// The link-prediction split of Ganea et al. (2018), as `sphaera data split` makes it.
/// Pairs index `split.nodes` (the hierarchy without its root).
#[pyclass(module = "sphaera._core", name = "Split", frozen)]
#[derive(Clone)]
pub struct PySplit {
    pub inner: data::Split,
    pub source: String,
    pub percent: f64,
}

#[pymethods]
impl PySplit {
    /// Splits `hierarchy` with `percent`% of the non-basic edges in training (0 to 90).
    #[new]
    #[pyo3(signature = (hierarchy, percent, seed=0))]
    fn new(py: Python<'_>, hierarchy: &PyHierarchy, percent: f64, seed: u64) -> PyResult<Self> {
        let inner = py
            .allow_threads(|| data::split(&hierarchy.inner, percent, seed))
            .map_err(value_error)?;
        Ok(Self {
            inner,
            source: hierarchy.source.clone(),
            percent,
        })
    }

    /// Reads a split directory (`train.tsv`, `valid.tsv`, …) made from `hierarchy`.
    #[staticmethod]
    #[pyo3(signature = (directory, hierarchy, percent=0.0))]
    fn read(directory: PathBuf, hierarchy: &PyHierarchy, percent: f64) -> PyResult<Self> {
        Ok(Self {
            inner: data::Split::read_dir(&directory, &hierarchy.inner).map_err(value_error)?,
            source: hierarchy.source.clone(),
            percent,
        })
    }

    /// Writes the five files into `directory`, whole or not at all.
    fn write(&self, directory: PathBuf) -> PyResult<()> {
        self.inner.write_dir(&directory).map_err(value_error)
    }

    /// The hierarchy the pairs index: the input without its root.
    #[getter]
    fn nodes(&self) -> PyHierarchy {
        PyHierarchy {
            inner: self.inner.hierarchy.clone(),
            source: self.source.clone(),
        }
    }

    #[getter]
    fn train<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyArray2<i64>>> {
        pairs_array(py, &self.inner.train)
    }

    #[getter]
    fn valid<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyArray2<i64>>> {
        pairs_array(py, &self.inner.held_out.valid)
    }

    #[getter]
    fn valid_neg<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyArray2<i64>>> {
        pairs_array(py, &self.inner.held_out.valid_neg)
    }

    #[getter]
    fn test<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyArray2<i64>>> {
        pairs_array(py, &self.inner.held_out.test)
    }

    #[getter]
    fn test_neg<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyArray2<i64>>> {
        pairs_array(py, &self.inner.held_out.test_neg)
    }

    /// How many nodes and edges went where.
    #[getter]
    fn counts<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let c = self.inner.counts;
        let d = PyDict::new(py);
        for (key, value) in [
            ("nodes", c.nodes),
            ("closure_edges", c.closure_edges),
            ("basic_edges", c.basic_edges),
            ("non_basic_edges", c.non_basic_edges),
            ("train", c.train),
            ("valid", c.valid),
            ("test", c.test),
            ("valid_neg", c.valid_neg),
            ("test_neg", c.test_neg),
        ] {
            d.set_item(key, value)?;
        }
        Ok(d)
    }

    fn __repr__(&self) -> String {
        let c = self.inner.counts;
        format!(
            "Split({} nodes: {} train, {} valid, {} test)",
            c.nodes, c.train, c.valid, c.test
        )
    }
}

/// `pairs` as a `(k, 2)` int64 array.
pub fn pairs_array<'py>(
    py: Python<'py>,
    pairs: &[(u32, u32)],
) -> PyResult<Bound<'py, PyArray2<i64>>> {
    let flat: Vec<i64> = pairs
        .iter()
        .flat_map(|&(a, b)| [i64::from(a), i64::from(b)])
        .collect();
    PyArray1::from_vec(py, flat).reshape([pairs.len(), 2])
}

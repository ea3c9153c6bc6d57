//! The library's one error type.

use std::path::PathBuf;
use std::sync::Arc;

use thiserror::Error;

/// Everything the library can refuse, with enough context to say where.
///
/// Not `PartialEq`: an I/O failure carries its [`std::io::Error`], which has no equality;
/// match on the variant and its fields instead.
#[derive(Debug, Error, Clone)]
#[non_exhaustive]
pub enum Error {
    /// A row holds NaN or an infinity.
    #[error("row {row} has a non-finite value")]
    NonFiniteRow {
        /// Zero-based row index.
        row: usize,
    },
    /// A row is the zero vector, so it has no direction on the sphere.
    #[error("row {row} is zero and has no direction")]
    ZeroRow {
        /// Zero-based row index.
        row: usize,
    },
    /// A hyperparameter is outside its domain.
    #[error("{name} must be {expected}, got {value}")]
    InvalidParameter {
        /// The parameter's name as the user wrote it (`lr`, `gamma`, ...).
        name: &'static str,
        /// What it must be, in words.
        expected: &'static str,
        /// The value received.
        value: String,
    },
    /// An array whose shape is not the one required.
    #[error("{what} has shape {found:?}, expected {expected:?}")]
    Shape {
        /// The array, in words (`gradient`, `Adam state`, ...).
        what: &'static str,
        /// The shape it must have.
        expected: Vec<usize>,
        /// The shape it has.
        found: Vec<usize>,
    },
    /// Two things that must belong together do not (an optimizer state of another optimizer,
    /// a checkpoint of another run).
    #[error("{what} does not match {other}")]
    Mismatch {
        /// What was given.
        what: &'static str,
        /// What it had to match.
        other: &'static str,
    },
    /// An edge naming a node that does not exist, or a node paired with itself.
    #[error("edge ({child}, {parent}) is not a pair of distinct nodes among {nodes}")]
    InvalidEdge {
        /// Its child index.
        child: u32,
        /// Its parent index.
        parent: u32,
        /// How many nodes there are.
        nodes: usize,
    },
    /// A file that cannot be read or written.
    #[error("cannot {action} {}", .path.display())]
    Io {
        /// What was being done: "read", "write", "create", "rename", …
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: Arc<std::io::Error>,
    },
    /// A line of a data file that cannot be read.
    #[error("{file}:{line}: {message}")]
    Parse {
        /// The file (or source) name.
        file: String,
        /// One-based line number.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// A data file that was read but holds nothing usable.
    #[error("{file}: {message}")]
    EmptyData {
        /// The file (or source) name.
        file: String,
        /// What is missing.
        message: String,
    },
    /// A hierarchy whose is-a edges go round in a circle.
    #[error("the hierarchy has a cycle: {}", .nodes.join(" -> "))]
    Cycle {
        /// The nodes on the cycle, in order, the first repeated at the end.
        nodes: Vec<String>,
    },
    /// A run whose loss or parameters stopped being finite (a step size far too large, say).
    #[error("the run diverged: non-finite {what} after {unit} {at}")]
    Diverged {
        /// What turned non-finite (`loss or parameters`).
        what: &'static str,
        /// `epoch` or `step`.
        unit: &'static str,
        /// The epoch or step number.
        at: u64,
    },
    /// A node that a model being evaluated has no row for.
    #[error("node {name} is not in the model")]
    NotInModel {
        /// The node's name.
        name: String,
    },
    /// A node name that the hierarchy does not have.
    #[error("unknown node {name}")]
    UnknownNode {
        /// The name asked for.
        name: String,
    },
}

/// Shorthand for results of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Checks a hyperparameter with `ok` and names it in the error otherwise.
pub(crate) fn check(
    name: &'static str,
    value: f64,
    expected: &'static str,
    ok: impl Fn(f64) -> bool,
) -> Result<()> {
    if value.is_finite() && ok(value) {
        Ok(())
    } else {
        Err(Error::InvalidParameter {
            name,
            expected,
            value: value.to_string(),
        })
    }
}

impl Error {
    /// An I/O failure on `path`.
    pub(crate) fn io(
        action: &'static str,
        path: impl Into<PathBuf>,
        source: std::io::Error,
    ) -> Self {
        Error::Io {
            action,
            path: path.into(),
            source: Arc::new(source),
        }
    }
}

//! The library's one error type.

use thiserror::Error;

/// Everything the library can refuse, with enough context to say where.
#[derive(Debug, Error, Clone, PartialEq)]
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
    /// Two arrays whose shapes must agree do not.
    #[error("shape mismatch: {0}")]
    Shape(String),
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
    /// A data file with nothing usable in it.
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

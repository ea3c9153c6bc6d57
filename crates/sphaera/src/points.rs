//! A table of `n` points in `R^dim`, stored row-major in `f64`.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// `n` rows of `dim` coordinates each, contiguous and row-major.
///
/// ```
/// use sphaera::Points;
/// let p = Points::from_vec(2, 3, vec![1.0, 0.0, 0.0, 0.0, 1.0, 0.0]).unwrap();
/// assert_eq!(p.row(1), &[0.0, 1.0, 0.0]);
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Points {
    n: usize,
    dim: usize,
    data: Vec<f64>,
}

impl Points {
    /// `n × dim` zeros.
    ///
    /// # Panics
    ///
    /// If `n · dim` overflows `usize` (callers check sizes first, see [`crate::memory`]).
    pub fn zeros(n: usize, dim: usize) -> Self {
        let len = n.checked_mul(dim).expect("n · dim overflows usize");
        Self {
            n,
            dim,
            data: vec![0.0; len],
        }
    }

    /// Wraps row-major `data`, which must hold exactly `n · dim` values.
    pub fn from_vec(n: usize, dim: usize, data: Vec<f64>) -> Result<Self> {
        if n.checked_mul(dim) != Some(data.len()) {
            return Err(Error::Shape {
                what: "row-major point data",
                expected: vec![n, dim],
                found: vec![data.len()],
            });
        }
        Ok(Self { n, dim, data })
    }

    /// Number of rows.
    pub fn n(&self) -> usize {
        self.n
    }

    /// Number of coordinates per row.
    pub fn dim(&self) -> usize {
        self.dim
    }

    /// Row `i`.
    pub fn row(&self, i: usize) -> &[f64] {
        &self.data[i * self.dim..(i + 1) * self.dim]
    }

    /// Row `i`, mutable.
    pub fn row_mut(&mut self, i: usize) -> &mut [f64] {
        &mut self.data[i * self.dim..(i + 1) * self.dim]
    }

    /// All rows in order.
    pub fn rows(&self) -> std::slice::ChunksExact<'_, f64> {
        self.data.chunks_exact(self.dim)
    }

    /// All rows in order, mutable.
    pub fn rows_mut(&mut self) -> std::slice::ChunksExactMut<'_, f64> {
        self.data.chunks_exact_mut(self.dim)
    }

    /// The row-major values.
    pub fn as_slice(&self) -> &[f64] {
        &self.data
    }

    /// The row-major values, mutable.
    pub fn as_mut_slice(&mut self) -> &mut [f64] {
        &mut self.data
    }

    /// Consumes the table, returning the row-major values.
    pub fn into_vec(self) -> Vec<f64> {
        self.data
    }

    /// Sets every value to zero, keeping the allocation.
    pub fn fill_zero(&mut self) {
        self.data.fill(0.0);
    }

    /// Fails unless `other` has the same shape.
    pub fn check_same_shape(&self, other: &Points, what: &'static str) -> Result<()> {
        if self.n == other.n && self.dim == other.dim {
            Ok(())
        } else {
            Err(Error::Shape {
                what,
                expected: vec![self.n, self.dim],
                found: vec![other.n, other.dim],
            })
        }
    }
}

/// Dot product of two equal-length slices, with four accumulators so it vectorizes.
pub(crate) fn dot(a: &[f64], b: &[f64]) -> f64 {
    let mut acc = [0.0; 4];
    let (a4, a_rest) = a.split_at(a.len() / 4 * 4);
    let (b4, b_rest) = b.split_at(a4.len());
    for (x, y) in a4.chunks_exact(4).zip(b4.chunks_exact(4)) {
        for k in 0..4 {
            acc[k] += x[k] * y[k];
        }
    }
    let tail: f64 = a_rest.iter().zip(b_rest).map(|(x, y)| x * y).sum();
    (acc[0] + acc[1]) + (acc[2] + acc[3]) + tail
}

/// `y += alpha · x`.
pub(crate) fn axpy(alpha: f64, x: &[f64], y: &mut [f64]) {
    for (yi, xi) in y.iter_mut().zip(x) {
        *yi += alpha * xi;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shape_whose_size_overflows_is_refused() {
        assert!(Points::from_vec(1 << 33, 1 << 31, Vec::new()).is_err());
        assert!(Points::from_vec(usize::MAX, 2, vec![0.0; 2]).is_err());
    }
}

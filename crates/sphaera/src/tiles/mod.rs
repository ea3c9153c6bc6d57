//! Tiled pairwise passes over a point table, never holding an `N × N` matrix.
//!
//! Rows are cut into blocks of [`TILE`]. A pair of blocks is one tile: its Gram matrix
//! `X_I X_Jᵀ` comes from a matrix product ([`gram`]), is transformed elementwise, and (for
//! gradients) is multiplied back by `X_J` into rows `I` and, transposed, by `X_I` into rows
//! `J`: each unordered pair of points is visited once. The tiles run in rounds of disjoint
//! block pairs ([`schedule`]), so a task owns the rows it writes and every row receives its
//! contributions in round order: results do not depend on the number of threads. Peak
//! memory is `O(N·d)` plus one `TILE × TILE` buffer per thread.
//!
//! Two passes are built on them: sums of a function of every pair with their gradients
//! ([`pair_sum()`]), and nearest neighbours by inner product ([`nearest()`]).

mod gram;
mod nearest;
mod pair_sum;
mod schedule;

pub(crate) use nearest::{nearest, nearest_other};
pub(crate) use pair_sum::{pair_sum, PairFunction};

/// Rows and columns per tile.
pub(crate) const TILE: usize = 256;

/// Equal up to the summation order of a matrix product.
#[cfg(test)]
fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-11 * (1.0 + a.abs().max(b.abs()))
}

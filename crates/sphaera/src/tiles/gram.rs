//! The Gram tile of two blocks of rows, formed in a per-thread buffer, and the gap
//! `1 − x_i·x_j` read from it.

use std::cell::RefCell;

use crate::linalg::{gemm, MatMut, MatRef};
use crate::scratch::with_buffer;
use crate::vmath;

/// Above this inner product, the gap `1 − c` is recomputed from coordinates as
/// `½‖x_i − x_j‖²`: from the product alone it would carry an absolute error of about `1e-16`,
/// a relative error of `1e-16 / gap` that ruins singular kernels of close points.
const CLOSE: f64 = 0.5;

thread_local! {
    /// Each thread's Gram tile, kept between calls so that no step allocates it again.
    static GRAM: RefCell<Vec<f64>> = const { RefCell::new(Vec::new()) };
    /// The same in `f32`, before it is widened into `GRAM`.
    static GRAM32: RefCell<Vec<f32>> = const { RefCell::new(Vec::new()) };
}

/// Calls `f` with the Gram tile `X_a X_bᵀ` of two blocks of `d`-column rows, formed in
/// this thread's buffer (`rows of a × rows of b`, row-major).
pub(super) fn with_gram_tile<T>(
    xa: &[f64],
    xb: &[f64],
    d: usize,
    f: impl FnOnce(&mut [f64]) -> T,
) -> T {
    let (ma, mb) = (xa.len() / d, xb.len() / d);
    with_buffer(&GRAM, ma * mb, |gram| {
        gemm(
            1.0,
            MatRef::row_major(xa, ma, d),
            MatRef::transposed(xb, d, mb),
            0.0,
            MatMut::row_major(&mut *gram, ma, mb),
        );
        f(gram)
    })
}

/// [`with_gram_tile`] with the product in `f32` (`xa32`, `xb32` the blocks in `f32`),
/// widened to `f64` before `f` sees it.
pub(super) fn with_gram_tile_f32<T>(
    xa32: &[f32],
    xb32: &[f32],
    d: usize,
    f: impl FnOnce(&mut [f64]) -> T,
) -> T {
    let (ma, mb) = (xa32.len() / d, xb32.len() / d);
    with_buffer(&GRAM32, ma * mb, |gram32| {
        gemm(
            1.0,
            MatRef::row_major(xa32, ma, d),
            MatRef::transposed(xb32, d, mb),
            0.0,
            MatMut::row_major(&mut *gram32, ma, mb),
        );
        with_buffer(&GRAM, ma * mb, |gram| {
            for (wide, &narrow) in gram.iter_mut().zip(gram32.iter()) {
                *wide = f64::from(narrow);
            }
            f(gram)
        })
    })
}

/// Replaces each product `x_i·x_j` of `line` (row `xi` against the rows of `xb`, `d` values
/// each) by the gap `1 − x_i·x_j` as [`gap`] computes it: one pass that vectorizes, and the
/// few close pairs computed again from coordinates.
pub(super) fn gaps_of_line(line: &mut [f64], xi: &[f64], xb: &[f64], d: usize) {
    let any_close = vmath::max(line) > CLOSE;
    if any_close {
        for (s, entry) in line.iter_mut().enumerate() {
            *entry = gap(*entry, xi, &xb[s * d..(s + 1) * d]);
        }
    } else {
        line.iter_mut().for_each(|c| *c = 1.0 - *c);
    }
}

/// The gap `1 − x_i·x_j` of unit rows, computed without cancellation for close pairs.
pub(super) fn gap(c: f64, xi: &[f64], xj: &[f64]) -> f64 {
    if c > CLOSE {
        0.5 * xi
            .iter()
            .zip(xj)
            .map(|(a, b)| (a - b) * (a - b))
            .sum::<f64>()
    } else {
        1.0 - c
    }
}

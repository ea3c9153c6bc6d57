//! Tiled pairwise passes over a point table, never holding an `N × N` matrix.
//!
//! Rows are cut into blocks of [`TILE`]. For each row block, in parallel, the Gram tile
//! `X_I X_Jᵀ` against every column block is formed by a matrix product, transformed
//! elementwise, and (for gradients) multiplied back by `X_J`. Each row block owns its rows of
//! the output and reduces its column blocks in order, so results do not depend on the
//! number of threads. Peak memory is `O(N·d)` plus one `TILE × TILE` buffer per thread.

use crate::linalg::{gemm, MatMut, MatRef};
use crate::par::Par;
use crate::points::Points;

/// Rows and columns per tile.
pub(crate) const TILE: usize = 256;

/// `Σ_{i≠j} f(x_i·x_j)` over ordered pairs, where `f(c)` returns the value and its derivative
/// in `c`. With `grad = Some((g, scale))`, adds `scale · ∂/∂X` of the sum into `g`.
pub(crate) fn pair_sum<F>(x: &Points, par: Par, grad: Option<(&mut Points, f64)>, f: F) -> f64
where
    F: Fn(f64) -> (f64, f64) + Sync,
{
    pair_sum_tiled(x, TILE, par, grad, f)
}

pub(crate) fn pair_sum_tiled<F>(
    x: &Points,
    tile: usize,
    par: Par,
    grad: Option<(&mut Points, f64)>,
    f: F,
) -> f64
where
    F: Fn(f64) -> (f64, f64) + Sync,
{
    let (n, d) = (x.n(), x.dim());
    let data = x.as_slice();
    let blocks = n.div_ceil(tile);
    // One row block against all column blocks; `out` receives its rows of the gradient.
    let row_block = |bi: usize, out: Option<(&mut [f64], f64)>| -> f64 {
        let i0 = bi * tile;
        let m = tile.min(n - i0);
        let rows = MatRef::row_major(&data[i0 * d..(i0 + m) * d], m, d);
        let mut gram = vec![0.0; m * tile];
        let mut out = out;
        let mut value = 0.0;
        for bj in 0..blocks {
            let j0 = bj * tile;
            let w = tile.min(n - j0);
            let cols = &data[j0 * d..(j0 + w) * d];
            let gram = &mut gram[..m * w];
            gemm(
                1.0,
                rows,
                MatRef::transposed(cols, d, w),
                0.0,
                MatMut::row_major(gram, m, w),
            );
            for (r, line) in gram.chunks_exact_mut(w).enumerate() {
                for (s, entry) in line.iter_mut().enumerate() {
                    if i0 + r == j0 + s {
                        *entry = 0.0;
                        continue;
                    }
                    let (v, dv) = f(*entry);
                    value += v;
                    *entry = dv;
                }
            }
            if let Some((g, scale)) = out.as_mut() {
                // Each ordered pair (i, j) and its mirror (j, i) both depend on x_i.
                gemm(
                    2.0 * *scale,
                    MatRef::row_major(gram, m, w),
                    MatRef::row_major(cols, w, d),
                    1.0,
                    MatMut::row_major(g, m, d),
                );
            }
        }
        value
    };
    let partials = match grad {
        Some((g, scale)) => par.for_each_chunk(g.as_mut_slice(), tile * d, |bi, rows| {
            row_block(bi, Some((rows, scale)))
        }),
        None => par.map(blocks, |bi| row_block(bi, None)),
    };
    partials.iter().sum()
}

/// For each row of `queries`, the row of `targets` with the largest inner product and that
/// inner product. With `exclude_self`, row `i` never matches itself (then `queries` and
/// `targets` are the same table). Ties go to the lowest index.
pub(crate) fn nearest(
    queries: &Points,
    targets: &Points,
    exclude_self: bool,
    par: Par,
) -> Vec<(usize, f64)> {
    nearest_tiled(queries, targets, exclude_self, TILE, par)
}

pub(crate) fn nearest_tiled(
    queries: &Points,
    targets: &Points,
    exclude_self: bool,
    tile: usize,
    par: Par,
) -> Vec<(usize, f64)> {
    let d = queries.dim();
    let (nq, nt) = (queries.n(), targets.n());
    let mut best = vec![(usize::MAX, f64::NEG_INFINITY); nq];
    let tdata = targets.as_slice();
    let qdata = queries.as_slice();
    par.for_each_chunk(&mut best, tile, |bi, best| {
        let i0 = bi * tile;
        let m = best.len();
        let rows = MatRef::row_major(&qdata[i0 * d..(i0 + m) * d], m, d);
        let mut gram = vec![0.0; m * tile];
        for j0 in (0..nt).step_by(tile) {
            let w = tile.min(nt - j0);
            let gram = &mut gram[..m * w];
            let cols = MatRef::transposed(&tdata[j0 * d..(j0 + w) * d], d, w);
            gemm(1.0, rows, cols, 0.0, MatMut::row_major(gram, m, w));
            for (r, line) in gram.chunks_exact(w).enumerate() {
                let slot = &mut best[r];
                for (s, &c) in line.iter().enumerate() {
                    // Strictly greater: the first (lowest) index wins a tie.
                    if c > slot.1 && !(exclude_self && i0 + r == j0 + s) {
                        *slot = (j0 + s, c);
                    }
                }
            }
        }
    });
    best
}

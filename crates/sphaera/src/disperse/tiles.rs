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

/// Above this inner product, the gap `1 − c` is recomputed from coordinates as
/// `½‖x_i − x_j‖²`: from the product alone it would carry an absolute error of about `1e-16`,
/// a relative error of `1e-16 / gap` that ruins singular kernels of close points.
const CLOSE: f64 = 0.5;

/// The gap `1 − x_i·x_j` of unit rows, computed without cancellation for close pairs.
fn gap(c: f64, xi: &[f64], xj: &[f64]) -> f64 {
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

/// `Σ_{i≠j} f(1 − x_i·x_j)` over ordered pairs, where `f(gap)` returns the value and its
/// derivative in the inner product `c = 1 − gap`. With `grad = Some((g, scale))`, adds
/// `scale · ∂/∂X` of the sum into `g`.
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
                let xi = &data[(i0 + r) * d..(i0 + r + 1) * d];
                for (s, entry) in line.iter_mut().enumerate() {
                    if i0 + r == j0 + s {
                        *entry = 0.0;
                        continue;
                    }
                    let xj = &cols[s * d..(s + 1) * d];
                    let (v, dv) = f(gap(*entry, xi, xj));
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::random::{seeded, uniform_sphere};
    use proptest::prelude::*;

    fn f(gap: f64) -> (f64, f64) {
        let c = 1.0 - gap;
        ((1.5 * c).exp() + c * c, 1.5 * (1.5 * c).exp() + 2.0 * c)
    }

    /// The obvious double loop.
    fn naive_pair_sum(x: &Points) -> (f64, Points) {
        let mut grad = Points::zeros(x.n(), x.dim());
        let mut value = 0.0;
        for i in 0..x.n() {
            for j in 0..x.n() {
                if i == j {
                    continue;
                }
                let c: f64 = x.row(i).iter().zip(x.row(j)).map(|(a, b)| a * b).sum();
                let (v, dv) = f(1.0 - c);
                value += v;
                for k in 0..x.dim() {
                    grad.row_mut(i)[k] += 2.0 * dv * x.row(j)[k];
                }
            }
        }
        (value, grad)
    }

    fn naive_nearest(q: &Points, t: &Points, exclude_self: bool) -> Vec<(usize, f64)> {
        (0..q.n())
            .map(|i| {
                let mut best = (usize::MAX, f64::NEG_INFINITY);
                for j in 0..t.n() {
                    let c: f64 = q.row(i).iter().zip(t.row(j)).map(|(a, b)| a * b).sum();
                    if c > best.1 && !(exclude_self && i == j) {
                        best = (j, c);
                    }
                }
                best
            })
            .collect()
    }

    /// Same neighbours; inner products equal up to the summation order of the product.
    fn same_neighbours(a: &[(usize, f64)], b: &[(usize, f64)]) -> bool {
        a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.0 == y.0 && close(x.1, y.1))
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-11 * (1.0 + a.abs().max(b.abs()))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]

        #[test]
        fn pair_sum_matches_the_double_loop(n in 2usize..60, d in 2usize..9, tile in 1usize..17, seed: u64) {
            let x = uniform_sphere(n, d, &mut seeded(seed));
            let (value, grad) = naive_pair_sum(&x);
            let mut tiled = Points::zeros(n, d);
            let got = pair_sum_tiled(&x, tile, Par::Rayon, Some((&mut tiled, 1.0)), f);
            prop_assert!(close(got, value), "{got} vs {value}");
            let value_only = pair_sum_tiled(&x, tile, Par::Seq, None, f);
            prop_assert!(close(value_only, value));
            for (a, b) in tiled.as_slice().iter().zip(grad.as_slice()) {
                prop_assert!(close(*a, *b), "{a} vs {b}");
            }
        }

        #[test]
        fn nearest_matches_the_double_loop(nq in 1usize..50, nt in 2usize..50, d in 2usize..7, tile in 1usize..13, seed: u64) {
            let mut rng = seeded(seed);
            let q = uniform_sphere(nq, d, &mut rng);
            let t = uniform_sphere(nt, d, &mut rng);
            let tiled = nearest_tiled(&q, &t, false, tile, Par::Rayon);
            prop_assert!(same_neighbours(&tiled, &naive_nearest(&q, &t, false)));
            let tiled = nearest_tiled(&t, &t, true, tile, Par::Rayon);
            prop_assert!(same_neighbours(&tiled, &naive_nearest(&t, &t, true)));
        }
    }

    #[test]
    fn default_tile_matches_at_sizes_that_are_not_multiples_of_it() {
        for (n, d) in [(TILE + 1, 3), (2 * TILE + 5, 7), (517, 4)] {
            let x = uniform_sphere(n, d, &mut seeded(n as u64));
            let (value, grad) = naive_pair_sum(&x);
            let mut tiled = Points::zeros(n, d);
            let got = pair_sum(&x, Par::Rayon, Some((&mut tiled, 1.0)), f);
            assert!(close(got, value));
            assert!(tiled
                .as_slice()
                .iter()
                .zip(grad.as_slice())
                .all(|(a, b)| close(*a, *b)));
            assert!(same_neighbours(
                &nearest(&x, &x, true, Par::Rayon),
                &naive_nearest(&x, &x, true)
            ));
        }
    }
}

//! Nearest neighbours by inner product, tile by tile: from one table into another, or
//! within one table, each row against every other.

use std::cell::RefCell;

use crate::linalg::{gemm, MatMut, MatRef};
use crate::par::Par;
use crate::points::Points;
use crate::precision::Precision;
use crate::scratch::with_buffer;
use crate::tiles::gram::{with_gram_tile, with_gram_tile_f32};
use crate::tiles::schedule::over_block_pairs;
use crate::tiles::TILE;
use crate::vmath;

thread_local! {
    /// Points in `f32`, for an `f32` search (on the calling thread).
    static POINTS32: RefCell<Vec<f32>> = const { RefCell::new(Vec::new()) };
    static QUERIES32: RefCell<Vec<f32>> = const { RefCell::new(Vec::new()) };
    /// A tile of products in `f32` (on the thread searching it).
    static TILE32: RefCell<Vec<f32>> = const { RefCell::new(Vec::new()) };
}

/// `values` narrowed to `f32` in the buffer `key`, for `f`.
fn narrowed<R>(
    key: &'static std::thread::LocalKey<RefCell<Vec<f32>>>,
    values: &[f64],
    f: impl FnOnce(&[f32]) -> R,
) -> R {
    with_buffer(key, values.len(), |narrow| {
        for (n, &w) in narrow.iter_mut().zip(values) {
            *n = w as f32;
        }
        f(narrow)
    })
}

/// For each row of `queries`, the row of `targets` with the largest inner product and that
/// inner product (computed in `precision`: with `f32`, rows whose products are within
/// `f32` rounding of each other may trade places). Ties go to the lowest index.
pub(crate) fn nearest(
    queries: &Points,
    targets: &Points,
    par: Par,
    precision: Precision,
) -> Vec<(usize, f64)> {
    match precision {
        Precision::F64 => nearest_tiled(queries, targets, None, TILE, par),
        Precision::F32 => narrowed(&QUERIES32, queries.as_slice(), |q32| {
            narrowed(&POINTS32, targets.as_slice(), |t32| {
                nearest_tiled(queries, targets, Some((q32, t32)), TILE, par)
            })
        }),
    }
}

/// For each row of `x`, the other row of `x` with the largest inner product and that inner
/// product (in `precision`, as [`nearest`]); each pair's product is computed once. Ties go
/// to the lowest index.
pub(crate) fn nearest_other(x: &Points, par: Par, precision: Precision) -> Vec<(usize, f64)> {
    match precision {
        Precision::F64 => nearest_other_tiled(x, None, TILE, par),
        Precision::F32 => narrowed(&POINTS32, x.as_slice(), |x32| {
            nearest_other_tiled(x, Some(x32), TILE, par)
        }),
    }
}

/// Whether `(j, c)` beats `best`: a larger product, or an equal one at a lower index, so the
/// answer does not depend on the order candidates come in.
fn beats(j: usize, c: f64, best: (usize, f64)) -> bool {
    c > best.1 || (c == best.1 && j < best.0)
}

/// Each column's best `(values, indices)` against one more line of products, from row
/// `row`: a larger product, or an equal one at a lower index, wins (as [`beats`]).
#[inline(always)]
fn column_best_body(line: &[f64], row: u64, values: &mut [f64], indices: &mut [u64]) {
    for ((v, i), &c) in values.iter_mut().zip(indices.iter_mut()).zip(line) {
        let better = c > *v || (c == *v && row < *i);
        *v = if better { c } else { *v };
        *i = if better { row } else { *i };
    }
}

vmath::widest_vectors!(fn column_best(line: &[f64], row: u64, values: &mut [f64], indices: &mut [u64]) -> () = column_best_body);

/// [`nearest_other`] with tiles of `tile` rows, visiting each unordered pair of blocks once;
/// products in `f32` when `x32` (the rows in `f32`) is given.
fn nearest_other_tiled(
    x: &Points,
    x32: Option<&[f32]>,
    tile: usize,
    par: Par,
) -> Vec<(usize, f64)> {
    let (n, d) = (x.n(), x.dim());
    let data = x.as_slice();
    let mut best = vec![(usize::MAX, f64::NEG_INFINITY); n];
    let mut owned: Vec<_> = best.chunks_mut(tile).map(Some).collect();
    let block = |b: usize| {
        let start = b * tile;
        let len = tile.min(n - start);
        (start, len, &data[start * d..(start + len) * d])
    };
    over_block_pairs(&mut owned, par, |a, b, best_a, best_b| {
        let ((a0, _, xa), (b0, mb, xb)) = (block(a), block(b));
        let best_a = best_a.expect("every block has its part");
        let mut best_b = best_b;
        let search = |gram: &mut [f64]| {
            if a == b {
                // A row is not its own neighbour.
                for r in 0..mb {
                    gram[r * mb + r] = f64::NEG_INFINITY;
                }
            }
            // Rows: each line's largest product, at its lowest index, against the best so far.
            for (r, line) in gram.chunks_exact(mb).enumerate() {
                let slot = &mut best_a[r];
                let largest = vmath::max(line);
                if largest > f64::NEG_INFINITY && largest >= slot.1 {
                    let s = line.iter().position(|&c| c == largest).unwrap_or(0);
                    if beats(b0 + s, largest, *slot) {
                        *slot = (b0 + s, largest);
                    }
                }
            }
            // Columns: every line against the running best of each column, in one pass
            // that vectorizes (values and indices apart).
            if let Some(best_b) = best_b.as_deref_mut() {
                let mut values = [f64::NEG_INFINITY; TILE];
                let mut indices = [u64::MAX; TILE];
                for ((v, i), slot) in values.iter_mut().zip(indices.iter_mut()).zip(best_b.iter()) {
                    (*v, *i) = (slot.1, slot.0 as u64);
                }
                let (values, indices) = (&mut values[..mb], &mut indices[..mb]);
                for (r, line) in gram.chunks_exact(mb).enumerate() {
                    column_best(line, (a0 + r) as u64, values, indices);
                }
                for ((v, i), slot) in values.iter().zip(indices.iter()).zip(best_b.iter_mut()) {
                    *slot = (*i as usize, *v);
                }
            }
        };
        match x32 {
            Some(x32) => {
                let rows = |start: usize, len: usize| &x32[start * d..(start + len) * d];
                let ((_, ma, _), (_, mb, _)) = (block(a), block(b));
                with_gram_tile_f32(rows(a0, ma), rows(b0, mb), d, search)
            }
            None => with_gram_tile(xa, xb, d, search),
        }
        0.0
    });
    best
}

/// [`nearest`] with tiles of `tile` rows: each block of queries against every block of
/// targets; products in `f32` when `narrow` (queries and targets in `f32`) is given.
fn nearest_tiled(
    queries: &Points,
    targets: &Points,
    narrow: Option<(&[f32], &[f32])>,
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
            match narrow {
                Some((q32, t32)) => with_buffer(&TILE32, m * w, |gram32| {
                    gemm(
                        1.0f32,
                        MatRef::row_major(&q32[i0 * d..(i0 + m) * d], m, d),
                        MatRef::transposed(&t32[j0 * d..(j0 + w) * d], d, w),
                        0.0,
                        MatMut::row_major(gram32, m, w),
                    );
                    for (wide, &n) in gram.iter_mut().zip(gram32.iter()) {
                        *wide = f64::from(n);
                    }
                }),
                None => {
                    let cols = MatRef::transposed(&tdata[j0 * d..(j0 + w) * d], d, w);
                    gemm(1.0, rows, cols, 0.0, MatMut::row_major(gram, m, w));
                }
            }
            for (r, line) in gram.chunks_exact(w).enumerate() {
                let slot = &mut best[r];
                for (s, &c) in line.iter().enumerate() {
                    // Strictly greater: the first (lowest) index wins a tie.
                    if c > slot.1 {
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
    use crate::tiles::close;
    use proptest::prelude::*;

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

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]

        #[test]
        fn nearest_matches_the_double_loop(nq in 1usize..50, nt in 2usize..50, d in 2usize..7, tile in 1usize..13, seed: u64) {
            let mut rng = seeded(seed);
            let q = uniform_sphere(nq, d, &mut rng);
            let t = uniform_sphere(nt, d, &mut rng);
            let tiled = nearest_tiled(&q, &t, None, tile, Par::Rayon);
            prop_assert!(same_neighbours(&tiled, &naive_nearest(&q, &t, false)));
            let other = nearest_other_tiled(&t, None, tile, Par::Rayon);
            prop_assert!(same_neighbours(&other, &naive_nearest(&t, &t, true)));
        }
    }

    #[test]
    fn default_tile_matches_at_sizes_that_are_not_multiples_of_it() {
        for (n, d) in [(TILE + 1, 3), (2 * TILE + 5, 7), (517, 4)] {
            let x = uniform_sphere(n, d, &mut seeded(n as u64));
            let y = uniform_sphere(n / 2, d, &mut seeded(n as u64 + 1));
            assert!(same_neighbours(
                &nearest_other(&x, Par::Rayon, Precision::F64),
                &naive_nearest(&x, &x, true)
            ));
            assert!(same_neighbours(
                &nearest(&y, &x, Par::Rayon, Precision::F64),
                &naive_nearest(&y, &x, false)
            ));
        }
    }
}

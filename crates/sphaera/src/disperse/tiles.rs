//! Tiled pairwise passes over a point table, never holding an `N × N` matrix.
//!
//! Rows are cut into blocks of [`TILE`]. A pair of blocks is one tile: its Gram matrix
//! `X_I X_Jᵀ` comes from a matrix product, is transformed elementwise, and (for gradients) is
//! multiplied back by `X_J` into rows `I` and, transposed, by `X_I` into rows `J`: each
//! unordered pair of points is visited once. The tiles run in rounds of disjoint block pairs
//! (a round-robin tournament), so a task owns the gradient rows it writes and every row
//! receives its contributions in round order: results do not depend on the number of
//! threads. Peak memory is `O(N·d)` plus one `TILE × TILE` buffer per thread.

use std::cell::RefCell;

use crate::linalg::{gemm, MatMut, MatRef};
use crate::par::Par;
use crate::points::Points;

/// Rows and columns per tile.
pub(crate) const TILE: usize = 256;

/// Above this inner product, the gap `1 − c` is recomputed from coordinates as
/// `½‖x_i − x_j‖²`: from the product alone it would carry an absolute error of about `1e-16`,
/// a relative error of `1e-16 / gap` that ruins singular kernels of close points.
const CLOSE: f64 = 0.5;

thread_local! {
    /// Each thread's Gram tile, kept between calls so that no step allocates it again.
    static GRAM: RefCell<Vec<f64>> = const { RefCell::new(Vec::new()) };
}

/// Calls `f` with the Gram tile `X_a X_bᵀ` of two blocks of `d`-column rows, formed in
/// this thread's buffer (`rows of a × rows of b`, row-major).
fn with_gram_tile<T>(xa: &[f64], xb: &[f64], d: usize, f: impl FnOnce(&mut [f64]) -> T) -> T {
    let (ma, mb) = (xa.len() / d, xb.len() / d);
    GRAM.with_borrow_mut(|gram| {
        if gram.len() < ma * mb {
            gram.resize(ma * mb, 0.0);
        }
        let gram = &mut gram[..ma * mb];
        gemm(
            1.0,
            MatRef::row_major(xa, ma, d),
            MatRef::transposed(xb, d, mb),
            0.0,
            MatMut::row_major(gram, ma, mb),
        );
        f(gram)
    })
}

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

/// Every unordered pair of `blocks` blocks, the diagonal `(b, b)` included, exactly once,
/// as rounds of pairs that share no block: first the diagonal, then the circle method's
/// rounds (block `m − 1` stays, the others rotate; `m` is `blocks` rounded up to even, and a
/// pair with the phantom block `blocks` is dropped).
pub(crate) fn rounds(blocks: usize) -> Vec<Vec<(usize, usize)>> {
    let mut rounds = vec![(0..blocks).map(|b| (b, b)).collect::<Vec<_>>()];
    let m = blocks + blocks % 2;
    for r in 0..m.saturating_sub(1) {
        let others = (1..m / 2).map(|k| ((r + k) % (m - 1), (r + m - 1 - k) % (m - 1)));
        let round: Vec<_> = std::iter::once((m - 1, r))
            .chain(others)
            .filter(|&(a, b)| a < blocks && b < blocks)
            .map(|(a, b)| (a.min(b), a.max(b)))
            .collect();
        if !round.is_empty() {
            rounds.push(round);
        }
    }
    rounds
}

/// A function of the gap `1 − c` of a pair, applied to a whole line of a tile at once.
pub(crate) trait PairFunction: Sync {
    /// Replaces each gap by the function's derivative in the inner product `c = 1 − gap`
    /// and returns the sum of the function's values.
    fn apply(&self, gaps: &mut [f64]) -> f64;
}

/// A closure `gap ↦ (value, derivative in c)`, one pair at a time.
impl<F: Fn(f64) -> (f64, f64) + Sync> PairFunction for F {
    fn apply(&self, gaps: &mut [f64]) -> f64 {
        let mut sum = 0.0;
        for gap in gaps {
            let (value, derivative) = self(*gap);
            sum += value;
            *gap = derivative;
        }
        sum
    }
}

/// `Σ_{i≠j} f(1 − x_i·x_j)` over ordered pairs, where `f` gives the value and the derivative
/// in the inner product `c = 1 − gap`. With `grad = Some((g, scale))`, adds `scale · ∂/∂X`
/// of the sum into `g`.
pub(crate) fn pair_sum<F>(x: &Points, par: Par, grad: Option<(&mut Points, f64)>, f: F) -> f64
where
    F: PairFunction,
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
    F: PairFunction,
{
    let (n, d) = (x.n(), x.dim());
    let blocks = n.div_ceil(tile);
    let (mut owned, scale): (Vec<Option<&mut [f64]>>, f64) = match grad {
        Some((g, scale)) => (
            g.as_mut_slice().chunks_mut(tile * d).map(Some).collect(),
            scale,
        ),
        None => ((0..blocks).map(|_| None).collect(), 0.0),
    };
    let pass = TilePass {
        data: x.as_slice(),
        n,
        d,
        tile,
        scale,
        f: &f,
    };
    over_block_pairs(&mut owned, par, |a, b, rows_a, rows_b| {
        pass.tile(a, b, rows_a, rows_b)
    })
}

/// Runs `task(a, b, rows_a, rows_b)` for every block pair of [`rounds`], handing it the
/// blocks' parts of `owned` (`rows_b` is `None` on the diagonal, and both are `None` where
/// `owned` holds none), and returns the sum of its results in round order.
fn over_block_pairs<T: Send>(
    owned: &mut [Option<&mut [T]>],
    par: Par,
    task: impl Fn(usize, usize, Option<&mut [T]>, Option<&mut [T]>) -> f64 + Sync,
) -> f64 {
    let mut total = 0.0;
    for round in rounds(owned.len()) {
        // Hand each task the parts of its two blocks, and take them back after.
        let tasks: Vec<_> = round
            .iter()
            .map(|&(a, b)| {
                let rows_a = owned[a].take();
                let rows_b = if a == b { None } else { owned[b].take() };
                (a, b, rows_a, rows_b)
            })
            .collect();
        let done = par.map_owned(tasks, |(a, b, mut rows_a, mut rows_b)| {
            let v = task(a, b, rows_a.as_deref_mut(), rows_b.as_deref_mut());
            (v, a, b, rows_a, rows_b)
        });
        for (v, a, b, rows_a, rows_b) in done {
            total += v;
            owned[a] = rows_a;
            if a != b {
                owned[b] = rows_b;
            }
        }
    }
    total
}

/// What every tile of one [`pair_sum_tiled`] pass reads.
struct TilePass<'a, F> {
    data: &'a [f64],
    n: usize,
    d: usize,
    tile: usize,
    scale: f64,
    f: &'a F,
}

impl<F: PairFunction> TilePass<'_, F> {
    fn block(&self, b: usize) -> (usize, &[f64]) {
        let start = b * self.tile;
        let len = self.tile.min(self.n - start);
        (len, &self.data[start * self.d..(start + len) * self.d])
    }

    /// The sum over the ordered pairs of tile `(a, b)` and its mirror `(b, a)` (once when
    /// `a == b`), with gradients added into the blocks' rows when given.
    fn tile(
        &self,
        a: usize,
        b: usize,
        grad_a: Option<&mut [f64]>,
        grad_b: Option<&mut [f64]>,
    ) -> f64 {
        let d = self.d;
        let ((ma, xa), (mb, xb)) = (self.block(a), self.block(b));
        with_gram_tile(xa, xb, d, |gram| {
            let mut value = 0.0;
            for (r, line) in gram.chunks_exact_mut(mb).enumerate() {
                let xi = &xa[r * d..(r + 1) * d];
                for (s, entry) in line.iter_mut().enumerate() {
                    *entry = gap(*entry, xi, &xb[s * d..(s + 1) * d]);
                }
                if a == b {
                    // A point with itself: a harmless gap here, its term taken out below.
                    line[r] = 1.0;
                }
                value += self.f.apply(line);
                if a == b {
                    line[r] = 0.0;
                }
            }
            if a == b {
                let mut itself = [1.0];
                value -= ma as f64 * self.f.apply(&mut itself);
            }
            // Each ordered pair (i, j) and its mirror (j, i) both depend on x_i.
            let factor = 2.0 * self.scale;
            if let Some(g) = grad_a {
                let k = MatRef::row_major(gram, ma, mb);
                gemm(
                    factor,
                    k,
                    MatRef::row_major(xb, mb, d),
                    1.0,
                    MatMut::row_major(g, ma, d),
                );
            }
            if let Some(g) = grad_b {
                let k = MatRef::transposed(gram, mb, ma);
                gemm(
                    factor,
                    k,
                    MatRef::row_major(xa, ma, d),
                    1.0,
                    MatMut::row_major(g, mb, d),
                );
            }
            if a == b {
                value
            } else {
                2.0 * value
            }
        })
    }
}

/// For each row of `queries`, the row of `targets` with the largest inner product and that
/// inner product. With `exclude_self`, row `i` never matches itself (then `queries` and
/// `targets` are the same table, and each pair's product is computed once). Ties go to the
/// lowest index.
pub(crate) fn nearest(
    queries: &Points,
    targets: &Points,
    exclude_self: bool,
    par: Par,
) -> Vec<(usize, f64)> {
    if exclude_self {
        nearest_within_tiled(queries, TILE, par)
    } else {
        nearest_tiled(queries, targets, false, TILE, par)
    }
}

/// Whether `(j, c)` beats `best`: a larger product, or an equal one at a lower index, so the
/// answer does not depend on the order candidates come in.
fn beats(j: usize, c: f64, best: (usize, f64)) -> bool {
    c > best.1 || (c == best.1 && j < best.0)
}

/// Each row's nearest other row of `x`, visiting each unordered pair of blocks once.
pub(crate) fn nearest_within_tiled(x: &Points, tile: usize, par: Par) -> Vec<(usize, f64)> {
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
        with_gram_tile(xa, xb, d, |gram| {
            for (r, line) in gram.chunks_exact(mb).enumerate() {
                let slot = &mut best_a[r];
                for (s, &c) in line.iter().enumerate() {
                    if (a != b || r != s) && beats(b0 + s, c, *slot) {
                        *slot = (b0 + s, c);
                    }
                }
                if let Some(best_b) = best_b.as_deref_mut() {
                    for (slot, &c) in best_b.iter_mut().zip(line) {
                        if beats(a0 + r, c, *slot) {
                            *slot = (a0 + r, c);
                        }
                    }
                }
            }
        });
        0.0
    });
    best
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

    #[test]
    fn rounds_cover_every_block_pair_once_and_share_no_block() {
        for blocks in 0..12 {
            let mut seen = std::collections::HashSet::new();
            for round in rounds(blocks) {
                let mut used = std::collections::HashSet::new();
                for &(a, b) in &round {
                    assert!(a <= b && b < blocks);
                    assert!(seen.insert((a, b)), "{blocks} blocks: ({a}, {b}) twice");
                    assert!(used.insert(a) && (a == b || used.insert(b)));
                }
            }
            assert_eq!(seen.len(), blocks * (blocks + 1) / 2, "{blocks} blocks");
        }
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
            let within = nearest_within_tiled(&t, tile, Par::Rayon);
            prop_assert!(same_neighbours(&within, &naive_nearest(&t, &t, true)));
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

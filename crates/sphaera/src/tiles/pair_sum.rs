//! Sums of a function of every pair of unit rows, `Σ_{i≠j} f(1 − x_i·x_j)`, and their
//! gradients, tile by tile.

use std::cell::RefCell;

use crate::linalg::{gemm, MatMut, MatRef};
use crate::par::Par;
use crate::points::Points;
use crate::precision::Precision;
use crate::scratch::with_buffer;
use crate::tiles::gram::{gaps_of_line, with_gram_tile, with_gram_tile_f32};
use crate::tiles::schedule::over_block_pairs;
use crate::tiles::TILE;

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

thread_local! {
    /// The points in `f32`, for an `f32` pass (on the calling thread).
    static POINTS32: RefCell<Vec<f32>> = const { RefCell::new(Vec::new()) };
    /// A tile of derivatives in `f32`, and the rows it yields, for an `f32` gradient.
    static TILE32: RefCell<Vec<f32>> = const { RefCell::new(Vec::new()) };
    static ROWS32: RefCell<Vec<f32>> = const { RefCell::new(Vec::new()) };
}

/// `Σ_{i≠j} f(1 − x_i·x_j)` over ordered pairs, where `f` gives the value and the derivative
/// in the inner product `c = 1 − gap`. With `grad = Some((g, scale))`, adds `scale · ∂/∂X`
/// of the sum into `g`. The Gram tiles and the gradient's products are computed in
/// `precision`; gaps of close pairs, the function and every sum stay in `f64`.
pub(crate) fn pair_sum<F>(
    x: &Points,
    par: Par,
    precision: Precision,
    grad: Option<(&mut Points, f64)>,
    f: F,
) -> f64
where
    F: PairFunction,
{
    match precision {
        Precision::F64 => pair_sum_tiled(x, None, TILE, par, grad, f),
        Precision::F32 => with_buffer(&POINTS32, x.as_slice().len(), |narrow| {
            for (n, &w) in narrow.iter_mut().zip(x.as_slice()) {
                *n = w as f32;
            }
            pair_sum_tiled(x, Some(narrow), TILE, par, grad, f)
        }),
    }
}

/// [`pair_sum`] with tiles of `tile` rows, the products in `f32` when `x32` (the points in
/// `f32`) is given.
fn pair_sum_tiled<F>(
    x: &Points,
    x32: Option<&[f32]>,
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
        data32: x32,
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

/// What every tile of one [`pair_sum_tiled`] pass reads.
struct TilePass<'a, F> {
    data: &'a [f64],
    data32: Option<&'a [f32]>,
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

    /// Block `b` in `f32`, in an `f32` pass.
    fn block32(&self, b: usize) -> Option<&[f32]> {
        let start = b * self.tile;
        let len = self.tile.min(self.n - start);
        self.data32
            .map(|data| &data[start * self.d..(start + len) * self.d])
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
        let (xa32, xb32) = (self.block32(a), self.block32(b));
        let body = |gram: &mut [f64]| {
            let mut value = 0.0;
            for (r, line) in gram.chunks_exact_mut(mb).enumerate() {
                gaps_of_line(line, &xa[r * d..(r + 1) * d], xb, d);
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
            match (xa32, xb32) {
                (Some(xa32), Some(xb32)) => {
                    if grad_a.is_some() || grad_b.is_some() {
                        gradient_f32(gram, (ma, xa32, grad_a), (mb, xb32, grad_b), d, factor);
                    }
                }
                _ => {
                    if let Some(g) = grad_a {
                        let k = MatRef::row_major(&*gram, ma, mb);
                        gemm(
                            factor,
                            k,
                            MatRef::row_major(xb, mb, d),
                            1.0,
                            MatMut::row_major(g, ma, d),
                        );
                    }
                    if let Some(g) = grad_b {
                        let k = MatRef::transposed(&*gram, mb, ma);
                        gemm(
                            factor,
                            k,
                            MatRef::row_major(xa, ma, d),
                            1.0,
                            MatMut::row_major(g, mb, d),
                        );
                    }
                }
            }
            if a == b {
                value
            } else {
                2.0 * value
            }
        };
        match (xa32, xb32) {
            (Some(xa32), Some(xb32)) => with_gram_tile_f32(xa32, xb32, d, body),
            _ => with_gram_tile(xa, xb, d, body),
        }
    }
}

/// The gradient of one tile in `f32`: the derivatives `k` (`ma × mb`, in `f64`) narrowed
/// once, then `grad_a += factor · k · X_b` and `grad_b += factor · kᵀ · X_a`, each product in
/// `f32` and added into the `f64` rows.
fn gradient_f32(
    k: &[f64],
    (ma, xa32, grad_a): (usize, &[f32], Option<&mut [f64]>),
    (mb, xb32, grad_b): (usize, &[f32], Option<&mut [f64]>),
    d: usize,
    factor: f64,
) {
    with_buffer(&TILE32, ma * mb, |k32| {
        for (n, &w) in k32.iter_mut().zip(k) {
            *n = w as f32;
        }
        let k32 = &*k32;
        let product = |k: MatRef<'_, f32>, x: &[f32], rows: usize, g: &mut [f64]| {
            with_buffer(&ROWS32, rows * d, |out| {
                gemm(
                    1.0f32,
                    k,
                    MatRef::row_major(x, k.cols, d),
                    0.0,
                    MatMut::row_major(out, rows, d),
                );
                for (g, &o) in g.iter_mut().zip(out.iter()) {
                    *g += factor * f64::from(o);
                }
            })
        };
        if let Some(g) = grad_a {
            product(MatRef::row_major(k32, ma, mb), xb32, ma, g);
        }
        if let Some(g) = grad_b {
            product(MatRef::transposed(k32, mb, ma), xa32, mb, g);
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::random::{seeded, uniform_sphere};
    use crate::tiles::close;
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

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]

        #[test]
        fn pair_sum_matches_the_double_loop(n in 2usize..60, d in 2usize..9, tile in 1usize..17, seed: u64) {
            let x = uniform_sphere(n, d, &mut seeded(seed));
            let (value, grad) = naive_pair_sum(&x);
            let mut tiled = Points::zeros(n, d);
            let got = pair_sum_tiled(&x, None, tile, Par::Rayon, Some((&mut tiled, 1.0)), f);
            prop_assert!(close(got, value), "{got} vs {value}");
            let value_only = pair_sum_tiled(&x, None, tile, Par::Seq, None, f);
            prop_assert!(close(value_only, value));
            for (a, b) in tiled.as_slice().iter().zip(grad.as_slice()) {
                prop_assert!(close(*a, *b), "{a} vs {b}");
            }
        }
    }

    #[test]
    fn default_tile_matches_at_sizes_that_are_not_multiples_of_it() {
        for (n, d) in [(TILE + 1, 3), (2 * TILE + 5, 7), (517, 4)] {
            let x = uniform_sphere(n, d, &mut seeded(n as u64));
            let (value, grad) = naive_pair_sum(&x);
            let mut tiled = Points::zeros(n, d);
            let got = pair_sum(&x, Par::Rayon, Precision::F64, Some((&mut tiled, 1.0)), f);
            assert!(close(got, value));
            assert!(tiled
                .as_slice()
                .iter()
                .zip(grad.as_slice())
                .all(|(a, b)| close(*a, *b)));
        }
    }
}

//! Sliced dispersion (the paper's new method): project the points onto a random great
//! circle, where the optimal dispersion is known (equal spacing), and pull each point's
//! angle toward the equally spaced target of its rank.
//!
//! Every point's coordinates in all planes of a step come from one pass over the points,
//! and the gradient flows back in one more, both in parallel over rows; the circles
//! themselves are independent and run in parallel. Every buffer of a step is kept by its
//! thread for the next one.

use std::cell::RefCell;
use std::f64::consts::PI;
use std::ops::Range;

use crate::disperse::regularizer::{Context, Regularizer};
use crate::error::{Error, Result};
use crate::linalg::{gemm, MatMut, MatRef};
use crate::par::Par;
use crate::points::Points;
use crate::random::{random_plane, SeededRng};
use crate::scratch::with_buffer;
use crate::vmath;

/// Below this squared length of a point's projection onto a plane, its angle's gradient is
/// capped: `atan2` is singular at the origin of the plane, and a point projecting there
/// says nothing about where it lies on the circle.
const PROJECTION_FLOOR: f64 = 1e-8;

/// `½ Σ_i (φ_i − φ*_i)²` on a random great circle, averaged over `K` circles per step, where
/// `φ_i = atan2(x_i·q, x_i·p)` and the target of the point of rank `k` (1-based) is
/// `mean(φ) + 2πk/N − π − π/N`.
///
/// ```
/// use sphaera::disperse::{Context, Regularizer, Sliced};
/// let x = sphaera::random::uniform_sphere(30, 4, &mut sphaera::random::seeded(0));
/// assert!(Sliced::new(3).unwrap().value(&x, &mut Context::new(0)) > 0.0);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Sliced {
    slices: usize,
}

/// As [`Sliced`], on planes spanned by two random coordinate axes: no projection cost.
///
/// ```
/// use sphaera::disperse::{Context, Regularizer, SlicedAxis};
/// let x = sphaera::random::uniform_sphere(30, 4, &mut sphaera::random::seeded(0));
/// assert!(SlicedAxis::new(3).unwrap().value(&x, &mut Context::new(0)) > 0.0);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SlicedAxis {
    slices: usize,
}

pub(crate) fn check_slices(slices: usize) -> Result<usize> {
    if slices == 0 {
        return Err(Error::InvalidParameter {
            name: "slices",
            expected: "at least 1",
            value: "0".into(),
        });
    }
    Ok(slices)
}

/// Circles per step of [`Sliced`] and [`SlicedAxis`] unless told otherwise.
pub(crate) const DEFAULT_SLICES: usize = 4;

impl Default for Sliced {
    /// 4 circles per step.
    fn default() -> Self {
        Self {
            slices: DEFAULT_SLICES,
        }
    }
}

impl Default for SlicedAxis {
    /// 4 circles per step.
    fn default() -> Self {
        Self {
            slices: DEFAULT_SLICES,
        }
    }
}

impl Sliced {
    /// Checks `slices ≥ 1`.
    pub fn new(slices: usize) -> Result<Self> {
        Ok(Self {
            slices: check_slices(slices)?,
        })
    }

    /// The value and gradient on given planes: `planes` has `2K` rows `p₁, q₁, …, p_K, q_K`,
    /// each pair orthonormal.
    pub fn value_and_grad_with_planes(
        x: &Points,
        planes: &Points,
        scale: f64,
        grad: &mut Points,
        par: Par,
    ) -> f64 {
        let circles = planes.n() / 2;
        let total = over_circles(
            x.n(),
            circles,
            par,
            |batch, coords| project(x, plane_rows(planes, batch), par, coords),
            circle_residual,
            |batch, dcoords| {
                pull_back(
                    dcoords,
                    plane_rows(planes, batch),
                    scale / circles as f64,
                    grad,
                    par,
                )
            },
        );
        total / circles as f64
    }
}

impl SlicedAxis {
    /// Checks `slices ≥ 1`.
    pub fn new(slices: usize) -> Result<Self> {
        Ok(Self {
            slices: check_slices(slices)?,
        })
    }

    /// The value and gradient on given planes, each spanned by axes `(a, b)`, `a ≠ b`.
    pub fn value_and_grad_with_axes(
        x: &Points,
        axes: &[(usize, usize)],
        scale: f64,
        grad: &mut Points,
        par: Par,
    ) -> f64 {
        let (n, d) = (x.n(), x.dim());
        let weight = scale / axes.len() as f64;
        let total = over_circles(
            n,
            axes.len(),
            par,
            |batch, coords| {
                let axes = &axes[batch];
                let cols = 2 * axes.len();
                par.for_each_chunk(coords, ROWS_PER_TASK * cols, |k, coords| {
                    let rows = x.as_slice()[k * ROWS_PER_TASK * d..].chunks_exact(d);
                    for (c, r) in coords.chunks_exact_mut(cols).zip(rows) {
                        for (c, &(a, b)) in c.chunks_exact_mut(2).zip(axes) {
                            c[0] = r[a];
                            c[1] = r[b];
                        }
                    }
                });
            },
            circle_residual,
            |batch, dcoords| {
                let axes = &axes[batch];
                par.for_each_chunk(grad.as_mut_slice(), ROWS_PER_TASK * d, |k, g| {
                    for (r, g) in g.chunks_exact_mut(d).enumerate() {
                        let i = k * ROWS_PER_TASK + r;
                        for (s, &(a, b)) in axes.iter().enumerate() {
                            g[a] += weight * dcoords[2 * s * n + i];
                            g[b] += weight * dcoords[(2 * s + 1) * n + i];
                        }
                    }
                });
            },
        );
        total / axes.len() as f64
    }

    fn draw_axes(&self, dim: usize, rng: &mut SeededRng) -> Vec<(usize, usize)> {
        use rand::Rng;
        (0..self.slices)
            .map(|_| {
                let a = rng.random_range(0..dim);
                let b = rng.random_range(0..dim - 1);
                (a, if b >= a { b + 1 } else { b })
            })
            .collect()
    }
}

impl Regularizer for Sliced {
    fn value_and_grad(&self, x: &Points, scale: f64, grad: &mut Points, ctx: &mut Context) -> f64 {
        let planes = random_planes(self.slices, x.dim(), &mut ctx.rng);
        Self::value_and_grad_with_planes(x, &planes, scale, grad, ctx.par)
    }
}

impl Regularizer for SlicedAxis {
    fn value_and_grad(&self, x: &Points, scale: f64, grad: &mut Points, ctx: &mut Context) -> f64 {
        let axes = self.draw_axes(x.dim(), &mut ctx.rng);
        Self::value_and_grad_with_axes(x, &axes, scale, grad, ctx.par)
    }
}

/// `K` random planes as `2K` rows `p₁, q₁, …`, each pair orthonormal and uniformly random.
pub fn random_planes(circles: usize, dim: usize, rng: &mut SeededRng) -> Points {
    let mut planes = Points::zeros(2 * circles, dim);
    for pair in planes.as_mut_slice().chunks_exact_mut(2 * dim) {
        let (p, q) = pair.split_at_mut(dim);
        random_plane(p, q, rng);
    }
    planes
}

/// Rows per parallel task of the passes over the points.
const ROWS_PER_TASK: usize = 512;
/// Circles per task at most (four circles' coordinates fill a cache line).
const MAX_CIRCLES_PER_TASK: usize = 4;
/// Circles whose coordinates are held at once: at N = 20000 the two buffers take 10 MB.
pub(crate) const CIRCLES_PER_BATCH: usize = 16;

thread_local! {
    /// Each step's plane coordinates and their derivatives (on the calling thread).
    static COORDS: RefCell<Vec<f64>> = const { RefCell::new(Vec::new()) };
    static DCOORDS: RefCell<Vec<f64>> = const { RefCell::new(Vec::new()) };
    /// One circle's two coordinates, gathered (on the thread running the circle).
    static CIRCLE: RefCell<Vec<f64>> = const { RefCell::new(Vec::new()) };
    /// One circle's angles and their sort keys.
    static ANGLES: RefCell<Vec<f64>> = const { RefCell::new(Vec::new()) };
    static ORDER: RefCell<Vec<(u64, u32)>> = const { RefCell::new(Vec::new()) };
    static SPARE: RefCell<Vec<(u64, u32)>> = const { RefCell::new(Vec::new()) };
}

/// The rows `p_s, q_s` of the circles `circles` among `planes` (`2K` rows).
pub(crate) fn plane_rows(planes: &Points, circles: Range<usize>) -> &[f64] {
    let d = planes.dim();
    &planes.as_slice()[2 * circles.start * d..2 * circles.end * d]
}

/// Writes every point's coordinates in the planes of `planes` (rows `p₁, q₁, …` of `d`
/// values) into `coords`, row-major `N × rows`: `x_i·p_s` at column `2s`, `x_i·q_s` at
/// `2s + 1`; one product per chunk of rows, the chunks in parallel.
pub(crate) fn project(x: &Points, planes: &[f64], par: Par, coords: &mut [f64]) {
    let d = x.dim();
    let cols = planes.len() / d;
    par.for_each_chunk(coords, ROWS_PER_TASK * cols, |k, coords| {
        let rows = coords.len() / cols;
        let start = k * ROWS_PER_TASK * d;
        gemm(
            1.0,
            MatRef::row_major(&x.as_slice()[start..start + rows * d], rows, d),
            MatRef::transposed(planes, d, cols),
            0.0,
            MatMut::row_major(coords, rows, cols),
        );
    });
}

/// A sliced step over `n` points and `circles` circles, in batches of at most
/// [`CIRCLES_PER_BATCH`] so that the buffers stay small: for each batch (a range of
/// circles), `fill` writes the coordinates (row-major `N × 2·len`, as [`project`]), then
/// `circle(v1, v2, d1, d2)` runs on each circle's two columns in parallel and writes their
/// derivatives, which `pull` receives column-major (`2·len` columns of `N`). Returns the
/// sum of the circles' values, added in circle order.
pub(crate) fn over_circles(
    n: usize,
    circles: usize,
    par: Par,
    mut fill: impl FnMut(Range<usize>, &mut [f64]),
    circle: impl Fn(&[f64], &[f64], &mut [f64], &mut [f64]) -> f64 + Sync,
    mut pull: impl FnMut(Range<usize>, &[f64]),
) -> f64 {
    let batch_len = circles.min(CIRCLES_PER_BATCH);
    with_buffer(&COORDS, 2 * n * batch_len, |coords| {
        with_buffer(&DCOORDS, 2 * n * batch_len, |dcoords| {
            let mut total = 0.0;
            for start in (0..circles).step_by(batch_len.max(1)) {
                let batch = start..(start + batch_len).min(circles);
                let cols = 2 * batch.len();
                let (coords, dcoords) = (&mut coords[..n * cols], &mut dcoords[..n * cols]);
                fill(batch.clone(), coords);
                let values = circles_of(n, cols, coords, dcoords, par, &circle);
                total += values
                    .iter()
                    .flat_map(|(v, count)| &v[..*count])
                    .sum::<f64>();
                pull(batch, dcoords);
            }
            total
        })
    })
}

/// Each circle of a batch (`coords` row-major `N × cols`) run in parallel, its derivatives
/// written into `dcoords` (column-major); each task's circles' values, in circle order.
fn circles_of(
    n: usize,
    cols: usize,
    coords: &[f64],
    dcoords: &mut [f64],
    par: Par,
    circle: &(impl Fn(&[f64], &[f64], &mut [f64], &mut [f64]) -> f64 + Sync),
) -> Vec<([f64; MAX_CIRCLES_PER_TASK], usize)> {
    // A task gathers the columns of a few circles at once, so that each cache line of the
    // coordinates is read once; how many depends on the threads, the results do not (each
    // circle's value is kept and summed in circle order).
    let threads = match par {
        Par::Seq => 1,
        Par::Rayon => rayon::current_num_threads(),
    };
    let group = (cols / 2 / (2 * threads)).clamp(1, MAX_CIRCLES_PER_TASK);
    par.for_each_chunk(dcoords, 2 * n * group, |k, out| {
        let first = k * group;
        let count = out.len() / (2 * n);
        with_buffer(&CIRCLE, 2 * n * count, |v| {
            for (i, c) in coords.chunks_exact(cols).enumerate() {
                let c = &c[2 * first..2 * (first + count)];
                for (j, &value) in c.iter().enumerate() {
                    v[j * n + i] = value;
                }
            }
            let mut values = [0.0; MAX_CIRCLES_PER_TASK];
            for ((value, v), out) in values
                .iter_mut()
                .zip(v.chunks_exact(2 * n))
                .zip(out.chunks_exact_mut(2 * n))
            {
                let (v1, v2) = v.split_at(n);
                let (d1, d2) = out.split_at_mut(n);
                *value = circle(v1, v2, d1, d2);
            }
            (values, count)
        })
    })
}

/// `grad += scale · dcoords · planes`, the chain rule through [`project`] (`dcoords`
/// column-major, a column per plane row of `planes`); one product per chunk of rows, in
/// parallel.
pub(crate) fn pull_back(dcoords: &[f64], planes: &[f64], scale: f64, grad: &mut Points, par: Par) {
    let (n, d) = (grad.n(), grad.dim());
    let cols = planes.len() / d;
    par.for_each_chunk(grad.as_mut_slice(), ROWS_PER_TASK * d, |k, g| {
        let rows = g.len() / d;
        let dcoords = MatRef {
            data: &dcoords[k * ROWS_PER_TASK..],
            rows,
            cols,
            row_stride: 1,
            col_stride: n,
        };
        gemm(
            scale,
            dcoords,
            MatRef::row_major(planes, cols, d),
            1.0,
            MatMut::row_major(g, rows, d),
        );
    });
}

/// Runs `f(angles, order)` with `angles[i] = angle(v1[i], v2[i])` and `order` the indices
/// sorting them ascending (ties by index), from buffers the thread keeps.
pub(crate) fn with_sorted_angles<R>(
    v1: &[f64],
    v2: &[f64],
    angle: impl Fn(f64, f64) -> f64,
    f: impl FnOnce(&[f64], &[(u64, u32)]) -> R,
) -> R {
    with_buffer(&ANGLES, v1.len(), |angles| {
        for ((t, &a), &b) in angles.iter_mut().zip(v1).zip(v2) {
            *t = angle(a, b);
        }
        with_buffer(&ORDER, v1.len(), |order| {
            for (i, (o, &t)) in order.iter_mut().zip(angles.iter()).enumerate() {
                *o = (order_key(t), i as u32);
            }
            with_buffer(&SPARE, v1.len(), |spare| radix_sort(order, spare));
            f(angles, order)
        })
    })
}

/// Sorts `items` by key, stably (`spare`, as long, is scratch): least significant byte
/// first, skipping the bytes every key shares (the angles of a circle share their top bits).
fn radix_sort(items: &mut [(u64, u32)], spare: &mut [(u64, u32)]) {
    let mut counts = [[0usize; 256]; 8];
    for &(key, _) in items.iter() {
        for (byte, count) in counts.iter_mut().enumerate() {
            count[(key >> (8 * byte)) as usize & 0xff] += 1;
        }
    }
    let (mut from, mut to) = (items, spare);
    let mut in_items = true;
    for (byte, count) in counts.iter().enumerate() {
        if count.contains(&from.len()) {
            continue;
        }
        let mut starts = [0usize; 256];
        let mut sum = 0;
        for (start, &c) in starts.iter_mut().zip(count) {
            *start = sum;
            sum += c;
        }
        for &item in from.iter() {
            let digit = (item.0 >> (8 * byte)) as usize & 0xff;
            to[starts[digit]] = item;
            starts[digit] += 1;
        }
        std::mem::swap(&mut from, &mut to);
        in_items = !in_items;
    }
    if !in_items {
        to.copy_from_slice(from);
    }
}

/// A key whose unsigned order is `f64::total_cmp`'s.
fn order_key(value: f64) -> u64 {
    let bits = value.to_bits();
    if bits >> 63 == 1 {
        !bits
    } else {
        bits | 1 << 63
    }
}

/// The derivative of `atan2(v2, v1)` in `(v1, v2)`, capped near the origin.
pub(crate) fn angle_derivative(v1: f64, v2: f64) -> (f64, f64) {
    let r2 = (v1 * v1 + v2 * v2).max(PROJECTION_FLOOR);
    (-v2 / r2, v1 / r2)
}

/// One circle: returns `½ Σ (φ_i − φ*_i)²` and writes its derivatives in the plane
/// coordinates `v1`, `v2` into `d1`, `d2`.
fn circle_residual(v1: &[f64], v2: &[f64], d1: &mut [f64], d2: &mut [f64]) -> f64 {
    let n = v1.len();
    with_sorted_angles(
        v1,
        v2,
        |a, b| vmath::atan2(b, a),
        |phi, order| {
            let mean = vmath::sum(phi) / n as f64;
            let spacing = 2.0 * PI / n as f64;
            let mut value = 0.0;
            for (rank, &(_, i)) in order.iter().enumerate() {
                let i = i as usize;
                let target = mean + spacing * (rank + 1) as f64 - PI - PI / n as f64;
                let residual = phi[i] - target;
                value += 0.5 * residual * residual;
                // The targets' offsets sum to zero, so the residuals do too, and the mean in the
                // target contributes nothing to the gradient.
                let (a, b) = angle_derivative(v1[i], v2[i]);
                d1[i] = residual * a;
                d2[i] = residual * b;
            }
            value
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn radix_sort_orders_as_the_standard_sort(values in prop::collection::vec(-4.0f64..4.0, 0..300), repeat in 0usize..4) {
            // Repeated values too, so that ties must keep index order.
            let values: Vec<f64> = values.iter().flat_map(|&v| std::iter::repeat_n(v, repeat + 1)).collect();
            let mut items: Vec<(u64, u32)> = values.iter().enumerate().map(|(i, &v)| (order_key(v), i as u32)).collect();
            let mut spare = vec![(0, 0); items.len()];
            radix_sort(&mut items, &mut spare);
            let mut expected: Vec<u32> = (0..values.len() as u32).collect();
            expected.sort_by(|&a, &b| values[a as usize].total_cmp(&values[b as usize]));
            prop_assert_eq!(items.iter().map(|&(_, i)| i).collect::<Vec<_>>(), expected);
        }
    }

    #[test]
    fn order_keys_follow_total_order() {
        let values = [
            f64::NEG_INFINITY,
            -3.0,
            -1e-300,
            -0.0,
            0.0,
            1e-300,
            2.0,
            f64::INFINITY,
        ];
        for pair in values.windows(2) {
            assert!(order_key(pair[0]) < order_key(pair[1]), "{pair:?}");
        }
    }
}

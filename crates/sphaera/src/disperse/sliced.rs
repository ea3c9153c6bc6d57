//! Sliced dispersion (the paper's new method): project the points onto a random great
//! circle, where the optimal dispersion is known (equal spacing), and pull each point's
//! angle toward the equally spaced target of its rank.
//!
//! All planes of a step are handled with one matrix product `X · [p₁ q₁ … p_K q_K]`, and the
//! gradient flows back through one more; the circles themselves are independent and run
//! in parallel.

use std::f64::consts::PI;

use crate::disperse::regularizer::{Context, Regularizer};
use crate::error::{Error, Result};
use crate::linalg::{gemm, MatMut, MatRef};
use crate::par::Par;
use crate::points::Points;
use crate::random::{random_plane, SeededRng};

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
        let (values, dcoords) = over_circles(x, planes, par, circle_residual);
        pull_back(&dcoords, planes, scale / circles as f64, grad);
        values.iter().sum::<f64>() / circles as f64
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
        let n = x.n();
        let mut dcoords = vec![0.0; 2 * n * axes.len()];
        let values = par.for_each_chunk(&mut dcoords, 2 * n, |s, out| {
            let (a, b) = axes[s];
            let v1: Vec<f64> = x.rows().map(|r| r[a]).collect();
            let v2: Vec<f64> = x.rows().map(|r| r[b]).collect();
            let (d1, d2) = out.split_at_mut(n);
            circle_residual(&v1, &v2, d1, d2)
        });
        let weight = scale / axes.len() as f64;
        for (s, &(a, b)) in axes.iter().enumerate() {
            let (d1, d2) = dcoords[2 * s * n..2 * (s + 1) * n].split_at(n);
            for (i, g) in grad.rows_mut().enumerate() {
                g[a] += weight * d1[i];
                g[b] += weight * d2[i];
            }
        }
        values.iter().sum::<f64>() / axes.len() as f64
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

/// The coordinates of every point in every plane, column-major `N × 2K`: column `2s` holds
/// `x_i·p_s`, column `2s + 1` holds `x_i·q_s`.
fn project(x: &Points, planes: &Points) -> Vec<f64> {
    let (n, d, cols) = (x.n(), x.dim(), planes.n());
    let mut coords = vec![0.0; n * cols];
    gemm(
        1.0,
        MatRef::row_major(x.as_slice(), n, d),
        MatRef::transposed(planes.as_slice(), d, cols),
        0.0,
        MatMut::col_major(&mut coords, n, cols),
    );
    coords
}

/// Projects the points on every plane, then runs `circle(v1, v2, d1, d2)` on each plane's
/// coordinates in parallel. Returns each circle's value and the derivatives it wrote, laid
/// out as [`project`]'s coordinates, ready for [`pull_back`].
pub(crate) fn over_circles(
    x: &Points,
    planes: &Points,
    par: Par,
    circle: impl Fn(&[f64], &[f64], &mut [f64], &mut [f64]) -> f64 + Sync,
) -> (Vec<f64>, Vec<f64>) {
    let n = x.n();
    let coords = project(x, planes);
    let mut dcoords = vec![0.0; coords.len()];
    let values = par.for_each_chunk(&mut dcoords, 2 * n, |s, out| {
        let (d1, d2) = out.split_at_mut(n);
        let v = &coords[2 * s * n..2 * (s + 1) * n];
        circle(&v[..n], &v[n..], d1, d2)
    });
    (values, dcoords)
}

/// `grad += scale · dcoords · planes`, the chain rule through [`project`].
pub(crate) fn pull_back(dcoords: &[f64], planes: &Points, scale: f64, grad: &mut Points) {
    let (n, d, cols) = (grad.n(), grad.dim(), planes.n());
    let dcoords = MatRef {
        data: dcoords,
        rows: n,
        cols,
        row_stride: 1,
        col_stride: n,
    };
    gemm(
        scale,
        dcoords,
        MatRef::row_major(planes.as_slice(), cols, d),
        1.0,
        MatMut::row_major(grad.as_mut_slice(), n, d),
    );
}

/// The derivative of `atan2(v2, v1)` in `(v1, v2)`, capped near the origin.
pub(crate) fn angle_derivative(v1: f64, v2: f64) -> (f64, f64) {
    let r2 = (v1 * v1 + v2 * v2).max(PROJECTION_FLOOR);
    (-v2 / r2, v1 / r2)
}

/// Indices sorting `values` ascending; ties keep index order.
pub(crate) fn argsort(values: &[f64]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| values[a].total_cmp(&values[b]));
    order
}

/// One circle: returns `½ Σ (φ_i − φ*_i)²` and writes its derivatives in the plane
/// coordinates `v1`, `v2` into `d1`, `d2`.
fn circle_residual(v1: &[f64], v2: &[f64], d1: &mut [f64], d2: &mut [f64]) -> f64 {
    let n = v1.len();
    let phi: Vec<f64> = v1.iter().zip(v2).map(|(a, b)| b.atan2(*a)).collect();
    let mean = phi.iter().sum::<f64>() / n as f64;
    let spacing = 2.0 * PI / n as f64;
    let mut value = 0.0;
    for (rank, &i) in argsort(&phi).iter().enumerate() {
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
}

//! Nearest-neighbour dispersion: `mma`, `mmcs`, `koleo`. Each point is pushed away from its
//! nearest neighbour only; the neighbour search is tiled like the pairwise kernels.

use crate::disperse::kernel::GAP_MARGIN;
use crate::disperse::regularizer::{Context, Regularizer};
use crate::points::{axpy, Points};
use crate::sphere::angle;
use crate::tiles::nearest_other;

/// The smallest `sin θ` used to differentiate `θ = arccos c`: the sine at the cosine clamp
/// of the kernels. Points closer than about `2.6e-2°` get a capped (finite) push.
pub(crate) fn sin_floor() -> f64 {
    let c = 1.0 - GAP_MARGIN;
    (1.0 - c * c).sqrt()
}

/// Maximum minimum angle: `−(1/N) Σ_i min_{j≠i} θ_ij`.
///
/// ```
/// use sphaera::disperse::{Context, Mma, Regularizer};
/// let x = sphaera::Points::from_vec(2, 2, vec![1.0, 0.0, 0.0, 1.0]).unwrap();
/// let v = Mma.value(&x, &mut Context::new(0));
/// assert!((v + std::f64::consts::FRAC_PI_2).abs() < 1e-12);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Mma;

/// Maximum cosine similarity to the nearest neighbour (Mettes et al. 2019):
/// `(1/N) Σ_i max_{j≠i} x_i·x_j`.
///
/// ```
/// use sphaera::disperse::{Context, Mmcs, Regularizer};
/// let x = sphaera::Points::from_vec(2, 2, vec![1.0, 0.0, 0.0, 1.0]).unwrap();
/// assert_eq!(Mmcs.value(&x, &mut Context::new(0)), 0.0);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Mmcs;

/// The Kozachenko–Leonenko entropy estimator (Sablayrolles et al. 2019):
/// `−(1/N) Σ_i log min_{j≠i} ‖x_i − x_j‖`.
///
/// ```
/// use sphaera::disperse::{Context, Koleo, Regularizer};
/// let x = sphaera::Points::from_vec(2, 2, vec![1.0, 0.0, -1.0, 0.0]).unwrap();
/// assert!((Koleo.value(&x, &mut Context::new(0)) + 2f64.ln()).abs() < 1e-12);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Koleo;

/// Sums `term(x_i, x_j)` over each point `i` and its nearest neighbour `j`, divided by `N`.
/// `term` returns the value and the coefficients of `x_j` in `∂/∂x_i` and of `x_i` in
/// `∂/∂x_j` (every term here depends on the pair only through `x_i·x_j`).
fn sum_over_neighbours(
    x: &Points,
    scale: f64,
    grad: &mut Points,
    ctx: &Context,
    term: impl Fn(&[f64], &[f64]) -> (f64, f64, f64),
) -> f64 {
    let n = x.n() as f64;
    let mut value = 0.0;
    for (i, (j, _)) in nearest_other(x, ctx.par, ctx.precision)
        .into_iter()
        .enumerate()
    {
        let (xi, xj) = (x.row(i), x.row(j));
        let (v, to_i, to_j) = term(xi, xj);
        value += v;
        axpy(scale * to_i / n, xj, grad.row_mut(i));
        axpy(scale * to_j / n, xi, grad.row_mut(j));
    }
    value / n
}

impl Regularizer for Mma {
    fn value_and_grad(&self, x: &Points, scale: f64, grad: &mut Points, ctx: &mut Context) -> f64 {
        sum_over_neighbours(x, scale, grad, ctx, |xi, xj| {
            let theta = angle(xi, xj);
            // −θ with θ = arccos(x_i·x_j): ∂(−θ)/∂x_i = x_j / sin θ.
            let push = 1.0 / theta.sin().max(sin_floor());
            (-theta, push, push)
        })
    }
}

impl Regularizer for Mmcs {
    fn value_and_grad(&self, x: &Points, scale: f64, grad: &mut Points, ctx: &mut Context) -> f64 {
        sum_over_neighbours(x, scale, grad, ctx, |xi, xj| {
            (crate::points::dot(xi, xj), 1.0, 1.0)
        })
    }
}

impl Regularizer for Koleo {
    fn value_and_grad(&self, x: &Points, scale: f64, grad: &mut Points, ctx: &mut Context) -> f64 {
        let n = x.n() as f64;
        let floor = (2.0 * GAP_MARGIN).sqrt();
        let mut value = 0.0;
        for (i, (j, _)) in nearest_other(x, ctx.par, ctx.precision)
            .into_iter()
            .enumerate()
        {
            let (xi, xj) = (x.row(i), x.row(j));
            let dist2: f64 = xi.iter().zip(xj).map(|(a, b)| (a - b) * (a - b)).sum();
            let dist = dist2.sqrt().max(floor);
            value -= dist.ln();
            // ∂(−log‖x_i − x_j‖)/∂x_i = −(x_i − x_j)/‖x_i − x_j‖².
            let coef = scale / (n * dist * dist);
            for k in 0..x.dim() {
                let diff = xi[k] - xj[k];
                grad.row_mut(i)[k] -= coef * diff;
                grad.row_mut(j)[k] += coef * diff;
            }
        }
        value / n
    }
}

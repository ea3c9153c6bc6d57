//! Spherical sliced Wasserstein distance to the uniform distribution (Bonet et al. 2023).

use std::f64::consts::PI;

use crate::disperse::regularizer::{Context, Regularizer};
use crate::disperse::sliced::{
    angle_derivative, check_slices, over_circles, plane_rows, project, pull_back, random_planes,
    with_sorted_angles,
};
use crate::error::Result;
use crate::par::Par;
use crate::points::Points;
use crate::vmath;

/// `sqrt( (1/K) Σ_l W₂²(P_l # μ, Unif(S¹)) )`: each of `K` random planes maps the points to
/// the circle by their angle in the plane, where the squared 2-Wasserstein distance to the
/// uniform measure has a closed form (Delon, Salomon & Sobolevski 2010; as in POT's
/// `sliced_wasserstein_sphere_unif`). With `t_(1) ≤ … ≤ t_(n)` the angles as fractions of a
/// turn and `m` their mean:
/// `W₂² = (1/n) Σ t² − m² + (1/n²) Σ_i t_(i) (n − 2i + 1) + 1/12`.
///
/// ```
/// use sphaera::disperse::{Context, Regularizer, Ssw};
/// let x = sphaera::random::uniform_sphere(200, 3, &mut sphaera::random::seeded(0));
/// let v = Ssw::default().value(&x, &mut Context::new(0));
/// assert!(v > 0.0 && v < 0.1);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Ssw {
    slices: usize,
}

/// Planes per step unless told otherwise.
pub(crate) const DEFAULT_SSW_SLICES: usize = 100;

impl Default for Ssw {
    /// 100 planes per step, as the paper's experiments use.
    fn default() -> Self {
        Self {
            slices: DEFAULT_SSW_SLICES,
        }
    }
}

impl Ssw {
    /// Checks `slices ≥ 1`.
    pub fn new(slices: usize) -> Result<Self> {
        Ok(Self {
            slices: check_slices(slices)?,
        })
    }

    /// The value and gradient on given planes (`2K` rows `p₁, q₁, …`, pairs orthonormal).
    pub fn value_and_grad_with_planes(
        x: &Points,
        planes: &Points,
        scale: f64,
        grad: &mut Points,
        par: Par,
    ) -> f64 {
        let circles = planes.n() / 2;
        let d = x.dim();
        // d sqrt(mean)/d W_l = 1 / (2 K sqrt(mean)), floored where every circle is uniform:
        // the scale needs every circle's value, so the pulled-back derivatives wait in a
        // table of the points' shape (added batch by batch, in circle order).
        let mut pulled = Points::zeros(x.n(), d);
        let total = over_circles(
            x.n(),
            circles,
            par,
            |batch, coords| project(x, plane_rows(planes, batch), par, coords),
            circle_w2_to_uniform,
            |batch, dcoords| pull_back(dcoords, plane_rows(planes, batch), 1.0, &mut pulled, par),
        );
        let value = (total / circles as f64).max(0.0).sqrt();
        let factor = scale / (2.0 * circles as f64 * value.max(1e-12));
        for (g, p) in grad.as_mut_slice().iter_mut().zip(pulled.as_slice()) {
            *g += factor * p;
        }
        value
    }
}

impl Regularizer for Ssw {
    fn value_and_grad(&self, x: &Points, scale: f64, grad: &mut Points, ctx: &mut Context) -> f64 {
        let planes = random_planes(self.slices, x.dim(), &mut ctx.rng);
        Self::value_and_grad_with_planes(x, &planes, scale, grad, ctx.par)
    }
}

/// `W₂²` between the points' angles on one circle and the uniform measure; writes its
/// derivatives in the plane coordinates into `d1`, `d2`.
pub(crate) fn circle_w2_to_uniform(v1: &[f64], v2: &[f64], d1: &mut [f64], d2: &mut [f64]) -> f64 {
    let n = v1.len() as f64;
    let turn = |a: f64, b: f64| {
        let angle = vmath::atan2(b, a);
        let t = (if angle < 0.0 { angle + 2.0 * PI } else { angle }) / (2.0 * PI);
        // Adding a whole turn to a tiny negative angle can round up to exactly 1.
        if t >= 1.0 {
            0.0
        } else {
            t
        }
    };
    with_sorted_angles(v1, v2, turn, |turn, order| {
        let mean = vmath::sum(turn) / n;
        let mut squares = 0.0;
        let mut ranked = 0.0;
        for (rank, &(_, i)) in order.iter().enumerate() {
            let i = i as usize;
            let weight = n - 2.0 * (rank + 1) as f64 + 1.0;
            squares += turn[i] * turn[i];
            ranked += turn[i] * weight;
            let dt = 2.0 * (turn[i] - mean) / n + weight / (n * n);
            let (a, b) = angle_derivative(v1[i], v2[i]);
            d1[i] = dt * a / (2.0 * PI);
            d2[i] = dt * b / (2.0 * PI);
        }
        squares / n - mean * mean + ranked / (n * n) + 1.0 / 12.0
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closed_form_matches_pot_docstring_example() {
        // POT's documented example: angles [0, 0.2, 0.4] of a turn give 0.0211111.
        let turns = [0.0, 0.2, 0.4];
        let v1: Vec<f64> = turns.iter().map(|t| (2.0 * PI * t).cos()).collect();
        let v2: Vec<f64> = turns.iter().map(|t| (2.0 * PI * t).sin()).collect();
        let (mut d1, mut d2) = (vec![0.0; 3], vec![0.0; 3]);
        let w = circle_w2_to_uniform(&v1, &v2, &mut d1, &mut d2);
        assert!((w - 0.021_111_111).abs() < 1e-8, "{w}");
    }

    #[test]
    fn equally_spaced_points_are_one_cell_from_uniform() {
        // Each point carries the mass of an interval of width 1/n: W₂² = 1/(12 n²).
        let n = 12;
        let v1: Vec<f64> = (0..n)
            .map(|k| (2.0 * PI * (k as f64 + 0.5) / n as f64).cos())
            .collect();
        let v2: Vec<f64> = (0..n)
            .map(|k| (2.0 * PI * (k as f64 + 0.5) / n as f64).sin())
            .collect();
        let (mut d1, mut d2) = (vec![0.0; n], vec![0.0; n]);
        let w = circle_w2_to_uniform(&v1, &v2, &mut d1, &mut d2);
        assert!((w - 1.0 / (12.0 * (n * n) as f64)).abs() < 1e-12, "{w}");
    }
}

//! Online Lloyd (the paper's proposal): each step draws fresh uniform samples and pulls
//! every point toward the samples of its Voronoi cell, i.e. toward the cell's centroid.

use crate::disperse::nearest::sin_floor as nearest_sin_floor;
use std::f64::consts::FRAC_PI_2;

use crate::disperse::kernel::theta_over_sin;
use crate::disperse::regularizer::{Context, Regularizer};
use crate::error::{Error, Result};
use crate::points::{axpy, Points};
use crate::random::uniform_sphere;
use crate::sphere::angle;
use crate::tiles::nearest;

/// `(1/M) Σ_k min_i θ(u_k, x_i)²` over `M` samples `u_k` drawn uniformly on the sphere.
///
/// ```
/// use sphaera::disperse::{Context, Lloyd, Regularizer};
/// let x = sphaera::random::uniform_sphere(20, 3, &mut sphaera::random::seeded(0));
/// let v = Lloyd::new(500).unwrap().value(&x, &mut Context::new(1));
/// assert!(v > 0.0 && v < 1.0);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Lloyd {
    samples: usize,
}

/// Samples per step unless told otherwise.
pub(crate) const DEFAULT_SAMPLES: usize = 1000;

impl Default for Lloyd {
    /// 1000 samples per step.
    fn default() -> Self {
        Self {
            samples: DEFAULT_SAMPLES,
        }
    }
}

impl Lloyd {
    /// Checks `samples ≥ 1`.
    pub fn new(samples: usize) -> Result<Self> {
        if samples == 0 {
            return Err(Error::InvalidParameter {
                name: "samples",
                expected: "at least 1",
                value: "0".into(),
            });
        }
        Ok(Self { samples })
    }

    /// The value and gradient for given samples (unit rows) instead of fresh draws.
    pub fn value_and_grad_with_samples(
        x: &Points,
        samples: &Points,
        scale: f64,
        grad: &mut Points,
        ctx: &Context,
    ) -> f64 {
        let m = samples.n() as f64;
        let mut value = 0.0;
        for (k, (i, _)) in nearest(samples, x, ctx.par, ctx.precision)
            .into_iter()
            .enumerate()
        {
            let u = samples.row(k);
            let theta = angle(u, x.row(i));
            value += theta * theta;
            // ∂θ²/∂x_i = −2θ/sin θ · u. The ratio tends to 1 as θ → 0 and is capped only
            // near π, where sin θ vanishes.
            let ratio = if theta < FRAC_PI_2 {
                theta_over_sin(theta)
            } else {
                theta / theta.sin().max(nearest_sin_floor())
            };
            axpy(-scale * 2.0 * ratio / m, u, grad.row_mut(i));
        }
        value / m
    }
}

impl Regularizer for Lloyd {
    fn value_and_grad(&self, x: &Points, scale: f64, grad: &mut Points, ctx: &mut Context) -> f64 {
        let samples = uniform_sphere(self.samples, x.dim(), &mut ctx.rng);
        Self::value_and_grad_with_samples(x, &samples, scale, grad, ctx)
    }
}

//! The one trait every dispersion regularizer implements.

use crate::par::Par;
use crate::points::Points;
use crate::precision::Precision;
use crate::random::{seeded, SeededRng};

/// What a regularizer may use besides the points: a seeded generator for its random draws
/// (samples, planes) and the parallelism it is allowed.
#[derive(Clone, Debug)]
pub struct Context {
    /// The source of every random draw of the regularizer.
    pub rng: SeededRng,
    /// Threads the regularizer may use; results do not depend on it.
    pub par: Par,
    /// The type of the pairwise products (kernel and nearest-neighbour methods).
    pub precision: Precision,
}

impl Context {
    /// A context seeded with `seed`, using the current rayon pool.
    pub fn new(seed: u64) -> Self {
        Self {
            rng: seeded(seed),
            par: Par::Rayon,
            precision: Precision::F64,
        }
    }
}

/// A dispersion regularizer: a function of points on the sphere that is lower when the
/// points are more spread out.
///
/// The gradient is the Euclidean gradient of the formula as written in terms of inner
/// products and distances of rows; only its tangent part (what Riemannian optimizers use)
/// is intrinsic to the sphere.
///
/// ```
/// use sphaera::disperse::{Context, Mmd, Regularizer};
/// use sphaera::{random, Points};
///
/// let x = random::uniform_sphere(50, 3, &mut random::seeded(0));
/// let mut grad = Points::zeros(50, 3);
/// let reg = Mmd::default();
/// let value = reg.value_and_grad(&x, 1.0, &mut grad, &mut Context::new(0));
/// assert!(value > 0.0 && value < 1.0);
/// ```
pub trait Regularizer: Send + Sync {
    /// Returns the value at `x` and adds `scale ·` its gradient into `grad`
    /// (same shape as `x`).
    fn value_and_grad(&self, x: &Points, scale: f64, grad: &mut Points, ctx: &mut Context) -> f64;

    /// The value alone. The default evaluates the gradient into a scratch buffer.
    fn value(&self, x: &Points, ctx: &mut Context) -> f64 {
        let mut scratch = Points::zeros(x.n(), x.dim());
        self.value_and_grad(x, 0.0, &mut scratch, ctx)
    }
}

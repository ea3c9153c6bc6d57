//! Pairwise kernel dispersion (`mmd`, `mhe`) and the uniformity loss of Wang & Isola.

use crate::disperse::regularizer::{Context, Regularizer};
use crate::error::{check, Result};
use crate::points::Points;
use crate::tiles::{pair_sum, PairFunction};
use crate::vmath::{self, map_sum};

/// Gaps `1 − x·y` are kept inside `[GAP_MARGIN, 2 − GAP_MARGIN]` (cosines within `1e-7` of
/// ±1, as the reference implementation clamps) wherever a derivative would otherwise be
/// unbounded: singular kernels of coincident points, and geodesic distance at antipodes.
/// Closer pairs (under about 0.026°) get a capped push instead of an infinite one, so no
/// value or gradient is ever NaN. The gaussian kernels are smooth at coincidence and are not
/// clamped there.
pub(crate) const GAP_MARGIN: f64 = 1e-7;

/// The distance a kernel is applied to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Distance {
    /// The chordal distance `‖x − y‖ = sqrt(2 − 2 x·y)`. (The reference code uses `2 − x·y`;
    /// sphaera uses the true distance.)
    #[default]
    Euclidean,
    /// The geodesic angle `arccos(x·y)`.
    Geodesic,
}

/// A radial kernel `k(D)` of a distance `D`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Kernel {
    /// `exp(−γ D²)`.
    Gaussian {
        /// Inverse squared length scale, `γ > 0`.
        gamma: f64,
    },
    /// `exp(−γ D)`.
    Laplace {
        /// Inverse length scale, `γ > 0`.
        gamma: f64,
    },
    /// `D^{−s}` for `s > 0`, `−log D` for `s = 0`, `−D^{|s|}` for `s < 0`.
    Riesz {
        /// The exponent.
        s: f64,
    },
}

impl Default for Kernel {
    fn default() -> Self {
        Kernel::Gaussian { gamma: 1.0 }
    }
}

impl Kernel {
    /// Whether the kernel's derivative is unbounded where the distance vanishes.
    fn is_singular(self) -> bool {
        !matches!(self, Kernel::Gaussian { .. })
    }

    /// Value and derivative in `D`.
    fn eval(self, dist: f64) -> (f64, f64) {
        match self {
            Kernel::Gaussian { gamma } => {
                let k = vmath::exp(-gamma * dist * dist);
                (k, -2.0 * gamma * dist * k)
            }
            Kernel::Laplace { gamma } => {
                let k = vmath::exp(-gamma * dist);
                (k, -gamma * k)
            }
            Kernel::Riesz { s } if s > 0.0 => {
                let k = dist.powf(-s);
                (k, -s * k / dist)
            }
            Kernel::Riesz { s: 0.0 } => (-dist.ln(), -1.0 / dist),
            Kernel::Riesz { s } => {
                let k = dist.powf(-s);
                (-k, s * k / dist)
            }
        }
    }
}

impl Distance {
    /// The distance for the gap `1 − c` and its derivative in `c`, as the pair `(D, dD/dc)`.
    /// Near coincidence only the product `dk/dD · dD/dc` is bounded (for the gaussian), so
    /// this returns `dD/dc` scaled by `D` too: `(D, D · dD/dc)`.
    fn of_gap(self, gap: f64) -> (f64, f64) {
        match self {
            // D = sqrt(2·gap), dD/dc = −1/D, so D·dD/dc = −1.
            Distance::Euclidean => ((2.0 * gap).sqrt(), -1.0),
            // θ = 2·asin(sqrt(gap/2)) is accurate at small gaps; dθ/dc = −1/sin θ.
            Distance::Geodesic => {
                let theta = if gap < 1.0 {
                    2.0 * (0.5 * gap).sqrt().asin()
                } else {
                    (1.0 - gap).acos()
                };
                (theta, -theta_over_sin(theta))
            }
        }
    }
}

/// `θ / sin θ`, which tends to 1 at 0 (series below 1e-4) and is unbounded only at π.
pub(crate) fn theta_over_sin(theta: f64) -> f64 {
    if theta < 1e-4 {
        1.0 + theta * theta / 6.0
    } else {
        theta / theta.sin()
    }
}

/// Kernel dispersion, read as a maximum mean discrepancy to the uniform distribution:
/// the mean of `k(D(x_i, x_j))` over ordered pairs `i ≠ j`. (The reference code returns twice
/// this.)
///
/// ```
/// use sphaera::disperse::{Context, Distance, Kernel, Mmd, Regularizer};
/// let mmd = Mmd::new(Kernel::Riesz { s: 1.0 }, Distance::Euclidean).unwrap();
/// // Two antipodal points are at chordal distance 2.
/// let x = sphaera::Points::from_vec(2, 2, vec![1.0, 0.0, -1.0, 0.0]).unwrap();
/// assert!((mmd.value(&x, &mut Context::new(0)) - 0.5).abs() < 1e-12);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Default)]
pub struct Mmd {
    kernel: Kernel,
    distance: Distance,
}

impl Mmd {
    /// Checks the kernel's parameters.
    pub fn new(kernel: Kernel, distance: Distance) -> Result<Self> {
        match kernel {
            Kernel::Gaussian { gamma } | Kernel::Laplace { gamma } => {
                check("gamma", gamma, "positive", |g| g > 0.0)?
            }
            Kernel::Riesz { s } => check("s", s, "finite", |_| true)?,
        }
        Ok(Self { kernel, distance })
    }

    /// Minimum hyperspherical energy (Liu et al. 2018): the Riesz kernel on geodesic distance.
    pub fn mhe(s: f64) -> Result<Self> {
        Self::new(Kernel::Riesz { s }, Distance::Geodesic)
    }

    /// The kernel's value and derivative in the inner product, at gap `1 − c`.
    pub(crate) fn of_gap(&self, gap: f64) -> (f64, f64) {
        let low = if self.kernel.is_singular() {
            GAP_MARGIN
        } else {
            0.0
        };
        let high = match self.distance {
            Distance::Geodesic => 2.0 - GAP_MARGIN,
            Distance::Euclidean => 2.0,
        };
        let (dist, dist_times_ddist) = self.distance.of_gap(gap.clamp(low, high));
        match self.kernel {
            // dk/dD = −2γ D k: the D cancels the 1/D of dD/dc, bounded at coincidence.
            Kernel::Gaussian { gamma } => {
                let k = vmath::exp(-gamma * dist * dist);
                (k, -2.0 * gamma * k * dist_times_ddist)
            }
            kernel => {
                let (k, dk) = kernel.eval(dist);
                (k, dk * dist_times_ddist / dist)
            }
        }
    }
}

/// The kernel on whole lines of gaps: the gaussian kernel on the chordal distance (the
/// default) in a loop that vectorizes, every other kernel pair by pair.
impl PairFunction for Mmd {
    fn apply(&self, gaps: &mut [f64]) -> f64 {
        match (self.kernel, self.distance) {
            // k = exp(−γ D²) with D² = 2·gap; dk/dc = 2γ k.
            (Kernel::Gaussian { gamma }, Distance::Euclidean) => gaussian_line(gaps, gamma),
            _ => map_sum(gaps, |gap| self.of_gap(gap)),
        }
    }
}

/// `Σ exp(−2γ·gap)` over a line, each gap replaced by `2γ exp(−2γ·gap)`: three plain passes,
/// each of which the compiler vectorizes.
#[inline(always)]
fn gaussian_line_body(gaps: &mut [f64], gamma: f64) -> f64 {
    for gap in gaps.iter_mut() {
        *gap = vmath::exp(-2.0 * gamma * gap.clamp(0.0, 2.0));
    }
    let sum = vmath::sum(gaps);
    gaps.iter_mut().for_each(|k| *k *= 2.0 * gamma);
    sum
}

vmath::widest_vectors!(fn gaussian_line(gaps: &mut [f64], gamma: f64) -> f64 = gaussian_line_body);

impl Regularizer for Mmd {
    fn value_and_grad(&self, x: &Points, scale: f64, grad: &mut Points, ctx: &mut Context) -> f64 {
        let pairs = pair_count(x);
        pair_sum(x, ctx.par, Some((grad, scale / pairs)), *self) / pairs
    }

    fn value(&self, x: &Points, ctx: &mut Context) -> f64 {
        pair_sum(x, ctx.par, None, *self) / pair_count(x)
    }
}

/// Number of ordered pairs `i ≠ j`.
pub(crate) fn pair_count(x: &Points) -> f64 {
    let n = x.n() as f64;
    n * (n - 1.0)
}

/// The uniformity loss of Wang & Isola (2020): `log mean_{i≠j} exp(−t ‖x_i − x_j‖²)`.
///
/// ```
/// use sphaera::disperse::{Context, Regularizer, Uniformity};
/// let x = sphaera::Points::from_vec(2, 2, vec![1.0, 0.0, -1.0, 0.0]).unwrap();
/// let u = Uniformity::new(2.0).unwrap();
/// assert!((u.value(&x, &mut Context::new(0)) + 8.0).abs() < 1e-12);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Uniformity {
    t: f64,
}

impl Default for Uniformity {
    /// `t = 2`, the value Wang & Isola recommend.
    fn default() -> Self {
        Self { t: 2.0 }
    }
}

impl Uniformity {
    /// Checks `t > 0`.
    pub fn new(t: f64) -> Result<Self> {
        check("t", t, "positive", |t| t > 0.0)?;
        Ok(Self { t })
    }

    fn of_gap(&self, gap: f64) -> (f64, f64) {
        // ‖x − y‖² = 2·gap on the sphere.
        let k = vmath::exp(-self.t * 2.0 * gap);
        (k, 2.0 * self.t * k)
    }
}

impl PairFunction for Uniformity {
    fn apply(&self, gaps: &mut [f64]) -> f64 {
        map_sum(gaps, |gap| self.of_gap(gap))
    }
}

impl Regularizer for Uniformity {
    fn value_and_grad(&self, x: &Points, scale: f64, grad: &mut Points, ctx: &mut Context) -> f64 {
        // The log's derivative needs the mean first, so the inner gradient goes to a scratch.
        let mut inner = Points::zeros(x.n(), x.dim());
        let pairs = pair_count(x);
        let mean = pair_sum(x, ctx.par, Some((&mut inner, 1.0 / pairs)), *self) / pairs;
        let factor = scale / mean;
        for (g, v) in grad.as_mut_slice().iter_mut().zip(inner.as_slice()) {
            *g += factor * v;
        }
        mean.ln()
    }

    fn value(&self, x: &Points, ctx: &mut Context) -> f64 {
        (pair_sum(x, ctx.par, None, *self) / pair_count(x)).ln()
    }
}

//! Pairwise kernel dispersion (`mmd`, `mhe`) and the uniformity loss of Wang & Isola.

use crate::disperse::regularizer::{Context, Regularizer};
use crate::error::{check, Error, Result};
use crate::points::Points;
use crate::tiles::{pair_sum, PairFunction};
use crate::vmath;

/// Gaps `1 − x·y` are kept inside `[GAP_MARGIN, 2 − GAP_MARGIN]` (cosines within `1e-7` of
/// ±1, as the reference implementation clamps) wherever a derivative would otherwise be
/// unbounded: singular kernels of coincident points, and geodesic distance at antipodes.
/// Closer pairs (under about 0.026°) get a capped push instead of an infinite one, so no
/// value or gradient is ever NaN. The gaussian kernels are smooth at coincidence and are not
/// clamped there.
pub(crate) const GAP_MARGIN: f64 = 1e-7;

/// The largest `γ` of the gaussian and laplace kernels. Beyond it the kernel underflows to 0
/// between any two points more than about 1.6° apart, so it spreads nothing, and its
/// derivative (`2γ·k`, `γ·k/D`) heads for overflow, which turns the points NaN.
pub const MAX_GAMMA: f64 = 1e6;

/// The largest `|s|` of the Riesz kernel. At the closest distance the kernel allows
/// (about `4.5e-4`: gaps `1 − x·y` are kept at least `1e-7`) `D^{−s−2}` stays below `1e226`
/// up to it; a few dozen more and it overflows, which turns the points NaN.
pub const MAX_RIESZ_S: f64 = 64.0;

/// The largest temperature `t` of [`Uniformity`]. Every term `exp(−t‖x − y‖²)` is then at
/// least `e^{−600}` (`‖x − y‖² ≤ 4`), so their mean never underflows to 0 and its log
/// stays finite.
pub const MAX_UNIFORMITY_T: f64 = 150.0;

/// Fails unless `|value| ≤ max`, showing a huge value as `1e308` rather than in 309 digits.
fn at_most(name: &'static str, value: f64, expected: &'static str, max: f64) -> Result<()> {
    if value.abs() <= max {
        return Ok(());
    }
    Err(Error::InvalidParameter {
        name,
        expected,
        value: format!("{value:e}"),
    })
}

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

    /// Value and derivative in `D`, for `D` normal and positive where the kernel is
    /// singular (the gap clamps keep it so); branch-free inside a loop over a line.
    #[inline(always)]
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
                let k = vmath::powf(dist, -s);
                (k, -s * k / dist)
            }
            Kernel::Riesz { s: 0.0 } => (-vmath::ln(dist), -1.0 / dist),
            Kernel::Riesz { s } => {
                let k = vmath::powf(dist, -s);
                (-k, s * k / dist)
            }
        }
    }
}

impl Kernel {
    /// The value and the derivative in the inner product, from the distance and
    /// `D · dD/dc` as [`Distance::of_gap`] gives them.
    #[inline(always)]
    fn derivative_in_c(self, dist: f64, dist_times_ddist: f64) -> (f64, f64) {
        match self {
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

impl Distance {
    /// The distance for the gap `1 − c` and its derivative in `c`, as the pair `(D, dD/dc)`.
    /// Near coincidence only the product `dk/dD · dD/dc` is bounded (for the gaussian), so
    /// this returns `dD/dc` scaled by `D` too: `(D, D · dD/dc)`. The gap must lie in
    /// `[GAP_MARGIN, 2 − GAP_MARGIN]` for the geodesic distance.
    #[inline(always)]
    fn of_gap(self, gap: f64) -> (f64, f64) {
        match self {
            // D = sqrt(2·gap), dD/dc = −1/D, so D·dD/dc = −1.
            Distance::Euclidean => ((2.0 * gap).sqrt(), -1.0),
            // θ = 2·asin(√(gap/2)), or π − 2·asin(√((2 − gap)/2)) past a right angle, each
            // accurate where its argument is small; dθ/dc = −1/sin θ with
            // sin θ = √(gap (2 − gap)). The clamp keeps θ below π; at θ → 0 (the gaussian
            // allows gap 0), θ / sin θ → 1 by its series.
            Distance::Geodesic => {
                let half_angle = vmath::asin((0.5 * gap.min(2.0 - gap)).sqrt());
                let theta = if gap <= 1.0 {
                    2.0 * half_angle
                } else {
                    std::f64::consts::PI - 2.0 * half_angle
                };
                let ratio = theta / (gap * (2.0 - gap)).sqrt();
                let series = 1.0 + theta * theta / 6.0;
                (theta, if theta < 1e-4 { -series } else { -ratio })
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
    /// Checks the kernel's parameters: `0 < γ ≤` [`MAX_GAMMA`], `|s| ≤` [`MAX_RIESZ_S`].
    ///
    /// ```
    /// use sphaera::disperse::{Distance, Kernel, Mmd};
    /// assert!(Mmd::new(Kernel::Gaussian { gamma: 1e308 }, Distance::Euclidean).is_err());
    /// assert!(Mmd::new(Kernel::Riesz { s: 1e6 }, Distance::Euclidean).is_err());
    /// ```
    pub fn new(kernel: Kernel, distance: Distance) -> Result<Self> {
        match kernel {
            Kernel::Gaussian { gamma } | Kernel::Laplace { gamma } => {
                check("gamma", gamma, "positive", |g| g > 0.0)?;
                at_most("gamma", gamma, "at most 1e6", MAX_GAMMA)?
            }
            Kernel::Riesz { s } => {
                check("s", s, "finite", |_| true)?;
                at_most("s", s, "between -64 and 64", MAX_RIESZ_S)?
            }
        }
        Ok(Self { kernel, distance })
    }

    /// Minimum hyperspherical energy (Liu et al. 2018): the Riesz kernel `θ^{−s}` on
    /// geodesic distance, an energy only for `0 < s ≤` [`MAX_RIESZ_S`].
    ///
    /// ```
    /// assert!(sphaera::disperse::Mmd::mhe(-1.0).is_err());
    /// ```
    pub fn mhe(s: f64) -> Result<Self> {
        check("s", s, "positive", |s| s > 0.0)?;
        Self::new(Kernel::Riesz { s }, Distance::Geodesic)
    }

    /// The kernel's value and derivative in the inner product, at gap `1 − c`.
    #[inline(always)]
    pub(crate) fn of_gap(&self, gap: f64) -> (f64, f64) {
        let (dist, dist_times_ddist) = self
            .distance
            .of_gap(gap.clamp(self.low_gap(), self.high_gap()));
        self.kernel.derivative_in_c(dist, dist_times_ddist)
    }

    /// The smallest gap the kernel is evaluated at: [`GAP_MARGIN`] where it is singular.
    fn low_gap(&self) -> f64 {
        if self.kernel.is_singular() {
            GAP_MARGIN
        } else {
            0.0
        }
    }

    /// The largest gap: short of antipodal points on the geodesic distance, whose derivative
    /// is unbounded there.
    fn high_gap(&self) -> f64 {
        match self.distance {
            Distance::Geodesic => 2.0 - GAP_MARGIN,
            Distance::Euclidean => 2.0,
        }
    }
}

/// The kernel on whole lines of gaps, in loops that vectorize: the gaussian kernel on the
/// chordal distance (the default) in three plain passes, every other kernel in one pass
/// compiled for its kernel and distance.
impl PairFunction for Mmd {
    fn apply(&self, gaps: &mut [f64]) -> f64 {
        let low = self.low_gap();
        let high = self.high_gap();
        let geodesic = self.distance == Distance::Geodesic;
        match (self.kernel, geodesic) {
            // k = exp(−γ D²) with D² = 2·gap; dk/dc = 2γ k.
            (Kernel::Gaussian { gamma }, false) => gaussian_line(gaps, gamma),
            (Kernel::Gaussian { gamma }, true) => {
                kernel_line::<true, GAUSSIAN>(gaps, gamma, low, high)
            }
            (Kernel::Laplace { gamma }, false) => {
                kernel_line::<false, LAPLACE>(gaps, gamma, low, high)
            }
            (Kernel::Laplace { gamma }, true) => {
                kernel_line::<true, LAPLACE>(gaps, gamma, low, high)
            }
            (Kernel::Riesz { s }, false) if s > 0.0 => {
                kernel_line::<false, RIESZ>(gaps, s, low, high)
            }
            (Kernel::Riesz { s }, true) if s > 0.0 => {
                kernel_line::<true, RIESZ>(gaps, s, low, high)
            }
            (Kernel::Riesz { s }, false) if s < 0.0 => {
                kernel_line::<false, NEGATIVE_RIESZ>(gaps, s, low, high)
            }
            (Kernel::Riesz { s }, true) if s < 0.0 => {
                kernel_line::<true, NEGATIVE_RIESZ>(gaps, s, low, high)
            }
            (Kernel::Riesz { .. }, false) => kernel_line::<false, LOG>(gaps, 0.0, low, high),
            (Kernel::Riesz { .. }, true) => kernel_line::<true, LOG>(gaps, 0.0, low, high),
        }
    }
}

/// Kernels as constants of [`kernel_line`], so that each is compiled into its own loop.
const GAUSSIAN: u8 = 0;
const LAPLACE: u8 = 1;
const RIESZ: u8 = 2;
const NEGATIVE_RIESZ: u8 = 3;
const LOG: u8 = 4;

/// Values summed per pass of [`kernel_line`]: a tile's line fits in one.
const LINE: usize = 256;

/// `Σ k` over a line of gaps (each clamped to `[low, high]`), each gap replaced by the
/// kernel's derivative in the inner product: the distance, the kernel and the derivative in
/// one branch-free loop (two outputs a pair), then the sum of the values.
#[inline(always)]
fn kernel_line_body<const GEODESIC: bool, const KERNEL: u8>(
    gaps: &mut [f64],
    parameter: f64,
    low: f64,
    high: f64,
) -> f64 {
    let distance = if GEODESIC {
        Distance::Geodesic
    } else {
        Distance::Euclidean
    };
    let kernel = match KERNEL {
        GAUSSIAN => Kernel::Gaussian { gamma: parameter },
        LAPLACE => Kernel::Laplace { gamma: parameter },
        _ => Kernel::Riesz { s: parameter },
    };
    let mut values = [0.0; LINE];
    let mut total = 0.0;
    for line in gaps.chunks_mut(LINE) {
        let values = &mut values[..line.len()];
        for (gap, value) in line.iter_mut().zip(values.iter_mut()) {
            let (dist, dist_times_ddist) = distance.of_gap(gap.clamp(low, high));
            let (k, derivative) = kernel.derivative_in_c(dist, dist_times_ddist);
            *value = k;
            *gap = derivative;
        }
        total += vmath::sum(values);
    }
    total
}

vmath::widest_vectors!(fn kernel_line<const GEODESIC: bool, const KERNEL: u8>(gaps: &mut [f64], parameter: f64, low: f64, high: f64) -> f64 = kernel_line_body);

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
        pair_sum(
            x,
            ctx.par,
            ctx.precision,
            Some((grad, scale / pairs)),
            *self,
        ) / pairs
    }

    fn value(&self, x: &Points, ctx: &mut Context) -> f64 {
        pair_sum(x, ctx.par, ctx.precision, None, *self) / pair_count(x)
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
    /// Checks `0 < t ≤` [`MAX_UNIFORMITY_T`].
    pub fn new(t: f64) -> Result<Self> {
        check("t", t, "positive", |t| t > 0.0)?;
        at_most("t", t, "at most 150", MAX_UNIFORMITY_T)?;
        Ok(Self { t })
    }
}

/// `exp(−2t·gap)` is the gaussian kernel of [`Mmd`] with `γ = t` on the chordal distance.
impl PairFunction for Uniformity {
    fn apply(&self, gaps: &mut [f64]) -> f64 {
        gaussian_line(gaps, self.t)
    }
}

impl Regularizer for Uniformity {
    fn value_and_grad(&self, x: &Points, scale: f64, grad: &mut Points, ctx: &mut Context) -> f64 {
        // The log's derivative needs the mean first, so the inner gradient goes to a scratch.
        let mut inner = Points::zeros(x.n(), x.dim());
        let pairs = pair_count(x);
        let mean = pair_sum(
            x,
            ctx.par,
            ctx.precision,
            Some((&mut inner, 1.0 / pairs)),
            *self,
        ) / pairs;
        let factor = scale / mean;
        for (g, v) in grad.as_mut_slice().iter_mut().zip(inner.as_slice()) {
            *g += factor * v;
        }
        mean.ln()
    }

    fn value(&self, x: &Points, ctx: &mut Context) -> f64 {
        (pair_sum(x, ctx.par, ctx.precision, None, *self) / pair_count(x)).ln()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_that_overflow_the_kernel_are_refused() {
        let gaussian = |gamma| Mmd::new(Kernel::Gaussian { gamma }, Distance::Euclidean);
        assert!(gaussian(MAX_GAMMA).is_ok());
        let err = gaussian(1e308).unwrap_err().to_string();
        assert_eq!(err, "gamma must be at most 1e6, got 1e308");
        let riesz = |s| Mmd::new(Kernel::Riesz { s }, Distance::Euclidean);
        assert!(riesz(-MAX_RIESZ_S).is_ok() && riesz(MAX_RIESZ_S).is_ok());
        assert!(riesz(-65.0).is_err() && riesz(1e6).is_err());
        assert!(Uniformity::new(MAX_UNIFORMITY_T).is_ok());
        assert!(Uniformity::new(1e308).is_err());
    }

    #[test]
    fn mhe_needs_a_positive_exponent() {
        assert!(Mmd::mhe(0.5).is_ok());
        for s in [0.0, -1.0, 1e6] {
            assert!(Mmd::mhe(s).is_err(), "{s}");
        }
    }

    #[test]
    fn the_largest_parameters_keep_close_points_finite() {
        // Two points at the closest gap the kernels allow, and one far away.
        let close = (2.0 * GAP_MARGIN).sqrt() * 0.5;
        let x = Points::from_vec(
            3,
            2,
            vec![1.0, 0.0, (1.0 - close * close).sqrt(), close, -1.0, 0.0],
        )
        .unwrap();
        let kernels: [Box<dyn Regularizer>; 4] = [
            Box::new(Mmd::new(Kernel::Gaussian { gamma: MAX_GAMMA }, Distance::Euclidean).unwrap()),
            Box::new(Mmd::new(Kernel::Laplace { gamma: MAX_GAMMA }, Distance::Geodesic).unwrap()),
            Box::new(Mmd::mhe(MAX_RIESZ_S).unwrap()),
            Box::new(Uniformity::new(MAX_UNIFORMITY_T).unwrap()),
        ];
        for kernel in kernels {
            let mut grad = Points::zeros(3, 2);
            let value = kernel.value_and_grad(&x, 1.0, &mut grad, &mut Context::new(0));
            assert!(value.is_finite(), "{value}");
            assert!(grad.as_slice().iter().all(|g| g.is_finite()));
        }
    }
}

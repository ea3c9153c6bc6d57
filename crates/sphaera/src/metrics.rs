//! How dispersed a configuration is.

use serde::Serialize;

use crate::par::Par;
use crate::points::Points;
use crate::precision::Precision;
use crate::sphere::{angle, norm};
use crate::tiles::{nearest_other, pair_sum};
use crate::vmath;

/// The angle (radians) from each point to its nearest neighbour. The neighbour is found by
/// a tiled search on inner products; its angle is then computed stably.
///
/// ```
/// let x = sphaera::Points::from_vec(3, 2, vec![1.0, 0.0, 0.0, 1.0, -1.0, 0.0]).unwrap();
/// let a = sphaera::metrics::nearest_neighbour_angles(&x, sphaera::Par::Seq);
/// assert!((a[0] - std::f64::consts::FRAC_PI_2).abs() < 1e-12);
/// ```
pub fn nearest_neighbour_angles(x: &Points, par: Par) -> Vec<f64> {
    nearest_other(x, par, Precision::F64)
        .into_iter()
        .enumerate()
        .map(|(i, (j, _))| angle(x.row(i), x.row(j)))
        .collect()
}

/// The smallest angle (radians) between two distinct points.
///
/// ```
/// let x = sphaera::Points::from_vec(2, 2, vec![1.0, 0.0, 0.0, 1.0]).unwrap();
/// let a = sphaera::metrics::min_angle(&x, sphaera::Par::Seq);
/// assert!((a - std::f64::consts::FRAC_PI_2).abs() < 1e-12);
/// ```
pub fn min_angle(x: &Points, par: Par) -> f64 {
    nearest_neighbour_angles(x, par)
        .into_iter()
        .fold(f64::INFINITY, f64::min)
}

/// `1 − ‖mean_i x_i‖`: 0 when all points coincide, near 1 when they balance out.
///
/// ```
/// let x = sphaera::Points::from_vec(2, 2, vec![1.0, 0.0, -1.0, 0.0]).unwrap();
/// assert_eq!(sphaera::metrics::circular_variance(&x), 1.0);
/// ```
pub fn circular_variance(x: &Points) -> f64 {
    let mut mean = vec![0.0; x.dim()];
    for row in x.rows() {
        for (m, v) in mean.iter_mut().zip(row) {
            *m += v;
        }
    }
    1.0 - norm(&mean) / x.n() as f64
}

/// The mean angle (radians) over pairs of distinct points; π/2 in expectation for
/// uniform points.
///
/// ```
/// let x = sphaera::Points::from_vec(2, 2, vec![1.0, 0.0, 0.0, 1.0]).unwrap();
/// let a = sphaera::metrics::mean_pairwise_angle(&x, sphaera::Par::Seq);
/// assert!((a - std::f64::consts::FRAC_PI_2).abs() < 1e-12);
/// ```
pub fn mean_pairwise_angle(x: &Points, par: Par) -> f64 {
    let n = x.n() as f64;
    pair_sum(x, par, Precision::F64, None, |gap: f64| {
        (geodesic_of_gap(gap), 0.0)
    }) / (n * (n - 1.0))
}

/// The Riesz `s`-energy `Σ_{i<j} ‖x_i − x_j‖^{−s}` (`s = 1`: the Thomson problem's
/// Coulomb energy). Infinite when two points coincide.
///
/// ```
/// let x = sphaera::Points::from_vec(2, 2, vec![1.0, 0.0, -1.0, 0.0]).unwrap();
/// assert!((sphaera::metrics::riesz_energy(&x, 1.0, sphaera::Par::Seq) - 0.5).abs() < 1e-12);
/// ```
pub fn riesz_energy(x: &Points, s: f64, par: Par) -> f64 {
    pair_sum(x, par, Precision::F64, None, |gap: f64| {
        ((2.0 * gap).sqrt().powf(-s), 0.0)
    }) / 2.0
}

/// The angle for a gap `1 − c`, accurate at small gaps; branch-free, so a line of gaps
/// vectorizes.
fn geodesic_of_gap(gap: f64) -> f64 {
    let gap = gap.clamp(0.0, 2.0);
    let small = 2.0 * vmath::asin((0.5 * gap).sqrt());
    let large = vmath::acos(1.0 - gap);
    if gap < 1.0 {
        small
    } else {
        large
    }
}

/// Every metric at once, angles in degrees.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Report {
    /// Smallest angle between two points.
    pub min_angle_deg: f64,
    /// Median nearest-neighbour angle.
    pub median_nn_angle_deg: f64,
    /// Mean nearest-neighbour angle.
    pub mean_nn_angle_deg: f64,
    /// Largest nearest-neighbour angle.
    pub max_nn_angle_deg: f64,
    /// `1 − ‖mean x‖`.
    pub circular_variance: f64,
    /// Mean angle over pairs.
    pub mean_pairwise_angle_deg: f64,
    /// Riesz 1-energy.
    pub riesz_energy: f64,
}

impl Report {
    /// Measures `x`.
    ///
    /// ```
    /// let x = sphaera::random::uniform_sphere(100, 3, &mut sphaera::random::seeded(0));
    /// let r = sphaera::metrics::Report::of(&x, sphaera::Par::Seq);
    /// assert!(r.min_angle_deg <= r.median_nn_angle_deg && r.median_nn_angle_deg <= r.max_nn_angle_deg);
    /// ```
    pub fn of(x: &Points, par: Par) -> Self {
        let mut nn = nearest_neighbour_angles(x, par);
        nn.sort_by(f64::total_cmp);
        let k = nn.len();
        let median = if k % 2 == 1 {
            nn[k / 2]
        } else {
            0.5 * (nn[k / 2 - 1] + nn[k / 2])
        };
        Self {
            min_angle_deg: nn[0].to_degrees(),
            median_nn_angle_deg: median.to_degrees(),
            mean_nn_angle_deg: (nn.iter().sum::<f64>() / k as f64).to_degrees(),
            max_nn_angle_deg: nn[k - 1].to_degrees(),
            circular_variance: circular_variance(x),
            mean_pairwise_angle_deg: mean_pairwise_angle(x, par).to_degrees(),
            riesz_energy: riesz_energy(x, 1.0, par),
        }
    }
}

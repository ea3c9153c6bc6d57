//! Geometry of the unit sphere `S^{d-1} ⊂ R^d`: normalization, angles, tangent spaces,
//! retraction, and the exponential and logarithm maps.

use crate::error::{Error, Result};
use crate::points::{axpy, dot, Points};

/// Below this norm a tangent vector is treated as zero by [`exp_map`] and [`log_map`].
const TINY: f64 = 1e-12;

/// Scales every row to unit length.
///
/// Fails on a table of zero columns, whose rows have no direction, and on the first row
/// that is non-finite or zero, naming it.
///
/// ```
/// use sphaera::{sphere, Points};
/// let mut p = Points::from_vec(2, 2, vec![3.0, 4.0, 0.0, 0.0]).unwrap();
/// let err = sphere::normalize_rows(&mut p).unwrap_err();
/// assert_eq!(err.to_string(), "row 1 is zero and has no direction");
/// ```
pub fn normalize_rows(points: &mut Points) -> Result<()> {
    if points.dim() == 0 {
        return Err(Error::InvalidParameter {
            name: "dim",
            expected: "at least 1 (rows of no coordinates have no direction)",
            value: "0".into(),
        });
    }
    for (row, x) in points.rows_mut().enumerate() {
        if x.iter().any(|v| !v.is_finite()) {
            return Err(Error::NonFiniteRow { row });
        }
        let norm = norm(x);
        if norm == 0.0 || !norm.is_finite() {
            return Err(Error::ZeroRow { row });
        }
        x.iter_mut().for_each(|v| *v /= norm);
    }
    Ok(())
}

/// Euclidean norm of a vector.
pub fn norm(x: &[f64]) -> f64 {
    // Rows near unit length, the usual case, need no scaling: their sum of squares is far
    // from overflow and underflow.
    let squares = dot(x, x);
    if (1e-200..1e200).contains(&squares) {
        return squares.sqrt();
    }
    // Scaling by the largest magnitude keeps huge or tiny rows from overflowing.
    let scale = x.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    if scale == 0.0 || !scale.is_finite() {
        return scale;
    }
    let sum: f64 = x.iter().map(|v| (v / scale) * (v / scale)).sum();
    scale * sum.sqrt()
}

/// The geodesic angle between two unit vectors, in radians.
///
/// `2·atan2(‖x − y‖, ‖x + y‖)` stays accurate near 0 and π, where `acos(x·y)` loses half
/// its digits.
///
/// ```
/// let a = sphaera::sphere::angle(&[1.0, 0.0], &[0.0, 1.0]);
/// assert!((a - std::f64::consts::FRAC_PI_2).abs() < 1e-15);
/// ```
pub fn angle(x: &[f64], y: &[f64]) -> f64 {
    let (mut minus, mut plus) = (0.0, 0.0);
    for (a, b) in x.iter().zip(y) {
        minus += (a - b) * (a - b);
        plus += (a + b) * (a + b);
    }
    2.0 * minus.sqrt().atan2(plus.sqrt())
}

/// Removes from `g` its component along the unit vector `x`: `g ← g − (x·g) x`.
///
/// ```
/// let mut g = [1.0, 1.0];
/// sphaera::sphere::project_tangent(&[1.0, 0.0], &mut g);
/// assert_eq!(g, [0.0, 1.0]);
/// ```
pub fn project_tangent(x: &[f64], g: &mut [f64]) {
    let along = dot(x, g);
    axpy(-along, x, g);
}

/// Retraction by normalization: `x ← (x + u) / ‖x + u‖`.
///
/// ```
/// let mut x = [1.0, 0.0];
/// sphaera::sphere::retract(&mut x, &[0.0, 1.0]);
/// assert!((x[0] - x[1]).abs() < 1e-15);
/// ```
pub fn retract(x: &mut [f64], u: &[f64]) {
    axpy(1.0, u, x);
    let inverse = 1.0 / norm(x);
    x.iter_mut().for_each(|v| *v *= inverse);
}

/// Exponential map: moves `x` along the great circle leaving it with velocity `u` (tangent)
/// for arc length `‖u‖`.
///
/// ```
/// let mut x = [1.0, 0.0];
/// sphaera::sphere::exp_map(&mut x, &[0.0, std::f64::consts::PI]);
/// assert!((x[0] + 1.0).abs() < 1e-15);
/// ```
pub fn exp_map(x: &mut [f64], u: &[f64]) {
    let length = norm(u);
    if length <= TINY {
        retract(x, u);
        return;
    }
    let (sin, cos) = length.sin_cos();
    let along = sin / length;
    for (xi, ui) in x.iter_mut().zip(u) {
        *xi = *xi * cos + ui * along;
    }
    // Renormalize so rounding never lets a row drift off the sphere over many steps.
    let inverse = 1.0 / norm(x);
    x.iter_mut().for_each(|v| *v *= inverse);
}

/// Logarithm map: writes into `out` the tangent vector at `x` whose exponential is `y`.
/// Undefined for antipodal points, where every direction works; then `out` is some
/// tangent vector of length about π or zero.
///
/// ```
/// use sphaera::sphere::{exp_map, log_map};
/// let (x, y) = ([1.0, 0.0, 0.0], [0.0, 0.6, 0.8]);
/// let mut u = [0.0; 3];
/// log_map(&x, &y, &mut u);
/// let mut z = x;
/// exp_map(&mut z, &u);
/// assert!(z.iter().zip(&y).all(|(a, b)| (a - b).abs() < 1e-12));
/// ```
pub fn log_map(x: &[f64], y: &[f64], out: &mut [f64]) {
    for ((o, a), b) in out.iter_mut().zip(x).zip(y) {
        *o = b - a;
    }
    project_tangent(x, out);
    let length = norm(out);
    if length > TINY {
        let theta = angle(x, y);
        out.iter_mut().for_each(|v| *v *= theta / length);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_of_no_columns_are_refused_not_a_panic() {
        let mut p = Points::from_vec(3, 0, Vec::new()).unwrap();
        let err = normalize_rows(&mut p).unwrap_err();
        assert!(
            matches!(err, Error::InvalidParameter { name: "dim", .. }),
            "{err}"
        );
    }
}

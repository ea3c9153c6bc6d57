//! Volumes of balls, caps and intersections of two balls in `R^d`, in log space, with
//! exact derivatives.

use std::f64::consts::PI;

use crate::ball::beta::{ln_beta_reg, ln_gamma};

/// `ln V_d(r)`, the log volume of a `d`-ball of radius `r`: `π^{d/2} r^d / Γ(d/2 + 1)`.
///
/// ```
/// let v = sphaera::ball::ln_ball_volume(3, 2.0).exp();
/// assert!((v - 4.0 / 3.0 * std::f64::consts::PI * 8.0).abs() < 1e-12);
/// ```
pub fn ln_ball_volume(d: usize, r: f64) -> f64 {
    let d = d as f64;
    0.5 * d * PI.ln() + d * r.ln() - ln_gamma(0.5 * d + 1.0)
}

/// `ln` of the share of a `d`-ball's volume beyond a plane at signed distance `t·r` from its
/// centre, `t ∈ [−1, 1]`: `½ I_{1−t²}((d+1)/2, ½)` for `t ≥ 0`, its complement for `t < 0`.
pub(crate) fn ln_cap_share(d: usize, t: f64) -> f64 {
    ln_share(0.5 * (d as f64 + 1.0), t)
}

/// `ln` of the share of a `d`-ball's bounding sphere (surface) beyond the same plane:
/// `½ I_{1−t²}((d−1)/2, ½)` for `t ≥ 0`, its complement for `t < 0`.
fn ln_cap_surface_share(d: usize, t: f64) -> f64 {
    ln_share(0.5 * (d as f64 - 1.0), t)
}

fn ln_share(a: f64, t: f64) -> f64 {
    let t = t.clamp(-1.0, 1.0);
    let x = (1.0 - t) * (1.0 + t);
    let half = ln_beta_reg(x, a, 0.5) - std::f64::consts::LN_2;
    if t >= 0.0 {
        half
    } else {
        (-half.exp()).ln_1p()
    }
}

/// The log volume of the intersection of two balls and its derivatives.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LnIntersection {
    /// `ln Vol(B₁ ∩ B₂)`; `−∞` when the balls are disjoint.
    pub value: f64,
    /// `∂/∂δ` of the log volume, `δ` the distance between the centres.
    pub d_distance: f64,
    /// `∂/∂r₁`.
    pub d_r1: f64,
    /// `∂/∂r₂`.
    pub d_r2: f64,
}

/// `ln Vol(B(c₁, r₁) ∩ B(c₂, r₂))` in `R^d` for centres at distance `delta`, with its
/// derivatives. The intersection is the union of two caps, one of each ball, cut by the
/// plane through the circle where the spheres meet; a cap past its ball's centre is the
/// complement of the opposite cap.
///
/// Derivatives are exact: moving the centres apart loses the `(d−1)`-volume of the disk
/// where the spheres meet; growing `r₁` gains the area of sphere 1 that lies inside ball 2.
///
/// ```
/// use sphaera::ball::{ln_ball_volume, ln_intersection};
/// // Concentric: the smaller ball.
/// let v = ln_intersection(3, 1.0, 2.0, 0.0);
/// assert!((v.value - ln_ball_volume(3, 1.0)).abs() < 1e-14);
/// assert!(ln_intersection(3, 1.0, 1.0, 2.5).value == f64::NEG_INFINITY);
/// ```
pub fn ln_intersection(d: usize, r1: f64, r2: f64, delta: f64) -> LnIntersection {
    let df = d as f64;
    if delta >= r1 + r2 {
        return LnIntersection {
            value: f64::NEG_INFINITY,
            d_distance: 0.0,
            d_r1: 0.0,
            d_r2: 0.0,
        };
    }
    if delta <= (r1 - r2).abs() {
        // One ball inside the other: the smaller one's volume.
        return if r1 <= r2 {
            LnIntersection {
                value: ln_ball_volume(d, r1),
                d_distance: 0.0,
                d_r1: df / r1,
                d_r2: 0.0,
            }
        } else {
            LnIntersection {
                value: ln_ball_volume(d, r2),
                d_distance: 0.0,
                d_r1: 0.0,
                d_r2: df / r2,
            }
        };
    }
    // Signed distances from each centre to the plane of the meeting circle.
    let a1 = (delta * delta + r1 * r1 - r2 * r2) / (2.0 * delta);
    let a2 = delta - a1;
    let (t1, t2) = (a1 / r1, a2 / r2);
    let cap1 = ln_ball_volume(d, r1) + ln_cap_share(d, t1);
    let cap2 = ln_ball_volume(d, r2) + ln_cap_share(d, t2);
    let value = log_add(cap1, cap2);
    // The meeting circle's radius, computed without cancellation:
    // ρ² = r₁² − a₁² = (r₁ + r₂ − δ)(r₁ − r₂ + δ)(δ + r₂ − r₁)(r₁ + r₂ + δ) / (4δ²).
    let rho2 = (r1 + r2 - delta) * (r1 - r2 + delta) * (delta - r1 + r2) * (r1 + r2 + delta)
        / (4.0 * delta * delta);
    let ln_rho = 0.5 * rho2.ln();
    // (d−1)-volume of the disk: π^{(d−1)/2} ρ^{d−1} / Γ((d+1)/2).
    let ln_disk = 0.5 * (df - 1.0) * PI.ln() + (df - 1.0) * ln_rho - ln_gamma(0.5 * (df + 1.0));
    // Surface of a d-ball: d·V_d(r)/r.
    let ln_surface = |r: f64| df.ln() + ln_ball_volume(d, r) - r.ln();
    let d_r1 = (ln_surface(r1) + ln_cap_surface_share(d, t1) - value).exp();
    let d_r2 = (ln_surface(r2) + ln_cap_surface_share(d, t2) - value).exp();
    LnIntersection {
        value,
        d_distance: -(ln_disk - value).exp(),
        d_r1,
        d_r2,
    }
}

/// `ln(eᵃ + eᵇ)` without overflow.
fn log_add(a: f64, b: f64) -> f64 {
    let (hi, lo) = if a > b { (a, b) } else { (b, a) };
    if lo == f64::NEG_INFINITY {
        return hi;
    }
    hi + (lo - hi).exp().ln_1p()
}

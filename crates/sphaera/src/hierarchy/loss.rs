//! The SpheREx training loss of one pair of balls, with its exact gradient.

use serde::{Deserialize, Serialize};

use crate::ball::ln_conditional;
use crate::hierarchy::balls::Balls;

/// What a pair `(a, b)` is supposed to be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PairKind {
    /// `b` is an ancestor of `a`: ball `a` inside ball `b`.
    Contained,
    /// Unrelated: the balls disjoint.
    Disjoint,
    /// `b` is not an ancestor of `a`, though `a` may be one of `b`: `a` not inside `b`.
    NotContained,
}

/// The weights of the loss.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct SpherexLoss {
    /// Temperature `τ` of the soft margins: `softplus(−m/τ)` for a margin `m` to be positive.
    pub temperature: f64,
    /// Negatives are pushed to margins below `−margin`; positives above `+margin`.
    pub margin: f64,
    /// Weight of `−max(ln P(b | a), floor)` for contained pairs (0 to leave it out).
    pub volume_weight: f64,
    /// The floor of that log-probability (volume clipping): below it, no volume gradient.
    pub ln_p_floor: f64,
    /// Weight of the radii of the pair's balls (radius regularization).
    pub radius_weight: f64,
    /// Weight of the dispersion of sibling centres (caps only; 0 to leave it out): for each
    /// training edge, a random sibling of the child is pushed away from it by the Riesz
    /// kernel of the dispersion module.
    pub sibling_weight: f64,
}

impl Default for SpherexLoss {
    fn default() -> Self {
        Self {
            temperature: 0.05,
            margin: 0.01,
            volume_weight: 0.0,
            ln_p_floor: -10.0,
            radius_weight: 1e-3,
            sibling_weight: 0.0,
        }
    }
}

/// The gradient of a pair's loss in its two balls' parameters.
#[derive(Clone, Debug, PartialEq)]
pub struct PairGradient {
    /// With respect to the centre of `a`.
    pub center_a: Vec<f64>,
    /// With respect to the centre of `b`.
    pub center_b: Vec<f64>,
    /// With respect to `ln r_a`.
    pub log_radius_a: f64,
    /// With respect to `ln r_b`.
    pub log_radius_b: f64,
}

/// The logistic function, without overflow.
pub(crate) fn sigmoid(x: f64) -> f64 {
    if x >= 0.0 {
        1.0 / (1.0 + (-x).exp())
    } else {
        let e = x.exp();
        e / (1.0 + e)
    }
}

/// `softplus(x) = ln(1 + eˣ)` without overflow.
fn softplus(x: f64) -> f64 {
    x.max(0.0) + (-x.abs()).exp().ln_1p()
}

/// The loss of the pair `(a, b)` of kind `kind` and, into `grad`, its gradient.
///
/// ```
/// use sphaera::hierarchy::{pair_loss, Balls, PairKind, PairGradient, SpherexLoss};
/// let balls = Balls::from_parts(1, vec![0.0, 0.0], vec![0.1f64.ln(), 1.0f64.ln()]).unwrap();
/// let mut g = PairGradient { center_a: vec![0.0], center_b: vec![0.0], log_radius_a: 0.0, log_radius_b: 0.0 };
/// let inside = pair_loss(&balls, 0, 1, PairKind::Contained, &SpherexLoss::default(), &mut g);
/// let outside = pair_loss(&balls, 1, 0, PairKind::Contained, &SpherexLoss::default(), &mut g);
/// assert!(inside < outside);
/// ```
pub fn pair_loss(
    balls: &Balls,
    a: u32,
    b: u32,
    kind: PairKind,
    loss: &SpherexLoss,
    grad: &mut PairGradient,
) -> f64 {
    let d = balls.dim();
    let (mut row_a, mut row_b) = (vec![0.0; d + 1], vec![0.0; d + 1]);
    let value = ball_pair_loss(balls, a, b, kind, loss, &mut row_a, &mut row_b);
    grad.center_a.copy_from_slice(&row_a[..d]);
    grad.center_b.copy_from_slice(&row_b[..d]);
    grad.log_radius_a = row_a[d];
    grad.log_radius_b = row_b[d];
    value
}

/// The soft margin terms of a pair, shared by balls and caps: from the separation `δ`
/// of the two regions' centres and their radii, the value and `∂/∂δ`, `∂/∂r_a`, `∂/∂r_b`
/// (radius regularization included).
pub(crate) fn margin_terms(
    kind: PairKind,
    distance: f64,
    ra: f64,
    rb: f64,
    loss: &SpherexLoss,
) -> (f64, f64, f64, f64) {
    let tau = loss.temperature;
    let (value, d_dist, d_ra, d_rb) = match kind {
        PairKind::Contained => {
            // m = r_b − δ − r_a should exceed the margin.
            let m = rb - distance - ra - loss.margin;
            let slope = -sigmoid(-m / tau) / tau;
            (softplus(-m / tau), -slope, -slope, slope)
        }
        PairKind::NotContained => {
            let m = rb - distance - ra + loss.margin;
            let slope = sigmoid(m / tau) / tau;
            (softplus(m / tau), -slope, -slope, slope)
        }
        PairKind::Disjoint => {
            // e = δ − r_a − r_b should exceed the margin.
            let e = distance - ra - rb - loss.margin;
            let slope = -sigmoid(-e / tau) / tau;
            (softplus(-e / tau), slope, -slope, -slope)
        }
    };
    let w = loss.radius_weight;
    (value + w * (ra + rb), d_dist, d_ra + w, d_rb + w)
}

/// [`pair_loss`] with the gradients written as rows `[∂/∂c, ∂/∂ln r]`.
pub(crate) fn ball_pair_loss(
    balls: &Balls,
    a: u32,
    b: u32,
    kind: PairKind,
    loss: &SpherexLoss,
    grad_a: &mut [f64],
    grad_b: &mut [f64],
) -> f64 {
    let (ca, cb) = (balls.center(a), balls.center(b));
    let (ra, rb) = (balls.radius(a), balls.radius(b));
    let distance = balls.distance(a, b);
    let (mut value, mut d_dist, mut d_ra, mut d_rb) = margin_terms(kind, distance, ra, rb, loss);
    if kind == PairKind::Contained && loss.volume_weight > 0.0 {
        let p = ln_conditional(balls.dim(), ra, rb, distance);
        if p.value > loss.ln_p_floor {
            value -= loss.volume_weight * p.value;
            d_dist -= loss.volume_weight * p.d_distance;
            d_ra -= loss.volume_weight * p.d_r_a;
            d_rb -= loss.volume_weight * p.d_r_b;
        } else {
            value -= loss.volume_weight * loss.ln_p_floor;
        }
    }
    // ∂δ/∂c_a = (c_a − c_b)/δ; no direction at all when the centres coincide.
    let d = balls.dim();
    for k in 0..d {
        let unit = if distance > 1e-300 {
            (ca[k] - cb[k]) / distance
        } else {
            0.0
        };
        grad_a[k] = d_dist * unit;
        grad_b[k] = -d_dist * unit;
    }
    // Radii are exp(ρ): ∂/∂ρ = r ∂/∂r.
    grad_a[d] = d_ra * ra;
    grad_b[d] = d_rb * rb;
    value
}

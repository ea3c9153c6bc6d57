//! The SpheREx training loss, independent of the model: the kinds of pairs, the weights, and
//! the soft margin terms that balls and caps share.

use serde::{Deserialize, Serialize};

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

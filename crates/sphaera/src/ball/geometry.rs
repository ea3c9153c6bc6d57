//! Relations between two balls: containment, exclusion, intersection, and the conditional
//! probability `P(B | A) = Vol(A ∩ B) / Vol(A)`.

use crate::ball::volume::{ln_ball_volume, ln_intersection};

/// How two balls lie.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Relation {
    /// The first lies inside the second.
    Inside,
    /// The second lies inside the first.
    Contains,
    /// They share no interior point.
    Disjoint,
    /// They overlap, neither inside the other.
    Overlapping,
}

/// `r_B − (‖c_A − c_B‖ + r_A)`: non-negative exactly when `A ⊆ B`, and how far from it.
///
/// ```
/// assert_eq!(sphaera::ball::containment_margin(1.0, 3.0, 1.5), 0.5);
/// ```
pub fn containment_margin(r_inner: f64, r_outer: f64, distance: f64) -> f64 {
    r_outer - (distance + r_inner)
}

/// `‖c_A − c_B‖ − (r_A + r_B)`: non-negative exactly when `A` and `B` are disjoint.
///
/// ```
/// assert_eq!(sphaera::ball::exclusion_margin(1.0, 1.0, 3.0), 1.0);
/// ```
pub fn exclusion_margin(r_a: f64, r_b: f64, distance: f64) -> f64 {
    distance - (r_a + r_b)
}

/// How ball `A` (radius `r_a`) and ball `B` lie, their centres `distance` apart.
///
/// ```
/// use sphaera::ball::{relation, Relation};
/// assert_eq!(relation(1.0, 3.0, 1.0), Relation::Inside);
/// assert_eq!(relation(1.0, 1.0, 1.0), Relation::Overlapping);
/// ```
pub fn relation(r_a: f64, r_b: f64, distance: f64) -> Relation {
    if containment_margin(r_a, r_b, distance) >= 0.0 {
        Relation::Inside
    } else if containment_margin(r_b, r_a, distance) >= 0.0 {
        Relation::Contains
    } else if exclusion_margin(r_a, r_b, distance) >= 0.0 {
        Relation::Disjoint
    } else {
        Relation::Overlapping
    }
}

/// `ln P(B | A) = ln Vol(A ∩ B) − ln Vol(A)` and its derivatives.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LnConditional {
    /// `ln P(B | A)`: 0 when `A ⊆ B`, `−∞` when they are disjoint.
    pub value: f64,
    /// `∂/∂‖c_A − c_B‖`.
    pub d_distance: f64,
    /// `∂/∂r_A`.
    pub d_r_a: f64,
    /// `∂/∂r_B`.
    pub d_r_b: f64,
}

/// `ln P(B | A)` for balls in `R^d` (`d ≥ 2`) with radii `r_a`, `r_b` and centres
/// `distance` apart, with exact derivatives.
///
/// ```
/// use sphaera::ball::ln_conditional;
/// // Half of A's volume lies in a half-space... here a huge B through A's centre.
/// let p = ln_conditional(3, 1.0, 1e6, 1e6).value.exp();
/// assert!((p - 0.5).abs() < 1e-5);
/// ```
pub fn ln_conditional(d: usize, r_a: f64, r_b: f64, distance: f64) -> LnConditional {
    let lens = ln_intersection(d, r_a, r_b, distance);
    LnConditional {
        value: lens.value - ln_ball_volume(d, r_a),
        d_distance: lens.d_distance,
        d_r_a: lens.d_r1 - d as f64 / r_a,
        d_r_b: lens.d_r2,
    }
}

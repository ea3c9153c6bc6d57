//! Balls in `R^d`: containment, exclusion and intersection in closed form, and exact
//! intersection volumes in log space (through the regularized incomplete beta function),
//! with gradients. The geometry of SpheREx.

mod beta;
mod geometry;
mod volume;

pub use beta::ln_beta_reg;
pub use geometry::{
    containment_margin, exclusion_margin, ln_conditional, relation, LnConditional, Relation,
};
pub use volume::{ln_ball_volume, ln_intersection, LnIntersection};

use serde::{Deserialize, Serialize};

use crate::error::{check, Result};
use crate::points::Points;
use crate::sphere::retract;

/// The naive baseline: a plain gradient step in `R^d`, then renormalization of each row.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EuclideanStep {
    /// Step size.
    pub lr: f64,
}

impl Default for EuclideanStep {
    fn default() -> Self {
        Self { lr: 1e-2 }
    }
}

impl EuclideanStep {
    pub(crate) fn validate(&self) -> Result<()> {
        check("lr", self.lr, "positive", |v| v > 0.0)
    }

    pub(crate) fn step(&self, x: &mut Points, egrad: &mut Points) {
        for (xi, g) in x.rows_mut().zip(egrad.rows_mut()) {
            g.iter_mut().for_each(|v| *v *= -self.lr);
            retract(xi, g);
        }
    }
}

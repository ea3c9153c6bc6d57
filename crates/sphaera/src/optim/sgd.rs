use serde::{Deserialize, Serialize};

use crate::error::{check, Error, Result};
use crate::optim::Retraction;
use crate::points::Points;
use crate::sphere::project_tangent;

/// Riemannian SGD with geoopt's semantics: the gradient is projected onto the tangent
/// space, the momentum buffer is transported (by projection) with the point, and, as in
/// geoopt, the buffer starts as a copy of the first raw Euclidean gradient.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Sgd {
    /// Step size.
    pub lr: f64,
    /// Momentum, in `[0, 1)` (0): at 1 or more the buffer never forgets and grows.
    pub momentum: f64,
    /// Dampening of the momentum update (0).
    pub dampening: f64,
    /// L2 penalty added to the Euclidean gradient before projection (0).
    pub weight_decay: f64,
    /// Nesterov momentum; needs momentum > 0 and no dampening (false).
    pub nesterov: bool,
    /// How the point moves along the step.
    pub retraction: Retraction,
}

impl Default for Sgd {
    fn default() -> Self {
        Self {
            lr: 1e-2,
            momentum: 0.0,
            dampening: 0.0,
            weight_decay: 0.0,
            nesterov: false,
            retraction: Retraction::default(),
        }
    }
}

/// What [`Sgd`] carries between steps.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SgdState {
    /// Steps taken.
    pub step: u64,
    /// Momentum buffer (row-major `n × dim`), created on the first step with momentum.
    pub momentum_buffer: Option<Vec<f64>>,
}

impl Sgd {
    pub(crate) fn validate(&self) -> Result<()> {
        check("lr", self.lr, "positive", |v| v > 0.0)?;
        check("momentum", self.momentum, "in [0, 1)", |v| {
            (0.0..1.0).contains(&v)
        })?;
        check("dampening", self.dampening, "in [0, 1]", |v| {
            (0.0..=1.0).contains(&v)
        })?;
        check("weight_decay", self.weight_decay, "non-negative", |v| {
            v >= 0.0
        })?;
        if self.nesterov && (self.momentum <= 0.0 || self.dampening != 0.0) {
            return Err(Error::InvalidParameter {
                name: "nesterov",
                expected: "used with momentum > 0 and zero dampening",
                value: "true".into(),
            });
        }
        Ok(())
    }

    pub(crate) fn step(
        &self,
        x: &mut Points,
        egrad: &mut Points,
        state: &mut SgdState,
    ) -> Result<()> {
        let dim = x.dim();
        state.step += 1;
        if self.momentum > 0.0 && state.momentum_buffer.is_none() {
            state.momentum_buffer = Some(egrad.as_slice().to_vec());
        }
        if let Some(buffer) = &state.momentum_buffer {
            if buffer.len() != egrad.as_slice().len() {
                return Err(Error::Shape {
                    what: "SGD momentum buffer",
                    expected: vec![x.n(), dim],
                    found: vec![buffer.len()],
                });
            }
        }
        for i in 0..x.n() {
            let xi = x.row_mut(i);
            let g = egrad.row_mut(i);
            for (gk, xk) in g.iter_mut().zip(xi.iter()) {
                *gk += self.weight_decay * xk;
            }
            project_tangent(xi, g);
            match state
                .momentum_buffer
                .as_mut()
                .filter(|_| self.momentum > 0.0)
            {
                Some(buffer) => {
                    let b = &mut buffer[i * dim..(i + 1) * dim];
                    for (bk, gk) in b.iter_mut().zip(g.iter_mut()) {
                        *bk = self.momentum * *bk + (1.0 - self.dampening) * *gk;
                        let direction = if self.nesterov {
                            *gk + self.momentum * *bk
                        } else {
                            *bk
                        };
                        *gk = -self.lr * direction;
                    }
                    self.retraction.apply(xi, g);
                    project_tangent(xi, b);
                }
                None => {
                    g.iter_mut().for_each(|gk| *gk *= -self.lr);
                    self.retraction.apply(xi, g);
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn momentum_must_be_below_one() {
        let with = |momentum| Sgd {
            momentum,
            ..Sgd::default()
        };
        assert!(with(0.0).validate().is_ok() && with(0.99).validate().is_ok());
        for momentum in [1.0, 2.0, -0.1] {
            let err = with(momentum).validate().unwrap_err().to_string();
            assert!(err.starts_with("momentum must be in [0, 1)"), "{err}");
        }
    }
}

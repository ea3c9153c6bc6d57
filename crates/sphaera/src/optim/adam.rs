use serde::{Deserialize, Serialize};

use crate::error::{check, Error, Result};
use crate::optim::Retraction;
use crate::points::{dot, Points};
use crate::sphere::{norm, project_tangent};

/// Riemannian Adam with geoopt's semantics: the first moment is a tangent vector
/// transported (by projection) with the point; the second moment is one number per point,
/// the squared norm of its Riemannian gradient (geoopt's `component_inner` on the sphere),
/// so adaptivity is per point, not per coordinate.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Adam {
    /// Step size (PyTorch default 1e-3).
    pub lr: f64,
    /// First-moment decay (0.9).
    pub beta1: f64,
    /// Second-moment decay (0.999).
    pub beta2: f64,
    /// Added to the root of the second moment (1e-8).
    pub eps: f64,
    /// L2 penalty added to the Euclidean gradient before projection (0).
    pub weight_decay: f64,
    /// Use the running maximum of the second moment (false).
    pub amsgrad: bool,
    /// How the point moves along the step.
    pub retraction: Retraction,
}

impl Default for Adam {
    fn default() -> Self {
        Self {
            lr: 1e-3,
            beta1: 0.9,
            beta2: 0.999,
            eps: 1e-8,
            weight_decay: 0.0,
            amsgrad: false,
            retraction: Retraction::default(),
        }
    }
}

/// What [`Adam`] carries between steps.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AdamState {
    /// Steps taken.
    pub step: u64,
    /// First moment, a tangent vector per point (row-major `n × dim`).
    pub exp_avg: Vec<f64>,
    /// Second moment, one value per point.
    pub exp_avg_sq: Vec<f64>,
    /// Running maximum of the second moment (empty without amsgrad).
    pub max_exp_avg_sq: Vec<f64>,
}

impl AdamState {
    pub(crate) fn new(n: usize, dim: usize, amsgrad: bool) -> Self {
        Self {
            step: 0,
            exp_avg: vec![0.0; n * dim],
            exp_avg_sq: vec![0.0; n],
            max_exp_avg_sq: if amsgrad { vec![0.0; n] } else { Vec::new() },
        }
    }
}

impl Adam {
    pub(crate) fn validate(&self) -> Result<()> {
        check("lr", self.lr, "positive", |v| v > 0.0)?;
        check("beta1", self.beta1, "in [0, 1)", |v| {
            (0.0..1.0).contains(&v)
        })?;
        check("beta2", self.beta2, "in [0, 1)", |v| {
            (0.0..1.0).contains(&v)
        })?;
        check("eps", self.eps, "positive", |v| v > 0.0)?;
        check("weight_decay", self.weight_decay, "non-negative", |v| {
            v >= 0.0
        })
    }

    pub(crate) fn step(
        &self,
        x: &mut Points,
        egrad: &mut Points,
        state: &mut AdamState,
    ) -> Result<()> {
        let (n, dim) = (x.n(), x.dim());
        let wrong = state.exp_avg.len() != n * dim
            || state.exp_avg_sq.len() != n
            || (self.amsgrad && state.max_exp_avg_sq.len() != n);
        if wrong {
            return Err(Error::Shape {
                what: "Adam state (first moment, second moment)",
                expected: vec![n * dim, n],
                found: vec![state.exp_avg.len(), state.exp_avg_sq.len()],
            });
        }
        state.step += 1;
        let t = state.step as i32;
        let correction1 = 1.0 - self.beta1.powi(t);
        let correction2 = 1.0 - self.beta2.powi(t);
        for i in 0..n {
            let xi = x.row_mut(i);
            let scale = norm(xi);
            xi.iter_mut().for_each(|v| *v /= scale);
            let g = egrad.row_mut(i);
            for (gk, xk) in g.iter_mut().zip(xi.iter()) {
                *gk += self.weight_decay * xk;
            }
            project_tangent(xi, g);
            let m = &mut state.exp_avg[i * dim..(i + 1) * dim];
            for (mk, gk) in m.iter_mut().zip(g.iter()) {
                *mk = self.beta1 * *mk + (1.0 - self.beta1) * gk;
            }
            let v = &mut state.exp_avg_sq[i];
            *v = self.beta2 * *v + (1.0 - self.beta2) * dot(g, g);
            let second = if self.amsgrad {
                let vmax = &mut state.max_exp_avg_sq[i];
                *vmax = vmax.max(*v);
                *vmax
            } else {
                *v
            };
            let denom = (second / correction2).sqrt() + self.eps;
            // The gradient row is spent: reuse it for the step.
            for (gk, mk) in g.iter_mut().zip(m.iter()) {
                *gk = -self.lr * (mk / correction1) / denom;
            }
            self.retraction.apply(xi, g);
            project_tangent(xi, m);
        }
        Ok(())
    }
}

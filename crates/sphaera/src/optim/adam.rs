use serde::{Deserialize, Serialize};

use rayon::prelude::*;

use crate::error::{check, Error, Result};
use crate::optim::Retraction;
use crate::par::Par;
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
    /// Its decay rates and ε, the part it shares with every other Adam of the crate.
    pub fn moments(&self) -> AdamMoments {
        AdamMoments {
            beta1: self.beta1,
            beta2: self.beta2,
            eps: self.eps,
        }
    }

    pub(crate) fn validate(&self) -> Result<()> {
        check("lr", self.lr, "positive", |v| v > 0.0)?;
        self.moments().validate()?;
        check("weight_decay", self.weight_decay, "non-negative", |v| {
            v >= 0.0
        })
    }

    pub(crate) fn step(
        &self,
        x: &mut Points,
        egrad: &mut Points,
        state: &mut AdamState,
        par: Par,
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
        let step = self.moments().at_step(self.lr, state.step);
        if n == 0 || dim == 0 {
            return Ok(());
        }
        // Rows are independent: chunks of them step in parallel, each row the same arithmetic
        // whatever the threads.
        let rows = |(((x, g), m), (v, mut max)): RowChunk<'_>| {
            for (i, (((x, g), m), v)) in x
                .chunks_exact_mut(dim)
                .zip(g.chunks_exact_mut(dim))
                .zip(m.chunks_exact_mut(dim))
                .zip(v.iter_mut())
                .enumerate()
            {
                let scale = 1.0 / norm(x);
                x.iter_mut().for_each(|v| *v *= scale);
                for (gk, xk) in g.iter_mut().zip(x.iter()) {
                    *gk += self.weight_decay * xk;
                }
                let max = max.as_deref_mut().map(|max| &mut max[i]);
                step.sphere_row(x, m, v, max, g, self.retraction);
            }
        };
        let chunk = ROWS_PER_TASK * dim;
        let tasks = n.div_ceil(ROWS_PER_TASK);
        let (x, g) = (x.as_mut_slice(), egrad.as_mut_slice());
        let (m, v) = (&mut state.exp_avg, &mut state.exp_avg_sq);
        let max = &mut state.max_exp_avg_sq;
        match par {
            Par::Seq => {
                // Without AMSGrad there are no maxima: every task gets `None`.
                let maxes = max
                    .chunks_mut(ROWS_PER_TASK)
                    .map(Some)
                    .chain(std::iter::repeat_with(|| None));
                x.chunks_mut(chunk)
                    .zip(g.chunks_mut(chunk))
                    .zip(m.chunks_mut(chunk))
                    .zip(v.chunks_mut(ROWS_PER_TASK).zip(maxes))
                    .for_each(rows)
            }
            Par::Rayon => {
                let lines = x
                    .par_chunks_mut(chunk)
                    .zip(g.par_chunks_mut(chunk))
                    .zip(m.par_chunks_mut(chunk));
                if self.amsgrad {
                    let maxes = max.par_chunks_mut(ROWS_PER_TASK).map(Some);
                    lines
                        .zip(v.par_chunks_mut(ROWS_PER_TASK).zip(maxes))
                        .for_each(rows)
                } else {
                    let maxes = (0..tasks).into_par_iter().map(|_| None);
                    lines
                        .zip(v.par_chunks_mut(ROWS_PER_TASK).zip(maxes))
                        .for_each(rows)
                }
            }
        }
        Ok(())
    }
}

/// Rows per parallel task of [`Adam::step`].
const ROWS_PER_TASK: usize = 256;

/// A task's rows: points, gradients, first moments, second moments and their maxima.
type RowChunk<'a> = (
    ((&'a mut [f64], &'a mut [f64]), &'a mut [f64]),
    (&'a mut [f64], Option<&'a mut [f64]>),
);

/// Adam's moment arithmetic: the decay rates of the two moments and the ε of the
/// denominator. It is kept apart from [`Adam`] so that every Adam of the crate (dispersion's
/// Riemannian one, the hierarchy trainer's lazy one) runs the same moment update and bias
/// correction, through [`AdamStep`].
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct AdamMoments {
    /// First-moment decay (0.9).
    pub beta1: f64,
    /// Second-moment decay (0.999).
    pub beta2: f64,
    /// Added to the root of the bias-corrected second moment (1e-8).
    pub eps: f64,
}

impl Default for AdamMoments {
    fn default() -> Self {
        Self {
            beta1: 0.9,
            beta2: 0.999,
            eps: 1e-8,
        }
    }
}

impl AdamMoments {
    /// Checks both decay rates (in `[0, 1)`) and ε (positive).
    pub fn validate(&self) -> Result<()> {
        check("beta1", self.beta1, "in [0, 1)", |v| {
            (0.0..1.0).contains(&v)
        })?;
        check("beta2", self.beta2, "in [0, 1)", |v| {
            (0.0..1.0).contains(&v)
        })?;
        check("eps", self.eps, "positive", |v| v > 0.0)
    }

    /// The constants of step `t` (counted from 1) with step size `lr`, computed once and
    /// shared by every row the step touches.
    ///
    /// ```
    /// use sphaera::optim::AdamMoments;
    /// let step = AdamMoments::default().at_step(0.1, 1);
    /// let (mut x, mut m, mut v) = ([1.0], [0.0], [0.0]);
    /// step.euclidean_row(&mut x, &mut m, &mut v, &[2.0]);
    /// // The first step moves each coordinate by lr against its gradient's sign.
    /// assert!((x[0] - 0.9).abs() < 1e-9);
    /// ```
    pub fn at_step(&self, lr: f64, t: u64) -> AdamStep {
        // Past i32::MAX steps both powers are 0 anyway.
        let t = i32::try_from(t).unwrap_or(i32::MAX);
        AdamStep {
            moments: *self,
            lr,
            correction1: 1.0 - self.beta1.powi(t),
            correction2: 1.0 - self.beta2.powi(t),
        }
    }
}

/// One Adam step: the step size and both bias corrections, applied row by row. Rows may be
/// stepped lazily (as sparse Adam): a row without gradient this step is simply not visited,
/// its moments left as they were, while the bias corrections follow the global step count.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AdamStep {
    moments: AdamMoments,
    lr: f64,
    correction1: f64,
    correction2: f64,
}

impl AdamStep {
    /// `m ← β1·m + (1 − β1)·g`.
    #[inline]
    fn first(&self, m: &mut f64, g: f64) {
        let b1 = self.moments.beta1;
        *m = b1 * *m + (1.0 - b1) * g;
    }

    /// `v ← β2·v + (1 − β2)·a·b`, multiplied in that order: a coordinate passes its gradient
    /// twice, a point of the sphere its squared norm and 1 (exact), so that each keeps the
    /// rounding it always had.
    #[inline]
    fn second(&self, v: &mut f64, a: f64, b: f64) {
        let b2 = self.moments.beta2;
        *v = b2 * *v + (1.0 - b2) * a * b;
    }

    /// `√(v / (1 − β2^t)) + ε`.
    #[inline]
    fn denominator(&self, v: f64) -> f64 {
        (v / self.correction2).sqrt() + self.moments.eps
    }

    /// The length of the step along `−m`: `lr · (m / (1 − β1^t)) / denominator`.
    #[inline]
    fn length(&self, m: f64, denominator: f64) -> f64 {
        self.lr * (m / self.correction1) / denominator
    }

    /// Euclidean Adam on one row `x` with its own moments `m` and `v`, one per coordinate,
    /// from its gradient `g`.
    pub fn euclidean_row(&self, x: &mut [f64], m: &mut [f64], v: &mut [f64], g: &[f64]) {
        for (((p, &g), m), v) in x.iter_mut().zip(g).zip(m).zip(v) {
            self.first(m, g);
            self.second(v, g, g);
            *p -= self.length(*m, self.denominator(*v));
        }
    }

    /// Riemannian Adam, as geoopt's `RiemannianAdam`, on one point `x` of the unit sphere:
    /// the gradient `g` (used as scratch) is projected onto the tangent space at `x`; the
    /// first moment `m` is a tangent vector, the second `v` one number, the squared norm
    /// of the Riemannian gradient (with AMSGrad, `v_max` its running maximum); `x` moves by
    /// `retraction`, and `m` is then transported to the new tangent space by projection.
    pub fn sphere_row(
        &self,
        x: &mut [f64],
        m: &mut [f64],
        v: &mut f64,
        v_max: Option<&mut f64>,
        g: &mut [f64],
        retraction: Retraction,
    ) {
        project_tangent(x, g);
        for (mk, &gk) in m.iter_mut().zip(g.iter()) {
            self.first(mk, gk);
        }
        self.second(v, dot(g, g), 1.0);
        let second = match v_max {
            Some(max) => {
                *max = max.max(*v);
                *max
            }
            None => *v,
        };
        // The gradient row is spent: reuse it for the step, `−lr (m / (1 − β1^t)) / denominator`
        // with one factor for the row (a multiplication per coordinate, not two divisions).
        let factor = -self.lr / (self.correction1 * self.denominator(second));
        for (gk, &mk) in g.iter_mut().zip(m.iter()) {
            *gk = factor * mk;
        }
        retraction.apply(x, g);
        project_tangent(x, m);
    }
}

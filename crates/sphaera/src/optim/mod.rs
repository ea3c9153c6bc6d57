//! Optimizers on the sphere, each row of the table a point on `S^{d−1}`.
//!
//! [`Adam`] and [`Sgd`] follow geoopt's `RiemannianAdam` and `RiemannianSGD` (Bécigneul &
//! Ganea 2019) step for step; [`EuclideanStep`] is the naive baseline. Their state is a plain
//! serializable value, so a run can be checkpointed and resumed exactly.
//!
//! [`AdamStep`] is Adam one row at a time, the crate's only copy of the moment update and
//! bias correction: [`Adam`] steps its points with it, and the hierarchy trainer its rows
//! (lazily, only those a batch touched; ball rows coordinate-wise, cap centres on the sphere).

mod adam;
mod euclidean;
mod sgd;

pub use adam::{Adam, AdamMoments, AdamState, AdamStep};
pub use euclidean::EuclideanStep;
pub use sgd::{Sgd, SgdState};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::par::Par;
use crate::points::Points;
use crate::sphere::{exp_map, retract};

/// How a step leaves a point along a tangent vector.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Retraction {
    /// The exponential map, geoopt's `SphereExact` (what the paper's reference runs use).
    #[default]
    Exponential,
    /// Normalization of `x + u`, geoopt's `Sphere`.
    Projection,
}

impl Retraction {
    pub(crate) fn apply(self, x: &mut [f64], u: &[f64]) {
        match self {
            Retraction::Exponential => exp_map(x, u),
            Retraction::Projection => retract(x, u),
        }
    }
}

/// How the learning rate changes over a run of known length.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Schedule {
    /// The base rate throughout.
    Constant,
    /// Cosine decay from the base rate to zero at the last step, so a run settles instead
    /// of jittering by about one step length around its optimum.
    #[default]
    Cosine,
}

impl std::str::FromStr for Schedule {
    type Err = crate::Error;

    /// `constant` or `cosine`.
    fn from_str(name: &str) -> crate::Result<Self> {
        match name {
            "constant" => Ok(Schedule::Constant),
            "cosine" => Ok(Schedule::Cosine),
            _ => Err(crate::Error::InvalidParameter {
                name: "schedule",
                expected: "cosine or constant",
                value: name.to_string(),
            }),
        }
    }
}

impl Schedule {
    /// The multiple of the base rate for step `step` (0-based) of `total`.
    ///
    /// ```
    /// use sphaera::optim::Schedule;
    /// assert_eq!(Schedule::Cosine.factor(0, 100), 1.0);
    /// assert!(Schedule::Cosine.factor(99, 100) < 1e-3);
    /// assert_eq!(Schedule::Constant.factor(99, 100), 1.0);
    /// ```
    pub fn factor(self, step: u64, total: u64) -> f64 {
        match self {
            Schedule::Constant => 1.0,
            Schedule::Cosine if total <= 1 => 1.0,
            Schedule::Cosine => {
                let progress = step as f64 / total as f64;
                0.5 * (1.0 + (std::f64::consts::PI * progress).cos())
            }
        }
    }
}

/// A configured optimizer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Optimizer {
    /// Riemannian Adam.
    Adam(Adam),
    /// Riemannian SGD with momentum.
    Sgd(Sgd),
    /// A Euclidean gradient step, then renormalization.
    Euclidean(EuclideanStep),
}

/// The state an [`Optimizer`] carries from step to step.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum OptimizerState {
    /// Of [`Optimizer::Adam`].
    Adam(AdamState),
    /// Of [`Optimizer::Sgd`].
    Sgd(SgdState),
    /// [`Optimizer::Euclidean`] keeps none.
    Euclidean,
}

impl Optimizer {
    /// The fresh state for a table of `n` points in `R^dim`.
    pub fn init_state(&self, n: usize, dim: usize) -> OptimizerState {
        match self {
            Optimizer::Adam(a) => OptimizerState::Adam(AdamState::new(n, dim, a.amsgrad)),
            Optimizer::Sgd(_) => OptimizerState::Sgd(SgdState::default()),
            Optimizer::Euclidean(_) => OptimizerState::Euclidean,
        }
    }

    /// The learning rate.
    pub fn lr(&self) -> f64 {
        match self {
            Optimizer::Adam(a) => a.lr,
            Optimizer::Sgd(s) => s.lr,
            Optimizer::Euclidean(e) => e.lr,
        }
    }

    /// Sets the learning rate (for schedules); checked by the next [`Optimizer::validate`].
    pub fn set_lr(&mut self, lr: f64) {
        match self {
            Optimizer::Adam(a) => a.lr = lr,
            Optimizer::Sgd(s) => s.lr = lr,
            Optimizer::Euclidean(e) => e.lr = lr,
        }
    }

    /// Checks every hyperparameter.
    pub fn validate(&self) -> Result<()> {
        match self {
            Optimizer::Adam(a) => a.validate(),
            Optimizer::Sgd(s) => s.validate(),
            Optimizer::Euclidean(e) => e.validate(),
        }
    }

    /// One step from the Euclidean gradient `egrad`, which is used as scratch and left
    /// unspecified. Fails only if `state` belongs to another optimizer or shape.
    ///
    /// ```
    /// use sphaera::optim::{Adam, Optimizer};
    /// use sphaera::Points;
    /// let opt = Optimizer::Adam(Adam { lr: 0.1, ..Adam::default() });
    /// let mut x = Points::from_vec(1, 2, vec![1.0, 0.0]).unwrap();
    /// let mut state = opt.init_state(1, 2);
    /// let mut g = Points::from_vec(1, 2, vec![0.0, 1.0]).unwrap();
    /// opt.step(&mut x, &mut g, &mut state).unwrap();
    /// assert!(x.row(0)[1] < 0.0); // moved against the gradient, along the circle
    /// ```
    pub fn step(
        &self,
        x: &mut Points,
        egrad: &mut Points,
        state: &mut OptimizerState,
    ) -> Result<()> {
        self.step_in(x, egrad, state, Par::default())
    }

    /// [`Optimizer::step`] with the given parallelism; the result does not depend on it.
    pub fn step_in(
        &self,
        x: &mut Points,
        egrad: &mut Points,
        state: &mut OptimizerState,
        par: Par,
    ) -> Result<()> {
        x.check_same_shape(egrad, "gradient")?;
        match (self, state) {
            (Optimizer::Adam(a), OptimizerState::Adam(s)) => a.step(x, egrad, s, par),
            (Optimizer::Sgd(o), OptimizerState::Sgd(s)) => o.step(x, egrad, s),
            (Optimizer::Euclidean(o), OptimizerState::Euclidean) => {
                o.step(x, egrad);
                Ok(())
            }
            _ => Err(Error::Mismatch {
                what: "the optimizer state",
                other: "the optimizer",
            }),
        }
    }
}

//! A whole dispersion run as `sphaera disperse` makes it: a seeded start, a learning-rate
//! schedule, an optional anchor to the start, and the report of how far the points got.

use serde::Serialize;

use crate::disperse::{
    build, describe, Anchor, Context, Dispersion, Method, MethodOptions, Regularizer,
};
use crate::error::{Error, Result};
use crate::metrics::Report;
use crate::optim::{Adam, EuclideanStep, Optimizer, Schedule, Sgd};
use crate::points::Points;
use crate::precision::Precision;
use crate::{random, tammes, Par};

/// Points when neither a start nor a size is given.
pub const DEFAULT_N: usize = 24;
/// Ambient dimension when neither a start nor a size is given (points on `S²`).
pub const DEFAULT_DIM: usize = 3;
/// Optimization steps of a run.
pub const DEFAULT_STEPS: u64 = 2000;

/// The optimizers of a dispersion run, by name.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum OptimizerKind {
    /// Riemannian Adam (learning rate 0.03 unless given).
    #[default]
    Adam,
    /// Riemannian SGD with momentum (0.1).
    Sgd,
    /// A Euclidean step, then renormalization (0.1).
    Euclidean,
}

impl OptimizerKind {
    /// The optimizer of this kind with learning rate `lr` (or the kind's default for
    /// dispersion) and, for SGD, `momentum`. Checked by the run.
    pub fn optimizer(self, lr: Option<f64>, momentum: f64) -> Optimizer {
        match self {
            OptimizerKind::Adam => Optimizer::Adam(Adam {
                lr: lr.unwrap_or(0.03),
                ..Adam::default()
            }),
            OptimizerKind::Sgd => Optimizer::Sgd(Sgd {
                lr: lr.unwrap_or(0.1),
                momentum,
                ..Sgd::default()
            }),
            OptimizerKind::Euclidean => Optimizer::Euclidean(EuclideanStep {
                lr: lr.unwrap_or(0.1),
            }),
        }
    }

    /// The name `sphaera disperse --optimizer` takes.
    pub fn name(self) -> &'static str {
        match self {
            OptimizerKind::Adam => "adam",
            OptimizerKind::Sgd => "sgd",
            OptimizerKind::Euclidean => "euclidean",
        }
    }
}

impl std::str::FromStr for OptimizerKind {
    type Err = Error;

    fn from_str(name: &str) -> Result<Self> {
        [
            OptimizerKind::Adam,
            OptimizerKind::Sgd,
            OptimizerKind::Euclidean,
        ]
        .into_iter()
        .find(|k| k.name() == name)
        .ok_or_else(|| Error::InvalidParameter {
            name: "optimizer",
            expected: "adam, sgd or euclidean",
            value: name.to_string(),
        })
    }
}

/// What to run: the regularizer, the optimizer and its schedule, the anchor.
#[derive(Clone, Debug, PartialEq)]
pub struct Job {
    /// The regularizer.
    pub method: Method,
    /// Its options.
    pub options: MethodOptions,
    /// The optimizer, with its base learning rate.
    pub optimizer: Optimizer,
    /// How the learning rate falls over the steps.
    pub schedule: Schedule,
    /// Optimization steps.
    pub steps: u64,
    /// Seed of the random start and of the regularizer's draws.
    pub seed: u64,
    /// Weight `L` of the anchor term `L · mean ‖x_i − x_i⁰‖²` (0: none).
    pub anchor_weight: f64,
    /// The type of the pairwise products ([`Precision`]; `f64` unless set).
    pub precision: Precision,
}

impl Job {
    /// The job of `method` with the default optimizer, schedule and steps.
    pub fn new(method: Method) -> Self {
        Self {
            method,
            options: MethodOptions::default(),
            optimizer: OptimizerKind::Adam.optimizer(None, 0.0),
            schedule: Schedule::Cosine,
            steps: DEFAULT_STEPS,
            precision: Precision::F64,
            seed: 0,
            anchor_weight: 0.0,
        }
    }

    /// `n` uniformly random unit rows in `R^dim` drawn from the job's seed, once the run is
    /// known to fit in memory.
    pub fn random_start(&self, n: usize, dim: usize) -> Result<Points> {
        self.check_size(n, dim)?;
        Ok(random::uniform_sphere(
            n,
            dim,
            &mut random::seeded(self.seed),
        ))
    }

    /// Fails unless `n ≥ 2` points in `R^dim`, `dim ≥ 2`, fit in this machine's memory.
    pub fn check_size(&self, n: usize, dim: usize) -> Result<()> {
        for (name, value) in [("n", n), ("dim", dim)] {
            if value < 2 {
                return Err(Error::InvalidParameter {
                    name,
                    expected: "at least 2",
                    value: value.to_string(),
                });
            }
        }
        crate::disperse::check_dispersion(self.method, &self.options, n, dim)
    }

    /// Runs every step from `start` (rows normalized here), calling `on_step(step, loss)`
    /// after each. Fails on a bad setting before the first step, and with
    /// [`Error::Diverged`] if the points stop being finite.
    ///
    /// ```
    /// use sphaera::disperse::{Job, Method};
    /// let job = Job { steps: 300, ..Job::new(Method::Mma) };
    /// let start = job.random_start(12, 3).unwrap();
    /// let outcome = job.run(start, |_, _| {}).unwrap();
    /// // The icosahedron's 63.43° is the optimum for 12 points on S².
    /// assert!(outcome.report.min_angle_deg > 55.0);
    /// assert_eq!(outcome.best_known_deg.map(|a| a.round()), Some(63.0));
    /// ```
    pub fn run(&self, start: Points, mut on_step: impl FnMut(u64, f64)) -> Result<Outcome> {
        check_finite_weight(self.anchor_weight)?;
        let regularizer = build(self.method, &self.options)?;
        let (n, dim) = (start.n(), start.dim());
        self.check_size(n, dim)?;
        let base_lr = self.optimizer.lr();
        // The anchor holds the start as given (normalizing unit rows again moves last bits).
        let anchor = Anchor::new(start.clone());
        // The regularizer's draws get their own stream, apart from the start's.
        let mut run = Dispersion::new(
            start,
            regularizer,
            self.optimizer.clone(),
            self.seed ^ 0x5eed_5eed,
        )?
        .with_precision(self.precision);
        let mut anchor_ctx = Context::new(0);
        let weight = self.anchor_weight;
        let mut last = None;
        for step in 0..self.steps {
            run.set_lr(base_lr * self.schedule.factor(step, self.steps))?;
            let values = run
                .step_with_task(|x, grad| {
                    if weight > 0.0 {
                        weight * anchor.value_and_grad(x, weight, grad, &mut anchor_ctx)
                    } else {
                        0.0
                    }
                })
                .map_err(|_| Error::Diverged {
                    what: "points",
                    unit: "step",
                    at: step,
                })?;
            on_step(step, values.regularizer + values.task);
            last = Some(values);
        }
        let points = run.into_points();
        let report = Report::of(&points, Par::Rayon);
        let best = tammes::best_known(n, dim);
        Ok(Outcome {
            regularizer: describe(self.method, &self.options),
            final_regularizer: last.map(|v| v.regularizer),
            final_anchor: last.filter(|_| weight > 0.0).map(|v| v.task / weight),
            best_known_deg: best.as_ref().map(|b| b.angle_deg),
            best_known_source: best.map(|b| b.source),
            report,
            points,
        })
    }
}

fn check_finite_weight(weight: f64) -> Result<()> {
    crate::error::check("anchor_weight", weight, "non-negative", |w| w >= 0.0)
}

/// What a run reached.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Outcome {
    /// The points, unit rows.
    #[serde(skip)]
    pub points: Points,
    /// The regularizer with the options it used.
    pub regularizer: String,
    /// The regularizer's value before the last step.
    pub final_regularizer: Option<f64>,
    /// The anchor term's mean squared distance before the last step, when anchored.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub final_anchor: Option<f64>,
    /// How spread the points are.
    #[serde(flatten)]
    pub report: Report,
    /// The best known minimum angle for this size, where tabulated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub best_known_deg: Option<f64>,
    /// Where that figure comes from.
    #[serde(skip)]
    pub best_known_source: Option<&'static str>,
}

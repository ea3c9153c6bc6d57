//! The training loop of a dispersion run: regularizer, optional task, optimizer.

use rayon::prelude::*;

use crate::disperse::regularizer::{Context, Regularizer};
use crate::error::{check, Error, Result};
use crate::optim::{Optimizer, OptimizerState};
use crate::par::Par;
use crate::points::Points;
use crate::precision::Precision;
use crate::sphere::normalize_rows;

/// Values seen by one step.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StepValues {
    /// The caller's task loss (0 without a task).
    pub task: f64,
    /// The regularizer's value, before its weight.
    pub regularizer: f64,
}

/// Points on the sphere being dispersed: each step adds the task gradient (if any) and
/// `weight ·` the regularizer's gradient, then takes one optimizer step.
///
/// The task comes from the caller, as a closure that writes the task's Euclidean gradient
/// into a zeroed buffer and returns the task loss:
///
/// ```
/// use sphaera::disperse::{Dispersion, Mmd};
/// use sphaera::optim::{Adam, Optimizer};
/// use sphaera::{metrics, random};
///
/// // Task: pull every point to the north pole (loss = mean of −x_i·e₃). Alone (weight 0)
/// // it collapses the points there; weight 2 on the regularizer holds them apart.
/// let start = random::uniform_sphere(20, 3, &mut random::seeded(0));
/// let adam = Optimizer::Adam(Adam { lr: 0.02, ..Adam::default() });
/// let mut run = Dispersion::new(start, Box::new(Mmd::default()), adam, 7)
///     .unwrap()
///     .with_weight(2.0)
///     .unwrap();
/// for _ in 0..300 {
///     run.step_with_task(|x, grad| {
///         let n = x.n() as f64;
///         for g in grad.rows_mut() {
///             g[2] = -1.0 / n;
///         }
///         -x.rows().map(|r| r[2]).sum::<f64>() / n
///     })
///     .unwrap();
/// }
/// let pulled = run.points().rows().map(|r| r[2]).sum::<f64>() / 20.0;
/// assert!(pulled > 0.4); // the task pulled them north (from about 0)...
/// assert!(metrics::min_angle(run.points(), sphaera::Par::Seq) > 0.2); // ...but apart
/// ```
pub struct Dispersion {
    points: Points,
    regularizer: Box<dyn Regularizer>,
    weight: f64,
    optimizer: Optimizer,
    state: OptimizerState,
    ctx: Context,
    grad: Points,
    steps: u64,
}

impl Dispersion {
    /// A run from `start` (rows are normalized), with the regularizer's random draws seeded
    /// by `seed`. Fails on a zero or non-finite row, or a bad hyperparameter.
    pub fn new(
        mut start: Points,
        regularizer: Box<dyn Regularizer>,
        optimizer: Optimizer,
        seed: u64,
    ) -> Result<Self> {
        normalize_rows(&mut start)?;
        optimizer.validate()?;
        let (n, dim) = (start.n(), start.dim());
        Ok(Self {
            state: optimizer.init_state(n, dim),
            grad: Points::zeros(n, dim),
            points: start,
            regularizer,
            weight: 1.0,
            optimizer,
            ctx: Context::new(seed),
            steps: 0,
        })
    }

    /// Sets `λ`, the weight of the regularizer against the task (default 1).
    pub fn with_weight(mut self, weight: f64) -> Result<Self> {
        check("weight", weight, "non-negative", |w| w >= 0.0)?;
        self.weight = weight;
        Ok(self)
    }

    /// Changes the learning rate for the following steps (for schedules).
    pub fn set_lr(&mut self, lr: f64) -> Result<()> {
        check("lr", lr, "positive", |v| v > 0.0)?;
        self.optimizer.set_lr(lr);
        Ok(())
    }

    /// Sets the parallelism (default: the current rayon pool). Results do not depend on it.
    pub fn with_par(mut self, par: Par) -> Self {
        self.ctx.par = par;
        self
    }

    /// Sets the type of the pairwise products (default `f64`).
    pub fn with_precision(mut self, precision: Precision) -> Self {
        self.ctx.precision = precision;
        self
    }

    /// One step of the regularizer alone; returns its value before the step. Fails as
    /// [`Dispersion::step_with_task`] does.
    pub fn step(&mut self) -> Result<f64> {
        Ok(self.step_with_task(|_, _| 0.0)?.regularizer)
    }

    /// One step of `task + weight · regularizer`. `task(x, grad)` writes the task gradient
    /// into `grad` (zeroed) and returns the task loss.
    ///
    /// Fails when the run diverges: a non-finite value or gradient (the points are then
    /// left as they were), or points that the step made non-finite (an overflowing step;
    /// the run cannot continue). Parameters far outside their useful range do this, such as
    /// a huge learning rate.
    pub fn step_with_task(
        &mut self,
        mut task: impl FnMut(&Points, &mut Points) -> f64,
    ) -> Result<StepValues> {
        match self.ctx.par {
            Par::Seq => self.grad.fill_zero(),
            Par::Rayon => self
                .grad
                .as_mut_slice()
                .par_chunks_mut(FINITE_CHUNK)
                .for_each(|chunk| chunk.fill(0.0)),
        }
        let task_value = task(&self.points, &mut self.grad);
        let regularizer = self.regularizer.value_and_grad(
            &self.points,
            self.weight,
            &mut self.grad,
            &mut self.ctx,
        );
        check("task value", task_value, "finite", |_| true)?;
        check("regularizer value", regularizer, "finite", |_| true)?;
        if let Some((index, &v)) = first_non_finite(self.grad.as_slice(), self.ctx.par) {
            return Err(Error::InvalidParameter {
                name: "gradient",
                expected: "finite",
                value: format!("{v} in row {}", index / self.grad.dim()),
            });
        }
        self.optimizer.step_in(
            &mut self.points,
            &mut self.grad,
            &mut self.state,
            self.ctx.par,
        )?;
        self.steps += 1;
        if let Some((index, _)) = first_non_finite(self.points.as_slice(), self.ctx.par) {
            return Err(Error::NonFiniteRow {
                row: index / self.points.dim(),
            });
        }
        Ok(StepValues {
            task: task_value,
            regularizer,
        })
    }

    /// The current points.
    pub fn points(&self) -> &Points {
        &self.points
    }

    /// Steps taken so far.
    pub fn steps(&self) -> u64 {
        self.steps
    }

    /// The optimizer's state, for checkpoints.
    pub fn optimizer_state(&self) -> &OptimizerState {
        &self.state
    }

    /// Ends the run, returning the points.
    pub fn into_points(self) -> Points {
        self.points
    }
}

/// The first value that is not finite, if any. Chunks are checked in parallel, each by
/// one sum that vectorizes (`v · 0` is 0 for finite `v`, NaN otherwise); only a failure
/// searches, in order.
fn first_non_finite(values: &[f64], par: Par) -> Option<(usize, &f64)> {
    let all_finite = |chunk: &[f64]| {
        let mut lanes = [0.0; 8];
        let chunks = chunk.chunks_exact(8);
        let tail: f64 = chunks.remainder().iter().map(|v| v * 0.0).sum();
        for chunk in chunks {
            for (lane, v) in lanes.iter_mut().zip(chunk) {
                *lane += v * 0.0;
            }
        }
        lanes.iter().sum::<f64>() + tail == 0.0
    };
    let finite = match par {
        Par::Seq => all_finite(values),
        Par::Rayon => values.par_chunks(FINITE_CHUNK).all(all_finite),
    };
    if finite {
        return None;
    }
    values.iter().enumerate().find(|(_, v)| !v.is_finite())
}

/// Values per parallel task of [`first_non_finite`] and of zeroing the gradient.
const FINITE_CHUNK: usize = 1 << 15;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::disperse::Mma;
    use crate::optim::EuclideanStep;
    use crate::random::{seeded, uniform_sphere};

    fn run() -> Dispersion {
        let start = uniform_sphere(10, 3, &mut seeded(0));
        let step = Optimizer::Euclidean(EuclideanStep { lr: 0.1 });
        Dispersion::new(start, Box::new(Mma), step, 0).unwrap()
    }

    #[test]
    fn a_non_finite_value_or_gradient_stops_the_run_before_the_points_move() {
        let mut run = run();
        let before = run.points().clone();
        let err = run.step_with_task(|_, _| f64::NAN).unwrap_err();
        assert_eq!(err.to_string(), "task value must be finite, got NaN");
        let err = run
            .step_with_task(|_, grad| {
                grad.row_mut(4)[1] = f64::INFINITY;
                0.0
            })
            .unwrap_err();
        assert_eq!(err.to_string(), "gradient must be finite, got inf in row 4");
        assert_eq!(run.points(), &before);
        assert_eq!(run.steps(), 0);
    }

    #[test]
    fn an_overflowing_step_is_an_error() {
        let mut run = run();
        run.set_lr(1e308).unwrap();
        let err = (0..5)
            .find_map(|_| run.step().err())
            .expect("the run diverges");
        assert!(matches!(err, Error::NonFiniteRow { .. }), "{err}");
    }
}

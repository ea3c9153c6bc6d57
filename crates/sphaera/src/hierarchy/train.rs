//! Training SpheREx: minibatches of positive edges, each with sampled negatives, and Adam on
//! the rows they touch.

use rand::Rng;
use serde::{Deserialize, Serialize};

use crate::error::{check, Error, Result};
use crate::hierarchy::balls::Balls;
use crate::hierarchy::known::Known;
use crate::hierarchy::loss::{pair_loss, PairGradient, PairKind, SpherexLoss};
use crate::random::{seeded, SeededRng};

/// Hyperparameters of a SpheREx run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SpherexConfig {
    /// Dimension of the balls' space.
    pub dim: usize,
    /// Negatives per positive edge, half with the ancestor corrupted, half the descendant.
    pub negatives: usize,
    /// Positive edges per Adam step.
    pub batch_size: usize,
    /// Adam's step size.
    pub lr: f64,
    /// The loss.
    pub loss: SpherexLoss,
    /// Radii never shrink below this, so margins stay far above rounding.
    pub min_radius: f64,
    /// Seed of the initialization, the order of edges and the negatives.
    pub seed: u64,
}

impl Default for SpherexConfig {
    fn default() -> Self {
        Self {
            dim: 10,
            negatives: 10,
            batch_size: 256,
            lr: 0.01,
            loss: SpherexLoss::default(),
            min_radius: 1e-3,
            seed: 0,
        }
    }
}

impl SpherexConfig {
    fn validate(&self) -> Result<()> {
        let positive_count = |name, v: usize| {
            if v == 0 {
                Err(Error::InvalidParameter {
                    name,
                    expected: "at least 1",
                    value: "0".into(),
                })
            } else {
                Ok(())
            }
        };
        positive_count("dim", self.dim)?;
        positive_count("batch_size", self.batch_size)?;
        check("lr", self.lr, "positive", |v| v > 0.0)?;
        check("temperature", self.loss.temperature, "positive", |v| {
            v > 0.0
        })?;
        check("margin", self.loss.margin, "non-negative", |v| v >= 0.0)?;
        check(
            "volume_weight",
            self.loss.volume_weight,
            "non-negative",
            |v| v >= 0.0,
        )?;
        check(
            "radius_weight",
            self.loss.radius_weight,
            "non-negative",
            |v| v >= 0.0,
        )?;
        check("min_radius", self.min_radius, "positive", |v| v > 0.0)
    }
}

/// Everything a run needs to continue exactly where it stopped.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrainerState {
    /// The model.
    pub balls: Balls,
    /// Adam's first moment, one row of `dim + 1` (centre, then log radius) per node.
    pub first_moment: Vec<f64>,
    /// Adam's second moment, same layout.
    pub second_moment: Vec<f64>,
    /// Adam steps taken.
    pub steps: u64,
    /// Epochs completed.
    pub epochs: u64,
    /// The generator, mid-stream.
    pub rng: SeededRng,
}

/// What one epoch saw.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct EpochStats {
    /// Mean loss over the epoch's pairs.
    pub loss: f64,
    /// Pairs (positives and negatives) seen.
    pub pairs: usize,
}

/// A SpheREx training run over fixed positive edges.
pub struct Trainer {
    config: SpherexConfig,
    state: TrainerState,
    positives: Vec<(u32, u32)>,
    known: Known,
    grad: Vec<f64>,
    touched: Vec<u32>,
    is_touched: Vec<bool>,
    pair_grad: PairGradient,
}

const ADAM_BETA1: f64 = 0.9;
const ADAM_BETA2: f64 = 0.999;
const ADAM_EPS: f64 = 1e-8;
/// Draws before a negative sample is given up (a node related to almost every other).
const NEGATIVE_TRIES: usize = 32;

impl Trainer {
    /// A fresh run on `n` nodes: `positives` are the `(child, ancestor)` edges to learn;
    /// negatives are drawn among the pairs `known` does not hold.
    pub fn new(
        n: usize,
        positives: Vec<(u32, u32)>,
        known: Known,
        config: SpherexConfig,
    ) -> Result<Self> {
        config.validate()?;
        let mut rng = seeded(config.seed);
        let balls = Balls::random(n, config.dim, 0.1, 0.1, &mut rng);
        let width = n * (config.dim + 1);
        let state = TrainerState {
            balls,
            first_moment: vec![0.0; width],
            second_moment: vec![0.0; width],
            steps: 0,
            epochs: 0,
            rng,
        };
        Self::resume(state, positives, known, config)
    }

    /// Continues from a saved state.
    pub fn resume(
        state: TrainerState,
        positives: Vec<(u32, u32)>,
        known: Known,
        config: SpherexConfig,
    ) -> Result<Self> {
        config.validate()?;
        let n = state.balls.n();
        let width = n * (config.dim + 1);
        if state.balls.dim() != config.dim
            || state.first_moment.len() != width
            || state.second_moment.len() != width
            || known.n() != n
        {
            return Err(Error::Shape(
                "the saved state does not match the data and configuration".into(),
            ));
        }
        if let Some(&(u, v)) = positives
            .iter()
            .find(|&&(u, v)| u as usize >= n || v as usize >= n || u == v)
        {
            return Err(Error::Shape(format!(
                "edge ({u}, {v}) is not a pair of distinct nodes among {n}"
            )));
        }
        let dim = config.dim;
        Ok(Self {
            config,
            state,
            positives,
            known,
            grad: vec![0.0; width],
            touched: Vec::new(),
            is_touched: vec![false; n],
            pair_grad: PairGradient {
                center_a: vec![0.0; dim],
                center_b: vec![0.0; dim],
                log_radius_a: 0.0,
                log_radius_b: 0.0,
            },
        })
    }

    /// The model so far.
    pub fn balls(&self) -> &Balls {
        &self.state.balls
    }

    /// The state, for checkpoints.
    pub fn state(&self) -> &TrainerState {
        &self.state
    }

    /// Epochs completed.
    pub fn epochs(&self) -> u64 {
        self.state.epochs
    }

    /// One pass over the positive edges in a fresh random order.
    pub fn epoch(&mut self) -> EpochStats {
        let mut order: Vec<u32> = (0..self.positives.len() as u32).collect();
        for i in (1..order.len()).rev() {
            let j = self.state.rng.random_range(0..=i);
            order.swap(i, j);
        }
        let (mut total, mut pairs) = (0.0, 0usize);
        for batch in order.chunks(self.config.batch_size) {
            let mut batch_pairs = 0usize;
            for &i in batch {
                let (u, v) = self.positives[i as usize];
                total += self.accumulate(u, v, PairKind::Contained);
                batch_pairs += 1;
                for k in 0..self.config.negatives {
                    if let Some((a, b, kind)) = self.negative(u, v, k % 2 == 0) {
                        total += self.accumulate(a, b, kind);
                        batch_pairs += 1;
                    }
                }
            }
            self.apply(1.0 / batch_pairs as f64);
            pairs += batch_pairs;
        }
        self.state.epochs += 1;
        EpochStats {
            loss: total / pairs.max(1) as f64,
            pairs,
        }
    }

    /// A negative for the positive `(u, v)`: `(u, w)` with the ancestor corrupted, or
    /// `(w, v)` with the descendant corrupted; never a known edge or a node with itself.
    fn negative(&mut self, u: u32, v: u32, corrupt_ancestor: bool) -> Option<(u32, u32, PairKind)> {
        let n = self.state.balls.n() as u32;
        for _ in 0..NEGATIVE_TRIES {
            let w = self.state.rng.random_range(0..n);
            let (a, b) = if corrupt_ancestor { (u, w) } else { (w, v) };
            if a == b || self.known.contains(a, b) {
                continue;
            }
            // A pair whose reverse is an edge overlaps by design: only forbid containment.
            let kind = if self.known.contains(b, a) {
                PairKind::NotContained
            } else {
                PairKind::Disjoint
            };
            return Some((a, b, kind));
        }
        None
    }

    fn accumulate(&mut self, a: u32, b: u32, kind: PairKind) -> f64 {
        let value = pair_loss(
            &self.state.balls,
            a,
            b,
            kind,
            &self.config.loss,
            &mut self.pair_grad,
        );
        let w = self.config.dim + 1;
        for (node, center, log_radius) in [
            (a, &self.pair_grad.center_a, self.pair_grad.log_radius_a),
            (b, &self.pair_grad.center_b, self.pair_grad.log_radius_b),
        ] {
            let row = &mut self.grad[node as usize * w..(node as usize + 1) * w];
            for (g, c) in row.iter_mut().zip(center) {
                *g += c;
            }
            row[w - 1] += log_radius;
            if !self.is_touched[node as usize] {
                self.is_touched[node as usize] = true;
                self.touched.push(node);
            }
        }
        value
    }

    /// One Adam step on the touched rows (lazy, as sparse Adam), gradients scaled by `scale`.
    fn apply(&mut self, scale: f64) {
        self.state.steps += 1;
        let t = self.state.steps as i32;
        let (bc1, bc2) = (1.0 - ADAM_BETA1.powi(t), 1.0 - ADAM_BETA2.powi(t));
        let w = self.config.dim + 1;
        let floor = self.config.min_radius.ln();
        let lr = self.config.lr;
        let (centers, log_radii) = self.state.balls.parts_mut();
        for &node in &self.touched {
            let u = node as usize;
            for j in 0..w {
                let k = u * w + j;
                let g = self.grad[k] * scale;
                self.grad[k] = 0.0;
                let m = &mut self.state.first_moment[k];
                *m = ADAM_BETA1 * *m + (1.0 - ADAM_BETA1) * g;
                let v = &mut self.state.second_moment[k];
                *v = ADAM_BETA2 * *v + (1.0 - ADAM_BETA2) * g * g;
                let step = lr * (*m / bc1) / ((*v / bc2).sqrt() + ADAM_EPS);
                if j + 1 < w {
                    centers[u * (w - 1) + j] -= step;
                } else {
                    log_radii[u] = (log_radii[u] - step).max(floor);
                }
            }
            self.is_touched[u] = false;
        }
        self.touched.clear();
    }
}

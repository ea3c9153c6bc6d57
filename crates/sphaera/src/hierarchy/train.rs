//! Training SpheREx: minibatches of positive edges, each with sampled negatives, and Adam on
//! the rows they touch.

use rand::Rng;
use serde::{Deserialize, Serialize};

use crate::error::{check, Error, Result};
use crate::hierarchy::known::Known;
use crate::hierarchy::loss::{PairKind, SpherexLoss};
use crate::hierarchy::regions::Regions;
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
            "sibling_weight",
            self.loss.sibling_weight,
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
#[serde(bound = "M: Regions")]
pub struct TrainerState<M> {
    /// The model.
    pub model: M,
    /// Adam's first moment, one row per node, laid out as the model's rows.
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

/// A training run over fixed positive edges, for balls ([`crate::hierarchy::Balls`]) or
/// caps ([`crate::hierarchy::Caps`]).
pub struct Trainer<M: Regions> {
    config: SpherexConfig,
    state: TrainerState<M>,
    positives: Vec<(u32, u32)>,
    known: Known,
    grad: Vec<f64>,
    touched: Vec<u32>,
    is_touched: Vec<bool>,
    grad_a: Vec<f64>,
    grad_b: Vec<f64>,
    /// Direct parents of each node and children of each node, in the transitive reduction
    /// of the positive edges (for sibling dispersion; empty when it is off).
    direct_parents: Vec<Vec<u32>>,
    children: Vec<Vec<u32>>,
}

const ADAM_BETA1: f64 = 0.9;
const ADAM_BETA2: f64 = 0.999;
const ADAM_EPS: f64 = 1e-8;
/// Draws before a negative sample is given up (a node related to almost every other).
const NEGATIVE_TRIES: usize = 32;
/// Mixed into the seed so that the trainer's stream differs from the one that made the
/// initial model.
const TRAINING_STREAM: u64 = 0x9e37_79b9_7f4a_7c15;

impl<M: Regions> Trainer<M> {
    /// A fresh run from `model`: `positives` are the `(child, ancestor)` edges to learn;
    /// negatives are drawn among the pairs `known` does not hold. The order of the edges
    /// and the negatives come from `config.seed`.
    pub fn new(
        model: M,
        positives: Vec<(u32, u32)>,
        known: Known,
        config: SpherexConfig,
    ) -> Result<Self> {
        config.validate()?;
        let rng = seeded(config.seed ^ TRAINING_STREAM);
        let width = model.n() * model.row_width();
        let state = TrainerState {
            model,
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
        state: TrainerState<M>,
        positives: Vec<(u32, u32)>,
        known: Known,
        config: SpherexConfig,
    ) -> Result<Self> {
        config.validate()?;
        let n = state.model.n();
        let row = state.model.row_width();
        let width = n * row;
        if row != config.dim + 1
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
        let Family {
            parents: direct_parents,
            children,
        } = if config.loss.sibling_weight > 0.0 {
            family(n, &positives)?
        } else {
            Family {
                parents: Vec::new(),
                children: Vec::new(),
            }
        };
        Ok(Self {
            config,
            state,
            positives,
            known,
            direct_parents,
            children,
            grad: vec![0.0; width],
            touched: Vec::new(),
            is_touched: vec![false; n],
            grad_a: vec![0.0; row],
            grad_b: vec![0.0; row],
        })
    }

    /// The model so far.
    pub fn model(&self) -> &M {
        &self.state.model
    }

    /// The state, for checkpoints.
    pub fn state(&self) -> &TrainerState<M> {
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
                if let Some(w) = self.sibling(u) {
                    total += self.accumulate_siblings(u, w);
                }
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
        let n = self.state.model.n() as u32;
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

    /// A random sibling of `u` (another child of one of its direct parents), when sibling
    /// dispersion is on and `u` has one.
    fn sibling(&mut self, u: u32) -> Option<u32> {
        let parents = self.direct_parents.get(u as usize)?;
        if parents.is_empty() {
            return None;
        }
        let p = parents[self.state.rng.random_range(0..parents.len())];
        let children = &self.children[p as usize];
        if children.len() < 2 {
            return None;
        }
        let w = children[self.state.rng.random_range(0..children.len() - 1)];
        // Skip u itself: every other child is equally likely.
        Some(if w == u {
            children[children.len() - 1]
        } else {
            w
        })
    }

    fn accumulate_siblings(&mut self, a: u32, b: u32) -> f64 {
        let weight = self.config.loss.sibling_weight;
        let value = self
            .state
            .model
            .sibling_loss(a, b, weight, &mut self.grad_a, &mut self.grad_b);
        self.add_gradients(a, b);
        value
    }

    fn add_gradients(&mut self, a: u32, b: u32) {
        let w = self.grad_a.len();
        for (node, grad) in [(a, &self.grad_a), (b, &self.grad_b)] {
            let row = &mut self.grad[node as usize * w..(node as usize + 1) * w];
            for (g, c) in row.iter_mut().zip(grad) {
                *g += c;
            }
            if !self.is_touched[node as usize] {
                self.is_touched[node as usize] = true;
                self.touched.push(node);
            }
        }
    }

    fn accumulate(&mut self, a: u32, b: u32, kind: PairKind) -> f64 {
        let loss = &self.config.loss;
        let value =
            self.state
                .model
                .pair_loss(a, b, kind, loss, &mut self.grad_a, &mut self.grad_b);
        self.add_gradients(a, b);
        value
    }

    /// One Adam step on the touched rows (lazy, as sparse Adam), gradients scaled by `scale`;
    /// each touched row is then brought back into its domain.
    fn apply(&mut self, scale: f64) {
        self.state.steps += 1;
        let t = self.state.steps as i32;
        let (bc1, bc2) = (1.0 - ADAM_BETA1.powi(t), 1.0 - ADAM_BETA2.powi(t));
        let w = self.grad_a.len();
        let lr = self.config.lr;
        let params = self.state.model.params_mut();
        for &node in &self.touched {
            let u = node as usize;
            let rows = u * w..(u + 1) * w;
            let (m_row, v_row) = (
                &mut self.state.first_moment[rows.clone()],
                &mut self.state.second_moment[rows.clone()],
            );
            for (((p, g), m), v) in params[rows.clone()]
                .iter_mut()
                .zip(&mut self.grad[rows])
                .zip(m_row)
                .zip(v_row)
            {
                let scaled = *g * scale;
                *g = 0.0;
                *m = ADAM_BETA1 * *m + (1.0 - ADAM_BETA1) * scaled;
                *v = ADAM_BETA2 * *v + (1.0 - ADAM_BETA2) * scaled * scaled;
                *p -= lr * (*m / bc1) / ((*v / bc2).sqrt() + ADAM_EPS);
            }
            self.is_touched[u] = false;
        }
        for &node in &self.touched {
            self.state.model.project_row(node, self.config.min_radius);
        }
        self.touched.clear();
    }
}

/// Each node's direct parents and children in the transitive reduction of some edges.
struct Family {
    parents: Vec<Vec<u32>>,
    children: Vec<Vec<u32>>,
}

/// The [`Family`] of `edges` among `n` nodes.
fn family(n: usize, edges: &[(u32, u32)]) -> Result<Family> {
    let names = (0..n).map(|i| i.to_string()).collect();
    let reduced = crate::data::Hierarchy::from_indexed_edges(names, edges)?.reduction();
    let mut children = vec![Vec::new(); n];
    let parents = (0..n as u32)
        .map(|u| {
            for &p in reduced.parents(u) {
                children[p as usize].push(u);
            }
            reduced.parents(u).to_vec()
        })
        .collect();
    Ok(Family { parents, children })
}

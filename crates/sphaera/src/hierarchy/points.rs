//! What the point baselines share: a point per node, and the distance softmax of Nickel &
//! Kiela (2017) over a positive and its negatives.

use rand::Rng;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::hierarchy::config::{BurnIn, RowOptimizer, SpherexConfig};
use crate::hierarchy::loss::PairKind;
use crate::hierarchy::regions::EdgeGroup;
use crate::random::seeded;

/// `n` points in `R^dim`, row-major.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct PointRows {
    pub(crate) dim: usize,
    pub(crate) rows: Vec<f64>,
}

impl PointRows {
    /// Nickel & Kiela's start: every coordinate uniform in `[−0.001, 0.001]`, from `seed`.
    pub(crate) fn initial(n: usize, dim: usize, seed: u64) -> Self {
        let mut rng = seeded(seed);
        let rows = (0..n * dim)
            .map(|_| rng.random_range(-INIT_RANGE..INIT_RANGE))
            .collect();
        Self { dim, rows }
    }

    /// Points from `n × dim` values, `dim ≥ 1`, each checked by `inside`.
    pub(crate) fn from_rows(
        dim: usize,
        rows: Vec<f64>,
        what: &'static str,
        inside: impl Fn(&[f64]) -> bool,
    ) -> Result<Self> {
        if dim == 0 {
            return Err(Error::InvalidParameter {
                name: "dim",
                expected: "at least 1",
                value: "0".into(),
            });
        }
        if rows.len() % dim != 0 {
            return Err(Error::Shape {
                what,
                expected: vec![rows.len() / dim, dim],
                found: vec![rows.len()],
            });
        }
        if let Some(row) = rows.chunks_exact(dim).position(|r| !inside(r)) {
            return Err(Error::InvalidParameter {
                name: what,
                expected: "finite points inside the model's domain",
                value: format!("row {row}"),
            });
        }
        Ok(Self { dim, rows })
    }

    pub(crate) fn n(&self) -> usize {
        self.rows.len() / self.dim
    }

    pub(crate) fn row(&self, u: u32) -> &[f64] {
        &self.rows[u as usize * self.dim..(u as usize + 1) * self.dim]
    }

    pub(crate) fn select(&self, nodes: &[u32]) -> Self {
        let rows = nodes
            .iter()
            .flat_map(|&u| self.row(u).iter().copied())
            .collect();
        Self {
            dim: self.dim,
            rows,
        }
    }
}

/// The parameter accessors of [`crate::hierarchy::Regions`] for a model whose rows are
/// its `points: PointRows` (one point per node, nothing else trained).
macro_rules! point_rows_parameters {
    () => {
        fn n(&self) -> usize {
            self.points.n()
        }

        fn params(&self) -> &[f64] {
            &self.points.rows
        }

        fn row_width(&self) -> usize {
            self.points.dim
        }

        fn params_mut(&mut self) -> &mut [f64] {
            &mut self.points.rows
        }
    };
}
pub(crate) use point_rows_parameters;

/// The weights `α` of the is-a score that Ganea et al.'s reference code tries on validation
/// for point embeddings (`0`: the distance alone).
pub(crate) const IS_A_WEIGHTS: &[f64] = &[1000.0, 100.0, 30.0, 10.0, 3.0, 1.0, 0.3, 0.1, 0.0];

/// Nickel & Kiela's (2017, section 4.3) is-a score of "`u` is-a `v`" from their distance `d`
/// and norms: `−(1 + α(‖v‖ − ‖u‖)) d`, which favours ancestors nearer the origin than the
/// descendant; `α = 0` is minus the distance.
pub(crate) fn is_a_score(weight: f64, distance: f64, norm_u: f64, norm_v: f64) -> f64 {
    -(1.0 + weight * (norm_v - norm_u)) * distance
}

/// The norm of each row of `points`.
pub(crate) fn row_norms(points: &PointRows) -> Vec<f64> {
    points
        .rows
        .chunks_exact(points.dim)
        .map(|r| r.iter().map(|x| x * x).sum::<f64>().sqrt())
        .collect()
}

/// Nickel & Kiela's training of point embeddings at step size `lr` (on the batch mean): 10
/// negatives, batches of 10 edges, plain (Riemannian) SGD, a burn-in of 10 epochs at a
/// tenth of the step.
pub(crate) fn softmax_training(lr: f64) -> SpherexConfig {
    SpherexConfig {
        negatives: 10,
        batch_size: 10,
        lr,
        optimizer: RowOptimizer::Sgd,
        burn_in: Some(BurnIn {
            epochs: 10,
            factor: 0.1,
        }),
        ..SpherexConfig::default()
    }
}

/// Ganea et al.'s (2018) training of the points their entailment cones start from (both
/// geometries): step 0.03 per edge (0.3 on the batch mean), a burn-in of 20 epochs at a
/// tenth of it, negatives drawn by degree to the power 0.75 ("much better than 0", their
/// reference code's settings say).
pub(crate) fn cone_pretraining() -> SpherexConfig {
    SpherexConfig {
        negative_power: 0.75,
        burn_in: Some(BurnIn {
            epochs: 20,
            factor: 0.1,
        }),
        ..softmax_training(0.3)
    }
}

/// Half-width of Nickel & Kiela's uniform initialization.
const INIT_RANGE: f64 = 1e-3;

/// `−ln( e^{−d(u,v)} / Σ_{(a,b) ∈ group} e^{−d(a,b)} )` over the positive `(u, v)` and the
/// negatives of `group`, with gradients two rows (`w` wide) per pair as
/// [`crate::hierarchy::Regions::group_loss`] lays them out. `distance(a, b, grad_a, grad_b)`
/// returns `d(a, b)` and writes `∂d/∂a`, `∂d/∂b`. One term per group.
///
/// With `p = softmax(−d)` over the group's pairs, `∂L/∂d_positive = 1 − p_positive` and
/// `∂L/∂d_negative = −p_negative`; the log-sum-exp is taken from the smallest distance, so
/// nothing overflows.
pub(crate) fn distance_softmax(
    group: EdgeGroup<'_>,
    w: usize,
    positive_grads: &mut [f64],
    negative_grads: &mut [f64],
    distance: impl Fn(u32, u32, &mut [f64], &mut [f64]) -> f64,
) -> (f64, u32) {
    let (u, v) = group.positive;
    let (ga, gb) = positive_grads.split_at_mut(w);
    let positive = distance(u, v, ga, gb);
    // The negatives' distances, kept for the softmax weights.
    let mut distances = Vec::with_capacity(group.negatives.len());
    for (&(a, b, _), grads) in group
        .negatives
        .iter()
        .zip(negative_grads.chunks_exact_mut(2 * w))
    {
        let (ga, gb) = grads.split_at_mut(w);
        distances.push(distance(a, b, ga, gb));
    }
    let least = distances.iter().fold(positive, |m, &d| m.min(d));
    let sum: f64 =
        (least - positive).exp() + distances.iter().map(|&d| (least - d).exp()).sum::<f64>();
    let loss = positive - least + sum.ln();
    let scale = |grads: &mut [f64], factor: f64| grads.iter_mut().for_each(|g| *g *= factor);
    scale(positive_grads, 1.0 - (least - positive).exp() / sum);
    for (d, grads) in distances.iter().zip(negative_grads.chunks_exact_mut(2 * w)) {
        scale(grads, -(least - d).exp() / sum);
    }
    (loss, 1)
}

/// The pairwise reading of a distance `d` whose gradients are in `grad_a`, `grad_b`: `d` for a
/// pair that should be close, `−d` (gradients negated) otherwise. Point models train through
/// the group loss; this serves the per-pair interface.
pub(crate) fn signed_distance(
    d: f64,
    kind: PairKind,
    grad_a: &mut [f64],
    grad_b: &mut [f64],
) -> f64 {
    if kind == PairKind::Contained {
        return d;
    }
    grad_a
        .iter_mut()
        .chain(grad_b.iter_mut())
        .for_each(|g| *g = -*g);
    -d
}

//! A baseline: order embeddings (Vendrov, Kiros, Fidler and Urtasun, "Order-Embeddings of
//! Images and Language", ICLR 2016).
//!
//! Each node is a point `x_u` of the non-negative orthant `R^d_+`, and the partial order is
//! the reversed product order: `u` is-a `v` exactly when `x_u ≥ x_v` in every coordinate, so
//! the most general concept sits at the origin and specific ones further out (the paper's
//! convention: `x ≼ y` when `x_i ≥ y_i` for all `i`, `x` the more specific). The order violation
//! energy of "`u` is-a `v`" is
//!
//! ```text
//! E(u, v) = ‖max(0, x_v − x_u)‖²
//! ```
//!
//! zero exactly when the order holds. The paper's max-margin loss takes `E` for a positive
//! pair and `max(0, α − E)` for a negative, with the margin `α = 1` of its WordNet hypernym
//! experiment (also the default of the reimplementation Ganea et al. 2018 measured). Pairs
//! are scored by `−E(u, v)`.
//!
//! ## Deviations from the paper
//! - **Optimizer.** The trainer's lazy Adam over minibatches of positive edges, at the
//!   trainer's default step size 0.01 and batch size 256 (the paper used Adam with batches of
//!   500; Ganea et al. used plain SGD).
//! - **Negatives.** The trainer's: 10 per positive edge by default, half with the ancestor
//!   corrupted and half the descendant, drawn among pairs that are not known edges (the paper
//!   drew one negative per positive by replacing either side at random). Both kinds of
//!   negative ([`PairKind::Disjoint`] and [`PairKind::NotContained`]) take the same hinge: the
//!   order has no notion of disjointness.
//! - **Non-negativity.** Kept by projection (each coordinate clipped at 0 after each step)
//!   rather than by the absolute value the paper applied to its encoders' outputs; the
//!   initial points are uniform in `[0, 0.1)^d`.

use rand::Rng;
use serde::{Deserialize, Serialize};

use crate::error::{check, Error, Result};
use crate::eval::Scorer;
use crate::hierarchy::loss::{PairKind, SpherexLoss};
use crate::hierarchy::regions::Regions;
use crate::random::seeded;

/// One point of the non-negative orthant per node, stored as rows of `dim` values, and the
/// margin `α` of the loss.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Order {
    dim: usize,
    margin: f64,
    rows: Vec<f64>,
}

impl Order {
    /// The margin `α` of Vendrov et al.'s hypernym experiment.
    pub const DEFAULT_MARGIN: f64 = 1.0;

    /// The default start of training: `n` points uniform in `[0, 0.1)^dim`, from `seed`,
    /// with the margin [`Order::DEFAULT_MARGIN`].
    pub fn initial(n: usize, dim: usize, seed: u64) -> Self {
        let mut rng = seeded(seed);
        let rows = (0..n * dim).map(|_| 0.1 * rng.random::<f64>()).collect();
        Self {
            dim,
            margin: Self::DEFAULT_MARGIN,
            rows,
        }
    }

    /// Points from their coordinates (`n × dim`, row-major, all non-negative) and the margin
    /// `α > 0` of the loss.
    ///
    /// ```
    /// use sphaera::hierarchy::Order;
    /// // "dog" (row 0) is-a "animal" (row 1): dog's coordinates are the larger ones.
    /// let order = Order::from_parts(2, vec![1.0, 2.0, 0.5, 0.5], 1.0).unwrap();
    /// assert_eq!(order.energy(0, 1), 0.0);
    /// assert_eq!(order.energy(1, 0), 0.25 + 2.25);
    /// ```
    pub fn from_parts(dim: usize, vectors: Vec<f64>, margin: f64) -> Result<Self> {
        if dim == 0 {
            return Err(Error::InvalidParameter {
                name: "dim",
                expected: "at least 1",
                value: "0".into(),
            });
        }
        if vectors.len() % dim != 0 {
            return Err(Error::Shape {
                what: "order embedding vectors",
                expected: vec![vectors.len() / dim, dim],
                found: vec![vectors.len()],
            });
        }
        if let Some(i) = vectors.iter().position(|&v| !(v >= 0.0 && v.is_finite())) {
            return Err(Error::InvalidParameter {
                name: "order embedding coordinate",
                expected: "finite and non-negative",
                value: format!("{} (row {}, column {})", vectors[i], i / dim, i % dim),
            });
        }
        check("margin", margin, "positive", |v| v > 0.0)?;
        Ok(Self {
            dim,
            margin,
            rows: vectors,
        })
    }

    /// Number of points.
    pub fn n(&self) -> usize {
        self.rows.len() / self.dim
    }

    /// Dimension of the space.
    pub fn dim(&self) -> usize {
        self.dim
    }

    /// The margin `α` of the loss of negatives.
    pub fn margin(&self) -> f64 {
        self.margin
    }

    /// The same points with the margin `α` of the loss set to `margin` (positive).
    pub fn with_margin(self, margin: f64) -> Result<Self> {
        check("margin", margin, "positive", |v| v > 0.0)?;
        Ok(Self { margin, ..self })
    }

    /// The point of node `u`.
    pub fn vector(&self, u: u32) -> &[f64] {
        &self.rows[u as usize * self.dim..(u as usize + 1) * self.dim]
    }

    /// All points, row-major `n × dim`.
    pub fn vectors(&self) -> &[f64] {
        &self.rows
    }

    /// The order violation energy of "`u` is-a `v`": `‖max(0, x_v − x_u)‖²`.
    pub fn energy(&self, u: u32, v: u32) -> f64 {
        energy(self.vector(u), self.vector(v))
    }

    /// The points of `nodes`, in that order (to match another node numbering).
    pub fn select(&self, nodes: &[u32]) -> Order {
        let rows = nodes
            .iter()
            .flat_map(|&u| self.vector(u).iter().copied())
            .collect();
        Order {
            dim: self.dim,
            margin: self.margin,
            rows,
        }
    }

    /// The scorer of evaluation: `−E(u, v)`.
    ///
    /// ```
    /// use sphaera::eval::Scorer;
    /// use sphaera::hierarchy::Order;
    /// let order = Order::from_parts(1, vec![2.0, 0.5], 1.0).unwrap();
    /// assert_eq!(order.scorer().score(1, 0), -2.25);
    /// ```
    pub fn scorer(&self) -> OrderScorer<'_> {
        OrderScorer { order: self }
    }
}

fn energy(specific: &[f64], general: &[f64]) -> f64 {
    specific
        .iter()
        .zip(general)
        .map(|(x, y)| {
            let gap = (y - x).max(0.0);
            gap * gap
        })
        .sum()
}

impl Scorer for Order {
    fn score(&self, u: u32, v: u32) -> f64 {
        -self.energy(u, v)
    }
}

impl Regions for Order {
    const KIND: &'static str = "order";

    fn initial(n: usize, dim: usize, seed: u64) -> Self {
        Order::initial(n, dim, seed)
    }

    fn select(&self, nodes: &[u32]) -> Self {
        Order::select(self, nodes)
    }

    fn n(&self) -> usize {
        Order::n(self)
    }

    fn row_width(&self) -> usize {
        self.dim
    }

    fn width(dim: usize) -> usize {
        dim
    }

    fn params(&self) -> &[f64] {
        &self.rows
    }

    fn params_mut(&mut self) -> &mut [f64] {
        &mut self.rows
    }

    /// `E(a, b)` for [`PairKind::Contained`], `max(0, α − E(a, b))` for either negative
    /// kind; the SpheREx loss settings are not used.
    fn pair_loss(
        &self,
        a: u32,
        b: u32,
        kind: PairKind,
        loss: &SpherexLoss,
        grad_a: &mut [f64],
        grad_b: &mut [f64],
    ) -> f64 {
        let _ = loss;
        let (x, y) = (self.vector(a), self.vector(b));
        let e = energy(x, y);
        // ∂E/∂x_a = −2 max(0, x_b − x_a), ∂E/∂x_b = +2 max(0, x_b − x_a).
        let (value, sign) = match kind {
            PairKind::Contained => (e, 1.0),
            PairKind::Disjoint | PairKind::NotContained if e < self.margin => {
                (self.margin - e, -1.0)
            }
            PairKind::Disjoint | PairKind::NotContained => (0.0, 0.0),
        };
        for k in 0..self.dim {
            let gap = 2.0 * (y[k] - x[k]).max(0.0);
            grad_a[k] = -sign * gap;
            grad_b[k] = sign * gap;
        }
        value
    }

    fn project(row: &mut [f64], min_radius: f64) {
        let _ = min_radius;
        row.iter_mut().for_each(|v| *v = v.max(0.0));
    }

    type Scoring<'a> = OrderScorer<'a>;

    fn scoring(&self) -> OrderScorer<'_> {
        self.scorer()
    }
}

/// Scores "`v` is an ancestor of `u`" by `−E(u, v)`, for evaluation.
pub struct OrderScorer<'a> {
    order: &'a Order,
}

impl Scorer for OrderScorer<'_> {
    fn score(&self, u: u32, v: u32) -> f64 {
        -self.order.energy(u, v)
    }

    fn score_all(&self, u: u32, out: &mut [f64]) {
        let x = self.order.vector(u);
        for (o, y) in out
            .iter_mut()
            .zip(self.order.rows.chunks_exact(self.order.dim))
        {
            *o = -energy(x, y);
        }
    }
}

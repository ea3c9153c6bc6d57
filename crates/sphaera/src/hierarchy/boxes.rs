//! A baseline: Gumbel box embeddings (Dasgupta, Boratko, Zhang, Vilnis, Li and McCallum,
//! "Improving Local Identifiability in Probabilistic Box Embeddings", NeurIPS 2020).
//!
//! Each node is an axis-aligned box `[z_u, Z_u] ⊂ R^d` whose corners are the locations of
//! Gumbel random variables of temperature `β`. The expected intersection of two such boxes
//! is again a box, with the smooth maximum of the min corners and the smooth minimum of the
//! max corners, per coordinate:
//!
//! ```text
//! z_∩ = β ln(e^{z_u/β} + e^{z_v/β}),    Z_∩ = −β ln(e^{−Z_u/β} + e^{−Z_v/β}),
//! ```
//!
//! and the expected volume of a box is approximated (the paper's softplus approximation of
//! the Bessel integral, with its Euler–Mascheroni shift `γ ≈ 0.5772`) by
//!
//! ```text
//! Vol([z, Z]) ≈ ∏_k β softplus((Z_k − z_k)/β − 2γ),
//! ```
//!
//! computed in log space (a sum of logarithms, so no volume underflows in high dimension).
//! "`u` is-a `v`" has the conditional probability `P(v | u) = Vol(u ∩ v)/Vol(u)`, 1 when box
//! `u` lies well inside box `v`. The loss is the binary cross-entropy: `−ln P(v | u)` for a
//! positive pair, `−ln(1 − P(v | u))` for a negative. Pairs are scored by `ln P(v | u)`.
//!
//! `β` is the one temperature of the paper's formulas (the `box-embeddings` library lets the
//! volume's softplus have its own); it defaults to [`Boxes::DEFAULT_BETA`].
//!
//! ## Deviations from the paper
//! - **Optimizer.** The trainer's lazy Adam over minibatches of positive edges, with its
//!   negatives (10 per edge by default, half with either side corrupted); the paper also
//!   trained with Adam, with a step size and temperature found by hyperparameter search.
//!   Both kinds of negative ([`PairKind::Disjoint`] and [`PairKind::NotContained`]) take the
//!   same `−ln(1 − P)`.
//! - **Temperature.** `β = 0.01` by default, fixed, not searched per task as in the paper
//!   (no other value was measured yet; see `BENCHMARKS.md`).
//! - **Parameters.** The corners themselves (`z` and `Z`), with a projection after each step
//!   that keeps `Z ≥ z` (a crossed coordinate is collapsed to its midpoint); the paper's
//!   code also offers a min-corner-and-softplus-width form. Boxes start as the
//!   `box-embeddings` library's uniform initializer does: centres uniform in the unit cube
//!   with side lengths uniform in `[0.01, 0.5)`, inside the cube.
//! - **Clipping.** `ln(1 − P)` is taken at `ln P ≤ −10⁻¹²` at most, so a negative pair whose
//!   boxes nest exactly keeps a finite loss and gradient.

use rand::Rng;
use serde::{Deserialize, Serialize};

use crate::error::{check, Error, Result};
use crate::eval::Scorer;
use crate::hierarchy::loss::{sigmoid, PairKind, SpherexLoss};
use crate::hierarchy::regions::Regions;
use crate::random::seeded;

/// The Euler–Mascheroni constant `γ`.
const EULER_GAMMA: f64 = 0.577_215_664_901_532_9;
/// Below this, `ln softplus(y)` is `y` to within `e^y/2`, far below rounding.
const SOFTPLUS_LINEAR: f64 = -35.0;
/// `ln P` of a negative pair is taken at most this, so `ln(1 − P)` stays finite.
const LN_P_CEILING: f64 = -1e-12;

/// One box per node, stored as rows `[z_u (dim values), Z_u (dim values)]`: min and max
/// corners, `Z ≥ z`; and the Gumbel temperature `β`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Boxes {
    dim: usize,
    beta: f64,
    rows: Vec<f64>,
}

/// `ln softplus(y)` and `σ(y)/softplus(y)`, without overflow or underflow.
fn ln_softplus(y: f64) -> (f64, f64) {
    if y < SOFTPLUS_LINEAR {
        (y, 1.0)
    } else {
        let s = y.max(0.0) + (-y.abs()).exp().ln_1p();
        (s.ln(), sigmoid(y) / s)
    }
}

/// The log side length of a Gumbel box whose corners are `width` apart, and its derivative
/// in `width`: `ln(β softplus(width/β − 2γ))`.
fn ln_side(width: f64, beta: f64) -> (f64, f64) {
    let (value, ratio) = ln_softplus(width / beta - 2.0 * EULER_GAMMA);
    (beta.ln() + value, ratio / beta)
}

/// The smooth maximum `β ln(e^{a/β} + e^{b/β})` and its derivative in `a` (that in `b` is
/// one minus it).
fn smooth_max(a: f64, b: f64, beta: f64) -> (f64, f64) {
    (
        a.max(b) + beta * (-(a - b).abs() / beta).exp().ln_1p(),
        sigmoid((a - b) / beta),
    )
}

impl Boxes {
    /// The default temperature `β`.
    pub const DEFAULT_BETA: f64 = 0.01;

    /// The default start of training: `n` boxes inside the unit cube, centres uniform and
    /// side lengths uniform in `[0.01, 0.5)`, from `seed`, with temperature
    /// [`Boxes::DEFAULT_BETA`].
    pub fn initial(n: usize, dim: usize, seed: u64) -> Self {
        let mut rng = seeded(seed);
        let mut rows = vec![0.0; 2 * n * dim];
        for row in rows.chunks_exact_mut(2 * dim) {
            for k in 0..dim {
                let centre = 0.25 + 0.5 * rng.random::<f64>();
                let side = 0.01 + 0.49 * rng.random::<f64>();
                row[k] = centre - side / 2.0;
                row[dim + k] = centre + side / 2.0;
            }
        }
        Self {
            dim,
            beta: Self::DEFAULT_BETA,
            rows,
        }
    }

    /// Boxes from their min and max corners (each `n × dim`, row-major, `max ≥ min`) and the
    /// temperature `β > 0`.
    ///
    /// ```
    /// use sphaera::hierarchy::Boxes;
    /// // A small box (row 0) well inside a large one (row 1).
    /// let boxes = Boxes::from_parts(1, &[0.4, 0.0], &[0.6, 1.0], 0.01).unwrap();
    /// assert!(boxes.ln_conditional(0, 1) > -1e-3);
    /// assert!(boxes.ln_conditional(1, 0) < -1.0);
    /// ```
    pub fn from_parts(dim: usize, mins: &[f64], maxs: &[f64], beta: f64) -> Result<Self> {
        if dim == 0 {
            return Err(Error::InvalidParameter {
                name: "dim",
                expected: "at least 1",
                value: "0".into(),
            });
        }
        if mins.len() % dim != 0 || maxs.len() != mins.len() {
            return Err(Error::Shape {
                what: "box max corners",
                expected: vec![mins.len() / dim, dim],
                found: vec![maxs.len()],
            });
        }
        check("beta", beta, "positive and finite", |v| {
            v > 0.0 && v.is_finite()
        })?;
        let mut rows = Vec::with_capacity(2 * mins.len());
        for (row, (lo, hi)) in mins
            .chunks_exact(dim)
            .zip(maxs.chunks_exact(dim))
            .enumerate()
        {
            let valid = lo
                .iter()
                .zip(hi)
                .all(|(a, b)| a.is_finite() && b.is_finite() && a <= b);
            if !valid {
                return Err(Error::InvalidParameter {
                    name: "box corners",
                    expected: "finite, max ≥ min in every coordinate",
                    value: format!("min {lo:?}, max {hi:?} (row {row})"),
                });
            }
            rows.extend_from_slice(lo);
            rows.extend_from_slice(hi);
        }
        Ok(Self { dim, beta, rows })
    }

    /// Number of boxes.
    pub fn n(&self) -> usize {
        self.rows.len() / (2 * self.dim)
    }

    /// Dimension of the space.
    pub fn dim(&self) -> usize {
        self.dim
    }

    /// The Gumbel temperature `β`.
    pub fn beta(&self) -> f64 {
        self.beta
    }

    /// The same boxes with temperature `beta` (positive).
    pub fn with_beta(self, beta: f64) -> Result<Self> {
        check("beta", beta, "positive and finite", |v| {
            v > 0.0 && v.is_finite()
        })?;
        Ok(Self { beta, ..self })
    }

    fn row(&self, u: u32) -> &[f64] {
        let w = 2 * self.dim;
        &self.rows[u as usize * w..(u as usize + 1) * w]
    }

    /// The min corner of box `u`.
    pub fn min_corner(&self, u: u32) -> &[f64] {
        &self.row(u)[..self.dim]
    }

    /// The max corner of box `u`.
    pub fn max_corner(&self, u: u32) -> &[f64] {
        &self.row(u)[self.dim..]
    }

    /// All min corners, row-major `n × dim`.
    pub fn min_corners(&self) -> Vec<f64> {
        (0..self.n() as u32)
            .flat_map(|u| self.min_corner(u).iter().copied())
            .collect()
    }

    /// All max corners, row-major `n × dim`.
    pub fn max_corners(&self) -> Vec<f64> {
        (0..self.n() as u32)
            .flat_map(|u| self.max_corner(u).iter().copied())
            .collect()
    }

    /// The log expected volume of box `u`.
    pub fn ln_volume(&self, u: u32) -> f64 {
        self.min_corner(u)
            .iter()
            .zip(self.max_corner(u))
            .map(|(z, big_z)| ln_side(big_z - z, self.beta).0)
            .sum()
    }

    /// The expected intersection of boxes `u` and `v`: its min and max corners.
    pub fn intersection(&self, u: u32, v: u32) -> (Vec<f64>, Vec<f64>) {
        let (ru, rv) = (self.row(u), self.row(v));
        let d = self.dim;
        (0..d)
            .map(|k| {
                let lo = smooth_max(ru[k], rv[k], self.beta).0;
                let hi = -smooth_max(-ru[d + k], -rv[d + k], self.beta).0;
                (lo, hi)
            })
            .unzip()
    }

    /// The log expected volume of the intersection of boxes `u` and `v`.
    pub fn ln_intersection_volume(&self, u: u32, v: u32) -> f64 {
        let (lo, hi) = self.intersection(u, v);
        lo.iter()
            .zip(&hi)
            .map(|(z, big_z)| ln_side(big_z - z, self.beta).0)
            .sum()
    }

    /// `ln P(v | u) = ln Vol(u ∩ v) − ln Vol(u)`, the score of "`u` is-a `v`".
    pub fn ln_conditional(&self, u: u32, v: u32) -> f64 {
        self.ln_intersection_volume(u, v) - self.ln_volume(u)
    }

    /// The boxes of `nodes`, in that order (to match another node numbering).
    pub fn select(&self, nodes: &[u32]) -> Boxes {
        let rows = nodes
            .iter()
            .flat_map(|&u| self.row(u).iter().copied())
            .collect();
        Boxes {
            dim: self.dim,
            beta: self.beta,
            rows,
        }
    }

    /// The scorer of evaluation, `ln P(v | u)`, with the boxes' own log volumes computed
    /// once.
    ///
    /// ```
    /// use sphaera::eval::Scorer;
    /// use sphaera::hierarchy::Boxes;
    /// let boxes = Boxes::from_parts(1, &[0.4, 0.0], &[0.6, 1.0], 0.01).unwrap();
    /// assert_eq!(boxes.scorer().score(0, 1), boxes.ln_conditional(0, 1));
    /// ```
    pub fn scorer(&self) -> BoxScorer<'_> {
        BoxScorer {
            boxes: self,
            ln_volumes: (0..self.n() as u32).map(|u| self.ln_volume(u)).collect(),
        }
    }

    /// `ln P(b | a)` with its gradient in row `a` and row `b` written into `grad_a` and
    /// `grad_b`.
    fn ln_conditional_with_gradient(
        &self,
        a: u32,
        b: u32,
        grad_a: &mut [f64],
        grad_b: &mut [f64],
    ) -> f64 {
        let (ra, rb) = (self.row(a), self.row(b));
        let (d, beta) = (self.dim, self.beta);
        let mut value = 0.0;
        for k in 0..d {
            let (lo, s) = smooth_max(ra[k], rb[k], beta);
            let (neg_hi, t) = smooth_max(-ra[d + k], -rb[d + k], beta);
            let (ln_meet, g_meet) = ln_side(-neg_hi - lo, beta);
            let (ln_own, g_own) = ln_side(ra[d + k] - ra[k], beta);
            value += ln_meet - ln_own;
            // ∂z_∩/∂z_a = s, ∂Z_∩/∂Z_a = t (and 1 − s, 1 − t for b).
            grad_a[k] = -g_meet * s + g_own;
            grad_a[d + k] = g_meet * t - g_own;
            grad_b[k] = -g_meet * (1.0 - s);
            grad_b[d + k] = g_meet * (1.0 - t);
        }
        value
    }
}

impl Scorer for Boxes {
    fn score(&self, u: u32, v: u32) -> f64 {
        self.ln_conditional(u, v)
    }
}

impl Regions for Boxes {
    const KIND: &'static str = "box";

    fn initial(n: usize, dim: usize, seed: u64) -> Self {
        Boxes::initial(n, dim, seed)
    }

    fn select(&self, nodes: &[u32]) -> Self {
        Boxes::select(self, nodes)
    }

    fn n(&self) -> usize {
        Boxes::n(self)
    }

    fn row_width(&self) -> usize {
        2 * self.dim
    }

    fn width(dim: usize) -> usize {
        2 * dim
    }

    fn params(&self) -> &[f64] {
        &self.rows
    }

    fn params_mut(&mut self) -> &mut [f64] {
        &mut self.rows
    }

    /// `−ln P(b | a)` for [`PairKind::Contained`], `−ln(1 − P(b | a))` for either negative
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
        let ln_p = self.ln_conditional_with_gradient(a, b, grad_a, grad_b);
        let (value, slope) = match kind {
            PairKind::Contained => (-ln_p, -1.0),
            PairKind::Disjoint | PairKind::NotContained => {
                if ln_p >= LN_P_CEILING {
                    let ln_q = (-LN_P_CEILING.exp_m1()).ln();
                    (-ln_q, 0.0)
                } else {
                    // −ln(1 − P), and its slope in ln P: P/(1 − P).
                    let q = -ln_p.exp_m1();
                    (-q.ln(), ln_p.exp() / q)
                }
            }
        };
        grad_a
            .iter_mut()
            .chain(grad_b.iter_mut())
            .for_each(|g| *g *= slope);
        value
    }

    fn project(row: &mut [f64], min_radius: f64) {
        let _ = min_radius;
        let d = row.len() / 2;
        let (lo, hi) = row.split_at_mut(d);
        for (z, big_z) in lo.iter_mut().zip(hi) {
            if *big_z < *z {
                let mid = 0.5 * (*z + *big_z);
                (*z, *big_z) = (mid, mid);
            }
        }
    }

    type Scoring<'a> = BoxScorer<'a>;

    fn scoring(&self) -> BoxScorer<'_> {
        self.scorer()
    }
}

/// [`Boxes`] with their log volumes precomputed, for evaluation: scores "`v` is an ancestor
/// of `u`" by `ln P(v | u)`.
pub struct BoxScorer<'a> {
    boxes: &'a Boxes,
    ln_volumes: Vec<f64>,
}

impl Scorer for BoxScorer<'_> {
    fn score(&self, u: u32, v: u32) -> f64 {
        self.boxes.ln_intersection_volume(u, v) - self.ln_volumes[u as usize]
    }

    fn score_all(&self, u: u32, out: &mut [f64]) {
        let (d, beta) = (self.boxes.dim, self.boxes.beta);
        let ru = self.boxes.row(u);
        let own = self.ln_volumes[u as usize];
        for (o, rv) in out.iter_mut().zip(self.boxes.rows.chunks_exact(2 * d)) {
            let mut meet = 0.0;
            for k in 0..d {
                let lo = smooth_max(ru[k], rv[k], beta).0;
                let hi = -smooth_max(-ru[d + k], -rv[d + k], beta).0;
                meet += ln_side(hi - lo, beta).0;
            }
            *o = meet - own;
        }
    }
}

//! The SpheREx model: a ball `B(c_u, r_u) ⊂ R^d` per node, `r_u = exp(ρ_u)`.

use serde::{Deserialize, Serialize};

use crate::ball::ln_conditional;
use crate::eval::Scorer;
use crate::random::{gaussian, SeededRng};

/// One ball per node: centres (row-major `n × dim`) and log radii.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Balls {
    dim: usize,
    centers: Vec<f64>,
    log_radii: Vec<f64>,
}

impl Balls {
    /// `n` small balls near the origin: centres `N(0, spread²)`, radii `radius`.
    pub fn random(n: usize, dim: usize, spread: f64, radius: f64, rng: &mut SeededRng) -> Self {
        Self {
            dim,
            centers: (0..n * dim).map(|_| spread * gaussian(rng)).collect(),
            log_radii: vec![radius.ln(); n],
        }
    }

    /// Balls from their parts; `None` unless `centers` holds `dim` values per log radius.
    pub fn from_parts(dim: usize, centers: Vec<f64>, log_radii: Vec<f64>) -> Option<Self> {
        (dim > 0 && centers.len() == dim * log_radii.len()).then_some(Self {
            dim,
            centers,
            log_radii,
        })
    }

    /// Number of balls.
    pub fn n(&self) -> usize {
        self.log_radii.len()
    }

    /// Dimension of the space.
    pub fn dim(&self) -> usize {
        self.dim
    }

    /// The centre of ball `u`.
    pub fn center(&self, u: u32) -> &[f64] {
        &self.centers[u as usize * self.dim..(u as usize + 1) * self.dim]
    }

    /// The radius of ball `u`.
    pub fn radius(&self, u: u32) -> f64 {
        self.log_radii[u as usize].exp()
    }

    /// All centres, row-major.
    pub fn centers(&self) -> &[f64] {
        &self.centers
    }

    /// All log radii.
    pub fn log_radii(&self) -> &[f64] {
        &self.log_radii
    }

    pub(crate) fn parts_mut(&mut self) -> (&mut [f64], &mut [f64]) {
        (&mut self.centers, &mut self.log_radii)
    }

    /// The distance between the centres of `u` and `v`.
    pub fn distance(&self, u: u32, v: u32) -> f64 {
        self.center(u)
            .iter()
            .zip(self.center(v))
            .map(|(a, b)| (a - b) * (a - b))
            .sum::<f64>()
            .sqrt()
    }

    /// The containment margin of `u` in `v`: `r_v − ‖c_u − c_v‖ − r_u`, non-negative exactly
    /// when ball `u` lies inside ball `v`.
    pub fn margin(&self, u: u32, v: u32) -> f64 {
        self.radius(v) - self.distance(u, v) - self.radius(u)
    }

    /// `ln P(v | u) = ln Vol(B_u ∩ B_v) − ln Vol(B_u)`.
    pub fn ln_conditional(&self, u: u32, v: u32) -> f64 {
        ln_conditional(
            self.dim,
            self.radius(u),
            self.radius(v),
            self.distance(u, v),
        )
        .value
    }
}

/// Scores "`v` is an ancestor of `u`" by the containment margin of `u` in `v`.
impl Scorer for Balls {
    fn score(&self, u: u32, v: u32) -> f64 {
        self.margin(u, v)
    }
}

impl Balls {
    /// A view for scoring many pairs: the radii computed once, not once per pair.
    ///
    /// ```
    /// use sphaera::eval::Scorer;
    /// use sphaera::hierarchy::Balls;
    /// let balls = Balls::from_parts(1, vec![0.0, 0.5], vec![0.0, 1.0]).unwrap();
    /// assert_eq!(balls.scorer().score(0, 1), balls.margin(0, 1));
    /// ```
    pub fn scorer(&self) -> BallScorer<'_> {
        BallScorer {
            balls: self,
            radii: self.log_radii.iter().map(|r| r.exp()).collect(),
        }
    }
}

/// [`Balls`] with their radii precomputed, for evaluation.
pub struct BallScorer<'a> {
    balls: &'a Balls,
    radii: Vec<f64>,
}

impl Scorer for BallScorer<'_> {
    fn score(&self, u: u32, v: u32) -> f64 {
        self.radii[v as usize] - self.balls.distance(u, v) - self.radii[u as usize]
    }

    fn score_all(&self, u: u32, out: &mut [f64]) {
        let dim = self.balls.dim;
        let (cu, ru) = (self.balls.center(u), self.radii[u as usize]);
        for ((o, c), r) in out
            .iter_mut()
            .zip(self.balls.centers.chunks_exact(dim))
            .zip(&self.radii)
        {
            let d2: f64 = cu.iter().zip(c).map(|(a, b)| (a - b) * (a - b)).sum();
            *o = r - d2.sqrt() - ru;
        }
    }
}

//! The warm start of a Tammes search: the Riesz energy in log form,
//! `F_s(X) = (1/s) log Σ_{i<j} ‖x_i − x_j‖^{−s}`, minimized on the sphere for a growing
//! exponent `s`. At small `s` it is the physical energy, whose minima are well spread; as
//! `s` grows it tends to `−log min ‖x_i − x_j‖`, the Tammes objective itself. Each stage
//! is an L-BFGS descent ([`super::lbfgs`]); at large `s` the energy sums only the near
//! pairs, the only ones that weigh.

use crate::tammes::lbfgs::{Lbfgs, Objective};
use crate::vmath;

/// The last exponent of every schedule: there `F_s` is within about `ln(pairs)/s` of
/// `−ln min distance`, close enough for the polish to take over.
const FINAL_EXPONENT: f64 = 2048.0;

/// An exponent schedule drawn from `rng`: it starts anywhere from the physical energy
/// (`s = 1`, whose minima are few and alike) to `s = 512` (nearly the Tammes objective, many
/// local optima), and grows by a factor between 1.5 and 4 up to [`FINAL_EXPONENT`]. Varied
/// schedules reach varied optima: one fixed schedule leads every start to the same one.
pub(crate) fn schedule(rng: &mut impl rand::Rng) -> Vec<f64> {
    let mut s = 2f64.powf(9.0 * rng.random::<f64>());
    let growth = 1.5 + 2.5 * rng.random::<f64>();
    let mut exponents = Vec::new();
    while s < FINAL_EXPONENT {
        exponents.push(s);
        s *= growth;
    }
    exponents.push(FINAL_EXPONENT);
    exponents
}

/// Scratch space of an annealing on `n` points in `R^dim`: an L-BFGS descent on `F_s`.
pub(crate) struct Descent {
    lbfgs: Lbfgs,
    energy: Energy,
}

impl Descent {
    pub(crate) fn new(n: usize, dim: usize) -> Self {
        Self {
            lbfgs: Lbfgs::new(n, dim),
            energy: Energy::new(n, dim),
        }
    }

    /// Minimizes `F_s` for each exponent in turn, starting from the unit rows `x`; returns
    /// `F_s` at the last exponent.
    pub(crate) fn anneal(&mut self, x: &mut [f64], exponents: &[f64]) -> f64 {
        let mut value = f64::INFINITY;
        for &s in exponents {
            self.energy.set_exponent(x, s);
            value = self.lbfgs.minimize(x, &mut self.energy);
        }
        value
    }
}

/// A pair left out of the energy weighs at most `e^{−TAIL}` of the closest pair's term:
/// below the rounding of the sum.
const TAIL: f64 = 40.0;
/// The list also holds pairs this fraction of the minimum distance farther, so that it
/// outlives some movement of the points.
const SKIN: f64 = 0.1;
/// The longest list stored: 24 MB of pairs, distances and weights.
const MOST_LISTED: usize = 1 << 20;

/// `F_s` at one exponent `s`, summed over the pairs near enough to weigh.
struct Energy {
    dim: usize,
    s: f64,
    /// The pairs `(i, j)`, `i < j`, in the energy: those near enough to weigh (a Verlet
    /// list), all of them at small exponents.
    pairs: Vec<(u32, u32)>,
    /// Per listed pair: `‖x_i − x_j‖²`, and then the pair's weight.
    squares: Vec<f64>,
    weights: Vec<f64>,
    /// The rows when the list was built, and the distance below which it holds every pair.
    anchor: Vec<f64>,
    listed_within: f64,
    /// Longer lists are not stored (an `N²` memory at small exponents): the energy then
    /// streams over every pair instead.
    most_listed: usize,
    streaming: bool,
}

impl Objective for Energy {
    /// `F_s` of the unit rows `x` over the listed pairs (rebuilt if it no longer holds), and
    /// its gradient.
    fn evaluate(&mut self, x: &[f64], grad: &mut [f64]) -> f64 {
        if self.streaming {
            return self.streamed(x, grad);
        }
        let (d, s) = (self.dim, self.s);
        let mut closest = self.pair_squares(x);
        if !self.list_holds(x, closest) {
            self.build_list(x);
            closest = self.pair_squares(x);
        }
        debug_assert!(closest > 0.0);
        // Terms exp(−(s/2) ln ‖x_i − x_j‖²), shifted by the largest exponent.
        let largest = shifted_terms(&mut self.weights, &self.squares, s);
        let total = vmath::sum(&self.weights);
        // ∂F/∂x_i = −Σ_j w_ij (x_i − x_j)/‖x_i − x_j‖², with w the normalized terms.
        grad.fill(0.0);
        for ((&(i, j), &w), &sq) in self.pairs.iter().zip(&self.weights).zip(&self.squares) {
            push_apart(grad, x, d, i as usize, j as usize, w / (total * sq));
        }
        (largest + total.ln()) / s
    }
}

impl Energy {
    fn new(n: usize, dim: usize) -> Self {
        Self {
            dim,
            s: 1.0,
            pairs: Vec::new(),
            squares: Vec::new(),
            weights: Vec::new(),
            anchor: vec![0.0; n * dim],
            listed_within: 0.0,
            most_listed: MOST_LISTED,
            streaming: false,
        }
    }

    /// Makes this `F_s` from the rows `x`: the list depends on the exponent, so it is built
    /// anew.
    fn set_exponent(&mut self, x: &[f64], s: f64) {
        self.s = s;
        self.build_list(x);
    }

    /// Lists the pairs of `x` within `e^{TAIL/s}` times the minimum distance, plus the skin.
    fn build_list(&mut self, x: &[f64]) {
        let d = self.dim;
        let n = x.len() / d;
        let mut closest = f64::INFINITY;
        for i in 0..n {
            for j in i + 1..n {
                closest = closest.min(squared_distance(
                    &x[i * d..(i + 1) * d],
                    &x[j * d..(j + 1) * d],
                ));
            }
        }
        // Coincident points (never from a random start) would list nothing: list all.
        self.listed_within = match closest.sqrt() {
            c if c > 0.0 => c * ((TAIL / self.s).exp() + SKIN),
            _ => f64::INFINITY,
        };
        let within_squared = self.listed_within * self.listed_within;
        self.pairs.clear();
        self.streaming = false;
        'rows: for i in 0..n {
            for j in i + 1..n {
                if squared_distance(&x[i * d..(i + 1) * d], &x[j * d..(j + 1) * d])
                    <= within_squared
                {
                    if self.pairs.len() == self.most_listed {
                        self.pairs.clear();
                        self.streaming = true;
                        break 'rows;
                    }
                    self.pairs.push((i as u32, j as u32));
                }
            }
        }
        self.squares.resize(self.pairs.len(), 0.0);
        self.weights.resize(self.pairs.len(), 0.0);
        self.anchor.copy_from_slice(x);
    }

    /// Whether every pair left out of the list is still negligible for `x`: it has come at
    /// most twice the largest move since the list was built closer, and must stay beyond
    /// `e^{TAIL/s}` times the closest listed pair.
    fn list_holds(&self, x: &[f64], closest_squared: f64) -> bool {
        let moved = x
            .chunks_exact(self.dim)
            .zip(self.anchor.chunks_exact(self.dim))
            .map(|(a, b)| squared_distance(a, b))
            .fold(0.0, f64::max)
            .sqrt();
        self.listed_within - 2.0 * moved >= closest_squared.sqrt() * (TAIL / self.s).exp()
    }

    /// [`Objective::evaluate`] over every pair, none stored: a pass for the closest pair,
    /// whose term shifts the others, and a pass for the terms and the gradient.
    fn streamed(&mut self, x: &[f64], grad: &mut [f64]) -> f64 {
        let (d, s) = (self.dim, self.s);
        let n = x.len() / d;
        let rows = |i: usize, j: usize| (&x[i * d..(i + 1) * d], &x[j * d..(j + 1) * d]);
        let mut closest = f64::INFINITY;
        for i in 0..n {
            for j in i + 1..n {
                let (a, b) = rows(i, j);
                closest = closest.min(squared_distance(a, b).max(1e-300));
            }
        }
        let largest = -0.5 * s * closest.ln();
        grad.fill(0.0);
        let mut total = 0.0;
        for i in 0..n {
            for j in i + 1..n {
                let (a, b) = rows(i, j);
                let sq = squared_distance(a, b).max(1e-300);
                let w = vmath::exp(-0.5 * s * vmath::ln(sq) - largest);
                total += w;
                push_apart(grad, x, d, i, j, w / sq);
            }
        }
        grad.iter_mut().for_each(|g| *g /= total);
        (largest + total.ln()) / s
    }

    /// The squared distances of the listed pairs of `x`; returns the smallest.
    fn pair_squares(&mut self, x: &[f64]) -> f64 {
        let d = self.dim;
        let mut closest = f64::INFINITY;
        for (&(i, j), sq) in self.pairs.iter().zip(self.squares.iter_mut()) {
            let (i, j) = (i as usize * d, j as usize * d);
            *sq = squared_distance(&x[i..i + d], &x[j..j + d]).max(1e-300);
            closest = closest.min(*sq);
        }
        closest
    }
}

/// `∂F/∂x_i −= c (x_i − x_j)` and `∂F/∂x_j += c (x_i − x_j)`: one pair's share of the
/// gradient.
#[inline(always)]
fn push_apart(grad: &mut [f64], x: &[f64], d: usize, i: usize, j: usize, coefficient: f64) {
    let (i, j) = (i * d, j * d);
    for c in 0..d {
        let diff = x[i + c] - x[j + c];
        grad[i + c] -= coefficient * diff;
        grad[j + c] += coefficient * diff;
    }
}

fn squared_distance(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(p, q)| (p - q) * (p - q)).sum()
}

/// `w_k = exp(−(s/2) ln q_k − m)` for the squared distances `q`, where `m` is the largest
/// exponent, which it returns: plain maps and a lane-wise maximum, loops that vectorize.
#[inline(always)]
fn shifted_terms_body(weights: &mut [f64], squares: &[f64], s: f64) -> f64 {
    for (w, &sq) in weights.iter_mut().zip(squares) {
        *w = -0.5 * s * vmath::ln(sq);
    }
    let largest = vmath::max(weights);
    for w in weights.iter_mut() {
        *w = vmath::exp(*w - largest);
    }
    largest
}

vmath::widest_vectors!(fn shifted_terms(weights: &mut [f64], squares: &[f64], s: f64) -> f64 = shifted_terms_body);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::random::{seeded, uniform_sphere};

    fn random_rows(n: usize, dim: usize, seed: u64) -> Vec<f64> {
        uniform_sphere(n, dim, &mut seeded(seed))
            .as_slice()
            .to_vec()
    }

    /// `F_s` over every pair, straight from its definition.
    fn energy_oracle(x: &[f64], dim: usize, s: f64) -> f64 {
        let n = x.len() / dim;
        let mut terms = Vec::new();
        for i in 0..n {
            for j in i + 1..n {
                let sq = squared_distance(&x[i * dim..(i + 1) * dim], &x[j * dim..(j + 1) * dim]);
                terms.push(-0.5 * s * sq.ln());
            }
        }
        let largest = terms.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        (largest + terms.iter().map(|t| (t - largest).exp()).sum::<f64>().ln()) / s
    }

    /// `F_s` at `x` from a list built there: the value and the gradient.
    fn evaluated(energy: &mut Energy, x: &[f64], s: f64) -> (f64, Vec<f64>) {
        energy.set_exponent(x, s);
        let mut grad = vec![0.0; x.len()];
        (energy.evaluate(x, &mut grad), grad)
    }

    #[test]
    fn the_listed_energy_matches_the_sum_over_every_pair() {
        for (n, dim, s) in [
            (40, 3, 1.0),
            (40, 3, 64.0),
            (60, 3, 2048.0),
            (30, 5, 8192.0),
        ] {
            let mut x = random_rows(n, dim, 1);
            // Spread the points first, as a search does, so that the list is short.
            Descent::new(n, dim).anneal(&mut x, &[1.0, 16.0]);
            let mut energy = Energy::new(n, dim);
            let (listed, _) = evaluated(&mut energy, &x, s);
            let oracle = energy_oracle(&x, dim, s);
            assert!(
                (listed - oracle).abs() <= 1e-12 * oracle.abs(),
                "s = {s}: {listed} against {oracle}"
            );
            if s >= 2048.0 {
                assert!(
                    energy.pairs.len() < n * (n - 1) / 4,
                    "s = {s}: {} pairs listed",
                    energy.pairs.len()
                );
            }
        }
    }

    #[test]
    fn the_streamed_energy_matches_the_listed_one_and_its_gradient() {
        let (n, dim) = (50, 3);
        for s in [1.0, 64.0, 2048.0] {
            let mut x = random_rows(n, dim, 5);
            Descent::new(n, dim).anneal(&mut x, &[1.0]);
            let (listed_value, listed_grad) = evaluated(&mut Energy::new(n, dim), &x, s);
            let mut streamed = Energy::new(n, dim);
            streamed.most_listed = 10;
            let (streamed_value, streamed_grad) = evaluated(&mut streamed, &x, s);
            assert!(streamed.streaming && streamed.pairs.is_empty());
            assert!((streamed_value - listed_value).abs() <= 1e-12 * listed_value.abs());
            for (a, b) in streamed_grad.iter().zip(&listed_grad) {
                assert!(
                    (a - b).abs() <= 1e-9 * (1.0 + b.abs()),
                    "s = {s}: {a} against {b}"
                );
            }
        }
    }

    #[test]
    fn the_gradient_matches_central_differences_along_tangent_directions() {
        let (n, dim) = (12, 3);
        for s in [1.0, 32.0, 512.0] {
            let mut x = random_rows(n, dim, 2);
            Descent::new(n, dim).anneal(&mut x, &[1.0]);
            let (_, grad) = evaluated(&mut Energy::new(n, dim), &x, s);
            for trial in 0..5 {
                // A random tangent direction at every row.
                let mut v = random_rows(n, dim, 100 + trial);
                for (vi, xi) in v.chunks_exact_mut(dim).zip(x.chunks_exact(dim)) {
                    crate::sphere::project_tangent(xi, vi);
                }
                let h = 1e-6;
                let shifted = |sign: f64| -> Vec<f64> {
                    x.iter().zip(&v).map(|(a, b)| a + sign * h * b).collect()
                };
                let numeric = (energy_oracle(&shifted(1.0), dim, s)
                    - energy_oracle(&shifted(-1.0), dim, s))
                    / (2.0 * h);
                let analytic: f64 = grad.iter().zip(&v).map(|(g, d)| g * d).sum();
                assert!(
                    (numeric - analytic).abs() <= 1e-6 * (1.0 + analytic.abs()),
                    "s = {s}: {analytic} against {numeric}"
                );
            }
        }
    }

    #[test]
    fn annealing_raises_the_minimum_angle_and_keeps_rows_unit() {
        let (n, dim) = (30, 3);
        let mut x = random_rows(n, dim, 4);
        let before = crate::tammes::polish::largest_cosine(&x, dim);
        Descent::new(n, dim).anneal(&mut x, &[1.0, 64.0, 2048.0]);
        let after = crate::tammes::polish::largest_cosine(&x, dim);
        assert!(after < before);
        for row in x.chunks_exact(dim) {
            assert!((row.iter().map(|v| v * v).sum::<f64>() - 1.0).abs() < 1e-14);
        }
        // Sloane's 38.7137° for N = 30 bounds what any configuration reaches.
        assert!(after.acos().to_degrees() <= 38.7136512 + 1e-6);
    }
}

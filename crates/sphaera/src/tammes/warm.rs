//! The warm start of a Tammes search: the Riesz energy in log form,
//! `F_s(X) = (1/s) log Σ_{i<j} ‖x_i − x_j‖^{−s}`, minimized on the sphere for a growing
//! exponent `s`. At small `s` it is the physical energy, whose minima are well spread; as
//! `s` grows it tends to `−log min ‖x_i − x_j‖`, the Tammes objective itself. Each stage
//! is an L-BFGS descent; at large `s` it sums only the near pairs, the only ones that weigh.

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

/// L-BFGS steps per exponent, at most.
const STEPS_PER_STAGE: usize = 250;
/// The line search gives up below this fraction of the full step.
const SMALLEST_STEP: f64 = 1e-12;
/// The sufficient decrease of a line search, as a fraction of the slope.
const ARMIJO: f64 = 1e-4;
/// The largest move of a point in the first step of a stage, in radians.
const FIRST_MOVE: f64 = 0.05;

/// Scratch space of a descent on `n` points in `R^dim`.
pub(crate) struct Descent {
    dim: usize,
    grad: Vec<f64>,
    trial: Vec<f64>,
    trial_grad: Vec<f64>,
    direction: Vec<f64>,
    memory: Curvature,
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

/// A stage ends after this many accepted steps in a row that each lower `F_s` by less than
/// `STALL` (relative): the polish does the fine work.
const STALLED_STEPS: usize = 8;
const STALL: f64 = 1e-12;

/// A pair left out of the energy weighs at most `e^{−TAIL}` of the closest pair's term:
/// below the rounding of the sum.
const TAIL: f64 = 40.0;
/// The list also holds pairs this fraction of the minimum distance farther, so that it
/// outlives some movement of the points.
const SKIN: f64 = 0.1;
/// The longest list stored: 24 MB of pairs, distances and weights.
const MOST_LISTED: usize = 1 << 20;

impl Descent {
    pub(crate) fn new(n: usize, dim: usize) -> Self {
        Self {
            dim,
            grad: vec![0.0; n * dim],
            trial: vec![0.0; n * dim],
            trial_grad: vec![0.0; n * dim],
            direction: vec![0.0; n * dim],
            memory: Curvature::new(n * dim),
            pairs: Vec::new(),
            squares: Vec::new(),
            weights: Vec::new(),
            anchor: vec![0.0; n * dim],
            listed_within: 0.0,
            most_listed: MOST_LISTED,
            streaming: false,
        }
    }

    /// Minimizes `F_s` for each exponent in turn, starting from the unit rows `x`; returns
    /// `F_s` at the last exponent.
    pub(crate) fn anneal(&mut self, x: &mut [f64], exponents: &[f64]) -> f64 {
        let mut value = f64::INFINITY;
        for &s in exponents {
            value = self.minimize(x, s);
        }
        value
    }

    /// L-BFGS on the product of spheres: the two-loop direction from the last `MEMORY` steps,
    /// kept tangent; a backtracking (Armijo) search along it, each trial point projected back
    /// onto the spheres. Returns the value reached.
    fn minimize(&mut self, x: &mut [f64], s: f64) -> f64 {
        // The list depends on the exponent: build it anew for each stage.
        self.build_list(x, s);
        let mut value = self.energy(x, s, false);
        self.memory.clear();
        let mut stalled = 0;
        for _ in 0..STEPS_PER_STAGE {
            if stalled >= STALLED_STEPS {
                break;
            }
            let mut slope = self.direction(x);
            if slope >= 0.0 {
                // Not a descent direction: forget the curvature pairs, go down the gradient.
                self.memory.clear();
                slope = self.direction(x);
                if slope >= 0.0 {
                    break;
                }
            }
            // The first step of a stage moves no point by more than `FIRST_MOVE` radians.
            let mut length = if self.memory.is_empty() {
                let largest = self
                    .direction
                    .chunks_exact(self.dim)
                    .map(|p| p.iter().map(|v| v * v).sum::<f64>().sqrt())
                    .fold(0.0, f64::max);
                (FIRST_MOVE / largest).min(1.0)
            } else {
                1.0
            };
            let trial_value = loop {
                for ((t, xi), p) in self.trial.iter_mut().zip(x.iter()).zip(&self.direction) {
                    *t = xi + length * p;
                }
                normalize_rows(&mut self.trial, self.dim);
                let trial = std::mem::take(&mut self.trial);
                let trial_value = self.energy(&trial, s, true);
                self.trial = trial;
                if trial_value <= value + ARMIJO * length * slope || length < SMALLEST_STEP {
                    break trial_value;
                }
                length *= 0.5;
            };
            if trial_value >= value {
                break;
            }
            stalled = if value - trial_value < STALL * value.abs() {
                stalled + 1
            } else {
                0
            };
            self.memory
                .push(x, &self.trial, &self.grad, &self.trial_grad);
            x.copy_from_slice(&self.trial);
            std::mem::swap(&mut self.grad, &mut self.trial_grad);
            value = trial_value;
        }
        value
    }

    /// Writes the L-BFGS direction at `x` into `direction`, made tangent; returns its slope
    /// (inner product with the gradient).
    fn direction(&mut self, x: &[f64]) -> f64 {
        self.memory
            .apply_inverse_hessian(&self.grad, &mut self.direction);
        self.direction.iter_mut().for_each(|p| *p = -*p);
        keep_tangent(&mut self.direction, x, self.dim);
        self.direction
            .iter()
            .zip(&self.grad)
            .map(|(p, g)| p * g)
            .sum()
    }

    /// Lists the pairs of `x` within `e^{TAIL/s}` times the minimum distance, plus the skin.
    fn build_list(&mut self, x: &[f64], s: f64) {
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
            c if c > 0.0 => c * ((TAIL / s).exp() + SKIN),
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
    fn list_holds(&self, x: &[f64], closest_squared: f64, s: f64) -> bool {
        let moved = x
            .chunks_exact(self.dim)
            .zip(self.anchor.chunks_exact(self.dim))
            .map(|(a, b)| squared_distance(a, b))
            .fold(0.0, f64::max)
            .sqrt();
        self.listed_within - 2.0 * moved >= closest_squared.sqrt() * (TAIL / s).exp()
    }

    /// `F_s` of the unit rows `x` over the listed pairs (rebuilt if it no longer holds), and
    /// its tangent gradient into `grad` (`trial_grad` when `into_trial`).
    fn energy(&mut self, x: &[f64], s: f64, into_trial: bool) -> f64 {
        if self.streaming {
            return self.streamed_energy(x, s, into_trial);
        }
        let d = self.dim;
        let mut closest = self.pair_squares(x);
        if !self.list_holds(x, closest, s) {
            self.build_list(x, s);
            closest = self.pair_squares(x);
        }
        debug_assert!(closest > 0.0);
        // Terms exp(−(s/2) ln ‖x_i − x_j‖²), shifted by the largest exponent.
        let largest = shifted_terms(&mut self.weights, &self.squares, s);
        let total = vmath::sum(&self.weights);
        // ∂F/∂x_i = −Σ_j w_ij (x_i − x_j)/‖x_i − x_j‖², with w the normalized terms.
        let grad = if into_trial {
            &mut self.trial_grad
        } else {
            &mut self.grad
        };
        grad.fill(0.0);
        for ((&(i, j), &w), &sq) in self.pairs.iter().zip(&self.weights).zip(&self.squares) {
            push_apart(grad, x, d, i as usize, j as usize, w / (total * sq));
        }
        keep_tangent(grad, x, d);
        (largest + total.ln()) / s
    }

    /// [`Self::energy`] over every pair, none stored: a pass for the closest pair, whose term
    /// shifts the others, and a pass for the terms and the gradient.
    fn streamed_energy(&mut self, x: &[f64], s: f64, into_trial: bool) -> f64 {
        let d = self.dim;
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
        let grad = if into_trial {
            &mut self.trial_grad
        } else {
            &mut self.grad
        };
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
        keep_tangent(grad, x, d);
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

/// Number of step and gradient-change pairs L-BFGS remembers.
const MEMORY: usize = 8;

/// The last `MEMORY` steps `s_k` and gradient changes `y_k` of an L-BFGS descent, in a ring.
struct Curvature {
    steps: Vec<Vec<f64>>,
    changes: Vec<Vec<f64>>,
    /// `1 / (y_k · s_k)`.
    inverse_curvatures: Vec<f64>,
    /// Slot of the oldest pair, and how many are held.
    oldest: usize,
    len: usize,
    /// The two-loop recursion's coefficients.
    alphas: Vec<f64>,
}

impl Curvature {
    fn new(size: usize) -> Self {
        Self {
            steps: vec![vec![0.0; size]; MEMORY],
            changes: vec![vec![0.0; size]; MEMORY],
            inverse_curvatures: vec![0.0; MEMORY],
            oldest: 0,
            len: 0,
            alphas: vec![0.0; MEMORY],
        }
    }

    fn clear(&mut self) {
        self.len = 0;
        self.oldest = 0;
    }

    fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Remembers the step from `x` to `next` and the change of the gradient, unless the
    /// curvature along it is not positive (then the pair would spoil the Hessian estimate).
    fn push(&mut self, x: &[f64], next: &[f64], grad: &[f64], next_grad: &[f64]) {
        let slot = (self.oldest + self.len) % MEMORY;
        for (k, (a, b)) in x.iter().zip(next).enumerate() {
            self.steps[slot][k] = b - a;
            self.changes[slot][k] = next_grad[k] - grad[k];
        }
        let curvature: f64 = self.steps[slot]
            .iter()
            .zip(&self.changes[slot])
            .map(|(a, b)| a * b)
            .sum();
        if curvature <= 1e-300 {
            // A full ring wrote over its oldest pair: drop it.
            if self.len == MEMORY {
                self.oldest = (self.oldest + 1) % MEMORY;
                self.len -= 1;
            }
            return;
        }
        self.inverse_curvatures[slot] = 1.0 / curvature;
        if self.len < MEMORY {
            self.len += 1;
        } else {
            self.oldest = (self.oldest + 1) % MEMORY;
        }
    }

    /// `out = H g`, with `H` the L-BFGS inverse-Hessian estimate (the identity when empty).
    fn apply_inverse_hessian(&mut self, grad: &[f64], out: &mut [f64]) {
        out.copy_from_slice(grad);
        let dot = |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(p, q)| p * q).sum::<f64>();
        for back in (0..self.len).rev() {
            let slot = (self.oldest + back) % MEMORY;
            let alpha = self.inverse_curvatures[slot] * dot(&self.steps[slot], out);
            self.alphas[slot] = alpha;
            out.iter_mut()
                .zip(&self.changes[slot])
                .for_each(|(o, y)| *o -= alpha * y);
        }
        if self.len > 0 {
            let newest = (self.oldest + self.len - 1) % MEMORY;
            let changes = &self.changes[newest];
            let scale = 1.0 / (self.inverse_curvatures[newest] * dot(changes, changes));
            out.iter_mut().for_each(|o| *o *= scale);
        }
        for forward in 0..self.len {
            let slot = (self.oldest + forward) % MEMORY;
            let beta = self.inverse_curvatures[slot] * dot(&self.changes[slot], out);
            let alpha = self.alphas[slot];
            out.iter_mut()
                .zip(&self.steps[slot])
                .for_each(|(o, s)| *o += (alpha - beta) * s);
        }
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

/// Keeps the tangent part of each row of `grad` (a gradient or a direction): the radial part
/// only rescales a point.
fn keep_tangent(grad: &mut [f64], x: &[f64], d: usize) {
    for (g, xi) in grad.chunks_exact_mut(d).zip(x.chunks_exact(d)) {
        let radial: f64 = g.iter().zip(xi).map(|(a, b)| a * b).sum();
        g.iter_mut().zip(xi).for_each(|(a, b)| *a -= radial * b);
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

/// Scales each row of `x` to unit length.
pub(crate) fn normalize_rows(x: &mut [f64], dim: usize) {
    for row in x.chunks_exact_mut(dim) {
        let length = row.iter().map(|v| v * v).sum::<f64>().sqrt();
        row.iter_mut().for_each(|v| *v /= length);
    }
}

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

    #[test]
    fn the_listed_energy_matches_the_sum_over_every_pair() {
        for (n, dim, s) in [
            (40, 3, 1.0),
            (40, 3, 64.0),
            (60, 3, 2048.0),
            (30, 5, 8192.0),
        ] {
            let mut x = random_rows(n, dim, 1);
            let mut descent = Descent::new(n, dim);
            // Spread the points first, as a search does, so that the list is short.
            descent.anneal(&mut x, &[1.0, 16.0]);
            descent.build_list(&x, s);
            let listed = descent.energy(&x, s, false);
            let oracle = energy_oracle(&x, dim, s);
            assert!(
                (listed - oracle).abs() <= 1e-12 * oracle.abs(),
                "s = {s}: {listed} against {oracle}"
            );
            if s >= 2048.0 {
                assert!(
                    descent.pairs.len() < n * (n - 1) / 4,
                    "s = {s}: {} pairs listed",
                    descent.pairs.len()
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
            let mut listed = Descent::new(n, dim);
            listed.build_list(&x, s);
            let listed_value = listed.energy(&x, s, false);
            let mut streamed = Descent::new(n, dim);
            streamed.most_listed = 10;
            streamed.build_list(&x, s);
            assert!(streamed.streaming && streamed.pairs.is_empty());
            let streamed_value = streamed.energy(&x, s, false);
            assert!((streamed_value - listed_value).abs() <= 1e-12 * listed_value.abs());
            for (a, b) in streamed.grad.iter().zip(&listed.grad) {
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
            let mut descent = Descent::new(n, dim);
            descent.anneal(&mut x, &[1.0]);
            descent.build_list(&x, s);
            descent.energy(&x, s, false);
            let grad = descent.grad.clone();
            for trial in 0..5 {
                // A random tangent direction at every row.
                let mut v = random_rows(n, dim, 100 + trial);
                for (vi, xi) in v.chunks_exact_mut(dim).zip(x.chunks_exact(dim)) {
                    let radial: f64 = vi.iter().zip(xi).map(|(a, b)| a * b).sum();
                    vi.iter_mut().zip(xi).for_each(|(a, b)| *a -= radial * b);
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
    fn the_inverse_hessian_estimate_satisfies_the_newest_secant_equation() {
        let size = 7;
        let mut memory = Curvature::new(size);
        let mut rng = seeded(3);
        let mut x = vec![0.0; size];
        let mut g = vec![0.0; size];
        // A convex quadratic, diag(1..7): every pair has positive curvature.
        for step in 0..(MEMORY + 3) {
            let mut next = x.clone();
            next.iter_mut()
                .for_each(|v| *v += crate::random::gaussian(&mut rng));
            let next_g: Vec<f64> = next
                .iter()
                .enumerate()
                .map(|(k, v)| (k + 1) as f64 * v)
                .collect();
            memory.push(&x, &next, &g, &next_g);
            assert_eq!(memory.len, (step + 1).min(MEMORY));
            let newest = (memory.oldest + memory.len - 1) % MEMORY;
            let change = memory.changes[newest].clone();
            let mut out = vec![0.0; size];
            memory.apply_inverse_hessian(&change, &mut out);
            for (o, s) in out.iter().zip(&memory.steps[newest]) {
                assert!((o - s).abs() <= 1e-9 * (1.0 + s.abs()), "{o} against {s}");
            }
            x = next;
            g = next_g;
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

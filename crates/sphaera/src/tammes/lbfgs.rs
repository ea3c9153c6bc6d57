//! L-BFGS on a product of unit spheres: every row of `x` is a point of `S^{dim−1}`. The
//! two-loop direction from the last [`MEMORY`] steps, kept tangent, and a backtracking
//! (Armijo) search along it, each trial point retracted onto the spheres.

use crate::points::{axpy, dot};
use crate::sphere::{norm, project_tangent, retract};

/// A function of unit rows to minimize.
pub(crate) trait Objective {
    /// The value at the unit rows `x`, its Euclidean gradient written into `grad` (the
    /// minimizer keeps the tangent part).
    fn evaluate(&mut self, x: &[f64], grad: &mut [f64]) -> f64;
}

/// Steps of one minimization, at most.
const MOST_STEPS: usize = 250;
/// The line search gives up below this fraction of the full step.
const SMALLEST_STEP: f64 = 1e-12;
/// The sufficient decrease of a line search, as a fraction of the slope.
const ARMIJO: f64 = 1e-4;
/// The largest move of a point in the first step, in radians.
const FIRST_MOVE: f64 = 0.05;
/// A minimization ends after this many accepted steps in a row that each lower the value by
/// less than `STALL` (relative): what follows it does the fine work.
const STALLED_STEPS: usize = 8;
const STALL: f64 = 1e-12;

/// Scratch space of an L-BFGS descent on `n` points in `R^dim`.
pub(crate) struct Lbfgs {
    dim: usize,
    /// The tangent gradient at the current point.
    grad: Vec<f64>,
    /// The point a line search tries, and the tangent gradient there.
    trial: Vec<f64>,
    trial_grad: Vec<f64>,
    direction: Vec<f64>,
    memory: Curvature,
}

impl Lbfgs {
    pub(crate) fn new(n: usize, dim: usize) -> Self {
        Self {
            dim,
            grad: vec![0.0; n * dim],
            trial: vec![0.0; n * dim],
            trial_grad: vec![0.0; n * dim],
            direction: vec![0.0; n * dim],
            memory: Curvature::new(n * dim),
        }
    }

    /// Moves the unit rows `x` down `objective`, from a fresh memory; returns the value
    /// reached.
    pub(crate) fn minimize(&mut self, x: &mut [f64], objective: &mut impl Objective) -> f64 {
        let mut value = objective.evaluate(x, &mut self.grad);
        keep_tangent(&mut self.grad, x, self.dim);
        self.memory.clear();
        let mut stalled = 0;
        for _ in 0..MOST_STEPS {
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
            // The first step moves no point by more than `FIRST_MOVE` radians.
            let mut length = if self.memory.is_empty() {
                let largest = self
                    .direction
                    .chunks_exact(self.dim)
                    .map(norm)
                    .fold(0.0, f64::max);
                (FIRST_MOVE / largest).min(1.0)
            } else {
                1.0
            };
            let trial_value = loop {
                let trial_value = self.try_step(x, length, objective);
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
        dot(&self.direction, &self.grad)
    }

    /// Sets `trial` to `x` moved `length` along `direction` and retracted onto the spheres,
    /// and `trial_grad` to the tangent gradient there; returns the value there.
    fn try_step(&mut self, x: &[f64], length: f64, objective: &mut impl Objective) -> f64 {
        let d = self.dim;
        let rows = self.trial.chunks_exact_mut(d).zip(x.chunks_exact(d));
        for ((t, xi), p) in rows.zip(self.direction.chunks_exact(d)) {
            t.iter_mut().zip(p).for_each(|(t, p)| *t = length * p);
            // (length·p + x_i) / ‖…‖: the sum is the same either way round.
            retract(t, xi);
        }
        let value = objective.evaluate(&self.trial, &mut self.trial_grad);
        keep_tangent(&mut self.trial_grad, &self.trial, d);
        value
    }
}

/// Keeps the tangent part of each row of `v` (a gradient or a direction): the radial part
/// only rescales a point.
fn keep_tangent(v: &mut [f64], x: &[f64], d: usize) {
    for (vi, xi) in v.chunks_exact_mut(d).zip(x.chunks_exact(d)) {
        project_tangent(xi, vi);
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
        let curvature = dot(&self.steps[slot], &self.changes[slot]);
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
        for back in (0..self.len).rev() {
            let slot = (self.oldest + back) % MEMORY;
            let alpha = self.inverse_curvatures[slot] * dot(&self.steps[slot], out);
            self.alphas[slot] = alpha;
            axpy(-alpha, &self.changes[slot], out);
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
            axpy(self.alphas[slot] - beta, &self.steps[slot], out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::random::{gaussian, seeded, uniform_sphere};

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
            next.iter_mut().for_each(|v| *v += gaussian(&mut rng));
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

    /// `−Σ_i c_i·x_i`: each row's minimum on the sphere is `c_i / ‖c_i‖`.
    struct Linear(Vec<f64>);

    impl Objective for Linear {
        fn evaluate(&mut self, x: &[f64], grad: &mut [f64]) -> f64 {
            grad.iter_mut().zip(&self.0).for_each(|(g, c)| *g = -c);
            -dot(x, &self.0)
        }
    }

    #[test]
    fn minimizing_a_linear_function_reaches_each_rows_target() {
        let (n, dim) = (5, 4);
        let mut x = uniform_sphere(n, dim, &mut seeded(7)).into_vec();
        let targets = uniform_sphere(n, dim, &mut seeded(8)).into_vec();
        let value = Lbfgs::new(n, dim).minimize(&mut x, &mut Linear(targets.clone()));
        assert!((value + n as f64).abs() < 1e-9, "{value}");
        for (a, b) in x.iter().zip(&targets) {
            assert!((a - b).abs() < 1e-4, "{a} against {b}");
        }
    }
}

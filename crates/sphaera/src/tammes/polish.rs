//! The polish of a Tammes configuration: a sequence of linear programs on the tangent
//! spaces. Each moves every point within a box of its tangent plane so as to lower, to
//! first order, the largest cosine among the pairs that could reach it; the step is kept
//! when the true largest cosine drops, and the box grows or shrinks like a trust region.

use microlp::{ComparisonOp, OptimizationDirection, Problem, SolveOutcome};

use crate::points::{axpy, dot};
use crate::sphere::norm;

/// Half-width of the first box, in tangent coordinates (radians, to first order).
const INITIAL_RADIUS: f64 = 2e-3;
const LARGEST_RADIUS: f64 = 5e-2;
/// The polish stops when the box is this small: far below what a cosine resolves.
const SMALLEST_RADIUS: f64 = 1e-12;
const MAX_ROUNDS: usize = 400;
/// A predicted drop of the largest cosine below this is rounding: the polish has converged.
const CONVERGED: f64 = 1e-15;

/// Raises the minimum angle of the unit rows `x` (`dim` columns) as far as the linear
/// programs go; returns the largest cosine between two rows.
pub(crate) fn polish(x: &mut [f64], dim: usize) -> f64 {
    let n = x.len() / dim;
    let mut largest = largest_cosine(x, dim);
    if n < 2 || dim < 2 {
        return largest;
    }
    let mut bases = vec![0.0; n * (dim - 1) * dim];
    let mut trial = vec![0.0; x.len()];
    let mut radius = INITIAL_RADIUS;
    for _ in 0..MAX_ROUNDS {
        if radius < SMALLEST_RADIUS {
            break;
        }
        tangent_bases(x, dim, &mut bases);
        // A box of half-width ρ moves a point by at most ρ·√(dim − 1), and a cosine by at
        // most about twice that: only pairs within that reach of the largest can overtake.
        let reach = 3.0 * radius * ((dim - 1) as f64).sqrt() + 1e-12;
        let Some((moves, predicted)) = lp_step(x, dim, &bases, largest - reach, radius) else {
            radius *= 0.25;
            continue;
        };
        // No first-order gain left within the box: a stationary point of the minimum angle.
        if largest - predicted < CONVERGED {
            break;
        }
        for i in 0..n {
            let row = &mut trial[i * dim..(i + 1) * dim];
            row.copy_from_slice(&x[i * dim..(i + 1) * dim]);
            for k in 0..dim - 1 {
                let u = moves[i * (dim - 1) + k];
                let basis = &bases[(i * (dim - 1) + k) * dim..(i * (dim - 1) + k + 1) * dim];
                axpy(u, basis, row);
            }
            let length = norm(row);
            row.iter_mut().for_each(|v| *v /= length);
        }
        let reached = largest_cosine(&trial, dim);
        // The usual trust-region rule on the ratio of the true gain to the predicted one.
        let ratio = (largest - reached) / (largest - predicted);
        if ratio > 0.75 {
            radius = (2.0 * radius).min(LARGEST_RADIUS);
        } else if ratio < 0.25 {
            radius *= 0.25;
        }
        if reached < largest {
            x.copy_from_slice(&trial);
            largest = reached;
        }
    }
    largest
}

/// The largest cosine between two distinct rows of `x`.
pub(crate) fn largest_cosine(x: &[f64], dim: usize) -> f64 {
    let n = x.len() / dim;
    let mut largest = f64::NEG_INFINITY;
    for i in 0..n {
        let xi = &x[i * dim..(i + 1) * dim];
        for j in i + 1..n {
            largest = largest.max(dot(xi, &x[j * dim..(j + 1) * dim]));
        }
    }
    largest
}

/// For each unit row, `dim − 1` orthonormal vectors orthogonal to it: the other columns of
/// the Householder reflection that takes the row to its largest axis.
fn tangent_bases(x: &[f64], dim: usize, bases: &mut [f64]) {
    for (i, row) in x.chunks_exact(dim).enumerate() {
        let m = (0..dim)
            .max_by(|&a, &b| row[a].abs().total_cmp(&row[b].abs()))
            .expect("dim ≥ 2");
        // v = x + sign(x_m) e_m; H = I − 2 v vᵀ / (vᵀ v) maps x to −sign(x_m) e_m.
        let mut v = row.to_vec();
        v[m] += row[m].signum();
        let vv = dot(&v, &v);
        for (k, column) in (0..dim).filter(|&c| c != m).enumerate() {
            let basis = &mut bases[(i * (dim - 1) + k) * dim..(i * (dim - 1) + k + 1) * dim];
            for (r, b) in basis.iter_mut().enumerate() {
                let identity = if r == column { 1.0 } else { 0.0 };
                *b = identity - 2.0 * v[r] * v[column] / vv;
            }
        }
    }
}

/// The linear program of one step: tangent moves `u` within `[−radius, radius]` minimizing
/// `z` subject to `c_ij + (B_iᵀ x_j)·u_i + (B_jᵀ x_i)·u_j ≤ z` for every pair with
/// `c_ij ≥ cutoff`. Returns the moves and the predicted largest cosine `z`.
fn lp_step(
    x: &[f64],
    dim: usize,
    bases: &[f64],
    cutoff: f64,
    radius: f64,
) -> Option<(Vec<f64>, f64)> {
    let n = x.len() / dim;
    let t = dim - 1;
    let mut problem = Problem::new(OptimizationDirection::Minimize);
    let moves: Vec<_> = (0..n * t)
        .map(|_| problem.add_var(0.0, (-radius, radius)))
        .collect();
    let z = problem.add_var(1.0, (-1.0, 1.0));
    for i in 0..n {
        let xi = &x[i * dim..(i + 1) * dim];
        for j in i + 1..n {
            let xj = &x[j * dim..(j + 1) * dim];
            let c = dot(xi, xj);
            if c < cutoff {
                continue;
            }
            let mut terms = Vec::with_capacity(2 * t + 1);
            for k in 0..t {
                let bi = &bases[(i * t + k) * dim..(i * t + k + 1) * dim];
                let bj = &bases[(j * t + k) * dim..(j * t + k + 1) * dim];
                terms.push((moves[i * t + k], dot(bi, xj)));
                terms.push((moves[j * t + k], dot(bj, xi)));
            }
            terms.push((z, -1.0));
            problem.add_constraint(terms, ComparisonOp::Le, -c);
        }
    }
    match problem.solve().ok()? {
        SolveOutcome::Solution(solution) => {
            let values = moves.iter().map(|&v| solution.var_value(v)).collect();
            Some((values, solution.var_value(z)))
        }
        SolveOutcome::Interrupted(_) => None,
    }
}

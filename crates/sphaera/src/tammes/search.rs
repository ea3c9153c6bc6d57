//! Restarts of the warm start, in parallel, and the polish of the best of them.

use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::points::Points;
use crate::random::{substream, uniform_sphere};
use crate::tammes::polish::{largest_cosine, polish};
use crate::tammes::warm::{Descent, EXPONENTS};

/// How hard a Tammes search tries.
#[derive(Clone, Debug, PartialEq)]
pub struct SearchConfig {
    /// Random starts, each annealed on the Riesz energy.
    pub restarts: usize,
    /// How many of the best annealed starts are polished.
    pub polished: usize,
    /// Seed of every start.
    pub seed: u64,
    /// Launch no further restarts after this long (at least one wave always runs).
    pub time_limit: Option<Duration>,
}

impl Default for SearchConfig {
    fn default() -> Self {
        Self {
            restarts: 64,
            polished: 4,
            seed: 0,
            time_limit: None,
        }
    }
}

/// The best configuration a search found.
#[derive(Clone, Debug, PartialEq)]
pub struct Code {
    /// The points, unit rows.
    pub points: Points,
    /// Their minimum angle, in degrees.
    pub min_angle_deg: f64,
    /// Pairs whose angle is within `1e-6`° of the minimum.
    pub contacts: usize,
    /// Restarts run.
    pub restarts: usize,
}

/// Restarts run together, in parallel; the time limit is checked between waves. A fixed
/// size, so that without a time limit the result does not depend on the threads.
const WAVE: usize = 8;

/// Searches for `n` points on `S^{dim−1}` with the largest minimum angle.
///
/// ```
/// use sphaera::tammes::{search, SearchConfig};
/// let code = search(6, 3, &SearchConfig { restarts: 4, ..SearchConfig::default() }).unwrap();
/// assert!((code.min_angle_deg - 90.0).abs() < 1e-6); // the octahedron
/// ```
pub fn search(n: usize, dim: usize, config: &SearchConfig) -> Result<Code> {
    for (name, value) in [
        ("n", n),
        ("dim", dim),
        ("restarts", config.restarts),
        ("polished", config.polished),
    ] {
        let least = if name == "n" || name == "dim" { 2 } else { 1 };
        if value < least {
            return Err(Error::InvalidParameter {
                name,
                expected: if least == 2 {
                    "at least 2"
                } else {
                    "at least 1"
                },
                value: value.to_string(),
            });
        }
    }
    let clock = Instant::now();
    let mut annealed: Vec<(f64, usize, Vec<f64>)> = Vec::new();
    for first in (0..config.restarts).step_by(WAVE) {
        if config
            .time_limit
            .is_some_and(|limit| first > 0 && clock.elapsed() >= limit)
        {
            break;
        }
        let wave: Vec<_> = (first..(first + WAVE).min(config.restarts))
            .into_par_iter()
            .map(|k| {
                let start = uniform_sphere(n, dim, &mut substream(config.seed, k as u64));
                let mut x = start.as_slice().to_vec();
                Descent::new(n, dim).anneal(&mut x, &EXPONENTS);
                (largest_cosine(&x, dim), k, x)
            })
            .collect();
        annealed.extend(wave);
    }
    let restarts = annealed.len();
    annealed.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    annealed.truncate(config.polished);
    let (largest, _, x) = annealed
        .into_par_iter()
        .map(|(_, k, mut x)| (polish(&mut x, dim), k, x))
        .min_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)))
        .expect("at least one restart");
    let min_angle = largest.clamp(-1.0, 1.0).acos();
    let points = Points::from_vec(n, dim, x).expect("n × dim values");
    Ok(Code {
        contacts: contacts(&points, min_angle + 1e-6f64.to_radians()),
        min_angle_deg: min_angle.to_degrees(),
        points,
        restarts,
    })
}

/// Pairs of rows at an angle of at most `angle`.
fn contacts(x: &Points, angle: f64) -> usize {
    let threshold = angle.cos();
    (0..x.n())
        .map(|i| {
            (i + 1..x.n())
                .filter(|&j| {
                    let c: f64 = x.row(i).iter().zip(x.row(j)).map(|(a, b)| a * b).sum();
                    c >= threshold
                })
                .count()
        })
        .sum()
}

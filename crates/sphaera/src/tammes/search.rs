//! Restarts of the warm start, in parallel, and the polish of the best of them.

use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::points::Points;
use crate::random::{gaussian, substream, uniform_sphere, SeededRng};
use crate::tammes::polish::{largest_cosine, polish};
use crate::tammes::warm::{normalize_rows, schedule, Descent};
use rand::Rng;

/// How hard a Tammes search tries.
#[derive(Clone, Debug, PartialEq)]
pub struct SearchConfig {
    /// Random starts, each annealed on the Riesz energy.
    pub restarts: usize,
    /// How many of the best annealed starts are polished.
    pub polished: usize,
    /// Basin hops after the restarts: the best configuration shaken, annealed from a high
    /// exponent and polished again, kept when it improves (monotonic basin hopping).
    pub hops: usize,
    /// Seed of every start.
    pub seed: u64,
    /// Launch no further restarts after this long (at least one wave always runs).
    pub time_limit: Option<Duration>,
}

impl Default for SearchConfig {
    fn default() -> Self {
        Self {
            restarts: 192,
            polished: 16,
            hops: 32,
            seed: 0,
            time_limit: None,
        }
    }
}

impl SearchConfig {
    /// The default effort for `n` points: 192 restarts, 16 polished and 32 hops up to
    /// `n = 60`, then fewer as each costs more (restarts as `1/n²`, at least 8; polished
    /// and hops as `1/n`, at least 2 and 4).
    pub fn for_size(n: usize) -> Self {
        let ratio = 60.0 / n.max(1) as f64;
        Self {
            restarts: ((192.0 * ratio * ratio) as usize).clamp(8, 192),
            polished: ((16.0 * ratio) as usize).clamp(2, 16),
            hops: ((32.0 * ratio) as usize).clamp(4, 32),
            ..Self::default()
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
    /// Basin hops run.
    pub hops: usize,
    /// Waves of hops whose best improved the configuration.
    pub improving_hops: usize,
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
    at_least("n", n, 2)?;
    at_least("dim", dim, 2)?;
    at_least("restarts", config.restarts, 1)?;
    at_least("polished", config.polished, 1)?;
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
                let mut rng = substream(config.seed, k as u64);
                let mut x = uniform_sphere(n, dim, &mut rng).as_slice().to_vec();
                Descent::new(n, dim).anneal(&mut x, &schedule(&mut rng));
                (largest_cosine(&x, dim), k, x)
            })
            .collect();
        annealed.extend(wave);
    }
    let restarts = annealed.len();
    annealed.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    annealed.truncate(config.polished);
    let (mut largest, _, mut x) = annealed
        .into_par_iter()
        .map(|(_, k, mut x)| (polish(&mut x, dim), k, x))
        .min_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)))
        .expect("at least one restart");
    let (mut hops, mut improving_hops) = (0, 0);
    for first in (0..config.hops).step_by(WAVE) {
        if config
            .time_limit
            .is_some_and(|limit| clock.elapsed() >= limit)
        {
            break;
        }
        let min_angle = largest.clamp(-1.0, 1.0).acos();
        let best = &x;
        let wave: Vec<_> = (first..(first + WAVE).min(config.hops))
            .into_par_iter()
            .map(|h| {
                let mut rng = substream(config.seed ^ HOP_STREAM, h as u64);
                let mut y = best.clone();
                shake(&mut y, dim, min_angle, &mut rng);
                Descent::new(n, dim).anneal(&mut y, &HOP_SCHEDULE);
                // The annealed angle is a fraction of a percent below its polished one:
                // a hop clearly below the best is not worth the linear programs.
                let annealed = largest_cosine(&y, dim);
                if annealed.clamp(-1.0, 1.0).acos() < (1.0 - HOP_PROMISE) * min_angle {
                    return (annealed, h, y);
                }
                (polish(&mut y, dim), h, y)
            })
            .collect();
        hops += wave.len();
        if let Some((c, _, y)) = wave
            .into_iter()
            .min_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)))
        {
            if c < largest {
                largest = c;
                x = y;
                improving_hops += 1;
            }
        }
    }
    let min_angle = largest.clamp(-1.0, 1.0).acos();
    let points = Points::from_vec(n, dim, x).expect("n × dim values");
    Ok(Code {
        contacts: contacts(&points, min_angle + 1e-6f64.to_radians()),
        min_angle_deg: min_angle.to_degrees(),
        points,
        restarts,
        hops,
        improving_hops,
    })
}

/// A hop is polished only if its annealed minimum angle is within this fraction of the
/// best one.
const HOP_PROMISE: f64 = 0.006;
/// Mixed into the seed for the hops' streams, apart from the restarts'.
const HOP_STREAM: u64 = 0x686f_7073;
/// A hop re-anneals from a high exponent only: it should stay near the shaken optimum.
const HOP_SCHEDULE: [f64; 4] = [256.0, 512.0, 1024.0, 2048.0];

/// Moves every point along a random tangent direction by a random fraction of an amplitude
/// between 0.1 and 0.5 times the minimum angle, then back onto the sphere.
fn shake(x: &mut [f64], dim: usize, min_angle: f64, rng: &mut SeededRng) {
    // Hops differ in reach: some stay in the neighbouring basins, some jump further.
    let amplitude = (0.1 + 0.4 * rng.random::<f64>()) * min_angle;
    for row in x.chunks_exact_mut(dim) {
        let mut direction: Vec<f64> = (0..dim).map(|_| gaussian(rng)).collect();
        let radial: f64 = direction.iter().zip(row.iter()).map(|(a, b)| a * b).sum();
        direction
            .iter_mut()
            .zip(row.iter())
            .for_each(|(a, b)| *a -= radial * b);
        let length = direction.iter().map(|v| v * v).sum::<f64>().sqrt();
        let size = amplitude * rng.random::<f64>();
        if length > 0.0 {
            row.iter_mut()
                .zip(&direction)
                .for_each(|(r, dir)| *r += size * dir / length);
        }
    }
    normalize_rows(x, dim);
}

fn at_least(name: &'static str, value: usize, least: usize) -> Result<()> {
    if value >= least {
        return Ok(());
    }
    Err(Error::InvalidParameter {
        name,
        expected: if least == 2 {
            "at least 2"
        } else {
            "at least 1"
        },
        value: value.to_string(),
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

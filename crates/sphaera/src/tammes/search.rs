//! Restarts of the warm start, in parallel, the polish of the best of them, and basin hops
//! from the best.

use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::points::{dot, Points};
use crate::random::{fill_unit, substream, uniform_sphere, SeededRng};
use crate::tammes::polish::{largest_cosine, polish};
use crate::tammes::warm::{schedule, Descent};
use rand::Rng;

/// How hard a Tammes search tries.
#[derive(Clone, Debug, PartialEq)]
pub struct SearchConfig {
    /// Random starts, each annealed on the Riesz energy.
    pub restarts: usize,
    /// How many of the best annealed starts are polished.
    pub polished: usize,
    /// Basin hops after the restarts: one to three points of the best configuration moved
    /// to random places, the whole annealed from a high exponent, kept when its energy is
    /// lower (monotonic basin hopping). The last one kept is polished.
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
            hops: 512,
            seed: 0,
            time_limit: None,
        }
    }
}

/// The longest time limit, in seconds (about 31 years): any more means "none".
pub const MAX_TIME_LIMIT_S: f64 = 1e9;

/// A time limit of `seconds` (positive, at most [`MAX_TIME_LIMIT_S`]).
///
/// ```
/// assert!(sphaera::tammes::time_limit(1e300).is_err());
/// assert_eq!(sphaera::tammes::time_limit(2.5).unwrap().as_millis(), 2500);
/// ```
pub fn time_limit(seconds: f64) -> Result<Duration> {
    if seconds.is_finite() && seconds > 0.0 && seconds <= MAX_TIME_LIMIT_S {
        Ok(Duration::from_secs_f64(seconds))
    } else {
        Err(crate::Error::InvalidParameter {
            name: "time_limit",
            expected: "a positive number of seconds, at most 1e9",
            value: format!("{seconds:e}"),
        })
    }
}

impl SearchConfig {
    /// The default effort for `n` points: 192 restarts and 16 polished up to `n = 60`, then
    /// fewer as each costs more (as `1/n`, at least 16 and 4); 512 hops for every `n`.
    pub fn for_size(n: usize) -> Self {
        let ratio = 60.0 / n.max(1) as f64;
        Self {
            restarts: ((192.0 * ratio) as usize).clamp(16, 192),
            polished: ((16.0 * ratio) as usize).clamp(4, 16),
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

/// Searches for `n` points on `S^{dim−1}` with the largest minimum angle. Fails on a size
/// that does not fit in memory ([`crate::memory::tammes_bytes`]) before allocating.
///
/// The tetrahedron, the octahedron and the icosahedron are the optima for 4, 6 and 12
/// points on `S²`, each point touching 3, 4 and 5 others:
///
/// ```
/// use sphaera::tammes::{best_known, search, SearchConfig};
/// let config = SearchConfig { restarts: 8, hops: 32, ..SearchConfig::default() };
/// for (n, contacts) in [(4, 6), (6, 12), (12, 30)] {
///     let code = search(n, 3, &config).unwrap();
///     let optimum = best_known(n, 3).unwrap().angle_deg; // 109.47°, 90°, 63.43°
///     assert!((code.min_angle_deg - optimum).abs() < 1e-6, "n = {n}: {code:?}");
///     assert_eq!(code.contacts, contacts);
/// }
/// ```
pub fn search(n: usize, dim: usize, config: &SearchConfig) -> Result<Code> {
    at_least("n", n, 2)?;
    at_least("dim", dim, 2)?;
    at_least("restarts", config.restarts, 1)?;
    at_least("polished", config.polished, 1)?;
    crate::memory::check_tammes(n, dim, config.restarts, config.polished)?;
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
        .map(|(_, k, mut x)| (finish(&mut x, dim), k, x))
        .min_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)))
        .expect("at least one restart");
    // The hops compare configurations by the energy at the last exponent of their
    // schedule, and only the best is polished: no linear program in the loop.
    let mut current = x.clone();
    let mut current_energy =
        Descent::new(n, dim).anneal(&mut current, &HOP_SCHEDULE[HOP_SCHEDULE.len() - 1..]);
    let (mut hops, mut improving_hops) = (0, 0);
    for first in (0..config.hops).step_by(WAVE) {
        if config
            .time_limit
            .is_some_and(|limit| clock.elapsed() >= limit)
        {
            break;
        }
        let best = &current;
        let wave: Vec<_> = (first..(first + WAVE).min(config.hops))
            .into_par_iter()
            .map(|h| {
                let mut rng = substream(config.seed ^ HOP_STREAM, h as u64);
                let mut y = best.clone();
                relocate(&mut y, dim, &mut rng);
                let energy = Descent::new(n, dim).anneal(&mut y, &HOP_SCHEDULE);
                (energy, h, y)
            })
            .collect();
        hops += wave.len();
        if let Some((energy, _, y)) = wave
            .into_iter()
            .min_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)))
        {
            if energy < current_energy {
                current_energy = energy;
                current = y;
                improving_hops += 1;
            }
        }
    }
    if improving_hops > 0 {
        let hopped = finish(&mut current, dim);
        if hopped < largest {
            largest = hopped;
            x = current;
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

/// Mixed into the seed for the hops' streams, apart from the restarts'.
const HOP_STREAM: u64 = 0x686f_7073;
/// A hop re-anneals from a high exponent only: the points it did not move should stay
/// near where they were. Exponents this high are cheap: only near pairs weigh.
const HOP_SCHEDULE: [f64; 6] = [256.0, 512.0, 1024.0, 2048.0, 4096.0, 8192.0];

/// Moves one to three random points to random places.
fn relocate(x: &mut [f64], dim: usize, rng: &mut SeededRng) {
    let n = x.len() / dim;
    for _ in 0..rng.random_range(1..=3usize) {
        let i = rng.random_range(0..n);
        fill_unit(&mut x[i * dim..(i + 1) * dim], rng);
    }
}

/// Above this many points one linear program of the polish costs about a second (measured:
/// 3.6 s for two polishes at `N = 200`, 14 s at `N = 300`), and the annealing continues to
/// far higher exponents instead: about 1e-4° short of the polished angle, 5 to 10 times
/// sooner.
const LINEAR_PROGRAMS_UP_TO: usize = 200;
const SMOOTH_POLISH: [f64; 4] = [16384.0, 65536.0, 262144.0, 1048576.0];

/// Polishes `x` to a local maximum of the minimum angle; returns the largest cosine.
fn finish(x: &mut [f64], dim: usize) -> f64 {
    let n = x.len() / dim;
    if n <= LINEAR_PROGRAMS_UP_TO {
        return polish(x, dim);
    }
    Descent::new(n, dim).anneal(x, &SMOOTH_POLISH);
    largest_cosine(x, dim)
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
                .filter(|&j| dot(x.row(i), x.row(j)) >= threshold)
                .count()
        })
        .sum()
}

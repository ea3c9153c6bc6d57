//! The Tammes problem: the largest minimum angle of `N` points on `S^{dim−1}`. The
//! best-known answers ([`best_known`]), and a search for the configuration itself
//! ([`search()`]): restarts from an annealed Riesz-energy descent, the best of them polished
//! by linear programs on the tangent spaces, then basin hops that move a few points.

use std::sync::OnceLock;

mod lbfgs;
mod polish;
mod search;
mod warm;

pub use search::{search, time_limit, Code, SearchConfig, MAX_TIME_LIMIT_S};

/// Sloane's table for `S²` (Hardin, Sloane & Smith), `N = 4…130`.
const SLOANE_D3: &str = include_str!("../../data/tammes-d3.tsv");

/// A best-known minimum angle and where it comes from.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BestKnown {
    /// The angle in degrees.
    pub angle_deg: f64,
    /// The source, in words.
    pub source: &'static str,
}

fn sloane_d3() -> &'static [(usize, f64)] {
    static TABLE: OnceLock<Vec<(usize, f64)>> = OnceLock::new();
    TABLE.get_or_init(|| {
        SLOANE_D3
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .skip(1) // the header row
            .map(|l| {
                let (n, a) = l.split_once('\t').expect("embedded table has two columns");
                (
                    n.parse().expect("embedded N"),
                    a.trim().parse().expect("embedded angle"),
                )
            })
            .collect()
    })
}

/// The best-known minimum angle of `n` points in `R^dim`, when known.
///
/// Exact cases in every dimension: `n ≤ dim + 1` (a regular simplex, `arccos(−1/(n−1))`)
/// and `dim + 2 ≤ n ≤ 2·dim` (90°), both proven by Rankin (1955); `n` points on a circle
/// (`360°/n`); the 24-cell (60°) and the 600-cell (36°) in `R⁴`. Otherwise Sloane's table
/// for `dim = 3`.
///
/// ```
/// let b = sphaera::tammes::best_known(24, 3).unwrap();
/// assert!((b.angle_deg - 43.69).abs() < 0.01);
/// assert!(sphaera::tammes::best_known(24, 5).is_none());
/// ```
pub fn best_known(n: usize, dim: usize) -> Option<BestKnown> {
    if n < 2 || dim < 2 {
        return None;
    }
    if dim == 2 {
        return Some(BestKnown {
            angle_deg: 360.0 / n as f64,
            source: "regular polygon",
        });
    }
    if n <= dim + 1 {
        let angle_deg = (-1.0 / (n as f64 - 1.0)).acos().to_degrees();
        return Some(BestKnown {
            angle_deg,
            source: "regular simplex (Rankin 1955)",
        });
    }
    if n <= 2 * dim {
        return Some(BestKnown {
            angle_deg: 90.0,
            source: "orthoplex (Rankin 1955)",
        });
    }
    match (n, dim) {
        (24, 4) => Some(BestKnown {
            angle_deg: 60.0,
            source: "24-cell",
        }),
        (120, 4) => Some(BestKnown {
            angle_deg: 36.0,
            source: "600-cell",
        }),
        (_, 3) => sloane_d3()
            .iter()
            .find(|(m, _)| *m == n)
            .map(|&(_, angle_deg)| BestKnown {
                angle_deg,
                source: "Sloane's tables of spherical codes",
            }),
        _ => None,
    }
}

//! What a run will need in memory, estimated before anything is allocated, so that a size
//! that cannot fit is refused with a figure instead of ending in an allocator abort.
//!
//! The estimates count the large buffers only (those of `n · dim` values and the methods'
//! own), in `f64`s of 8 bytes; they are meant to tell "fits" from "cannot possibly fit", not
//! to predict the peak to the megabyte. The limit is the machine's total memory
//! ([`total_bytes`]).

use crate::disperse::{Method, MethodOptions, DEFAULT_SLICES, DEFAULT_SSW_SLICES};
use crate::error::{Error, Result};
use crate::tiles::TILE;

/// The limit assumed when the system does not report its memory (no `/proc/meminfo`).
pub const FALLBACK_TOTAL_BYTES: u64 = 16 << 30;

/// Tables of `n × dim` values a dispersion run holds at once: the points, the start (kept by
/// an anchor), the gradient, two for the optimizer's state (Adam's averages, or SGD's
/// momentum), and one scratch table of the regularizer.
const DISPERSION_TABLES: u64 = 6;

/// Tables of `n × dim` values a Tammes restart holds while it runs: the point, the
/// gradient, a trial point and its gradient, the direction, the anchor, and L-BFGS's 16.
const TAMMES_RESTART_TABLES: u64 = 22;

/// Restarts a Tammes search runs together (`tammes::search`'s waves).
const TAMMES_WAVE: u64 = 8;

/// The longest pair list a Tammes restart keeps, in bytes.
const TAMMES_PAIR_LIST_BYTES: u64 = 24 << 20;

/// Bytes of one value.
const F64: u64 = 8;

/// The estimated bytes of a dispersion run of `n` points in `R^dim` with `method`:
/// six `n × dim` tables (points, start, gradient, two of optimizer state, scratch), plus
///
/// - `mmd`, `uniformity`, `mhe`: the schedule of tile pairs, `(n/256)²/2` pairs of 16 bytes;
/// - `lloyd`: the samples and their nearest points, `samples · (dim + 2)` values;
/// - `sliced`, `ssw`: the planes, and each point's coordinates and their derivatives in
///   each, `2K · dim + 4K · n` values for `K` slices;
/// - `sliced-axis`: `2K · n + 2n` values.
///
/// Saturates at `u64::MAX` instead of overflowing.
///
/// ```
/// use sphaera::disperse::{Method, MethodOptions};
/// let small = sphaera::memory::dispersion_bytes(Method::Mma, &MethodOptions::default(), 24, 3);
/// assert!(small < 10_000);
/// let huge = MethodOptions { samples: Some(usize::MAX), ..Default::default() };
/// assert_eq!(sphaera::memory::dispersion_bytes(Method::Lloyd, &huge, 24, 3), u64::MAX);
/// ```
pub fn dispersion_bytes(method: Method, options: &MethodOptions, n: usize, dim: usize) -> u64 {
    let (tables, extra) = dispersion_parts(method, options, n as u64, dim as u64);
    tables.saturating_add(extra)
}

/// The bytes of the tables, and of the method's own buffers.
fn dispersion_parts(method: Method, options: &MethodOptions, n: u64, dim: u64) -> (u64, u64) {
    let mul = |values: &[u64]| values.iter().fold(1u64, |a, &b| a.saturating_mul(b));
    let tables = mul(&[DISPERSION_TABLES, n, dim, F64]);
    let slices = options.slices.map(|s| s as u64);
    let extra = match method {
        Method::Mmd | Method::Uniformity | Method::Mhe => {
            let blocks = n.div_ceil(TILE as u64);
            mul(&[blocks, blocks, 8])
        }
        Method::Lloyd => {
            let samples = options.resolved().samples.unwrap_or_default() as u64;
            mul(&[samples, dim.saturating_add(2), F64])
        }
        Method::Sliced | Method::Ssw => {
            let default = if method == Method::Ssw {
                DEFAULT_SSW_SLICES
            } else {
                DEFAULT_SLICES
            };
            let k = slices.unwrap_or(default as u64);
            mul(&[2, k, dim, F64]).saturating_add(mul(&[4, k, n, F64]))
        }
        Method::SlicedAxis => {
            let k = slices.unwrap_or(DEFAULT_SLICES as u64);
            mul(&[2, k.saturating_add(1), n, F64])
        }
        Method::Mma | Method::Mmcs | Method::Koleo => 0,
    };
    (tables, extra)
}

/// Fails unless a dispersion run of `n` points in `R^dim` with `method` fits in this
/// machine's memory ([`dispersion_bytes`] against [`total_bytes`]). The error names the
/// parameter that weighs most: `samples` or `slices` when the method's own buffers
/// outweigh the tables, else `n` or `dim`.
pub fn check_dispersion(
    method: Method,
    options: &MethodOptions,
    n: usize,
    dim: usize,
) -> Result<()> {
    let (tables, extra) = dispersion_parts(method, options, n as u64, dim as u64);
    let (name, value) = if extra > tables {
        match method {
            Method::Lloyd => (
                "samples",
                options.resolved().samples.unwrap_or_default().to_string(),
            ),
            Method::Sliced | Method::SlicedAxis | Method::Ssw => {
                ("slices", describe_slices(options.slices))
            }
            _ => ("n", n.to_string()),
        }
    } else if dim > n {
        ("dim", dim.to_string())
    } else {
        ("n", n.to_string())
    };
    check_fits(name, value, tables.saturating_add(extra))
}

fn describe_slices(slices: Option<usize>) -> String {
    slices.map_or_else(|| "the default".to_string(), |s| s.to_string())
}

/// The estimated bytes of a Tammes search (`tammes::search`) of `n` points in `R^dim`
/// keeping `restarts` annealed starts and polishing `polished` of them: the kept starts
/// (`restarts` tables of `n × dim`), the 8 restarts that run together
/// (22 tables and a 24 MB pair list each), and the polish's tangent bases
/// (`polished · n · dim²` values). Saturates at `u64::MAX`.
pub fn tammes_bytes(n: usize, dim: usize, restarts: usize, polished: usize) -> u64 {
    let (n, dim) = (n as u64, dim as u64);
    let table = n.saturating_mul(dim).saturating_mul(F64);
    let tables = (restarts as u64)
        .saturating_add(TAMMES_WAVE * TAMMES_RESTART_TABLES)
        .saturating_add((polished as u64).saturating_mul(dim));
    table
        .saturating_mul(tables)
        .saturating_add(TAMMES_WAVE * TAMMES_PAIR_LIST_BYTES)
}

/// Fails unless [`tammes_bytes`] fits in this machine's memory, naming `n`.
pub fn check_tammes(n: usize, dim: usize, restarts: usize, polished: usize) -> Result<()> {
    let (name, value) = if dim > n { ("dim", dim) } else { ("n", n) };
    check_fits(
        name,
        value.to_string(),
        tammes_bytes(n, dim, restarts, polished),
    )
}

/// The estimated bytes of training a hierarchy model ([`crate::hierarchy::Trainer`]) of `n`
/// nodes in `R^dim`: the model and Adam's two moments (`3 · n · (dim + 1)` values), and the
/// slots of one batch (`batch_size · 2 · (negatives + 2)` pairs, each with a gradient row and
/// three indices). Saturates at `u64::MAX`.
pub fn hierarchy_training_bytes(n: usize, dim: usize, negatives: usize, batch_size: usize) -> u64 {
    let row = (dim as u64).saturating_add(1).saturating_mul(F64);
    let model = (n as u64).saturating_mul(row).saturating_mul(3);
    let pairs = (batch_size as u64)
        .saturating_mul(2)
        .saturating_mul((negatives as u64).saturating_add(2));
    let slots = pairs.saturating_mul(row.saturating_add(3 * 4));
    model.saturating_add(slots)
}

/// Fails, naming `name` (whose value is `value`) and both figures, when `bytes` exceed
/// [`total_bytes`].
pub fn check_fits(name: &'static str, value: String, bytes: u64) -> Result<()> {
    let total = total_bytes();
    if bytes <= total {
        return Ok(());
    }
    Err(Error::InvalidParameter {
        name,
        expected: "small enough to fit in memory",
        value: format!(
            "{value} (the run needs about {}; this machine has {})",
            format_bytes(bytes),
            format_bytes(total)
        ),
    })
}

/// The machine's total memory: `MemTotal` of `/proc/meminfo`, or
/// [`FALLBACK_TOTAL_BYTES`] where the system does not say.
pub fn total_bytes() -> u64 {
    let read = || -> Option<u64> {
        let info = std::fs::read_to_string("/proc/meminfo").ok()?;
        let line = info.lines().find(|l| l.starts_with("MemTotal:"))?;
        let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
        kib.checked_mul(1024)
    };
    read().unwrap_or(FALLBACK_TOTAL_BYTES)
}

/// `bytes` in decimal units, three significant figures: `7.6 GB`, `120 TB`.
///
/// ```
/// assert_eq!(sphaera::memory::format_bytes(7_600_000_000), "7.6 GB");
/// assert_eq!(sphaera::memory::format_bytes(u64::MAX), "18.4 EB");
/// ```
pub fn format_bytes(bytes: u64) -> String {
    const UNITS: [&str; 7] = ["B", "kB", "MB", "GB", "TB", "PB", "EB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1000.0 && unit + 1 < UNITS.len() {
        value /= 1000.0;
        unit += 1;
    }
    if value >= 100.0 || unit == 0 {
        format!("{value:.0} {}", UNITS[unit])
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_billion_points_do_not_fit_and_the_error_names_the_figures() {
        let options = MethodOptions::default();
        let err = check_dispersion(Method::Mma, &options, 1 << 40, 3)
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("n must be small enough to fit in memory"),
            "{err}"
        );
        let needed = format_bytes(dispersion_bytes(Method::Mma, &options, 1 << 40, 3));
        assert!(needed.ends_with(" TB"), "{needed}");
        assert!(
            err.contains(&format!("the run needs about {needed}")),
            "{err}"
        );
        assert!(err.contains("this machine has"), "{err}");
    }

    #[test]
    fn the_parameter_that_weighs_most_is_named() {
        let named = |method, options: MethodOptions, n, dim| match check_dispersion(
            method, &options, n, dim,
        ) {
            Err(Error::InvalidParameter { name, .. }) => name,
            other => panic!("{other:?}"),
        };
        let lloyd = MethodOptions {
            samples: Some(1 << 50),
            ..Default::default()
        };
        assert_eq!(named(Method::Lloyd, lloyd, 24, 3), "samples");
        let ssw = MethodOptions {
            slices: Some(1 << 50),
            ..Default::default()
        };
        assert_eq!(named(Method::Ssw, ssw, 24, 3), "slices");
        let plain = MethodOptions::default();
        assert_eq!(named(Method::Mma, plain, 3, 1 << 50), "dim");
        assert_eq!(named(Method::Mmd, plain, 1 << 50, 3), "n");
    }

    #[test]
    fn ordinary_runs_fit() {
        let options = MethodOptions::default();
        for method in Method::ALL {
            check_dispersion(method, &options, 20_000, 64).unwrap();
        }
        check_tammes(130, 3, 192, 16).unwrap();
        assert!(check_tammes(1 << 40, 3, 16, 4).is_err());
    }

    #[test]
    fn estimates_saturate_instead_of_overflowing() {
        let options = MethodOptions::default();
        assert_eq!(
            dispersion_bytes(Method::Mmd, &options, usize::MAX, usize::MAX),
            u64::MAX
        );
        assert_eq!(tammes_bytes(usize::MAX, 3, 16, 4), u64::MAX);
    }
}

//! What a run will need in memory, estimated before anything is allocated, so that a size
//! that cannot fit is refused with a figure instead of ending in an allocator abort.
//!
//! The estimates count the large buffers only (those of `n · dim` values and the methods'
//! own), in `f64`s of 8 bytes; they are meant to tell "fits" from "cannot possibly fit", not
//! to predict the peak to the megabyte. The limit is the machine's total memory
//! ([`total_bytes`]).

use crate::error::{Error, Result};

/// The limit assumed when the system does not report its memory (no `/proc/meminfo`).
pub const FALLBACK_TOTAL_BYTES: u64 = 16 << 30;

/// Tables of `n × dim` values a Tammes restart holds while it runs: the point, the
/// gradient, a trial point and its gradient, the direction, the anchor, and L-BFGS's 16.
const TAMMES_RESTART_TABLES: u64 = 22;

/// Restarts a Tammes search runs together (`tammes::search`'s waves).
const TAMMES_WAVE: u64 = 8;

/// The longest pair list a Tammes restart keeps, in bytes.
const TAMMES_PAIR_LIST_BYTES: u64 = 24 << 20;

/// Bytes of one value.
pub(crate) const F64: u64 = 8;

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
/// nodes with rows of `width` parameters (`dim + 1` for balls, `2 · dim` for boxes: the
/// model's [`crate::hierarchy::Regions::width`]): the model and Adam's two moments
/// (`3 · n · width` values), and the slots of one batch (`batch_size · 2 · (negatives + 2)`
/// pairs, each with a gradient row and three indices). Saturates at `u64::MAX`.
pub fn hierarchy_training_bytes(
    n: usize,
    width: usize,
    negatives: usize,
    batch_size: usize,
) -> u64 {
    let row = (width as u64).saturating_mul(F64);
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
    fn tammes_sizes_are_checked_and_estimates_saturate() {
        check_tammes(130, 3, 192, 16).unwrap();
        assert!(check_tammes(1 << 40, 3, 16, 4).is_err());
        assert_eq!(tammes_bytes(usize::MAX, 3, 16, 4), u64::MAX);
    }
}

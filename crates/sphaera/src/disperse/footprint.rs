//! What a dispersion run will hold in memory, estimated from its size and method before
//! anything is allocated (see [`crate::memory`] for the machine's side).

use crate::disperse::{Method, MethodOptions, DEFAULT_SLICES, DEFAULT_SSW_SLICES};
use crate::error::Result;
use crate::memory::{check_fits, F64};
use crate::tiles::TILE;

/// Tables of `n × dim` values a dispersion run holds at once: the points, the start (kept by
/// an anchor), the gradient, two for the optimizer's state (Adam's averages, or SGD's
/// momentum), and one scratch table of the regularizer.
const DISPERSION_TABLES: u64 = 6;

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
/// let small = sphaera::disperse::dispersion_bytes(Method::Mma, &MethodOptions::default(), 24, 3);
/// assert!(small < 10_000);
/// let huge = MethodOptions { samples: Some(usize::MAX), ..Default::default() };
/// assert_eq!(sphaera::disperse::dispersion_bytes(Method::Lloyd, &huge, 24, 3), u64::MAX);
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
/// machine's memory ([`dispersion_bytes`] against [`crate::memory::total_bytes`]). The error names the
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Error;
    use crate::memory::format_bytes;

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
    fn ordinary_runs_fit_and_estimates_saturate() {
        let options = MethodOptions::default();
        for method in Method::ALL {
            check_dispersion(method, &options, 20_000, 64).unwrap();
        }
        assert_eq!(
            dispersion_bytes(Method::Mmd, &options, usize::MAX, usize::MAX),
            u64::MAX
        );
    }
}

//! The floating-point type of the pairwise matrix products.

use crate::error::{Error, Result};

/// Which type the pairwise passes (the Gram tiles of the kernel and nearest-neighbour
/// methods, and the products that carry their gradients back) compute in. Points,
/// gradients, optimizer state and every sum across tiles stay in `f64` either way.
///
/// `F64` (the default) is exact to rounding, and the finite-difference checks run in it;
/// `F32` is what the paper's PyTorch code uses: its products run about twice as fast; a
/// kernel's value agrees with `F64` to about `1e-11` and its gradient to about `3e-7`
/// (relative, tested below `1e-9` and `1e-6` on tables of several tiles). Nearest-neighbour
/// methods find the same neighbours unless two candidates' products are within `f32`
/// rounding (about `1e-7`) of each other, and compute their values in `f64` either way.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Precision {
    /// Products in `f64`.
    #[default]
    F64,
    /// Products in `f32`, accumulated across tiles in `f64`.
    F32,
}

impl std::str::FromStr for Precision {
    type Err = Error;

    /// `f64` or `f32`.
    fn from_str(name: &str) -> Result<Self> {
        match name {
            "f64" => Ok(Precision::F64),
            "f32" => Ok(Precision::F32),
            _ => Err(Error::InvalidParameter {
                name: "precision",
                expected: "f64 or f32",
                value: name.into(),
            }),
        }
    }
}

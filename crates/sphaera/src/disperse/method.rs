//! The catalogue of regularizers by name, with the options each one reads.

use std::fmt;

use crate::disperse::{
    Distance, Kernel, Koleo, Lloyd, Mma, Mmcs, Mmd, Regularizer, Sliced, SlicedAxis, Ssw,
    Uniformity,
};
use crate::error::Result;

/// Every regularizer sphaera offers, by the name the command line uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// [`Mmd`]: a kernel of a distance, averaged over pairs.
    Mmd,
    /// [`Uniformity`].
    Uniformity,
    /// [`Mmd::mhe`]: the Riesz kernel on geodesic distance.
    Mhe,
    /// [`Mma`].
    Mma,
    /// [`Mmcs`].
    Mmcs,
    /// [`Koleo`].
    Koleo,
    /// [`Lloyd`].
    Lloyd,
    /// [`Sliced`].
    Sliced,
    /// [`SlicedAxis`].
    SlicedAxis,
    /// [`Ssw`].
    Ssw,
}

impl Method {
    /// All methods, in the order the documentation lists them.
    pub const ALL: [Method; 10] = [
        Method::Mmd,
        Method::Uniformity,
        Method::Mhe,
        Method::Mma,
        Method::Mmcs,
        Method::Koleo,
        Method::Lloyd,
        Method::Sliced,
        Method::SlicedAxis,
        Method::Ssw,
    ];

    /// The command-line name.
    pub fn name(self) -> &'static str {
        match self {
            Method::Mmd => "mmd",
            Method::Uniformity => "uniformity",
            Method::Mhe => "mhe",
            Method::Mma => "mma",
            Method::Mmcs => "mmcs",
            Method::Koleo => "koleo",
            Method::Lloyd => "lloyd",
            Method::Sliced => "sliced",
            Method::SlicedAxis => "sliced-axis",
            Method::Ssw => "ssw",
        }
    }

    /// Whether each step draws fresh random samples or planes.
    pub fn is_stochastic(self) -> bool {
        matches!(
            self,
            Method::Lloyd | Method::Sliced | Method::SlicedAxis | Method::Ssw
        )
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The family of kernel for [`Method::Mmd`], without its parameter.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum KernelKind {
    /// `exp(−γ D²)`.
    #[default]
    Gaussian,
    /// `exp(−γ D)`.
    Laplace,
    /// `D^{−s}` and its limits.
    Riesz,
}

/// Options of the methods; `None` takes the method's default.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct MethodOptions {
    /// Kernel of `mmd` (default gaussian).
    pub kernel: Option<KernelKind>,
    /// Distance of `mmd` (default euclidean, the chordal distance).
    pub distance: Option<Distance>,
    /// `γ` of the gaussian and laplace kernels (default 1).
    pub gamma: Option<f64>,
    /// Exponent of the Riesz kernel of `mmd` and `mhe` (default 1).
    pub s: Option<f64>,
    /// Temperature of `uniformity` (default 2).
    pub t: Option<f64>,
    /// Samples per step of `lloyd` (default 1000).
    pub samples: Option<usize>,
    /// Circles per step of `sliced`, `sliced-axis` (default 4) and `ssw` (default 100).
    pub slices: Option<usize>,
}

/// Builds the regularizer `method` with `options`, checking every parameter.
///
/// ```
/// use sphaera::disperse::{build, Method, MethodOptions};
/// assert!(build(Method::Koleo, &MethodOptions::default()).is_ok());
/// let bad = MethodOptions { gamma: Some(-1.0), ..Default::default() };
/// assert!(build(Method::Mmd, &bad).is_err());
/// ```
pub fn build(method: Method, options: &MethodOptions) -> Result<Box<dyn Regularizer>> {
    let gamma = options.gamma.unwrap_or(1.0);
    let s = options.s.unwrap_or(1.0);
    Ok(match method {
        Method::Mmd => {
            let kernel = match options.kernel.unwrap_or_default() {
                KernelKind::Gaussian => Kernel::Gaussian { gamma },
                KernelKind::Laplace => Kernel::Laplace { gamma },
                KernelKind::Riesz => Kernel::Riesz { s },
            };
            Box::new(Mmd::new(kernel, options.distance.unwrap_or_default())?)
        }
        Method::Uniformity => Box::new(Uniformity::new(options.t.unwrap_or(2.0))?),
        Method::Mhe => Box::new(Mmd::mhe(s)?),
        Method::Mma => Box::new(Mma),
        Method::Mmcs => Box::new(Mmcs),
        Method::Koleo => Box::new(Koleo),
        Method::Lloyd => Box::new(match options.samples {
            Some(m) => Lloyd::new(m)?,
            None => Lloyd::default(),
        }),
        Method::Sliced => Box::new(match options.slices {
            Some(k) => Sliced::new(k)?,
            None => Sliced::default(),
        }),
        Method::SlicedAxis => Box::new(match options.slices {
            Some(k) => SlicedAxis::new(k)?,
            None => SlicedAxis::default(),
        }),
        Method::Ssw => Box::new(match options.slices {
            Some(k) => Ssw::new(k)?,
            None => Ssw::default(),
        }),
    })
}

//! The catalogue of regularizers by name, with the options each one reads.

use std::fmt;

use crate::disperse::lloyd::DEFAULT_SAMPLES;
use crate::disperse::sliced::DEFAULT_SLICES;
use crate::disperse::ssw::DEFAULT_SSW_SLICES;
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

impl std::str::FromStr for Method {
    type Err = crate::Error;

    /// The method of a command-line name.
    ///
    /// ```
    /// use sphaera::disperse::Method;
    /// assert_eq!("sliced-axis".parse::<Method>().unwrap(), Method::SlicedAxis);
    /// assert!("bogus".parse::<Method>().is_err());
    /// ```
    fn from_str(name: &str) -> Result<Self> {
        Method::ALL
            .into_iter()
            .find(|m| m.name() == name)
            .ok_or_else(|| crate::Error::InvalidParameter {
                name: "method",
                expected: "one of the methods",
                value: name.to_string(),
            })
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

impl std::str::FromStr for KernelKind {
    type Err = crate::Error;

    /// `gaussian`, `laplace` or `riesz`.
    fn from_str(name: &str) -> Result<Self> {
        match name {
            "gaussian" => Ok(KernelKind::Gaussian),
            "laplace" => Ok(KernelKind::Laplace),
            "riesz" => Ok(KernelKind::Riesz),
            _ => Err(crate::Error::InvalidParameter {
                name: "kernel",
                expected: "gaussian, laplace or riesz",
                value: name.to_string(),
            }),
        }
    }
}

impl std::str::FromStr for Distance {
    type Err = crate::Error;

    /// `euclidean` (chordal) or `geodesic`.
    fn from_str(name: &str) -> Result<Self> {
        match name {
            "euclidean" => Ok(Distance::Euclidean),
            "geodesic" => Ok(Distance::Geodesic),
            _ => Err(crate::Error::InvalidParameter {
                name: "distance",
                expected: "euclidean or geodesic",
                value: name.to_string(),
            }),
        }
    }
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

impl MethodOptions {
    /// The options with every `None` replaced by the default `method` uses.
    pub fn resolved(&self) -> MethodOptions {
        MethodOptions {
            kernel: Some(self.kernel.unwrap_or_default()),
            distance: Some(self.distance.unwrap_or_default()),
            gamma: Some(self.gamma.unwrap_or(DEFAULT_GAMMA)),
            s: Some(self.s.unwrap_or(DEFAULT_S)),
            t: Some(self.t.unwrap_or(DEFAULT_T)),
            samples: Some(self.samples.unwrap_or(DEFAULT_SAMPLES)),
            slices: self.slices,
        }
    }
}

const DEFAULT_GAMMA: f64 = 1.0;
const DEFAULT_S: f64 = 1.0;
const DEFAULT_T: f64 = 2.0;

/// `method` with the options it actually uses, for reports: `mmd (riesz, s 1, euclidean)`.
///
/// ```
/// use sphaera::disperse::{describe, Method, MethodOptions};
/// assert_eq!(describe(Method::Lloyd, &MethodOptions::default()), "lloyd (1000 samples)");
/// ```
pub fn describe(method: Method, options: &MethodOptions) -> String {
    let o = options.resolved();
    let (gamma, s) = (o.gamma.unwrap_or(DEFAULT_GAMMA), o.s.unwrap_or(DEFAULT_S));
    match method {
        Method::Mmd => {
            let distance = match o.distance.unwrap_or_default() {
                Distance::Euclidean => "euclidean",
                Distance::Geodesic => "geodesic",
            };
            match o.kernel.unwrap_or_default() {
                KernelKind::Gaussian => format!("mmd (gaussian, gamma {gamma}, {distance})"),
                KernelKind::Laplace => format!("mmd (laplace, gamma {gamma}, {distance})"),
                KernelKind::Riesz => format!("mmd (riesz, s {s}, {distance})"),
            }
        }
        Method::Uniformity => format!("uniformity (t {})", o.t.unwrap_or(DEFAULT_T)),
        Method::Mhe => format!("mhe (s {s})"),
        Method::Lloyd => format!("lloyd ({} samples)", o.samples.unwrap_or(DEFAULT_SAMPLES)),
        Method::Sliced | Method::SlicedAxis => {
            format!("{method} ({} slices)", o.slices.unwrap_or(DEFAULT_SLICES))
        }
        Method::Ssw => format!("ssw ({} slices)", o.slices.unwrap_or(DEFAULT_SSW_SLICES)),
        Method::Mma | Method::Mmcs | Method::Koleo => method.name().to_string(),
    }
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
    let o = options.resolved();
    let gamma = o.gamma.unwrap_or(DEFAULT_GAMMA);
    let s = o.s.unwrap_or(DEFAULT_S);
    Ok(match method {
        Method::Mmd => {
            let kernel = match o.kernel.unwrap_or_default() {
                KernelKind::Gaussian => Kernel::Gaussian { gamma },
                KernelKind::Laplace => Kernel::Laplace { gamma },
                KernelKind::Riesz => Kernel::Riesz { s },
            };
            Box::new(Mmd::new(kernel, o.distance.unwrap_or_default())?)
        }
        Method::Uniformity => Box::new(Uniformity::new(o.t.unwrap_or(DEFAULT_T))?),
        Method::Mhe => Box::new(Mmd::mhe(s)?),
        Method::Mma => Box::new(Mma),
        Method::Mmcs => Box::new(Mmcs),
        Method::Koleo => Box::new(Koleo),
        Method::Lloyd => Box::new(Lloyd::new(o.samples.unwrap_or(DEFAULT_SAMPLES))?),
        Method::Sliced => Box::new(Sliced::new(o.slices.unwrap_or(DEFAULT_SLICES))?),
        Method::SlicedAxis => Box::new(SlicedAxis::new(o.slices.unwrap_or(DEFAULT_SLICES))?),
        Method::Ssw => Box::new(Ssw::new(o.slices.unwrap_or(DEFAULT_SSW_SLICES))?),
    })
}

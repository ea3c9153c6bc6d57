//! Dispersion regularizers on the unit sphere ("Keep your distance", Tokarchuk, Bakker &
//! Niculae 2025), each a [`Regularizer`], and the [`Dispersion`] training loop.

mod anchor;
mod footprint;
mod job;
mod kernel;
mod lloyd;
mod method;
mod nearest;
mod regularizer;
mod run;
mod sliced;
mod ssw;

pub use anchor::Anchor;
pub use footprint::{check_dispersion, dispersion_bytes};
pub use job::{Job, OptimizerKind, Outcome, DEFAULT_DIM, DEFAULT_N, DEFAULT_STEPS};
pub use kernel::{Distance, Kernel, Mmd, Uniformity, MAX_GAMMA, MAX_RIESZ_S, MAX_UNIFORMITY_T};
pub use lloyd::Lloyd;
pub use method::{build, describe, KernelKind, Method, MethodOptions};
pub use nearest::{Koleo, Mma, Mmcs};
pub use regularizer::{Context, Regularizer};
pub use run::{Dispersion, StepValues};
pub(crate) use sliced::DEFAULT_SLICES;
pub use sliced::{random_planes, Sliced, SlicedAxis};
pub use ssw::Ssw;
pub(crate) use ssw::DEFAULT_SSW_SLICES;

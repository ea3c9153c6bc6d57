//! # sphaera
//!
//! Embeddings on the unit sphere `S^{d−1} ⊂ R^d`, learned with hyperspherical geometry.
//!
//! This crate holds the mathematics; the `sphaera` command-line tool drives it.
//!
//! - [`sphere`]: normalization, stable angles, tangent projection, retraction, `exp`/`log`.
//! - [`disperse`]: every regularizer of "Keep your distance" (Tokarchuk, Bakker & Niculae
//!   2025) as a [`disperse::Regularizer`] (value, and exact gradient added into a buffer):
//!   pairwise kernels read as MMD, uniformity, MHE, MMA, MMCS, KoLeo, online Lloyd, sliced
//!   and axis-sliced great circles, spherical sliced Wasserstein; and
//!   [`disperse::Dispersion`], the loop that trades a caller's task off against one of them.
//! - [`optim`]: Riemannian Adam and SGD with geoopt's semantics, and a Euclidean baseline.
//! - [`metrics`]: minimum and nearest-neighbour angles, circular variance, energies.
//! - [`tammes`]: best-known minimum angles, to measure the gap to the optimum.
//! - [`memory`]: what a run will need, checked before anything is allocated.
//!
//! ## Memory and threads
//! Pairwise terms are computed tile by tile (a block of rows against a block of columns,
//! through a matrix product), never as an `N × N` matrix: memory stays `O(N·d)`. Work is
//! split in fixed blocks and reduced in block order, so [`Par::Seq`] and [`Par::Rayon`] with
//! any number of threads give identical numbers.
//!
//! ## When not to use it
//! Points are `f64` on the CPU. For a dispersion term inside a large GPU model, the paper's
//! PyTorch code runs where the model runs.
//!
//! ```
//! use sphaera::disperse::{Dispersion, Mma};
//! use sphaera::optim::{Adam, Optimizer};
//! use sphaera::{metrics, random, Par};
//!
//! let start = random::uniform_sphere(12, 3, &mut random::seeded(1));
//! let before = metrics::min_angle(&start, Par::Seq);
//! let adam = Optimizer::Adam(Adam { lr: 0.01, ..Adam::default() });
//! let mut run = Dispersion::new(start, Box::new(Mma), adam, 1).unwrap();
//! for _ in 0..500 {
//!     run.step().unwrap();
//! }
//! assert!(metrics::min_angle(run.points(), Par::Seq) > before);
//! ```

pub mod ball;
pub mod data;
pub mod disperse;
#[doc = include_str!("../doc/for_pytorch_users.md")]
pub mod for_pytorch_users {}
mod error;
pub mod eval;
pub mod files;
pub mod hierarchy;
mod linalg;
pub mod memory;
pub mod metrics;
pub mod optim;
mod par;
mod points;
pub mod random;
pub mod sphere;
pub mod tammes;
mod tiles;
mod vmath;

pub use error::{Error, Result};
pub use par::Par;
pub use points::Points;

//! # sphaera
//!
//! Embeddings on the unit sphere `S^{d−1} ⊂ R^d`, learned with hyperspherical geometry.
//!
//! This crate holds the mathematics; the `sphaera` command-line tool drives it.
//!
//! Points on the sphere:
//! - [`sphere`]: normalization, stable angles, tangent projection, retraction, `exp`/`log`.
//! - [`random`]: seeded generators and random points; every draw is reproducible from a seed.
//! - [`disperse`]: the regularizers of "Keep your distance" (Tokarchuk, Bakker & Niculae
//!   2025), each a [`disperse::Regularizer`], and [`disperse::Dispersion`], the training loop.
//! - [`optim`]: Riemannian Adam and SGD with geoopt's semantics, and a Euclidean baseline.
//! - [`metrics`]: minimum and nearest-neighbour angles, circular variance, energies.
//! - [`tammes`]: best-known minimum angles of `N` points, and a search for the configuration.
//!
//! Hierarchies:
//! - [`data`]: edge lists, WordNet's noun hierarchy, the embedded mammals, closures, splits.
//! - [`ball`]: balls in `R^d`: containment margins and exact intersection volumes, with gradients.
//! - [`hierarchy`]: SpheREx (every node a ball, or a spherical cap, containing its descendants):
//!   the trainer, whole runs under a protocol, checkpoints.
//! - [`eval`]: reconstruction and link prediction, for any model that scores pairs.
//!
//! Around them:
//! - [`memory`]: what a run will need, checked before anything is allocated.
//! - [`files`]: output files written whole or not at all.
//! - [`for_pytorch_users`]: the regularizers side by side with the PyTorch reference code.
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
mod precision;
pub mod random;
mod scratch;
pub mod sphere;
pub mod tammes;
mod tiles;
mod vmath;

pub use error::{Error, Result};
pub use par::Par;
pub use points::Points;
pub use precision::Precision;

//! Hierarchy embeddings: SpheREx, every entity a ball whose containment encodes is-a.

mod balls;
mod known;
mod loss;
mod train;

pub use balls::{BallScorer, Balls};
pub use known::Known;
pub use loss::{pair_loss, PairGradient, PairKind, SpherexLoss};
pub use train::{EpochStats, SpherexConfig, Trainer, TrainerState};

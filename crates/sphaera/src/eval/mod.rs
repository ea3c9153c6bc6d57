//! The evaluation protocols of hierarchy embeddings, for any model that scores pairs.

mod classification;
mod reconstruction;
mod scorer;

pub use classification::{
    auroc, average_precision, best_f1_threshold, f1_at, link_prediction, link_prediction_on,
    LinkPrediction,
};
pub use reconstruction::{reconstruction, Reconstruction, Sampling};
pub use scorer::Scorer;

//! Scores of positive and negative pairs judged as a binary classifier: F1 at a threshold
//! chosen on validation data, AUROC and average precision.

use serde::{Deserialize, Serialize};

use crate::data::HeldOut;
use crate::eval::Scorer;

/// Link prediction figures: the threshold that maximizes validation F1, applied to test.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct LinkPrediction {
    /// Scores at or above this are predicted edges.
    pub threshold: f64,
    /// F1 on validation at the threshold (the best reachable there).
    pub valid_f1: f64,
    /// F1 on test at the threshold.
    pub test_f1: f64,
    /// Area under the ROC curve on test.
    pub test_auroc: f64,
    /// Average precision on test.
    pub test_ap: f64,
}

/// The protocol of Ganea et al. (2018): the threshold maximizing F1 on the validation
/// scores decides the test predictions.
///
/// ```
/// let lp = sphaera::eval::link_prediction(&[0.9, 0.8], &[0.1, 0.85], &[0.95, 0.7], &[0.2, 0.3]);
/// assert_eq!(lp.threshold, 0.8);
/// assert_eq!(lp.test_f1, 2.0 / 3.0); // 0.7 falls below the threshold
/// ```
pub fn link_prediction(
    valid_pos: &[f64],
    valid_neg: &[f64],
    test_pos: &[f64],
    test_neg: &[f64],
) -> LinkPrediction {
    let (threshold, valid_f1) = best_f1_threshold(valid_pos, valid_neg);
    LinkPrediction {
        threshold,
        valid_f1,
        test_f1: f1_at(test_pos, test_neg, threshold),
        test_auroc: auroc(test_pos, test_neg),
        test_ap: average_precision(test_pos, test_neg),
    }
}

/// Link prediction on the held-out pairs of a split, scored by `model` (whose node
/// numbering is the split's).
///
/// ```
/// use sphaera::data::{mammals, split, Hierarchy};
/// use sphaera::eval::link_prediction_on;
/// let h = Hierarchy::from_edge_list(&mammals()).unwrap();
/// let s = split(&h, 0.0, 0).unwrap();
/// // The oracle that knows the closure scores every held-out pair right.
/// let oracle = |u, v| if s.closure.is_ancestor(u, v) { 1.0 } else { 0.0 };
/// let lp = link_prediction_on(&s.held_out, &oracle);
/// assert_eq!((lp.valid_f1, lp.test_f1, lp.test_auroc), (1.0, 1.0, 1.0));
/// ```
pub fn link_prediction_on(held_out: &HeldOut, model: &impl Scorer) -> LinkPrediction {
    let scores = |pairs: &[(u32, u32)]| -> Vec<f64> {
        let mut out = vec![0.0; pairs.len()];
        model.score_pairs(pairs, &mut out);
        out
    };
    link_prediction(
        &scores(&held_out.valid),
        &scores(&held_out.valid_neg),
        &scores(&held_out.test),
        &scores(&held_out.test_neg),
    )
}

/// F1 when scores at or above `threshold` are predicted positive. NaN scores are never
/// predicted positive.
pub fn f1_at(pos: &[f64], neg: &[f64], threshold: f64) -> f64 {
    let tp = pos.iter().filter(|&&s| s >= threshold).count() as f64;
    let fp = neg.iter().filter(|&&s| s >= threshold).count() as f64;
    let fn_ = pos.len() as f64 - tp;
    if tp == 0.0 {
        0.0
    } else {
        2.0 * tp / (2.0 * tp + fp + fn_)
    }
}

/// The threshold (one of the scores) with the largest F1, and that F1. Among equal F1 the
/// highest threshold wins.
///
/// ```
/// let (t, f1) = sphaera::eval::best_f1_threshold(&[3.0, 2.0], &[1.0, 2.0]);
/// assert_eq!((t, f1), (2.0, 0.8));
/// ```
pub fn best_f1_threshold(pos: &[f64], neg: &[f64]) -> (f64, f64) {
    let mut all: Vec<(f64, bool)> = pos
        .iter()
        .map(|&s| (s, true))
        .chain(neg.iter().map(|&s| (s, false)))
        .filter(|(s, _)| !s.is_nan())
        .collect();
    all.sort_by(|a, b| b.0.total_cmp(&a.0));
    let total_pos = pos.len() as f64;
    let (mut tp, mut fp) = (0.0, 0.0);
    let (mut best, mut best_f1) = (f64::INFINITY, 0.0);
    let mut i = 0;
    while i < all.len() {
        // Everything tied at this score is predicted together.
        let s = all[i].0;
        while i < all.len() && all[i].0 == s {
            if all[i].1 {
                tp += 1.0;
            } else {
                fp += 1.0;
            }
            i += 1;
        }
        let f1 = 2.0 * tp / (tp + fp + total_pos);
        if f1 > best_f1 {
            (best, best_f1) = (s, f1);
        }
    }
    (best, best_f1)
}

/// Area under the ROC curve: the chance that a random positive outscores a random negative,
/// ties counting one half.
///
/// ```
/// assert_eq!(sphaera::eval::auroc(&[2.0, 1.0], &[1.0, 0.0]), 0.875);
/// ```
pub fn auroc(pos: &[f64], neg: &[f64]) -> f64 {
    let mut sorted_neg: Vec<f64> = neg
        .iter()
        .map(|&s| if s.is_nan() { f64::INFINITY } else { s })
        .collect();
    sorted_neg.sort_by(f64::total_cmp);
    let mut wins = 0.0;
    for &p in pos {
        let p = if p.is_nan() { f64::NEG_INFINITY } else { p };
        let below = sorted_neg.partition_point(|&n| n < p);
        let tied = sorted_neg.partition_point(|&n| n <= p) - below;
        wins += below as f64 + 0.5 * tied as f64;
    }
    wins / (pos.len() as f64 * neg.len() as f64)
}

/// Average precision: the mean, over positives, of the precision among scores at or above
/// each positive's score (tied scores are retrieved together), as scikit-learn defines it.
///
/// ```
/// assert_eq!(sphaera::eval::average_precision(&[3.0, 1.0], &[2.0]), (1.0 + 2.0 / 3.0) / 2.0);
/// ```
pub fn average_precision(pos: &[f64], neg: &[f64]) -> f64 {
    let mut all: Vec<(f64, bool)> = pos
        .iter()
        .map(|&s| (if s.is_nan() { f64::NEG_INFINITY } else { s }, true))
        .chain(
            neg.iter()
                .map(|&s| (if s.is_nan() { f64::INFINITY } else { s }, false)),
        )
        .collect();
    all.sort_by(|a, b| b.0.total_cmp(&a.0));
    let (mut tp, mut seen, mut ap) = (0.0, 0.0, 0.0);
    let mut i = 0;
    while i < all.len() {
        let s = all[i].0;
        let before = tp;
        while i < all.len() && all[i].0 == s {
            tp += f64::from(u8::from(all[i].1));
            seen += 1.0;
            i += 1;
        }
        ap += (tp - before) * (tp / seen);
    }
    ap / pos.len() as f64
}

//! Judging a saved model, whose rows are named, on a hierarchy and optionally on a split.

use std::collections::HashMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::data::{HeldOut, Hierarchy, Split};
use crate::error::{Error, Result};
use crate::eval::{link_prediction_on, reconstruction, LinkPrediction, Reconstruction, Sampling};
use crate::hierarchy::regions::Regions;
use crate::Par;

/// What [`evaluate`] reports; in JSON one flat object, as a training run's summary.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Evaluated {
    /// Reconstruction of the evaluated closure (every node).
    #[serde(flatten)]
    pub reconstruction: Reconstruction,
    /// Link prediction on the split's held-out pairs, when a split was given.
    #[serde(default, flatten, skip_serializing_if = "Option::is_none")]
    pub link_prediction: Option<LinkPrediction>,
    /// The score weight link prediction chose on validation, for models with one
    /// ([`Regions::SCORE_WEIGHTS`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score_weight: Option<f64>,
}

/// Link prediction of `model` on `held_out` (threshold chosen on validation), and for a
/// model whose score has a free weight ([`Regions::SCORE_WEIGHTS`]) the weight chosen with
/// it: the one of best validation F1, the first listed among equals.
pub fn judge_link_prediction<M: Regions>(
    model: &M,
    held_out: &HeldOut,
) -> (LinkPrediction, Option<f64>) {
    let mut best: Option<(LinkPrediction, Option<f64>)> = None;
    for &weight in M::SCORE_WEIGHTS {
        let figures = link_prediction_on(held_out, &model.weighted_scoring(weight));
        if best
            .as_ref()
            .is_none_or(|(b, _)| figures.valid_f1 > b.valid_f1)
        {
            best = Some((figures, Some(weight)));
        }
    }
    best.unwrap_or_else(|| (link_prediction_on(held_out, &model.scoring()), None))
}

/// Judges `model`, whose row `i` is the node `names[i]`.
///
/// Without a split, reconstruction of `hierarchy`'s closure. With one, reconstruction of the
/// closure of the split's nodes (the hierarchy without its root, which a model trained on the
/// split does not have) and link prediction on its held-out pairs, with the threshold chosen
/// on validation: the figures the training run reported for the model it kept.
///
/// ```
/// use sphaera::data::{parse_edges, Hierarchy};
/// use sphaera::hierarchy::{evaluate, Balls};
/// let h = Hierarchy::from_edge_list(&parse_edges("dog\tanimal\ncat\tanimal\n", "-").unwrap())
///     .unwrap();
/// // Rows named in another order than the hierarchy's: matched by name.
/// let names = ["animal", "cat", "dog"].map(String::from);
/// let balls = Balls::from_parts(1, vec![0.0, -1.0, 1.0], vec![1.0, -2.0, -2.0]).unwrap();
/// let judged = evaluate(&balls, &names, &h, None).unwrap();
/// assert_eq!((judged.reconstruction.map, judged.reconstruction.pairs), (1.0, 2));
/// let err = evaluate(&balls, &names[..2].to_vec(), &h, None).unwrap_err();
/// assert_eq!(err.to_string(), "node names has shape [2], expected [3]");
/// ```
pub fn evaluate<M: Regions>(
    model: &M,
    names: &[String],
    hierarchy: &Hierarchy,
    split: Option<&Split>,
) -> Result<Evaluated> {
    if names.len() != model.n() {
        return Err(Error::Shape {
            what: "node names",
            expected: vec![model.n()],
            found: vec![names.len()],
        });
    }
    let nodes = split.map_or(hierarchy, |s| &s.hierarchy);
    // The model renumbered to the evaluated nodes, so it scores blocks of rows directly.
    let model = model.select(&rows_of(nodes, names)?);
    let scoring = model.scoring();
    let whole;
    let closure = match split {
        Some(s) => &s.closure,
        None => {
            whole = hierarchy.checked_closure()?;
            &whole
        }
    };
    let judged = split.map(|s| judge_link_prediction(&model, &s.held_out));
    Ok(Evaluated {
        reconstruction: reconstruction(closure, &scoring, Sampling::All, Par::Rayon),
        link_prediction: judged.map(|(figures, _)| figures),
        score_weight: judged.and_then(|(_, weight)| weight),
    })
}

/// The model row of each node of `nodes`, by name.
fn rows_of(nodes: &Hierarchy, names: &[String]) -> Result<Vec<u32>> {
    let row: HashMap<&str, u32> = names
        .iter()
        .enumerate()
        .map(|(i, name)| (name.as_str(), i as u32))
        .collect();
    nodes
        .names()
        .iter()
        .map(|name| {
            row.get(name.as_str())
                .copied()
                .ok_or_else(|| Error::NotInModel { name: name.clone() })
        })
        .collect()
}

impl fmt::Display for Evaluated {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let r = &self.reconstruction;
        writeln!(
            f,
            "reconstruction: MAP {:.4}, mean rank {:.3} ({} nodes, {} pairs)",
            r.map, r.mean_rank, r.nodes, r.pairs
        )?;
        if let Some(lp) = &self.link_prediction {
            writeln!(
                f,
                "link prediction: test F1 {:.4}, AUROC {:.4}, AP {:.4} (valid F1 {:.4} at threshold {:.4})",
                lp.test_f1, lp.test_auroc, lp.test_ap, lp.valid_f1, lp.threshold
            )?;
        }
        Ok(())
    }
}

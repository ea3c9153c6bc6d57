//! The settings of a hierarchy training run, whatever the model.

use serde::{Deserialize, Serialize};

use crate::error::{check, Error, Result};
use crate::hierarchy::loss::SpherexLoss;
use crate::optim::AdamMoments;

/// Hyperparameters of a SpheREx run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SpherexConfig {
    /// Dimension of the balls' space.
    pub dim: usize,
    /// Negatives per positive edge, half with the ancestor corrupted, half the descendant.
    pub negatives: usize,
    /// Negatives are drawn in proportion to `degree^negative_power`, a node's degree being
    /// how many training edges it is an end of (word2vec's unigram^0.75 when 0.75); 0 draws
    /// them uniformly. Always among the pairs the known edges do not hold.
    #[serde(default)]
    pub negative_power: f64,
    /// Positive edges per step.
    pub batch_size: usize,
    /// The optimizer's step size.
    pub lr: f64,
    /// How touched rows are stepped (lazy Adam unless set).
    #[serde(default)]
    pub optimizer: RowOptimizer,
    /// The first epochs at a reduced step size (none unless set).
    #[serde(default)]
    pub burn_in: Option<BurnIn>,
    /// Adam's decay rates and ε (PyTorch's defaults, as the trainer always used).
    #[serde(default)]
    pub adam: AdamMoments,
    /// The loss.
    pub loss: SpherexLoss,
    /// Radii never shrink below this, so margins stay far above rounding.
    pub min_radius: f64,
    /// Seed of the initialization, the order of edges and the negatives.
    pub seed: u64,
    /// How an epoch picks its training edges.
    #[serde(default)]
    pub edge_sampling: EdgeSampling,
    /// Adam's step size falls linearly from `lr` to zero over this many epochs (and stays
    /// at zero after them); `None` keeps it constant.
    #[serde(default)]
    pub lr_decay_epochs: Option<u64>,
}

/// How the trainer steps a touched row from its batch gradient `g` (the summed gradients of
/// its slots over the batch's terms), after [`crate::hierarchy::Regions::riemannian_gradient`] and before
/// [`crate::hierarchy::Regions::project`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum RowOptimizer {
    /// Lazy Adam (as sparse Adam: a row without gradient is not visited), Riemannian on the
    /// row's coordinates on the sphere ([`crate::hierarchy::Regions::sphere_coordinates`]), coordinate-wise on
    /// the rest. Balls and caps.
    #[default]
    Adam,
    /// Plain SGD, `θ ← θ − lr · g`: with the Poincaré ball's metric and projection, the
    /// Riemannian SGD of Nickel & Kiela (2017). Adam's moments are kept but not used.
    Sgd,
}

/// The first `epochs` epochs at `factor ·` the step size (Nickel & Kiela's burn-in: 10
/// epochs at a tenth of it), so that points find their angular layout before the step
/// grows.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct BurnIn {
    /// Epochs at the reduced rate.
    pub epochs: u64,
    /// What the step size is multiplied by during them.
    pub factor: f64,
}

/// How an epoch picks its training edges.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum EdgeSampling {
    /// Every edge once, in a fresh random order.
    #[default]
    Uniform,
    /// As many draws as edges, with replacement, edge `(u, v)` in proportion to
    /// `√(1 + descendants of u)`, descendants counted in the known edges: edges high in the
    /// hierarchy, whose balls hold many others, are trained more often.
    SqrtDescendants,
}

impl std::str::FromStr for EdgeSampling {
    type Err = Error;

    /// `uniform` or `sqrt-descendants`.
    fn from_str(name: &str) -> Result<Self> {
        match name {
            "uniform" => Ok(EdgeSampling::Uniform),
            "sqrt-descendants" => Ok(EdgeSampling::SqrtDescendants),
            _ => Err(Error::InvalidParameter {
                name: "edge_sampling",
                expected: "uniform or sqrt-descendants",
                value: name.to_string(),
            }),
        }
    }
}

impl Default for SpherexConfig {
    fn default() -> Self {
        Self {
            dim: 10,
            negatives: 10,
            negative_power: 0.0,
            batch_size: 256,
            lr: 0.01,
            optimizer: RowOptimizer::Adam,
            burn_in: None,
            adam: AdamMoments::default(),
            loss: SpherexLoss::default(),
            min_radius: 1e-3,
            seed: 0,
            edge_sampling: EdgeSampling::Uniform,
            lr_decay_epochs: None,
        }
    }
}

impl SpherexConfig {
    /// The step size during epoch `epoch` (counted from 0): decayed if asked, reduced
    /// during the burn-in.
    pub fn lr_at(&self, epoch: u64) -> f64 {
        let lr = match self.lr_decay_epochs {
            Some(total) => self.lr * (1.0 - epoch as f64 / total as f64).max(0.0),
            None => self.lr,
        };
        match self.burn_in {
            Some(burn_in) if epoch < burn_in.epochs => lr * burn_in.factor,
            _ => lr,
        }
    }

    /// Checks every setting that does not depend on the model (see
    /// [`crate::hierarchy::Trainer::check_config`] for those that do).
    pub fn validate(&self) -> Result<()> {
        let positive_count = |name, v: usize| {
            if v == 0 {
                Err(Error::InvalidParameter {
                    name,
                    expected: "at least 1",
                    value: "0".into(),
                })
            } else {
                Ok(())
            }
        };
        positive_count("dim", self.dim)?;
        positive_count("batch_size", self.batch_size)?;
        positive_count("negatives", self.negatives)?;
        check(
            "negative_power",
            self.negative_power,
            "between 0 and 2",
            |v| (0.0..=2.0).contains(&v),
        )?;
        check("lr", self.lr, "positive", |v| v > 0.0)?;
        if let Some(burn_in) = self.burn_in {
            check("burn_in_factor", burn_in.factor, "positive", |v| v > 0.0)?;
        }
        self.adam.validate()?;
        if self.lr_decay_epochs == Some(0) {
            return Err(Error::InvalidParameter {
                name: "lr_decay_epochs",
                expected: "at least 1",
                value: "0".into(),
            });
        }
        check("temperature", self.loss.temperature, "positive", |v| {
            v > 0.0
        })?;
        check("margin", self.loss.margin, "non-negative", |v| v >= 0.0)?;
        check(
            "ln_p_floor",
            self.loss.ln_p_floor,
            "finite and at most 0",
            |v| v <= 0.0,
        )?;
        check(
            "volume_weight",
            self.loss.volume_weight,
            "non-negative",
            |v| v >= 0.0,
        )?;
        check(
            "sibling_weight",
            self.loss.sibling_weight,
            "non-negative",
            |v| v >= 0.0,
        )?;
        check(
            "radius_weight",
            self.loss.radius_weight,
            "non-negative",
            |v| v >= 0.0,
        )?;
        check("min_radius", self.min_radius, "positive", |v| v > 0.0)
    }
}

//! The models by name: what `--model` takes, and the one place a name becomes a type.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::hierarchy::cones::{EuclideanCones, HyperbolicCones};
use crate::hierarchy::config::SpherexConfig;
use crate::hierarchy::model_file::Model;
use crate::hierarchy::regions::Regions;
use crate::hierarchy::{Balls, Boxes, Caps, Euclidean, Order, Poincare};

/// The models that can be trained, by the name `--model` takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ModelKind {
    /// SpheREx balls in `R^d`.
    Spherex,
    /// Caps of the unit sphere.
    Caps,
    /// Points in `R^d` with the distance softmax (Nickel & Kiela 2017's Euclidean baseline).
    Euclidean,
    /// Poincaré embeddings (Nickel & Kiela 2017).
    Poincare,
    /// Order embeddings (Vendrov et al. 2016).
    Order,
    /// Entailment cones in `R^d` (Ganea et al. 2018).
    EuclideanCones,
    /// Entailment cones in the Poincaré ball (Ganea et al. 2018).
    HyperbolicCones,
    /// Gumbel boxes (Dasgupta et al. 2020).
    Box,
}

/// Something done with the model type a [`ModelKind`] names: [`ModelKind::visit`] calls
/// `visit::<M>()` with that type, so a caller writes its generic code once instead of a
/// `match` per place.
pub trait ModelVisitor {
    /// What the visit returns.
    type Output;

    /// The work, for regions `M`.
    fn visit<M: Regions>(self) -> Self::Output
    where
        Model: From<M>;
}

impl ModelKind {
    /// Every model, in the order tables list them.
    pub const ALL: [ModelKind; 8] = [
        ModelKind::Spherex,
        ModelKind::Caps,
        ModelKind::Euclidean,
        ModelKind::Poincare,
        ModelKind::Order,
        ModelKind::EuclideanCones,
        ModelKind::HyperbolicCones,
        ModelKind::Box,
    ];

    /// `visitor.visit::<M>()` for the regions `M` of this kind.
    pub fn visit<V: ModelVisitor>(self, visitor: V) -> V::Output {
        match self {
            ModelKind::Spherex => visitor.visit::<Balls>(),
            ModelKind::Caps => visitor.visit::<Caps>(),
            ModelKind::Euclidean => visitor.visit::<Euclidean>(),
            ModelKind::Poincare => visitor.visit::<Poincare>(),
            ModelKind::Order => visitor.visit::<Order>(),
            ModelKind::EuclideanCones => visitor.visit::<EuclideanCones>(),
            ModelKind::HyperbolicCones => visitor.visit::<HyperbolicCones>(),
            ModelKind::Box => visitor.visit::<Boxes>(),
        }
    }

    /// The name runs and tables use ([`Regions::KIND`]).
    pub fn name(self) -> &'static str {
        struct Name;
        impl ModelVisitor for Name {
            type Output = &'static str;
            fn visit<M: Regions>(self) -> &'static str {
                M::KIND
            }
        }
        self.visit(Name)
    }

    /// Trained parameters per node in dimension `dim`.
    pub fn parameters_per_node(self, dim: usize) -> usize {
        struct Width(usize);
        impl ModelVisitor for Width {
            type Output = usize;
            fn visit<M: Regions>(self) -> usize {
                M::width(self.0)
            }
        }
        self.visit(Width(dim))
    }

    /// The model's own defaults ([`Regions::default_config`]: its paper's step size, batch,
    /// negatives and optimizer).
    pub fn default_config(self) -> SpherexConfig {
        struct Defaults;
        impl ModelVisitor for Defaults {
            type Output = SpherexConfig;
            fn visit<M: Regions>(self) -> SpherexConfig {
                M::default_config()
            }
        }
        self.visit(Defaults)
    }
}

impl std::fmt::Display for ModelKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for ModelKind {
    type Err = Error;

    /// ```
    /// use sphaera::hierarchy::ModelKind;
    /// assert_eq!("hyperbolic-cones".parse::<ModelKind>().unwrap(), ModelKind::HyperbolicCones);
    /// for kind in ModelKind::ALL {
    ///     assert_eq!(kind.name().parse::<ModelKind>().unwrap(), kind);
    /// }
    /// assert!("cone".parse::<ModelKind>().is_err());
    /// ```
    fn from_str(name: &str) -> Result<Self> {
        ModelKind::ALL
            .into_iter()
            .find(|m| m.name() == name)
            .ok_or_else(|| Error::InvalidParameter {
                name: "model",
                expected: "spherex, caps, euclidean, poincare, order, euclidean-cones, \
                           hyperbolic-cones or box",
                value: name.to_string(),
            })
    }
}

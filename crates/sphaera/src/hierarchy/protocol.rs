//! What a run is judged on ([`Protocol`]) and which known edges keep training negatives
//! away from true pairs ([`Regime`]).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::data::Hierarchy;
use crate::error::{Error, Result};
use crate::hierarchy::known::Known;

/// The evaluation protocol of a run.
///
/// Written `reconstruction` or `split:P` (link prediction with `P`% of the non-basic edges in
/// training, `0 ≤ P ≤ 90`), in text and in JSON.
///
/// ```
/// use sphaera::hierarchy::Protocol;
/// let p: Protocol = "split:25".parse().unwrap();
/// assert_eq!(p, Protocol::Split { percent: 25.0 });
/// assert_eq!(p.to_string(), "split:25");
/// assert!("split:95".parse::<Protocol>().is_err());
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub enum Protocol {
    /// Train on the whole transitive closure and rank every node against it.
    #[default]
    Reconstruction,
    /// Ganea et al.'s link prediction: train on the basic edges and `percent`% of the others,
    /// choose the epoch and threshold on validation pairs, report test figures.
    Split {
        /// Share of the non-basic edges given to training, 0 to 90.
        percent: f64,
    },
}

impl FromStr for Protocol {
    type Err = Error;

    fn from_str(text: &str) -> Result<Self> {
        if text == "reconstruction" {
            return Ok(Protocol::Reconstruction);
        }
        text.strip_prefix("split:")
            .and_then(|p| p.parse::<f64>().ok())
            .filter(|p| (0.0..=90.0).contains(p))
            .map(|percent| Protocol::Split { percent })
            .ok_or_else(|| Error::InvalidParameter {
                name: "protocol",
                expected: "reconstruction or split:P with P from 0 to 90",
                value: text.to_string(),
            })
    }
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Protocol::Reconstruction => f.write_str("reconstruction"),
            Protocol::Split { percent } => write!(f, "split:{percent}"),
        }
    }
}

impl From<Protocol> for String {
    fn from(p: Protocol) -> String {
        p.to_string()
    }
}

impl TryFrom<String> for Protocol {
    type Error = Error;

    fn try_from(text: String) -> Result<Self> {
        text.parse()
    }
}

/// Which known edges training negatives are filtered against, in link prediction.
///
/// ```
/// use sphaera::hierarchy::Regime;
/// assert_eq!("closure-aware".parse::<Regime>().unwrap(), Regime::ClosureAware);
/// assert_eq!(Regime::default().to_string(), "published");
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Regime {
    /// The training edges only, as the published baselines were trained.
    #[default]
    Published,
    /// The transitive closure of the training edges: information the baselines did not use.
    ClosureAware,
}

impl Regime {
    /// Every regime, for listing.
    pub const ALL: [Regime; 2] = [Regime::Published, Regime::ClosureAware];

    /// The pairs negatives must avoid, for training edges `train` among `nodes`.
    pub fn known(self, nodes: &Hierarchy, train: &[(u32, u32)]) -> Result<Known> {
        Ok(match self {
            Regime::Published => Known::from_edges(nodes.n(), train),
            Regime::ClosureAware => {
                let graph = Hierarchy::from_indexed_edges(nodes.names().to_vec(), train)?;
                Known::from_closure(&graph.checked_closure()?)
            }
        })
    }

    fn name(self) -> &'static str {
        match self {
            Regime::Published => "published",
            Regime::ClosureAware => "closure-aware",
        }
    }
}

impl FromStr for Regime {
    type Err = Error;

    fn from_str(text: &str) -> Result<Self> {
        Regime::ALL
            .into_iter()
            .find(|r| r.name() == text)
            .ok_or_else(|| Error::InvalidParameter {
                name: "regime",
                expected: "published or closure-aware",
                value: text.to_string(),
            })
    }
}

impl fmt::Display for Regime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

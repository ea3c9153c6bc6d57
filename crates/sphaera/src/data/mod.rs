//! Hierarchies: edge lists, WordNet read from its own database files, the embedded default
//! dataset, and the link-prediction split of Ganea et al. (2018).

mod edges;
mod embedded;
mod graph;
mod split;
mod split_dir;
mod wordnet;

pub use edges::{parse_edges, EdgeList};
pub use embedded::{mammals, MAMMALS_SOURCE, WORDNET_LICENSE};
pub use graph::{Closure, Hierarchy};
pub(crate) use split::without_single_root;
pub use split::{split, HeldOut, Split, SplitCounts};
pub use split_dir::SPLIT_FILES;
pub use wordnet::{load_nouns, parse_nouns, DEFAULT_DICT};

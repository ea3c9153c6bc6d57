//! The default dataset: the closure of WordNet's `mammal.n.01` subtree, shipped with the
//! library (compressed) so hierarchy commands work with no files at hand.

use std::io::Read;

use crate::data::edges::{parse_edges, EdgeList};

const MAMMALS_GZ: &[u8] = include_bytes!("../../data/mammal_closure.tsv.gz");

/// How the embedded dataset is named in reports and errors.
pub const MAMMALS_SOURCE: &str = "embedded mammal.n.01 closure (WordNet 3.0)";

/// WordNet's license, which covers the embedded dataset.
pub const WORDNET_LICENSE: &str = include_str!("../../data/WORDNET-LICENSE");

/// The transitive closure of `mammal.n.01` in WordNet 3.0 (1,182 nodes, 6,542 edges), as
/// `sphaera data wordnet --root mammal.n.01` writes it.
///
/// ```
/// let mammals = sphaera::data::mammals();
/// assert_eq!(mammals.edges.len(), 6542);
/// ```
pub fn mammals() -> EdgeList {
    let mut text = String::new();
    flate2::read::GzDecoder::new(MAMMALS_GZ)
        .read_to_string(&mut text)
        .expect("the embedded dataset is valid gzip");
    parse_edges(&text, MAMMALS_SOURCE).expect("the embedded dataset parses")
}

//! The edges a trainer knows to be true, to keep them out of its negative samples.

use crate::data::Closure;

/// For each node, the sorted list of nodes known to be its ancestors.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Known {
    parents: Vec<Vec<u32>>,
}

impl Known {
    /// Exactly the given `(child, ancestor)` edges, among `n` nodes.
    pub fn from_edges(n: usize, edges: &[(u32, u32)]) -> Self {
        let mut parents = vec![Vec::new(); n];
        for &(c, p) in edges {
            parents[c as usize].push(p);
        }
        for p in &mut parents {
            p.sort_unstable();
            p.dedup();
        }
        Self { parents }
    }

    /// Every edge of a closure.
    pub fn from_closure(closure: &Closure) -> Self {
        Self {
            parents: (0..closure.n() as u32)
                .map(|u| closure.ancestors(u).to_vec())
                .collect(),
        }
    }

    /// Whether `(child, ancestor)` is known.
    pub fn contains(&self, child: u32, ancestor: u32) -> bool {
        self.parents[child as usize]
            .binary_search(&ancestor)
            .is_ok()
    }

    /// Number of nodes.
    pub fn n(&self) -> usize {
        self.parents.len()
    }
}

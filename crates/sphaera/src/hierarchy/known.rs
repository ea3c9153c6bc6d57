//! The edges a trainer knows to be true, to keep them out of its negative samples.
//!
//! Every negative of a positive edge `(u, v)` keeps `u` or `v` and draws the other node, so
//! both directions are asked of the kept node's own lists: its ancestors and its
//! descendants, sorted. Those two lists stay in cache across the negatives of the edge; a
//! hash set of pairs cost a cache miss per lookup instead (measured: 52% of a noun epoch).

use rand::Rng;

use crate::data::Closure;

/// A set of `(child, ancestor)` pairs among `n` nodes, as each node's sorted ancestors and
/// sorted descendants.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Known {
    ancestors: Lists,
    descendants: Lists,
}

/// Sorted lists of nodes, one per node, stored end to end.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Lists {
    /// List `i` is `items[starts[i]..starts[i + 1]]`.
    starts: Vec<usize>,
    items: Vec<u32>,
}

impl Lists {
    /// `lists[key]` holds every `value` of the `(key, value)` pairs, sorted and deduplicated.
    fn from_pairs(n: usize, pairs: impl Iterator<Item = (u32, u32)> + Clone) -> Self {
        let mut starts = vec![0usize; n + 1];
        for (key, _) in pairs.clone() {
            starts[key as usize + 1] += 1;
        }
        for i in 0..n {
            starts[i + 1] += starts[i];
        }
        let mut fill = starts.clone();
        let mut items = vec![0u32; starts[n]];
        for (key, value) in pairs {
            items[fill[key as usize]] = value;
            fill[key as usize] += 1;
        }
        // Sort and deduplicate each list, compacting as we go.
        let mut kept = 0;
        let mut compact_starts = vec![0usize; n + 1];
        for i in 0..n {
            let list = &mut items[starts[i]..starts[i + 1]];
            list.sort_unstable();
            let mut last = None;
            for j in starts[i]..starts[i + 1] {
                let value = items[j];
                if last != Some(value) {
                    items[kept] = value;
                    kept += 1;
                    last = Some(value);
                }
            }
            compact_starts[i + 1] = kept;
        }
        items.truncate(kept);
        Self {
            starts: compact_starts,
            items,
        }
    }

    fn list(&self, key: u32) -> &[u32] {
        let key = key as usize;
        &self.items[self.starts[key]..self.starts[key + 1]]
    }

    /// A node drawn uniformly among the `n` nodes that are neither `key` nor in its list.
    ///
    /// One draw, whatever the list's length: the `k`-th node missing from a sorted list is
    /// `k + j`, with `j` the number of listed nodes below it, found by binary search.
    fn sample_outside(&self, key: u32, n: usize, rng: &mut impl Rng) -> Option<u32> {
        let list = self.list(key);
        // `key` itself is never listed (no self-edges), so it is one of the missing nodes.
        let missing = n - list.len();
        if missing < 2 {
            return None;
        }
        let kth_missing = |k: usize| {
            // Listed nodes below the answer: the first `j` with `list[j] − j > k`.
            let (mut lo, mut hi) = (0, list.len());
            while lo < hi {
                let mid = (lo + hi) / 2;
                if list[mid] as usize - mid <= k {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            (k + lo) as u32
        };
        let w = kth_missing(rng.random_range(0..missing - 1));
        // Skip `key`: every other missing node stays equally likely.
        Some(if w == key {
            kth_missing(missing - 1)
        } else {
            w
        })
    }

    fn holds(&self, key: u32, value: u32) -> bool {
        self.list(key).binary_search(&value).is_ok()
    }
}

impl Known {
    /// Exactly the given `(child, ancestor)` edges, among `n` nodes.
    ///
    /// ```
    /// let known = sphaera::hierarchy::Known::from_edges(3, &[(0, 1), (1, 2)]);
    /// assert!(known.contains(0, 1) && !known.contains(1, 0) && !known.contains(0, 2));
    /// assert!(known.has_descendant(2, 1) && !known.has_descendant(2, 0));
    /// ```
    ///
    /// # Panics
    /// If an edge names a node `≥ n`.
    pub fn from_edges(n: usize, edges: &[(u32, u32)]) -> Self {
        Self {
            ancestors: Lists::from_pairs(n, edges.iter().copied()),
            descendants: Lists::from_pairs(n, edges.iter().map(|&(c, p)| (p, c))),
        }
    }

    /// Every edge of a closure.
    pub fn from_closure(closure: &Closure) -> Self {
        let edges: Vec<(u32, u32)> = closure.edges().collect();
        Self::from_edges(closure.n(), &edges)
    }

    /// Whether `(child, ancestor)` is known.
    pub fn contains(&self, child: u32, ancestor: u32) -> bool {
        self.ancestors.holds(child, ancestor)
    }

    /// Whether `(descendant, node)` is known: the same set as [`Known::contains`], asked
    /// of `node`'s list.
    pub fn has_descendant(&self, node: u32, descendant: u32) -> bool {
        self.descendants.holds(node, descendant)
    }

    /// A node drawn uniformly among those that are neither `node` nor a known ancestor of
    /// it; `None` when there is none.
    pub fn sample_non_ancestor(&self, node: u32, rng: &mut impl Rng) -> Option<u32> {
        self.ancestors.sample_outside(node, self.n(), rng)
    }

    /// A node drawn uniformly among those that are neither `node` nor a known descendant
    /// of it; `None` when there is none.
    pub fn sample_non_descendant(&self, node: u32, rng: &mut impl Rng) -> Option<u32> {
        self.descendants.sample_outside(node, self.n(), rng)
    }

    /// How many known descendants `node` has.
    pub fn descendant_count(&self, node: u32) -> usize {
        self.descendants.list(node).len()
    }

    /// Number of nodes.
    pub fn n(&self) -> usize {
        self.ancestors.starts.len() - 1
    }
}

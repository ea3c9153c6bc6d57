//! The edges a trainer knows to be true, to keep them out of its negative samples.
//!
//! Looked up for every sampled negative, so it is an open-addressing hash set of packed
//! `(child, ancestor)` keys: one cache line per lookup, where per-node sorted lists cost two
//! dependent misses (measured: lookups were 24% of a noun epoch with lists).

use crate::data::Closure;

/// A set of `(child, ancestor)` pairs among `n` nodes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Known {
    n: usize,
    /// Power-of-two table of keys `child << 32 | ancestor`; `EMPTY` marks a free slot.
    slots: Vec<u64>,
}

/// No pair packs to this: it would need both nodes to be `u32::MAX`.
const EMPTY: u64 = u64::MAX;

impl Known {
    /// Exactly the given `(child, ancestor)` edges, among `n` nodes.
    ///
    /// ```
    /// let known = sphaera::hierarchy::Known::from_edges(3, &[(0, 1), (1, 2)]);
    /// assert!(known.contains(0, 1) && !known.contains(1, 0) && !known.contains(0, 2));
    /// ```
    pub fn from_edges(n: usize, edges: &[(u32, u32)]) -> Self {
        // At most half full, so probes stay short.
        let capacity = (2 * edges.len()).next_power_of_two().max(16);
        let mut known = Self {
            n,
            slots: vec![EMPTY; capacity],
        };
        for &(c, p) in edges {
            known.insert(pack(c, p));
        }
        known
    }

    /// Every edge of a closure.
    pub fn from_closure(closure: &Closure) -> Self {
        let edges: Vec<(u32, u32)> = closure.edges().collect();
        Self::from_edges(closure.n(), &edges)
    }

    fn insert(&mut self, key: u64) {
        let mask = self.slots.len() - 1;
        let mut i = slot_of(key) & mask;
        while self.slots[i] != EMPTY {
            if self.slots[i] == key {
                return;
            }
            i = (i + 1) & mask;
        }
        self.slots[i] = key;
    }

    /// Whether `(child, ancestor)` is known.
    pub fn contains(&self, child: u32, ancestor: u32) -> bool {
        let key = pack(child, ancestor);
        let mask = self.slots.len() - 1;
        let mut i = slot_of(key) & mask;
        loop {
            match self.slots[i] {
                EMPTY => return false,
                k if k == key => return true,
                _ => i = (i + 1) & mask,
            }
        }
    }

    /// Number of nodes.
    pub fn n(&self) -> usize {
        self.n
    }
}

fn pack(child: u32, ancestor: u32) -> u64 {
    (u64::from(child) << 32) | u64::from(ancestor)
}

/// A multiplicative hash (Fibonacci hashing): the high bits of `key · 2⁶⁴/φ`.
fn slot_of(key: u64) -> usize {
    (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 20) as usize
}

//! Is-a hierarchies as directed acyclic graphs, and their transitive closures.

use std::collections::HashMap;

use crate::data::edges::EdgeList;
use crate::error::{Error, Result};

/// A directed acyclic graph of named nodes, each with its parents (child → parent edges).
/// Node indices follow the order in which names first appear.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hierarchy {
    names: Vec<String>,
    index: HashMap<String, u32>,
    parents: Vec<Vec<u32>>,
}

/// The transitive closure of a [`Hierarchy`]: for each node, its ancestors (excluding
/// itself), sorted by index, stored in one flat array.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Closure {
    offsets: Vec<usize>,
    ancestors: Vec<u32>,
}

impl Hierarchy {
    /// Builds the graph of `list`, failing with the nodes of a cycle if there is one.
    ///
    /// ```
    /// use sphaera::data::{parse_edges, Hierarchy};
    /// let list = parse_edges("a\tb\nb\tc\nc\ta\n", "loop.tsv").unwrap();
    /// let err = Hierarchy::from_edge_list(&list).unwrap_err();
    /// assert_eq!(err.to_string(), "the hierarchy has a cycle: a -> b -> c -> a");
    /// ```
    pub fn from_edge_list(list: &EdgeList) -> Result<Self> {
        let mut graph = Hierarchy::empty();
        for (child, parent) in &list.edges {
            let c = graph.intern(child);
            let p = graph.intern(parent);
            graph.parents[c as usize].push(p);
        }
        graph.dedup_and_check()?;
        Ok(graph)
    }

    /// Builds the graph on `names` with the given `(child, parent)` index pairs, failing on a
    /// cycle.
    pub fn from_indexed_edges(names: Vec<String>, edges: &[(u32, u32)]) -> Result<Self> {
        Self::from_indexed(names, edges.iter().copied())
    }

    /// Builds the graph from names and index pairs `(child, parent)`.
    pub(crate) fn from_indexed(
        names: Vec<String>,
        edges: impl IntoIterator<Item = (u32, u32)>,
    ) -> Result<Self> {
        let index = names
            .iter()
            .enumerate()
            .map(|(i, n)| (n.clone(), i as u32))
            .collect();
        let mut parents = vec![Vec::new(); names.len()];
        for (c, p) in edges {
            if c != p {
                parents[c as usize].push(p);
            }
        }
        let mut graph = Hierarchy {
            names,
            index,
            parents,
        };
        graph.dedup_and_check()?;
        Ok(graph)
    }

    fn empty() -> Self {
        Hierarchy {
            names: Vec::new(),
            index: HashMap::new(),
            parents: Vec::new(),
        }
    }

    fn intern(&mut self, name: &str) -> u32 {
        if let Some(&i) = self.index.get(name) {
            return i;
        }
        let i = self.names.len() as u32;
        self.names.push(name.to_string());
        self.index.insert(name.to_string(), i);
        self.parents.push(Vec::new());
        i
    }

    fn dedup_and_check(&mut self) -> Result<()> {
        for p in &mut self.parents {
            p.sort_unstable();
            p.dedup();
        }
        match self.find_cycle() {
            Some(cycle) => Err(Error::Cycle {
                nodes: cycle
                    .iter()
                    .map(|&i| self.names[i as usize].clone())
                    .collect(),
            }),
            None => Ok(()),
        }
    }

    /// A cycle, as its nodes with the first repeated at the end, if the graph has one.
    fn find_cycle(&self) -> Option<Vec<u32>> {
        // Kahn's algorithm from the leaves up: what it cannot remove lies on or above a cycle.
        let n = self.n();
        let mut children = vec![0usize; n];
        for ps in &self.parents {
            for &p in ps {
                children[p as usize] += 1;
            }
        }
        let mut stack: Vec<u32> = (0..n as u32)
            .filter(|&i| children[i as usize] == 0)
            .collect();
        let mut removed = 0;
        while let Some(u) = stack.pop() {
            removed += 1;
            for &p in &self.parents[u as usize] {
                children[p as usize] -= 1;
                if children[p as usize] == 0 {
                    stack.push(p);
                }
            }
        }
        if removed == n {
            return None;
        }
        // Every remaining node still has a remaining child, so walking down through remaining
        // children must come back to a node already seen: that loop is a cycle.
        let mut remaining_children = vec![Vec::new(); n];
        for (c, ps) in self.parents.iter().enumerate() {
            for &p in ps {
                if children[c] > 0 {
                    remaining_children[p as usize].push(c as u32);
                }
            }
        }
        let start = (0..n as u32).find(|&i| children[i as usize] > 0)?;
        let mut seen = HashMap::new();
        let mut path = Vec::new();
        let mut u = start;
        loop {
            if let Some(&at) = seen.get(&u) {
                // Reported child → parent, the way the edges read.
                let mut cycle: Vec<u32> = path[at..].to_vec();
                cycle.push(u);
                cycle.reverse();
                return Some(cycle);
            }
            seen.insert(u, path.len());
            path.push(u);
            u = *remaining_children[u as usize].first()?;
        }
    }

    /// Number of nodes.
    pub fn n(&self) -> usize {
        self.names.len()
    }

    /// Number of edges.
    pub fn edge_count(&self) -> usize {
        self.parents.iter().map(Vec::len).sum()
    }

    /// The name of node `i`.
    pub fn name(&self, i: u32) -> &str {
        &self.names[i as usize]
    }

    /// All names, by index.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// The index of `name`.
    pub fn index_of(&self, name: &str) -> Result<u32> {
        self.index
            .get(name)
            .copied()
            .ok_or_else(|| Error::UnknownNode {
                name: name.to_string(),
            })
    }

    /// The parents of node `i`, sorted.
    pub fn parents(&self, i: u32) -> &[u32] {
        &self.parents[i as usize]
    }

    /// Every `(child, parent)` edge, by child index.
    pub fn edges(&self) -> impl Iterator<Item = (u32, u32)> + '_ {
        self.parents
            .iter()
            .enumerate()
            .flat_map(|(c, ps)| ps.iter().map(move |&p| (c as u32, p)))
    }

    /// Nodes without parents.
    pub fn roots(&self) -> Vec<u32> {
        (0..self.n() as u32)
            .filter(|&i| self.parents[i as usize].is_empty())
            .collect()
    }

    /// The transitive closure.
    ///
    /// ```
    /// use sphaera::data::{parse_edges, Hierarchy};
    /// let h = Hierarchy::from_edge_list(&parse_edges("dog\tcanine\ncanine\tmammal\n", "-").unwrap()).unwrap();
    /// let closure = h.closure();
    /// assert_eq!(closure.edge_count(), 3);
    /// assert!(closure.is_ancestor(h.index_of("dog").unwrap(), h.index_of("mammal").unwrap()));
    /// ```
    pub fn closure(&self) -> Closure {
        let n = self.n();
        let mut sets: Vec<Vec<u32>> = vec![Vec::new(); n];
        // A node's set is the union of its parents' sets and parents.
        self.parents_first(|u| {
            let mut set: Vec<u32> = Vec::new();
            for &p in &self.parents[u as usize] {
                set.push(p);
                set.extend_from_slice(&sets[p as usize]);
            }
            set.sort_unstable();
            set.dedup();
            sets[u as usize] = set;
        });
        let mut offsets = Vec::with_capacity(n + 1);
        let mut ancestors = Vec::new();
        offsets.push(0);
        for set in sets {
            ancestors.extend(set);
            offsets.push(ancestors.len());
        }
        Closure { offsets, ancestors }
    }

    /// An upper bound on the number of closure edges, computed without building the
    /// closure: each node counts its parents plus their bounds (at most `n − 1`). Exact for
    /// trees; nodes reached along several paths are counted once per path.
    pub fn closure_size_bound(&self) -> u64 {
        let most = self.n().saturating_sub(1) as u64;
        let mut bound = vec![0u64; self.n()];
        self.parents_first(|u| {
            let sum = self.parents[u as usize].iter().fold(0u64, |sum, &p| {
                sum.saturating_add(bound[p as usize].saturating_add(1))
            });
            bound[u as usize] = sum.min(most);
        });
        bound.into_iter().fold(0u64, u64::saturating_add)
    }

    /// Calls `visit` on every node once, after all its parents (an iterative post-order,
    /// so deep hierarchies do not overflow the stack).
    fn parents_first(&self, mut visit: impl FnMut(u32)) {
        let mut done = vec![false; self.n()];
        let mut stack = Vec::new();
        for start in 0..self.n() as u32 {
            stack.push((start, false));
            while let Some((u, expanded)) = stack.pop() {
                if done[u as usize] {
                    continue;
                }
                if expanded {
                    done[u as usize] = true;
                    visit(u);
                    continue;
                }
                stack.push((u, true));
                let parents = &self.parents[u as usize];
                stack.extend(
                    parents
                        .iter()
                        .filter(|&&p| !done[p as usize])
                        .map(|&p| (p, false)),
                );
            }
        }
    }

    /// [`Hierarchy::closure`], once [`Hierarchy::closure_size_bound`] says it fits in this
    /// machine's memory (a 200,000-node chain has 2·10¹⁰ closure edges): the error names the
    /// figures instead of the allocator aborting.
    pub fn checked_closure(&self) -> Result<Closure> {
        let pairs = self.closure_size_bound();
        // Each pair is held twice while the closure is built: in its node's set, then in
        // the flat table.
        let bytes = pairs.saturating_mul(2 * std::mem::size_of::<u32>() as u64);
        crate::memory::check_fits(
            "hierarchy",
            format!("{} nodes with up to {pairs} closure edges", self.n()),
            bytes,
        )?;
        Ok(self.closure())
    }

    /// The transitive reduction: the fewest edges with the same closure.
    ///
    /// ```
    /// use sphaera::data::{parse_edges, Hierarchy};
    /// let text = "dog\tcanine\ncanine\tmammal\ndog\tmammal\n";
    /// let h = Hierarchy::from_edge_list(&parse_edges(text, "-").unwrap()).unwrap();
    /// assert_eq!(h.reduction().edge_count(), 2);
    /// ```
    pub fn reduction(&self) -> Hierarchy {
        let closure = self.closure();
        let mut stamp = vec![u32::MAX; self.n()];
        let mut parents = Vec::with_capacity(self.n());
        for u in 0..self.n() as u32 {
            // An ancestor is a direct parent unless it is an ancestor of another ancestor.
            for &b in closure.ancestors(u) {
                for &c in closure.ancestors(b) {
                    stamp[c as usize] = u;
                }
            }
            let direct: Vec<u32> = closure
                .ancestors(u)
                .iter()
                .copied()
                .filter(|&a| stamp[a as usize] != u)
                .collect();
            parents.push(direct);
        }
        Hierarchy {
            names: self.names.clone(),
            index: self.index.clone(),
            parents,
        }
    }

    /// The graph the closure's edges form (every ancestor becomes a parent).
    pub fn closure_graph(&self) -> Hierarchy {
        let closure = self.closure();
        let parents = (0..self.n() as u32)
            .map(|u| closure.ancestors(u).to_vec())
            .collect();
        Hierarchy {
            names: self.names.clone(),
            index: self.index.clone(),
            parents,
        }
    }

    /// `root` and everything below it, with the edges among them, in the same node order.
    pub fn subtree(&self, root: u32) -> Hierarchy {
        let closure = self.closure();
        self.induced(|u| u == root || closure.is_ancestor(u, root))
    }

    /// The graph without `node` and its edges.
    pub fn without(&self, node: u32) -> Hierarchy {
        self.induced(|u| u != node)
    }

    /// The subgraph on the nodes that `keep` accepts, in the same order.
    fn induced(&self, keep: impl Fn(u32) -> bool) -> Hierarchy {
        let kept: Vec<u32> = (0..self.n() as u32).filter(|&u| keep(u)).collect();
        let mut new_index = vec![u32::MAX; self.n()];
        for (new, &old) in kept.iter().enumerate() {
            new_index[old as usize] = new as u32;
        }
        let names: Vec<String> = kept
            .iter()
            .map(|&u| self.names[u as usize].clone())
            .collect();
        let index = names
            .iter()
            .enumerate()
            .map(|(i, n)| (n.clone(), i as u32))
            .collect();
        let parents = kept
            .iter()
            .map(|&u| {
                self.parents[u as usize]
                    .iter()
                    .map(|&p| new_index[p as usize])
                    .filter(|&p| p != u32::MAX)
                    .collect()
            })
            .collect();
        Hierarchy {
            names,
            index,
            parents,
        }
    }
}

impl Closure {
    /// Number of nodes.
    pub fn n(&self) -> usize {
        self.offsets.len() - 1
    }

    /// The ancestors of `u`, sorted.
    pub fn ancestors(&self, u: u32) -> &[u32] {
        &self.ancestors[self.offsets[u as usize]..self.offsets[u as usize + 1]]
    }

    /// Whether `v` is a proper ancestor of `u`.
    pub fn is_ancestor(&self, u: u32, v: u32) -> bool {
        self.ancestors(u).binary_search(&v).is_ok()
    }

    /// Number of `(node, ancestor)` pairs.
    pub fn edge_count(&self) -> usize {
        self.ancestors.len()
    }

    /// Every `(node, ancestor)` pair, by node.
    pub fn edges(&self) -> impl Iterator<Item = (u32, u32)> + '_ {
        (0..self.n() as u32).flat_map(move |u| self.ancestors(u).iter().map(move |&a| (u, a)))
    }

    /// The number of descendants of each node.
    pub fn descendant_counts(&self) -> Vec<usize> {
        let mut counts = vec![0; self.n()];
        for &a in &self.ancestors {
            counts[a as usize] += 1;
        }
        counts
    }
}

//! Negatives drawn by degree: node `w` in proportion to `degree(w)^power`, as word2vec draws
//! words by unigram frequency^0.75 and Ganea et al. (2018) draw the negatives of the point
//! embeddings their cones start from.

use rand::Rng;

/// Draws that [`DegreeSampler::sample_where`] tries before giving up: enough that only
/// nodes whose allowed partners hold a tiny share of the weight go without.
const DRAWS: usize = 32;

/// Running sums of `degree^power` over the nodes.
#[derive(Clone, Debug)]
pub struct DegreeSampler {
    cumulative: Vec<f64>,
}

impl DegreeSampler {
    /// The sampler of the `n` nodes, a node's degree being how many of `edges` it is an end
    /// of (a node without edges is never drawn); `None` when `power` is 0 (negatives drawn
    /// uniformly) or there are no edges.
    pub fn new(n: usize, edges: &[(u32, u32)], power: f64) -> Option<Self> {
        if power == 0.0 || edges.is_empty() {
            return None;
        }
        let mut degrees = vec![0u64; n];
        for &(u, v) in edges {
            degrees[u as usize] += 1;
            degrees[v as usize] += 1;
        }
        let cumulative = degrees
            .iter()
            .scan(0.0, |sum, &d| {
                if d > 0 {
                    *sum += (d as f64).powf(power);
                }
                Some(*sum)
            })
            .collect();
        Some(Self { cumulative })
    }

    /// A node drawn by weight among those `allowed`, by rejection: `None` when none of a
    /// fixed number of draws was allowed (the caller then draws uniformly).
    pub fn sample_where(&self, rng: &mut impl Rng, allowed: impl Fn(u32) -> bool) -> Option<u32> {
        let total = *self.cumulative.last()?;
        let last = self.cumulative.len() - 1;
        (0..DRAWS).find_map(|_| {
            let x = rng.random::<f64>() * total;
            // Nodes of weight 0 repeat the previous sum, so the first sum above x is never one.
            let w = self.cumulative.partition_point(|&c| c <= x).min(last) as u32;
            allowed(w).then_some(w)
        })
    }
}

//! The known-edge index behind negative sampling, against a hash-set oracle, and negatives
//! drawn by degree.

use std::collections::HashSet;

use proptest::prelude::*;
use sphaera::hierarchy::{DegreeSampler, Known};
use sphaera::random::seeded;

/// Random `(child, ancestor)` pairs among `n` nodes, duplicates included, no self-pairs.
fn pairs(n: u32) -> impl Strategy<Value = Vec<(u32, u32)>> {
    prop::collection::vec((0..n, 0..n), 0..120)
        .prop_map(|v| v.into_iter().filter(|(a, b)| a != b).collect())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn lookups_agree_with_a_hash_set(edges in pairs(30)) {
        let known = Known::from_edges(30, &edges);
        let oracle: HashSet<(u32, u32)> = edges.iter().copied().collect();
        for a in 0..30 {
            for b in 0..30 {
                prop_assert_eq!(known.contains(a, b), oracle.contains(&(a, b)));
                prop_assert_eq!(known.has_descendant(b, a), oracle.contains(&(a, b)));
            }
        }
    }

    #[test]
    fn samples_are_never_known_and_cover_every_allowed_node(edges in pairs(12), seed in 0u64..1000) {
        let n = 12;
        let known = Known::from_edges(n as usize, &edges);
        let oracle: HashSet<(u32, u32)> = edges.iter().copied().collect();
        let mut rng = seeded(seed);
        for node in 0..n {
            let allowed_up: HashSet<u32> =
                (0..n).filter(|&w| w != node && !oracle.contains(&(node, w))).collect();
            let allowed_down: HashSet<u32> =
                (0..n).filter(|&w| w != node && !oracle.contains(&(w, node))).collect();
            for (allowed, up) in [(&allowed_up, true), (&allowed_down, false)] {
                let mut seen = HashSet::new();
                for _ in 0..400 {
                    let w = if up {
                        known.sample_non_ancestor(node, &mut rng)
                    } else {
                        known.sample_non_descendant(node, &mut rng)
                    };
                    match w {
                        Some(w) => {
                            prop_assert!(allowed.contains(&w), "node {} drew {}", node, w);
                            seen.insert(w);
                        }
                        None => prop_assert!(allowed.is_empty()),
                    }
                }
                // 400 uniform draws over at most 11 nodes miss one with probability < 1e-14.
                prop_assert_eq!(&seen, allowed);
            }
        }
    }
}

#[test]
fn draws_are_uniform_over_the_allowed_nodes() {
    // Node 0 has ancestors 2, 5 and 6 among 10 nodes: 6 allowed (1, 3, 4, 7, 8, 9).
    let known = Known::from_edges(10, &[(0, 2), (0, 5), (0, 6), (3, 0)]);
    let mut rng = seeded(1);
    let mut counts = [0usize; 10];
    let draws = 60_000;
    for _ in 0..draws {
        counts[known.sample_non_ancestor(0, &mut rng).unwrap() as usize] += 1;
    }
    for (w, &c) in counts.iter().enumerate() {
        if [0, 2, 5, 6].contains(&w) {
            assert_eq!(c, 0, "node {w}");
        } else {
            // Expected 10,000 each; the standard deviation is about 91.
            assert!((c as f64 - 10_000.0).abs() < 600.0, "node {w}: {c}");
        }
    }
}

#[test]
fn draws_by_degree_follow_degree_to_the_power() {
    // Degrees: 0 → 3, 1 → 1, 2 → 2, 3 → 0 (never drawn), 4 → 2; at power 0.75 the
    // weights are 3^0.75, 1, 2^0.75, 0, 2^0.75.
    let edges = [(0, 1), (0, 2), (0, 4), (2, 4)];
    let sampler = DegreeSampler::new(5, &edges, 0.75).unwrap();
    let mut rng = seeded(3);
    let draws = 80_000;
    let mut counts = [0usize; 5];
    for _ in 0..draws {
        counts[sampler.sample_where(&mut rng, |_| true).unwrap() as usize] += 1;
    }
    let weights = [3f64.powf(0.75), 1.0, 2f64.powf(0.75), 0.0, 2f64.powf(0.75)];
    let total: f64 = weights.iter().sum();
    for (w, &c) in counts.iter().enumerate() {
        let expected = draws as f64 * weights[w] / total;
        // At most about 23,000 expected per node: the standard deviation is below 130.
        assert!(
            (c as f64 - expected).abs() < 800.0,
            "node {w}: {c} against {expected}"
        );
    }
    // Rejection keeps the proportions among the allowed nodes and never yields another.
    let mut counts = [0usize; 5];
    for _ in 0..draws {
        let w = sampler
            .sample_where(&mut rng, |w| w == 1 || w == 2)
            .unwrap();
        counts[w as usize] += 1;
    }
    let share = counts[2] as f64 / draws as f64;
    let expected = weights[2] / (weights[1] + weights[2]);
    assert_eq!(counts[0] + counts[3] + counts[4], 0);
    assert!(
        (share - expected).abs() < 0.01,
        "{share} against {expected}"
    );
}

#[test]
fn draws_by_degree_give_up_when_nothing_allowed_has_weight() {
    let sampler = DegreeSampler::new(4, &[(0, 1)], 1.0).unwrap();
    let mut rng = seeded(0);
    // Nodes 2 and 3 have no edge, so they are never drawn: the trainer falls back to uniform.
    assert_eq!(sampler.sample_where(&mut rng, |w| w >= 2), None);
    assert!(DegreeSampler::new(4, &[(0, 1)], 0.0).is_none());
}

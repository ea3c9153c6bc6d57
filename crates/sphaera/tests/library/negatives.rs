//! The known-edge index behind negative sampling, against a hash-set oracle.

use std::collections::HashSet;

use proptest::prelude::*;
use sphaera::hierarchy::Known;
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

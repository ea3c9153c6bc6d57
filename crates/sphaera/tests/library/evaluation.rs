//! The evaluation protocols against hand-computed cases, ties included.

use sphaera::data::{mammals, parse_edges, Closure, Hierarchy};
use sphaera::eval::{
    auroc, average_precision, best_f1_threshold, f1_at, link_prediction, reconstruction, Sampling,
};
use sphaera::Par;

/// d → b → a, c → a; nodes in order b, a, c, d.
fn small() -> (Hierarchy, Closure) {
    let h = Hierarchy::from_edge_list(&parse_edges("b\ta\nc\ta\nd\tb\n", "-").unwrap()).unwrap();
    let closure = h.closure();
    (h, closure)
}

#[test]
fn reconstruction_counts_ties_against_the_model() {
    let (h, closure) = small();
    let name = |i: u32| h.name(i).to_string();
    // From d: a 5, b 3, c ties b at 3 (d itself, 100, is not a candidate).
    // From b: a 1 but c 2 outranks it.  From c: everything ties at 1.
    let scorer = move |u: u32, v: u32| match (name(u).as_str(), name(v).as_str()) {
        ("d", "a") => 5.0,
        ("d", "b") | ("d", "c") => 3.0,
        ("d", "d") => 100.0,
        ("b", "a") => 1.0,
        ("b", "c") => 2.0,
        ("b", _) => 0.0,
        _ => 1.0,
    };
    let r = reconstruction(&closure, &scorer, Sampling::All, Par::Seq);
    // Ranks: d–a 1, d–b 2 (tie with c), b–a 2, c–a 3; mean 2.
    assert_eq!(r.mean_rank, 2.0);
    // AP: d (1 + 2/3)/2 = 5/6, b 1/2, c 1/3; mean 5/9.
    assert!((r.map - 5.0 / 9.0).abs() < 1e-15, "{}", r.map);
    assert_eq!((r.nodes, r.pairs, r.sampled), (3, 4, false));
}

#[test]
fn a_collapsed_embedding_scores_badly_and_a_perfect_one_perfectly() {
    let h = Hierarchy::from_edge_list(&mammals()).unwrap();
    let closure = h.closure();
    let collapsed = reconstruction(&closure, &|_, _| 0.0, Sampling::All, Par::Rayon);
    assert!(collapsed.map < 0.02, "{collapsed:?}");
    assert!(collapsed.mean_rank > 1000.0, "{collapsed:?}");
    let perfect = |u: u32, v: u32| f64::from(u8::from(closure.is_ancestor(u, v)));
    let r = reconstruction(&closure, &perfect, Sampling::All, Par::Rayon);
    assert_eq!((r.map, r.mean_rank, r.pairs), (1.0, 1.0, 6542));
    let nan = reconstruction(&closure, &|_, _| f64::NAN, Sampling::All, Par::Seq);
    assert_eq!(
        nan.mean_rank, collapsed.mean_rank,
        "NaN is no better than a tie"
    );
}

#[test]
fn sampled_reconstruction_is_seeded_and_says_so() {
    let h = Hierarchy::from_edge_list(&mammals()).unwrap();
    let closure = h.closure();
    let scorer = |u: u32, v: u32| -((u as f64) - (v as f64)).abs();
    let a = reconstruction(
        &closure,
        &scorer,
        Sampling::Nodes {
            count: 100,
            seed: 3,
        },
        Par::Rayon,
    );
    let b = reconstruction(
        &closure,
        &scorer,
        Sampling::Nodes {
            count: 100,
            seed: 3,
        },
        Par::Seq,
    );
    let c = reconstruction(
        &closure,
        &scorer,
        Sampling::Nodes {
            count: 100,
            seed: 4,
        },
        Par::Seq,
    );
    assert_eq!(a, b);
    assert!(a.sampled && a.nodes == 100);
    assert_ne!(a.pairs, 0);
    assert_ne!(a, c);
    let all = reconstruction(&closure, &scorer, Sampling::All, Par::Rayon);
    let seq = reconstruction(&closure, &scorer, Sampling::All, Par::Seq);
    assert_eq!(all, seq, "threads do not change the result");
}

#[test]
fn classification_metrics_match_hand_computations() {
    // Scores 4 3 3 2 1 with labels + + − − +: the tie at 3 is predicted together.
    let (pos, neg) = ([4.0, 3.0, 1.0], [3.0, 2.0]);
    assert_eq!(f1_at(&pos, &neg, 3.0), 2.0 * 2.0 / (2.0 * 2.0 + 1.0 + 1.0));
    assert_eq!(f1_at(&pos, &neg, 1.0), 2.0 * 3.0 / (2.0 * 3.0 + 2.0));
    assert_eq!(f1_at(&pos, &neg, 10.0), 0.0);
    let (t, f1) = best_f1_threshold(&pos, &neg);
    assert_eq!((t, f1), (1.0, 0.75));
    // AUROC: pairs (4,3) (4,2) win, (3,3) ties, (3,2) wins, (1,·) lose: 3.5 / 6.
    assert_eq!(auroc(&pos, &neg), 3.5 / 6.0);
    // AP: recall steps 1/3 at precision 1, 1/3 at 2/3 (the tie group), 1/3 at 3/5.
    let expected = (1.0 + 2.0 / 3.0 + 3.0 / 5.0) / 3.0;
    assert!((average_precision(&pos, &neg) - expected).abs() < 1e-15);
    let lp = link_prediction(&pos, &neg, &[5.0, 0.5], &[0.7]);
    assert_eq!(lp.threshold, 1.0);
    assert_eq!(lp.test_f1, 2.0 / 3.0);
    assert_eq!(lp.test_auroc, 0.5);
}

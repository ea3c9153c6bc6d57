//! Edge lists, closures, reductions, cycles, WordNet and the link-prediction split.

use std::collections::HashSet;
use std::path::Path;

use sphaera::data::{load_nouns, mammals, parse_edges, split, Hierarchy, DEFAULT_DICT};
use sphaera::Error;

fn hierarchy(text: &str) -> Hierarchy {
    Hierarchy::from_edge_list(&parse_edges(text, "test.tsv").unwrap()).unwrap()
}

fn named_edges(
    h: &Hierarchy,
    edges: impl Iterator<Item = (u32, u32)>,
) -> HashSet<(String, String)> {
    edges
        .map(|(c, p)| (h.name(c).to_string(), h.name(p).to_string()))
        .collect()
}

fn pairs(list: &[(&str, &str)]) -> HashSet<(String, String)> {
    list.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

#[test]
fn edge_lists_tolerate_comments_blank_lines_and_crlf() {
    let text = "# pets\r\n\r\ndog\tcanine\r\ncanine\tmammal\t1.0\ncat\tfeline\n  \nfeline\tmammal\ndog\tcanine\ncat\tcat\n";
    let list = parse_edges(text, "pets.tsv").unwrap();
    assert_eq!(list.edges.len(), 4);
    assert_eq!(list.edges[1], ("canine".to_string(), "mammal".to_string()));
    assert_eq!((list.duplicates, list.self_loops), (1, 1));
}

#[test]
fn malformed_edge_lists_name_the_line() {
    let err = parse_edges("a\tb\n# fine\nc\n", "x.tsv").unwrap_err();
    match err {
        Error::Parse {
            file,
            line,
            message,
        } => {
            assert_eq!((file.as_str(), line), ("x.tsv", 3));
            assert_eq!(message, "expected child<TAB>parent, found one column");
        }
        other => panic!("expected a parse error, got {other:?}"),
    }
    assert!(matches!(
        parse_edges("a\t\n", "x.tsv"),
        Err(Error::Parse { line: 1, .. })
    ));
    assert_eq!(
        parse_edges("# only comments\n\n", "e.tsv")
            .unwrap_err()
            .to_string(),
        "e.tsv: no edges"
    );
    assert_eq!(
        parse_edges("", "e.tsv").unwrap_err().to_string(),
        "e.tsv: no edges"
    );
}

#[test]
fn closure_and_reduction_of_a_diamond_with_a_shortcut() {
    // d → b → a, d → c → a, plus the shortcut d → a.
    let h = hierarchy("d\tb\nd\tc\nb\ta\nc\ta\nd\ta\n");
    let closure = h.closure();
    assert_eq!(
        named_edges(&h, closure.edges()),
        pairs(&[("d", "b"), ("d", "c"), ("d", "a"), ("b", "a"), ("c", "a")])
    );
    let reduced = h.reduction();
    assert_eq!(
        named_edges(&reduced, reduced.edges()),
        pairs(&[("d", "b"), ("d", "c"), ("b", "a"), ("c", "a")])
    );
    assert_eq!(
        reduced.closure(),
        closure,
        "the reduction keeps the closure"
    );
    let a = h.index_of("a").unwrap();
    assert_eq!(closure.descendant_counts()[a as usize], 3);
    assert_eq!(h.roots(), vec![a]);
}

#[test]
fn cycles_are_refused_naming_their_nodes() {
    // The cycle b → c → d → b sits below a and above e.
    let list = parse_edges("e\tb\nb\tc\nc\td\nd\tb\nb\ta\n", "cyc.tsv").unwrap();
    match Hierarchy::from_edge_list(&list) {
        Err(Error::Cycle { nodes }) => {
            assert_eq!(nodes.first(), nodes.last());
            let on_cycle: HashSet<&str> = nodes.iter().map(String::as_str).collect();
            assert_eq!(on_cycle, HashSet::from(["b", "c", "d"]));
        }
        other => panic!("expected a cycle, got {other:?}"),
    }
}

#[test]
fn subtrees_and_removal_keep_the_edges_among_what_remains() {
    let h = hierarchy("dog\tcanine\ncanine\tmammal\ncat\tmammal\nmammal\tanimal\nfish\tanimal\n");
    let sub = h.subtree(h.index_of("mammal").unwrap());
    assert_eq!(sub.n(), 4);
    assert_eq!(named_edges(&sub, sub.closure().edges()).len(), 4);
    let rest = h.without(h.index_of("animal").unwrap());
    assert!(rest.index_of("animal").is_err());
    assert_eq!(rest.roots().len(), 2, "mammal and fish");
}

#[test]
fn the_mammal_split_has_the_published_sizes_and_is_sound() {
    let h = Hierarchy::from_edge_list(&mammals()).unwrap();
    assert_eq!((h.n(), h.closure().edge_count()), (1182, 6542));
    let s = split(&h, 25.0, 7).unwrap();
    let c = s.counts;
    // The released splits of Ganea et al. have these sizes for mammals too.
    assert_eq!(
        (c.closure_edges, c.basic_edges, c.valid, c.test),
        (5361, 1176, 209, 209)
    );
    assert_eq!((c.valid_neg, c.test_neg), (2090, 2090));
    assert_eq!(c.train, 1176 + 4185 / 4);
    let closure = &s.closure;
    let train: HashSet<_> = s.train.iter().copied().collect();
    let valid: HashSet<_> = s.held_out.valid.iter().copied().collect();
    let test: HashSet<_> = s.held_out.test.iter().copied().collect();
    assert!(valid.is_disjoint(&test) && train.is_disjoint(&valid) && train.is_disjoint(&test));
    assert!(s
        .train
        .iter()
        .chain(&s.held_out.valid)
        .chain(&s.held_out.test)
        .all(|&(u, v)| closure.is_ancestor(u, v)));
    let basic = s.hierarchy.reduction();
    assert!(
        basic.edges().all(|e| train.contains(&e)),
        "every basic edge trains"
    );
    for (positives, negatives) in [
        (&s.held_out.valid, &s.held_out.valid_neg),
        (&s.held_out.test, &s.held_out.test_neg),
    ] {
        for (&(u, v), tens) in positives.iter().zip(negatives.chunks(10)) {
            assert!(tens
                .iter()
                .all(|&(a, b)| a != b && !closure.is_ancestor(a, b)));
            let (tails, heads) = tens.split_at(5);
            assert!(tails.iter().all(|&(a, _)| a == u) && heads.iter().all(|&(_, b)| b == v));
            assert_eq!(tails.iter().collect::<HashSet<_>>().len(), 5);
            assert_eq!(heads.iter().collect::<HashSet<_>>().len(), 5);
        }
    }
}

#[test]
fn splits_are_reproducible_from_their_seed() {
    let h = Hierarchy::from_edge_list(&mammals()).unwrap();
    let (a, b, c) = (
        split(&h, 10.0, 1).unwrap(),
        split(&h, 10.0, 1).unwrap(),
        split(&h, 10.0, 2).unwrap(),
    );
    assert_eq!(
        (&a.train, &a.held_out.test_neg),
        (&b.train, &b.held_out.test_neg)
    );
    assert_ne!(a.held_out.test, c.held_out.test);
    assert!(split(&h, 95.0, 1).is_err());
    assert!(split(&h, -1.0, 1).is_err());
    assert_eq!(split(&h, 0.0, 1).unwrap().counts.train, 1176);
}

/// The installed WordNet database, when there is one. CI installs it and sets
/// `SPHAERA_REQUIRE_WORDNET`, so there the tests below never skip.
fn wordnet() -> Option<&'static Path> {
    let dir = Path::new(DEFAULT_DICT);
    if dir.join("data.noun").exists() {
        Some(dir)
    } else if std::env::var_os("SPHAERA_REQUIRE_WORDNET").is_some() {
        panic!("SPHAERA_REQUIRE_WORDNET is set but {DEFAULT_DICT}/data.noun is missing");
    } else {
        eprintln!("skipped: no WordNet database in {DEFAULT_DICT} (apt-get install wordnet-base)");
        None
    }
}

#[test]
fn the_noun_hierarchy_has_the_published_counts() {
    let Some(dir) = wordnet() else { return };
    let nouns = load_nouns(dir).unwrap();
    let closure = nouns.closure();
    assert_eq!((nouns.n(), closure.edge_count()), (82_115, 743_241));
    for name in ["entity.n.01", "dog.n.01", "whale.n.02", "mammal.n.01"] {
        assert!(nouns.index_of(name).is_ok(), "{name}");
    }
    let dog = nouns.index_of("dog.n.01").unwrap();
    let canine = nouns.index_of("canine.n.02").unwrap();
    assert!(closure.is_ancestor(dog, canine));
    assert_eq!(nouns.roots(), vec![nouns.index_of("entity.n.01").unwrap()]);
    // The embedded default is exactly the mammal subtree's closure.
    let sub = nouns.subtree(nouns.index_of("mammal.n.01").unwrap());
    let embedded = Hierarchy::from_edge_list(&mammals()).unwrap();
    assert_eq!(
        named_edges(&sub, sub.closure().edges()),
        named_edges(&embedded, embedded.closure().edges())
    );
    // Ganea et al.'s noun split.
    let s = split(&nouns, 25.0, 0).unwrap();
    let c = s.counts;
    assert_eq!(
        (c.closure_edges, c.basic_edges, c.valid, c.test),
        (661_127, 84_363, 28_838, 28_838)
    );
    assert_eq!(
        (c.valid_neg, c.test_neg, c.train),
        (288_380, 288_380, 228_554)
    );
}

#[test]
fn the_closure_size_bound_is_exact_for_trees_and_never_below_the_closure() {
    let graph = |text: &str| Hierarchy::from_edge_list(&parse_edges(text, "-").unwrap()).unwrap();
    let tree = graph("a\tr\nb\tr\nc\ta\nd\tc\n");
    assert_eq!(
        tree.closure_size_bound(),
        tree.closure().edge_count() as u64
    );
    // A diamond: d reaches r along two paths, counted twice by the bound (x and y only
    // lift the cap of n − 1 ancestors per node).
    let diamond = graph("a\tr\nb\tr\nd\ta\nd\tb\nx\ty\n");
    assert_eq!(diamond.closure().edge_count(), 6);
    assert_eq!(diamond.closure_size_bound(), 7);
    let chain: String = (0..300).map(|i| format!("n{i}\tn{}\n", i + 1)).collect();
    let chain = graph(&chain);
    assert_eq!(chain.closure_size_bound(), 301 * 300 / 2);
    assert_eq!(chain.checked_closure().unwrap(), chain.closure());
}

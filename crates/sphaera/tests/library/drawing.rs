//! Pictures of learned regions at d = 2: a hand-made model of each kind on a six-node tree,
//! one region per node in the SVG, the labels, the errors, and the choice of subtree.
//!
//! Each picture is also written to `target/tmp/drawings/` (as `KIND.svg`), to be looked at:
//! `rsvg-convert -o balls.png balls.svg`.

use sphaera::data::{parse_edges, Hierarchy};
use sphaera::hierarchy::{
    draw_regions, small_subtree, Balls, Boxes, Caps, Euclidean, Model, Order, Poincare,
};
use sphaera::Error;

/// animal → {mammal → {dog, cat}, bird → {robin}}. Indices: mammal 0, animal 1, bird 2,
/// dog 3, cat 4, robin 5.
fn tree() -> Hierarchy {
    let text = "mammal\tanimal\nbird\tanimal\ndog\tmammal\ncat\tmammal\nrobin\tbird\n";
    Hierarchy::from_edge_list(&parse_edges(text, "tree.tsv").unwrap()).unwrap()
}

/// Rows in index order: mammal, animal, bird, dog, cat, robin.
fn models() -> Vec<(&'static str, Model)> {
    let balls = Balls::from_parts(
        2,
        vec![
            -1.2, 0.0, 0.0, 0.0, 1.5, 0.0, -1.8, 0.3, -0.7, -0.4, 1.5, 0.2,
        ],
        [1.5, 3.0, 1.2, 0.5, 0.5, 0.5f64]
            .iter()
            .map(|r| r.ln())
            .collect(),
    )
    .unwrap();
    let direction = |degrees: f64| {
        let t = degrees.to_radians();
        [t.cos(), t.sin()]
    };
    let caps = Caps::from_parts(
        2,
        &[60.0, 90.0, 130.0, 45.0, 75.0, 130.0]
            .iter()
            .flat_map(|&d| direction(d))
            .collect::<Vec<_>>(),
        &[0.5, 1.2, 0.35, 0.15, 0.15, 0.15],
    )
    .unwrap();
    let poincare = Poincare::from_points(
        2,
        vec![
            -0.5, 0.4, 0.0, 0.1, 0.5, 0.45, -0.8, 0.5, -0.6, 0.7, 0.75, 0.55,
        ],
    )
    .unwrap();
    let euclidean = Euclidean::from_points(
        2,
        vec![
            -2.0, 1.5, 0.0, 0.0, 2.0, 1.8, -3.0, 3.0, -1.5, 3.2, 2.5, 3.5,
        ],
    )
    .unwrap();
    let order = Order::from_parts(
        2,
        vec![1.0, 0.3, 0.1, 0.1, 0.3, 1.1, 1.8, 0.5, 1.2, 1.0, 0.6, 1.9],
        1.0,
    )
    .unwrap();
    let boxes = Boxes::from_parts(
        2,
        &[0.5, 0.5, 0.0, 0.0, 6.0, 1.0, 1.0, 1.0, 3.0, 5.0, 7.0, 2.0],
        &[5.0, 9.0, 10.0, 10.0, 9.5, 6.0, 2.5, 4.0, 4.5, 8.0, 9.0, 4.0],
        0.01,
    )
    .unwrap();
    vec![
        ("balls", Model::Balls(balls)),
        ("caps", Model::Caps(caps)),
        ("poincare", Model::Poincare(poincare)),
        ("euclidean", Model::Euclidean(euclidean)),
        ("order", Model::Order(order)),
        ("boxes", Model::Boxes(boxes)),
    ]
}

fn count(svg: &str, tag: &str) -> usize {
    svg.matches(&format!("<{tag} ")).count()
}

/// The text of every `<text>` element.
fn texts(svg: &str) -> Vec<&str> {
    svg.split("<text")
        .skip(1)
        .filter_map(|rest| {
            let body = &rest[rest.find('>')? + 1..];
            Some(body[..body.find("</text>")?].trim())
        })
        .collect()
}

#[test]
fn each_kind_draws_one_region_per_node_and_labels_the_top_two_levels() {
    let h = tree();
    let nodes = small_subtree(&h, 6);
    assert_eq!(nodes.len(), 6);
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("drawings");
    std::fs::create_dir_all(&dir).unwrap();
    for (kind, model) in models() {
        let svg = draw_regions(&model, &h, &nodes, &format!("{kind}, d = 2")).unwrap();
        std::fs::write(dir.join(format!("{kind}.svg")), &svg).unwrap();
        let n = nodes.len();
        // (circles, rects, polygons): the background is one rect.
        let expected = match kind {
            "balls" => (2 * n, 1, 0),
            "caps" => (0, 1, n),
            "poincare" | "euclidean" => (n, 1, 0),
            "order" => (n, 1 + n, 0),
            "boxes" => (0, 1 + 2 * n, 0),
            _ => unreachable!(),
        };
        let found = (
            count(&svg, "circle"),
            count(&svg, "rect"),
            count(&svg, "polygon"),
        );
        assert_eq!(found, expected, "{kind}: (circles, rects, polygons)");
        assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
        assert!(svg.contains(&format!("{kind}, d = 2")), "{kind}: the title");
        let texts = texts(&svg);
        for name in ["animal", "mammal", "bird"] {
            assert!(
                texts.contains(&name),
                "{kind}: no label {name} in {texts:?}"
            );
        }
        for name in ["dog", "cat", "robin"] {
            assert!(!texts.contains(&name), "{kind}: labels {name}");
        }
    }
}

#[test]
fn lines_to_parents_follow_the_reduction_and_a_closure_draws_the_same() {
    let h = tree();
    let closure = h.closure_graph();
    let nodes = small_subtree(&h, 6);
    for (kind, model) in models() {
        let drawn = draw_regions(&model, &h, &nodes, kind).unwrap();
        let from_closure = draw_regions(&model, &closure, &nodes, kind).unwrap();
        assert_eq!(drawn, from_closure, "{kind}");
    }
    // Five edges among six points, in their own grey.
    let (_, euclidean) = &models()[3];
    let svg = draw_regions(euclidean, &h, &nodes, "euclidean").unwrap();
    assert_eq!(svg.matches("stroke=\"#6E6E6E\"").count(), 5);
}

#[test]
fn a_model_not_in_the_plane_is_refused() {
    let h = tree();
    let balls = Balls::from_parts(3, vec![0.0; 18], vec![0.0; 6]).unwrap();
    match draw_regions(&Model::Balls(balls), &h, &[1, 0], "3-D") {
        Err(Error::InvalidParameter { name, value, .. }) => {
            assert_eq!((name, value.as_str()), ("model dimension", "3"));
        }
        other => panic!("expected the dimension refused, got {other:?}"),
    }
    let too_few = Euclidean::from_points(2, vec![0.0; 8]).unwrap();
    assert!(matches!(
        draw_regions(&Model::Euclidean(too_few), &h, &[1, 0], "rows"),
        Err(Error::Shape { .. })
    ));
    let (_, model) = &models()[0];
    for nodes in [&[][..], &[6][..]] {
        assert!(matches!(
            draw_regions(model, &h, nodes, "nodes"),
            Err(Error::InvalidParameter { .. })
        ));
    }
}

#[test]
fn the_small_subtree_is_the_largest_that_fits() {
    let h = tree();
    // mammal (3 nodes) beats bird (2); everything fits in 6; a leaf, the first, in 1.
    assert_eq!(small_subtree(&h, 3), [0, 3, 4]);
    assert_eq!(small_subtree(&h, 5), [0, 3, 4]);
    assert_eq!(small_subtree(&h, 6), [1, 0, 2, 3, 4, 5]);
    assert_eq!(small_subtree(&h, 100), [1, 0, 2, 3, 4, 5]);
    assert_eq!(small_subtree(&h, 1), [3]);
    assert!(small_subtree(&h, 0).is_empty());
    // Equal sizes: the node with more children wins (a: a chain of 3, b: a star of 3).
    let text = "a1\ta\na2\ta1\nb1\tb\nb2\tb\n";
    let h = Hierarchy::from_edge_list(&parse_edges(text, "-").unwrap()).unwrap();
    let b = h.index_of("b").unwrap();
    assert_eq!(small_subtree(&h, 3)[0], b);
    // The same hierarchy given as its closure picks the same nodes.
    let h = tree();
    assert_eq!(small_subtree(&h.closure_graph(), 3), small_subtree(&h, 3));
}

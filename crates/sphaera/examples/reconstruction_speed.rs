//! How long the exact reconstruction protocol takes on a hierarchy, for a model that
//! scores a pair by the negative squared distance of random 10-dimensional points.
//!
//! `cargo run --release -p sphaera --example reconstruction_speed [EDGES.tsv]`
//! (the embedded mammal closure by default; e.g. the noun closure written by
//! `sphaera data wordnet --out nouns.tsv`).

use std::time::Instant;

use sphaera::data::{mammals, parse_edges, Hierarchy};
use sphaera::eval::{reconstruction, Sampling, Scorer};
use sphaera::random::{gaussian_points, seeded};
use sphaera::{Par, Points};

const DIM: usize = 10;

/// Points scored by negative squared distance, one node against all in a tight loop.
struct Euclidean(Points);

impl Scorer for Euclidean {
    fn score(&self, u: u32, v: u32) -> f64 {
        let (a, b) = (self.0.row(u as usize), self.0.row(v as usize));
        -a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum::<f64>()
    }

    fn score_all(&self, u: u32, out: &mut [f64]) {
        let a = self.0.row(u as usize);
        for (o, b) in out.iter_mut().zip(self.0.rows()) {
            *o = -a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum::<f64>();
        }
    }
}

fn main() {
    let list = match std::env::args().nth(1) {
        Some(path) => {
            let text = std::fs::read_to_string(&path).expect("readable edge list");
            parse_edges(&text, &path).expect("an edge list")
        }
        None => mammals(),
    };
    let hierarchy = Hierarchy::from_edge_list(&list).expect("acyclic");
    let closure = hierarchy.closure();
    let model = Euclidean(gaussian_points(hierarchy.n(), DIM, &mut seeded(0)));
    for sampling in [
        Sampling::Nodes {
            count: 1000,
            seed: 0,
        },
        Sampling::All,
    ] {
        let clock = Instant::now();
        let r = reconstruction(&closure, &model, sampling, Par::Rayon);
        println!(
            "{} nodes, {} pairs: mean rank {:.1}, MAP {:.4}, {:.2} s{}",
            r.nodes,
            r.pairs,
            r.mean_rank,
            r.map,
            clock.elapsed().as_secs_f64(),
            if r.sampled { " (sampled)" } else { "" }
        );
    }
}

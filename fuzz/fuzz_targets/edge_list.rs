//! Any bytes as an edge list: parsing, building the graph, closure and reduction must
//! answer with a value or an error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sphaera::data::{parse_edges, split, Hierarchy};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let Ok(list) = parse_edges(&text, "fuzz.tsv") else {
        return;
    };
    let Ok(hierarchy) = Hierarchy::from_edge_list(&list) else {
        return;
    };
    let closure = hierarchy.closure();
    let reduced = hierarchy.reduction();
    assert_eq!(reduced.closure(), closure);
    let _ = split(&hierarchy, 25.0, 0);
});

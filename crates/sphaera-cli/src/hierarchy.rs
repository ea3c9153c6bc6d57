//! Loading a hierarchy from `--edges`, or the embedded default.

use std::path::Path;

use anyhow::{Context, Result};
use sphaera::data::{mammals, parse_edges, Hierarchy, MAMMALS_SOURCE};

/// The hierarchy of the edge list at `path`, or of the embedded mammal closure, and how to
/// name it. Dropped duplicates and self loops are reported on stderr.
pub fn load_hierarchy(path: Option<&Path>) -> Result<(Hierarchy, String)> {
    let (list, source) = match path {
        Some(path) => {
            let shown = path.display().to_string();
            let bytes = std::fs::read(path).with_context(|| format!("cannot read {shown}"))?;
            let text = String::from_utf8(bytes).map_err(|e| {
                let line = e.as_bytes()[..e.utf8_error().valid_up_to()]
                    .iter()
                    .filter(|&&b| b == b'\n')
                    .count()
                    + 1;
                anyhow::anyhow!("{shown}:{line}: not UTF-8 text")
            })?;
            (parse_edges(&text, &shown)?, shown)
        }
        None => (mammals(), MAMMALS_SOURCE.to_string()),
    };
    if list.duplicates > 0 || list.self_loops > 0 {
        eprintln!(
            "note: {source}: dropped {} duplicate edge(s) and {} self loop(s)",
            list.duplicates, list.self_loops
        );
    }
    let hierarchy = Hierarchy::from_edge_list(&list).with_context(|| source.clone())?;
    Ok((hierarchy, source))
}

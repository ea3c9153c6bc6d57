//! A split on disk: `train.tsv`, `valid.tsv`, `valid_neg.tsv`, `test.tsv` and
//! `test_neg.tsv` in one directory, `child<TAB>parent` lines naming the nodes.

use std::fs::File;
use std::io::Write;
use std::path::Path;

use crate::data::edges::lines;
use crate::data::graph::Hierarchy;
use crate::data::split::{without_single_root, HeldOut, Split, SplitCounts};
use crate::error::{Error, Result};
use crate::files::{buffered, write_together, FileWriter};

/// The files of a split directory, in the order they are written.
pub const SPLIT_FILES: [&str; 5] = [
    "train.tsv",
    "valid.tsv",
    "valid_neg.tsv",
    "test.tsv",
    "test_neg.tsv",
];

impl Split {
    /// Writes the five files into `dir` (created if absent), whole or not at all: every file
    /// is written and synced before any is renamed into place.
    ///
    /// ```
    /// use sphaera::data::{mammals, split, Hierarchy, Split};
    /// let h = Hierarchy::from_edge_list(&mammals()).unwrap();
    /// let s = split(&h, 10.0, 0).unwrap();
    /// let dir = std::env::temp_dir().join(format!("sphaera-split-doc-{}", std::process::id()));
    /// s.write_dir(&dir).unwrap();
    /// let back = Split::read_dir(&dir, &h).unwrap();
    /// assert_eq!(back.train, s.train);
    /// assert_eq!(back.held_out, s.held_out);
    /// assert_eq!(back.counts, s.counts);
    /// # std::fs::remove_dir_all(&dir).unwrap();
    /// ```
    pub fn write_dir(&self, dir: &Path) -> Result<()> {
        std::fs::create_dir_all(dir).map_err(|e| Error::io("create", dir, e))?;
        let h = &self.hierarchy;
        let parts = self.parts();
        let files = SPLIT_FILES
            .iter()
            .zip(parts)
            .map(|(name, edges)| {
                let write = move |file: &mut File| {
                    buffered(file, |w| {
                        edges.iter().try_for_each(|&(child, parent)| {
                            writeln!(w, "{}\t{}", h.name(child), h.name(parent))
                        })
                    })
                };
                (dir.join(name), Box::new(write) as FileWriter<'_>)
            })
            .collect();
        write_together(files)
    }

    /// Reads a split written by [`Split::write_dir`] for `hierarchy` (the whole hierarchy, as
    /// given to [`crate::data::split`]: its single root is dropped here as there). The closure
    /// and the counts are recomputed; every pair must name two nodes of the hierarchy.
    pub fn read_dir(dir: &Path, hierarchy: &Hierarchy) -> Result<Split> {
        let nodes = without_single_root(hierarchy);
        let [train, valid, valid_neg, test, test_neg] =
            SPLIT_FILES.map(|name| read_pairs(&dir.join(name), &nodes));
        let held_out = HeldOut {
            valid: valid?,
            valid_neg: valid_neg?,
            test: test?,
            test_neg: test_neg?,
        };
        let train = train?;
        let closure = nodes.checked_closure()?;
        let basic = nodes.reduction().edge_count();
        let counts = SplitCounts::of(&closure, basic, &train, &held_out);
        Ok(Split {
            hierarchy: nodes,
            closure,
            train,
            held_out,
            counts,
        })
    }

    fn parts(&self) -> [&[(u32, u32)]; 5] {
        let h = &self.held_out;
        [&self.train, &h.valid, &h.valid_neg, &h.test, &h.test_neg]
    }
}

/// The `(child, parent)` pairs of one file, by index into `nodes`; errors name file and line.
fn read_pairs(path: &Path, nodes: &Hierarchy) -> Result<Vec<(u32, u32)>> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io("read", path, e))?;
    let fail = |line: usize, message: String| Error::Parse {
        file: path.display().to_string(),
        line,
        message,
    };
    let mut pairs = Vec::new();
    for (index, line) in lines(&text).enumerate() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let mut columns = line.split('\t').map(str::trim);
        let (Some(child), Some(parent)) = (columns.next(), columns.next()) else {
            return Err(fail(
                index + 1,
                "expected child<TAB>parent, found one column".into(),
            ));
        };
        let node = |name: &str| {
            nodes
                .index_of(name)
                .map_err(|_| fail(index + 1, format!("unknown node {name}")))
        };
        pairs.push((node(child)?, node(parent)?));
    }
    Ok(pairs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{mammals, split};

    #[test]
    fn unknown_nodes_and_short_lines_name_file_and_line() {
        let h = Hierarchy::from_edge_list(&mammals()).unwrap();
        let dir = tempfile::tempdir().unwrap();
        split(&h, 0.0, 1).unwrap().write_dir(dir.path()).unwrap();
        std::fs::write(
            dir.path().join("valid.tsv"),
            "# c\r\rdog.n.01\tnot.a.node\r",
        )
        .unwrap();
        let err = Split::read_dir(dir.path(), &h).unwrap_err();
        assert!(
            matches!(&err, Error::Parse { file, line: 3, message }
                if file.ends_with("valid.tsv") && message == "unknown node not.a.node"),
            "{err}"
        );
        split(&h, 0.0, 1).unwrap().write_dir(dir.path()).unwrap();
        std::fs::remove_file(dir.path().join("test.tsv")).unwrap();
        let err = Split::read_dir(dir.path(), &h).unwrap_err();
        assert!(
            matches!(&err, Error::Io { action: "read", path, .. } if path.ends_with("test.tsv")),
            "{err}"
        );
    }
}

//! Edge lists as text: one `child<TAB>parent` pair a line.

use std::collections::HashSet;

use crate::error::{Error, Result};

/// The distinct is-a edges of a file, with what was dropped on the way.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EdgeList {
    /// `(child, parent)` pairs in file order, each once, no self loops.
    pub edges: Vec<(String, String)>,
    /// Lines repeating an earlier edge (dropped).
    pub duplicates: usize,
    /// Lines whose child and parent are the same node (dropped).
    pub self_loops: usize,
}

/// Parses `child<TAB>parent` lines. Blank lines, lines starting with `#`, and Windows
/// (`\r\n`) and old Mac (`\r`) line ends are accepted; columns past the second (a weight, say) are ignored. `source` names
/// the input in errors, which give its line number.
///
/// ```
/// let list = sphaera::data::parse_edges("# a comment\r\ndog\tmammal\r\ndog\tmammal\ncat\tcat\n", "pets.tsv").unwrap();
/// assert_eq!(list.edges, vec![("dog".to_string(), "mammal".to_string())]);
/// assert_eq!((list.duplicates, list.self_loops), (1, 1));
/// let err = sphaera::data::parse_edges("dog\n", "pets.tsv").unwrap_err();
/// assert_eq!(err.to_string(), "pets.tsv:1: expected child<TAB>parent, found one column");
/// ```
pub fn parse_edges(text: &str, source: &str) -> Result<EdgeList> {
    let mut list = EdgeList::default();
    let mut seen = HashSet::new();
    for (index, line) in lines(text).enumerate() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let mut columns = line.split('\t');
        let child = columns.next().unwrap_or_default().trim();
        let parent = columns.next().map(str::trim);
        let fail = |message: &str| Error::Parse {
            file: source.to_string(),
            line: index + 1,
            message: message.to_string(),
        };
        let parent = match parent {
            None => return Err(fail("expected child<TAB>parent, found one column")),
            Some(p) if p.is_empty() || child.is_empty() => {
                return Err(fail("empty node name"));
            }
            Some(p) => p,
        };
        if child == parent {
            list.self_loops += 1;
        } else if seen.insert((child.to_string(), parent.to_string())) {
            list.edges.push((child.to_string(), parent.to_string()));
        } else {
            list.duplicates += 1;
        }
    }
    if list.edges.is_empty() {
        return Err(Error::EmptyData {
            file: source.to_string(),
            message: "no edges".to_string(),
        });
    }
    Ok(list)
}

/// The lines of `text`, ended by `\n`, `\r\n` or a lone `\r` (which `str::lines` would
/// leave inside a line, reading a whole old-Mac file as one line). As `str::lines`, a
/// final line end adds no empty line.
pub(crate) fn lines(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = Some(text);
    std::iter::from_fn(move || {
        let s = rest.take()?;
        match s.find(['\r', '\n']) {
            None => (!s.is_empty()).then_some(s),
            Some(i) => {
                let end = if s[i..].starts_with("\r\n") { 2 } else { 1 };
                rest = Some(&s[i + end..]);
                Some(&s[..i])
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_line_end_ends_a_line() {
        for text in [
            "a\tb\nc\td\n",
            "a\tb\r\nc\td\r\n",
            "a\tb\rc\td\r",
            "a\tb\rc\td",
        ] {
            let list = parse_edges(text, "t.tsv").unwrap();
            assert_eq!(list.edges.len(), 2, "{text:?}");
            assert_eq!(list.edges[1], ("c".into(), "d".into()), "{text:?}");
        }
        assert_eq!(lines("x\r\n\ry\n").collect::<Vec<_>>(), ["x", "", "y"]);
    }

    #[test]
    fn errors_after_old_mac_line_ends_give_the_right_line() {
        let err = parse_edges("# head\ra\tb\r\rbad\r", "t.tsv").unwrap_err();
        assert_eq!(
            err.to_string(),
            "t.tsv:4: expected child<TAB>parent, found one column"
        );
    }
}

//! WordNet 3.0's noun hierarchy, read from its own database files (`data.noun`,
//! `index.noun`) as Debian's `wordnet-base` installs them.
//!
//! Is-a edges are the hypernym (`@`) and instance-hypernym (`@i`) pointers between noun
//! synsets. Synsets are named as NLTK names them: the first lemma of the synset, lowercased,
//! the part of speech, and that lemma's sense number, its position in the lemma's
//! `index.noun` entry (`dog.n.01`).

use std::collections::HashMap;
use std::path::Path;

use crate::data::graph::Hierarchy;
use crate::error::{Error, Result};

/// Where Debian's `wordnet-base` puts the database.
pub const DEFAULT_DICT: &str = "/usr/share/wordnet";

/// One synset line of `data.noun`: its offset, first lemma and is-a pointer targets.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct SynsetLine<'a> {
    pub offset: u32,
    pub first_lemma: &'a str,
    pub parents: Vec<u32>,
}

/// Reads the noun hierarchy from the database in `dir`.
pub fn load_nouns(dir: &Path) -> Result<Hierarchy> {
    let data_path = dir.join("data.noun");
    let index_path = dir.join("index.noun");
    let data = read_text(&data_path)?;
    let index = read_text(&index_path)?;
    parse_nouns(
        &data,
        &index,
        &data_path.display().to_string(),
        &index_path.display().to_string(),
    )
}

/// Builds the noun hierarchy from the texts of `data.noun` and `index.noun`; the names are
/// used in errors, with line numbers.
///
/// ```
/// let data = "00001740 03 n 01 entity 0 000 | that which exists\n\
///             00002137 03 n 01 abstraction 0 001 @ 00001740 n 0000 | a concept\n";
/// let index = "abstraction n 1 1 @ 1 0 00002137\nentity n 1 1 ~ 1 0 00001740\n";
/// let nouns = sphaera::data::parse_nouns(data, index, "data.noun", "index.noun").unwrap();
/// assert_eq!(nouns.names(), ["entity.n.01", "abstraction.n.01"]);
/// ```
pub fn parse_nouns(
    data: &str,
    index: &str,
    data_name: &str,
    index_name: &str,
) -> Result<Hierarchy> {
    let mut synsets = Vec::new();
    for (number, line) in data.lines().enumerate() {
        let parsed = parse_data_line(line).map_err(|message| Error::Parse {
            file: data_name.to_string(),
            line: number + 1,
            message,
        })?;
        synsets.extend(parsed);
    }
    if synsets.is_empty() {
        return Err(Error::EmptyData {
            file: data_name.to_string(),
            message: "no synsets".into(),
        });
    }
    let mut senses: HashMap<&str, Vec<u32>> = HashMap::new();
    for (number, line) in index.lines().enumerate() {
        let parsed = parse_index_line(line).map_err(|message| Error::Parse {
            file: index_name.to_string(),
            line: number + 1,
            message,
        })?;
        if let Some((lemma, offsets)) = parsed {
            senses.insert(lemma, offsets);
        }
    }

    let mut position = HashMap::with_capacity(synsets.len());
    for (i, s) in synsets.iter().enumerate() {
        if position.insert(s.offset, i as u32).is_some() {
            return Err(Error::EmptyData {
                file: data_name.to_string(),
                message: format!("synset {:08} appears twice", s.offset),
            });
        }
    }
    let mut names = Vec::with_capacity(synsets.len());
    for synset in &synsets {
        let lemma = synset.first_lemma.to_lowercase();
        let sense = senses
            .get(lemma.as_str())
            .and_then(|offsets| offsets.iter().position(|&o| o == synset.offset))
            .ok_or_else(|| Error::EmptyData {
                file: index_name.to_string(),
                message: format!("no sense of {lemma} lists synset {:08}", synset.offset),
            })?;
        names.push(format!("{lemma}.n.{:02}", sense + 1));
    }
    let mut edges = Vec::new();
    for (child, synset) in synsets.iter().enumerate() {
        for parent in &synset.parents {
            let p = position.get(parent).ok_or_else(|| Error::EmptyData {
                file: data_name.to_string(),
                message: format!(
                    "synset {:08} points to missing synset {parent:08}",
                    synset.offset
                ),
            })?;
            edges.push((child as u32, *p));
        }
    }
    Hierarchy::from_indexed(names, edges)
}

fn read_text(path: &Path) -> Result<String> {
    let bytes = std::fs::read(path).map_err(|e| Error::io("read", path, e))?;
    // The database is ASCII but for a few Latin-1 bytes in some releases.
    Ok(match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => e.into_bytes().iter().map(|&b| char::from(b)).collect(),
    })
}

/// Parses one line of `data.noun`: `None` for the license header (lines starting with two
/// spaces), an error naming what is wrong for a malformed or truncated line.
///
/// The format: `offset lex_filenum ss_type w_cnt word lex_id [word lex_id…] p_cnt
/// [pointer_symbol offset pos source/target…] | gloss`, with `w_cnt` in hexadecimal.
pub(crate) fn parse_data_line(line: &str) -> std::result::Result<Option<SynsetLine<'_>>, String> {
    if line.starts_with("  ") {
        return Ok(None);
    }
    let (fields, _gloss) = line
        .split_once(" | ")
        .or_else(|| line.strip_suffix(" |").map(|f| (f, "")))
        .ok_or("truncated synset line: no gloss separator '|'")?;
    let mut fields = fields.split(' ').filter(|f| !f.is_empty());
    let mut next = |what: &str| {
        fields
            .next()
            .ok_or_else(|| format!("truncated synset line: missing {what}"))
    };
    let offset_text = next("synset offset")?;
    let offset = parse_offset(offset_text)?;
    next("lexicographer file number")?;
    let pos = next("synset type")?;
    if pos != "n" {
        return Err(format!("synset type {pos:?} in the noun file"));
    }
    let words = usize::from_str_radix(next("word count")?, 16)
        .map_err(|_| "word count is not hexadecimal".to_string())?;
    if words == 0 {
        return Err("synset without words".into());
    }
    let first_lemma = next("word")?;
    next("lexical id")?;
    for _ in 1..words {
        next("word")?;
        next("lexical id")?;
    }
    let pointers: usize = next("pointer count")?
        .parse()
        .map_err(|_| "pointer count is not a number".to_string())?;
    let mut parents = Vec::new();
    for _ in 0..pointers {
        let symbol = next("pointer symbol")?;
        let target = parse_offset(next("pointer offset")?)?;
        let target_pos = next("pointer part of speech")?;
        next("pointer source/target")?;
        if (symbol == "@" || symbol == "@i") && target_pos == "n" {
            parents.push(target);
        }
    }
    Ok(Some(SynsetLine {
        offset,
        first_lemma,
        parents,
    }))
}

fn parse_offset(text: &str) -> std::result::Result<u32, String> {
    if text.len() != 8 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("bad synset offset {text:?}"));
    }
    text.parse()
        .map_err(|_| format!("bad synset offset {text:?}"))
}

/// Parses one line of `index.noun` into the lemma and its synset offsets in sense order:
/// `lemma pos synset_cnt p_cnt [ptr_symbol…] sense_cnt tagsense_cnt synset_offset…`.
fn parse_index_line(line: &str) -> std::result::Result<Option<(&str, Vec<u32>)>, String> {
    if line.starts_with("  ") || line.trim().is_empty() {
        return Ok(None);
    }
    let fields: Vec<&str> = line.split(' ').filter(|f| !f.is_empty()).collect();
    let count = |i: usize, what: &str| -> std::result::Result<usize, String> {
        fields
            .get(i)
            .ok_or_else(|| format!("truncated index line: missing {what}"))?
            .parse()
            .map_err(|_| format!("{what} is not a number"))
    };
    let synsets = count(2, "synset count")?;
    let pointers = count(3, "pointer count")?;
    // Counts come from the file: add them without overflow.
    let first = pointers.checked_add(6).ok_or("pointer count too large")?;
    if first.checked_add(synsets) != Some(fields.len()) {
        return Err(format!(
            "expected {synsets} synset offsets, found {}",
            fields.len().saturating_sub(first)
        ));
    }
    let offsets = fields[first..]
        .iter()
        .map(|f| parse_offset(f))
        .collect::<std::result::Result<_, _>>()?;
    Ok(Some((fields[0], offsets)))
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOG: &str = "02084071 05 n 03 dog 0 domestic_dog 0 Canis_familiaris 0 023 @ 02083346 n 0000 @ 01317541 n 0000 #m 02083863 n 0000 | a member of the genus Canis";

    #[test]
    fn a_synset_line_gives_its_offset_first_lemma_and_is_a_pointers() {
        let line = DOG.replace(" 023 ", " 003 ");
        let s = parse_data_line(&line).unwrap().unwrap();
        assert_eq!(
            s,
            SynsetLine {
                offset: 2084071,
                first_lemma: "dog",
                parents: vec![2083346, 1317541]
            }
        );
        let instance = "09044862 15 n 01 Los_Angeles 0 001 @i 08524735 n 0000 | a city";
        assert_eq!(
            parse_data_line(instance).unwrap().unwrap().parents,
            vec![8524735]
        );
        assert_eq!(
            parse_data_line("  1 This software and database").unwrap(),
            None
        );
    }

    #[test]
    fn malformed_synset_lines_say_what_is_wrong() {
        let cases = [
            ("02084071 05 n 03 dog 0 domestic_dog", "no gloss separator"),
            (&DOG[..60], "no gloss separator"),
            (
                "02084071 05 n 01 dog 0 005 @ 02083346 n 0000 | gloss",
                "missing pointer symbol",
            ),
            ("2084071 05 n 01 dog 0 000 | gloss", "bad synset offset"),
            ("02084071 05 n zz dog 0 000 | gloss", "hexadecimal"),
            ("02084071 05 v 01 run 0 000 | gloss", "synset type"),
            ("02084071 05 n 01 dog 0 00x | gloss", "pointer count"),
            (
                "02084071 05 n 01 dog 0 001 @ 0208334 n 0000 | gloss",
                "bad synset offset",
            ),
        ];
        for (line, expected) in cases {
            let err = parse_data_line(line).unwrap_err();
            assert!(err.contains(expected), "{line:?}: {err}");
        }
    }

    #[test]
    fn index_lines_give_offsets_in_sense_order() {
        let line = "dog n 7 5 @ ~ #m #p %p 7 1 02084071 10114209 10023039 09886220 07676602 03901548 02710044  ";
        let (lemma, offsets) = parse_index_line(line).unwrap().unwrap();
        assert_eq!(lemma, "dog");
        assert_eq!(offsets[..2], [2084071, 10114209]);
        assert!(parse_index_line("dog n 7 5 @ ~ #m #p %p 7 1 02084071")
            .unwrap_err()
            .contains("expected 7"));
    }
}

//! Output files appear whole or not at all.

use std::fs::File;
use std::path::Path;

use anyhow::{bail, Result};

/// Writes `path` atomically through `write` (see [`sphaera::files::write_atomically`]).
pub fn write_atomically(path: &Path, write: impl FnOnce(&mut File) -> Result<()>) -> Result<()> {
    let mut failure = None;
    let written = sphaera::files::write_atomically(path, |file| {
        write(file).map_err(|e| {
            let io = std::io::Error::other(format!("{e:#}"));
            failure = Some(e);
            io
        })
    });
    match (written, failure) {
        (Ok(()), _) => Ok(()),
        // The caller's own error, named by the file it was writing.
        (Err(_), Some(e)) => Err(e.context(format!("cannot write {}", path.display()))),
        (Err(e), None) => Err(e.into()),
    }
}

/// Fails, naming it, when the directory `path` would be written into does not exist, so a
/// run does not end in an error after all its work.
pub fn check_parent_exists(path: &Path) -> Result<()> {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() && !parent.is_dir() => {
            bail!("directory {} does not exist", parent.display())
        }
        _ => Ok(()),
    }
}

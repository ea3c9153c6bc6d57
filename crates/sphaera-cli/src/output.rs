//! Output files appear whole or not at all.

use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

/// Writes through `write` into a temporary file beside `path`, then renames it over `path`:
/// a failed or interrupted run never leaves a partial file.
///
/// A `path` that exists and is not a regular file or a directory (`/dev/null`, `/dev/stdout`,
/// a named pipe) is written through directly instead: renaming over it would replace the
/// device with a regular file. Every error names `path`.
pub fn write_atomically(path: &Path, write: impl FnOnce(&mut File) -> Result<()>) -> Result<()> {
    let shown = path.display();
    if std::fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir()) {
        let mut file = OpenOptions::new()
            .write(true)
            .open(path)
            .with_context(|| format!("cannot open {shown}"))?;
        return write(&mut file).with_context(|| format!("cannot write {shown}"));
    }
    let temporary = temporary_beside(path);
    let result = File::create(&temporary)
        .with_context(|| format!("cannot create {}", temporary.display()))
        .and_then(|mut file| {
            write(&mut file).with_context(|| format!("cannot write {shown}"))?;
            file.sync_all()
                .with_context(|| format!("cannot write {shown}"))?;
            Ok(())
        })
        .and_then(|()| {
            std::fs::rename(&temporary, path).with_context(|| format!("cannot write {shown}"))
        });
    if result.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    result
}

fn temporary_beside(path: &Path) -> PathBuf {
    let mut name = path
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_default();
    name.push(format!(".tmp{}", std::process::id()));
    path.with_file_name(name)
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

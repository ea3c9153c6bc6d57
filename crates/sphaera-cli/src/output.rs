//! Output files appear whole or not at all.

use std::fs::File;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

/// Writes through `write` into a temporary file beside `path`, then renames it over `path`:
/// a failed or interrupted run never leaves a partial file.
pub fn write_atomically(path: &Path, write: impl FnOnce(&mut File) -> Result<()>) -> Result<()> {
    let temporary = temporary_beside(path);
    let result = File::create(&temporary)
        .with_context(|| format!("cannot create {}", temporary.display()))
        .and_then(|mut file| {
            write(&mut file)?;
            file.sync_all()?;
            Ok(())
        })
        .and_then(|()| {
            std::fs::rename(&temporary, path)
                .with_context(|| format!("cannot write {}", path.display()))
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

//! Output files appear whole or not at all.
//!
//! Each file is written into a temporary `NAME.tmp<PID>` beside it, synced, then renamed over
//! it, so a failed or killed run never leaves a partial file under the final name. Every
//! error names the file.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// Writes `path` through `write`, atomically.
///
/// A `path` that exists and is neither a regular file nor a directory (`/dev/null`,
/// `/dev/stdout`, a named pipe) is written through directly: renaming over it would replace
/// the device with a regular file.
///
/// ```
/// let dir = std::env::temp_dir().join(format!("sphaera-doc-{}", std::process::id()));
/// std::fs::create_dir_all(&dir).unwrap();
/// let path = dir.join("hello.txt");
/// sphaera::files::write_atomically(&path, |f| std::io::Write::write_all(f, b"hi")).unwrap();
/// assert_eq!(std::fs::read_to_string(&path).unwrap(), "hi");
/// # std::fs::remove_dir_all(&dir).unwrap();
/// ```
pub fn write_atomically(
    path: &Path,
    write: impl FnOnce(&mut File) -> std::io::Result<()>,
) -> Result<()> {
    if is_special(path) {
        let mut file = OpenOptions::new()
            .write(true)
            .open(path)
            .map_err(|e| Error::io("open", path, e))?;
        return write(&mut file).map_err(|e| Error::io("write", path, e));
    }
    let temporary = write_temporary(path, write)?;
    commit(&[(temporary, path.to_path_buf())])
}

/// Writes one file's contents, for [`write_together`].
pub type FileWriter<'a> = Box<dyn FnOnce(&mut File) -> std::io::Result<()> + 'a>;

/// Writes several files as one: every file is written to its temporary first, and only when
/// all succeeded are they renamed into place. On failure no file is touched and the
/// temporaries are removed.
pub fn write_together(files: Vec<(PathBuf, FileWriter<'_>)>) -> Result<()> {
    let mut written: Vec<(PathBuf, PathBuf)> = Vec::with_capacity(files.len());
    for (path, write) in files {
        match write_temporary(&path, write) {
            Ok(temporary) => written.push((temporary, path)),
            Err(e) => {
                for (temporary, _) in &written {
                    let _ = std::fs::remove_file(temporary);
                }
                return Err(e);
            }
        }
    }
    commit(&written)
}

fn is_special(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir())
}

/// Writes and syncs the temporary beside `path`; removes it on failure.
fn write_temporary(
    path: &Path,
    write: impl FnOnce(&mut File) -> std::io::Result<()>,
) -> Result<PathBuf> {
    let temporary = temporary_beside(path, std::process::id());
    let result = File::create(&temporary)
        .map_err(|e| Error::io("create", &temporary, e))
        .and_then(|mut file| {
            write(&mut file)
                .and_then(|()| file.sync_all())
                .map_err(|e| Error::io("write", path, e))
        });
    match result {
        Ok(()) => Ok(temporary),
        Err(e) => {
            let _ = std::fs::remove_file(&temporary);
            Err(e)
        }
    }
}

/// Renames each temporary over its target, then removes what killed runs left beside it.
fn commit(pairs: &[(PathBuf, PathBuf)]) -> Result<()> {
    for (i, (temporary, path)) in pairs.iter().enumerate() {
        if let Err(e) = std::fs::rename(temporary, path) {
            for (rest, _) in &pairs[i..] {
                let _ = std::fs::remove_file(rest);
            }
            return Err(Error::io("write", path, e));
        }
    }
    for (_, path) in pairs {
        remove_stale_temporaries(path);
    }
    Ok(())
}

fn temporary_beside(path: &Path, pid: u32) -> PathBuf {
    let mut name = path
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_default();
    name.push(format!(".tmp{pid}"));
    path.with_file_name(name)
}

/// Removes `NAME.tmp<PID>` files beside `path` whose process is gone (a killed run's
/// leftovers). Only where `/proc` says which processes live; best effort, errors ignored.
fn remove_stale_temporaries(path: &Path) {
    let (Some(name), Some(dir)) = (path.file_name().and_then(|n| n.to_str()), path.parent()) else {
        return;
    };
    if !Path::new("/proc/self").exists() {
        return;
    }
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let prefix = format!("{name}.tmp");
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let Some(pid) = file_name
            .to_str()
            .and_then(|f| f.strip_prefix(&prefix))
            .and_then(|p| p.parse::<u32>().ok())
        else {
            continue;
        };
        let alive = Path::new(&format!("/proc/{pid}")).exists();
        if !alive && entry.file_type().is_ok_and(|t| t.is_file()) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// Flushes a buffered writer and syncs nothing else: a helper for `write` closures that wrap
/// the file in a [`std::io::BufWriter`].
pub fn buffered(
    file: &mut File,
    write: impl FnOnce(&mut std::io::BufWriter<&mut File>) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let mut w = std::io::BufWriter::new(file);
    write(&mut w)?;
    w.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temporaries_of_dead_processes_are_removed_and_live_ones_kept() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.json");
        // No process has a PID near u32::MAX (Linux caps PIDs at 2^22); PID 1 always lives.
        let dead = temporary_beside(&path, u32::MAX - 1);
        let live = temporary_beside(&path, 1);
        std::fs::write(&dead, "partial").unwrap();
        std::fs::write(&live, "in progress").unwrap();
        write_atomically(&path, |f| f.write_all(b"whole")).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "whole");
        assert!(!dead.exists());
        assert!(live.exists(), "PID 1 is alive");
    }

    #[test]
    fn a_failing_file_leaves_every_file_of_the_group_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.tsv");
        let b = dir.path().join("b.tsv");
        std::fs::write(&a, "old a").unwrap();
        let err = write_together(vec![
            (a.clone(), Box::new(|f: &mut File| f.write_all(b"new a"))),
            (
                b.clone(),
                Box::new(|_: &mut File| Err(std::io::Error::other("disk full"))),
            ),
        ])
        .unwrap_err();
        assert!(err.to_string().contains("b.tsv"), "{err}");
        assert_eq!(std::fs::read_to_string(&a).unwrap(), "old a");
        assert!(!b.exists());
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(left.len(), 1, "temporaries removed");
    }
}

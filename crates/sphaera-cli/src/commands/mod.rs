//! One module per subcommand.

pub mod bench;
pub mod data;
pub mod disperse;
pub mod hierarchy;
pub mod tammes;

use anyhow::{bail, Context as _, Result};

/// The most worker threads `--threads` accepts: far more than any machine's cores, and few
/// enough that a typo (`--threads 1000000`) is refused instead of starting a million
/// busy threads. A fixed figure, so that a script runs the same on every machine.
pub const MAX_THREADS: usize = 1024;

/// The worker pool of `--threads` (all cores when `None`), refusing 0 and more than
/// [`MAX_THREADS`].
pub fn thread_pool(threads: Option<usize>) -> Result<rayon::ThreadPool> {
    match threads {
        Some(0) => bail!("--threads must be at least 1"),
        Some(t) if t > MAX_THREADS => {
            bail!("--threads must be at most {MAX_THREADS}, got {t}")
        }
        _ => {}
    }
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads.unwrap_or(0))
        .build()
        .context("cannot start the worker threads")
}

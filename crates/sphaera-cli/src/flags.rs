//! Library errors in the words of the command line.

/// `error`, with a parameter the library names (`batch_size`) written as the flag that set it
/// (`--batch-size`). Other errors pass through unchanged.
pub fn as_flag(error: sphaera::Error) -> anyhow::Error {
    match error {
        sphaera::Error::InvalidParameter {
            name,
            expected,
            value,
        } => anyhow::anyhow!(
            "--{} must be {expected}, got {value}",
            name.replace('_', "-")
        ),
        other => other.into(),
    }
}

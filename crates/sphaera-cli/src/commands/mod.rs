//! One module per subcommand.

pub mod data;
pub mod disperse;
pub mod hierarchy;

//! One module per subcommand.

pub mod bench;
pub mod data;
pub mod disperse;
pub mod hierarchy;
pub mod tammes;

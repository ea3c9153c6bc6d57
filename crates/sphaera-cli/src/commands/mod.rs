//! One module per subcommand.

pub mod disperse;

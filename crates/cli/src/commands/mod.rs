//! One module per subcommand.

pub mod decide;
pub mod input;
pub mod output;

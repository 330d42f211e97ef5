//! One module per subcommand.

pub mod adapter;
pub mod controller;
pub mod decide;
pub mod explain;
pub mod input;
pub mod output;
pub mod simulate;
pub mod snapshot;

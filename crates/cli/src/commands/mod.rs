//! One module per subcommand.

pub mod adapter;
pub mod completion;
pub mod controller;
pub mod decide;
pub mod explain;
pub mod input;
pub mod install_plugin;
pub mod kube_flags;
pub mod output;
pub mod simulate;
pub mod snapshot;

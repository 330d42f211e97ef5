//! One module per subcommand.

#[cfg(feature = "cluster")]
pub mod adapter;
pub mod completion;
#[cfg(feature = "cluster")]
pub mod controller;
pub mod decide;
#[cfg(feature = "cluster")]
pub mod explain;
pub mod input;
pub mod install_plugin;
#[cfg(feature = "cluster")]
pub mod kube_flags;
pub mod output;
pub mod simulate;
#[cfg(feature = "cluster")]
pub mod snapshot;

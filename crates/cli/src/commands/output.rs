//! Output formats shared by the subcommands (`-o json|yaml`).

use clap::ValueEnum;
use serde::Serialize;

/// How to print a result.
#[derive(Debug, Clone, Copy, Default, ValueEnum)]
pub enum Format {
    /// Pretty JSON.
    Json,
    /// YAML.
    #[default]
    Yaml,
}

/// Prints a value in the format.
pub fn print<T: Serialize>(value: &T, format: Format) -> anyhow::Result<()> {
    match format {
        Format::Json => println!("{}", serde_json::to_string_pretty(value)?),
        Format::Yaml => print!("{}", serde_yaml_ng::to_string(value)?),
    }
    Ok(())
}

//! `alpaca decide FILE`: one HPA sync from a Snapshot, printed as a Decision or explained.

use std::path::PathBuf;

use alpaca_engine::{Decision, ReadError, decide, read_snapshot};

use super::{input, output};
use crate::exit::BadInput;

/// Arguments of `alpaca decide`.
#[derive(clap::Args)]
pub struct Args {
    /// The Snapshot (YAML or JSON, see docs/snapshot-spec.md); `-` reads standard input.
    pub file: PathBuf,
    /// Output format of the Decision.
    #[arg(short, long, value_enum, default_value_t = output::Format::Yaml)]
    pub output: output::Format,
    /// Print the explanation for a person instead of the Decision.
    #[arg(long)]
    pub explain: bool,
}

/// Runs `alpaca decide`.
pub fn run(args: Args) -> anyhow::Result<()> {
    let bytes = input::read(&args.file)?;
    let snapshot = read_snapshot(&bytes).map_err(|e| match e {
        ReadError::Syntax(e) => BadInput(format!("{}: {e}", args.file.display())),
        ReadError::Invalid(e) => BadInput(format!("{}: {e}", args.file.display())),
    })?;
    let decision =
        decide(&snapshot).map_err(|e| BadInput(format!("{}: {e}", args.file.display())))?;
    // The explanation says it too (its ADMIT step); the Decision alone would not.
    if let Some(note) = snapshot.hpa.version_note()
        && !args.explain
    {
        eprintln!("warning: {}: {note}", args.file.display());
    }
    if args.explain {
        print!("{}", explain(&decision));
        Ok(())
    } else {
        output::print(&decision, args.output)
    }
}

/// The explanation as a person reads it: the outcome, then the steps by phase.
pub fn explain(d: &Decision) -> String {
    let mut out = String::new();
    let current = d.status.current_replicas.unwrap_or(0);
    if d.rescale {
        out.push_str(&format!(
            "Scale from {current} to {} replicas.\n",
            d.desired_replicas
        ));
    } else {
        out.push_str(&format!("Keep {} replicas.\n", d.desired_replicas));
    }
    let mut phase = "";
    for line in &d.explanation {
        let (p, text) = line.split_once(": ").unwrap_or(("", line));
        if p != phase {
            out.push_str(&format!("\n{}\n", p.to_uppercase()));
            phase = p;
        }
        match text.strip_prefix("  ") {
            Some(detail) => out.push_str(&format!("      · {detail}\n")),
            None => out.push_str(&format!("  - {text}\n")),
        }
    }
    out.push_str("\nCONDITIONS\n");
    for c in d.status.conditions.iter().flatten() {
        out.push_str(&format!(
            "  {} {} ({}): {}\n",
            c.type_,
            c.status,
            c.reason.as_deref().unwrap_or_default(),
            c.message.as_deref().unwrap_or_default()
        ));
    }
    if !d.events.is_empty() {
        out.push_str("\nEVENTS\n");
        for e in &d.events {
            out.push_str(&format!("  {} {}: {}\n", e.type_, e.reason, e.message));
        }
    }
    out
}

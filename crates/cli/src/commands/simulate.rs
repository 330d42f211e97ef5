//! `alpaca simulate SCENARIO`: runs a scenario in the embedded simulator and prints what
//! `kubectl get hpa -w` would show, then `kubectl describe hpa` and a summary; optionally
//! writes a timeline and a plot, or explains one sync.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use alpaca_sim::clock::{self, Millis};
use alpaca_sim::report::{describe, plot, summary, timeline};
use alpaca_sim::{Observer, Options, Scenario};
use anyhow::Context;

use crate::exit::BadInput;

/// Arguments of `alpaca simulate`.
#[derive(clap::Args)]
pub struct Args {
    /// The scenario: Kubernetes manifests plus a `kind: Simulation` document (see
    /// docs/simulator.md and examples/).
    pub file: PathBuf,
    /// Write a plot of load, replicas and metrics over time (SVG).
    #[arg(long, value_name = "FILE.svg")]
    pub plot: Option<PathBuf>,
    /// Write one row per tick (CSV or JSON, by extension).
    #[arg(long, value_name = "FILE.csv|FILE.json")]
    pub timeline: Option<PathBuf>,
    /// Print the full decision explanation of the sync nearest this time (e.g. `4m`).
    #[arg(long, value_name = "TIME")]
    pub explain_at: Option<String>,
    /// Only for this HPA (with several in the scenario).
    #[arg(long, value_name = "NAME")]
    pub hpa: Option<String>,
    /// Override the scenario's seed.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Print only the describe view and the summary, not the watch lines.
    #[arg(short, long)]
    pub quiet: bool,
    /// Run the scenario twice, as upstream Kubernetes 1.37 would (Alpaca's opt-in
    /// annotations removed) and as written, and compare: both in the plot, the summaries
    /// side by side.
    #[arg(long)]
    pub compare: bool,
}

/// Prints lines as they come and a progress bar on a terminal.
struct Console {
    quiet: bool,
    started: Instant,
    bar_shown: bool,
    tty: bool,
}

impl Console {
    fn clear_bar(&mut self) {
        if self.bar_shown {
            eprint!("\r\x1b[K");
            self.bar_shown = false;
        }
    }
}

impl Observer for Console {
    fn wants_lines(&self) -> bool {
        !self.quiet
    }

    fn line(&mut self, line: &str) {
        if self.quiet {
            return;
        }
        self.clear_bar();
        println!("{line}");
    }

    fn progress(&mut self, now: Millis, total: Millis) {
        if !self.tty || self.started.elapsed().as_secs_f64() < 1.0 {
            return;
        }
        let frac = now as f64 / total.max(1) as f64;
        let width = 30;
        let filled = (frac * width as f64) as usize;
        let _ = std::io::stdout().flush();
        eprint!(
            "\r[{}{}] {:>3.0}%  {} / {} simulated",
            "#".repeat(filled),
            ".".repeat(width - filled.min(width)),
            frac * 100.0,
            clock::short(now),
            clock::short(total)
        );
        self.bar_shown = true;
    }
}

fn write_file(path: &Path, text: &str) -> anyhow::Result<()> {
    std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))
}

/// Runs `alpaca simulate`.
pub fn run(args: Args) -> anyhow::Result<()> {
    let mut scenario = Scenario::from_file(&args.file)
        .map_err(|e| BadInput(format!("{}: {e}", args.file.display())))?;
    if let Some(seed) = args.seed {
        scenario.seed = seed;
    }
    for note in scenario.hpas.iter().filter_map(|h| h.note.as_deref()) {
        eprintln!("warning: {}: {note}", args.file.display());
    }
    let explain_at = args
        .explain_at
        .as_deref()
        .map(|s| {
            alpaca_sim::scenario::units::parse_time(s)
                .map_err(|e| BadInput(format!("--explain-at {s:?}: {e}")))
        })
        .transpose()?;
    if let Some(name) = &args.hpa
        && !scenario.hpas.iter().any(|h| &h.name == name)
    {
        return Err(BadInput(format!(
            "--hpa {name:?}: no such HorizontalPodAutoscaler in the scenario"
        ))
        .into());
    }
    let timeline_format = match &args.timeline {
        None => None,
        Some(p) => match p.extension().and_then(|e| e.to_str()) {
            Some("csv") => Some(false),
            Some("json") => Some(true),
            _ => {
                return Err(BadInput(format!(
                    "--timeline {}: the file must end in .csv or .json",
                    p.display()
                ))
                .into());
            }
        },
    };
    let opts = Options {
        record: args.plot.is_some() || args.timeline.is_some(),
        explain_at,
        ..Options::default()
    };
    let mut console = Console {
        quiet: args.quiet,
        started: Instant::now(),
        bar_shown: false,
        tty: std::io::stderr().is_terminal(),
    };
    if !args.quiet {
        println!(
            "Simulating {} ({}): {} of cluster time, {} HPA{}, seed {}. Watching as `kubectl get hpa -w` would:\n",
            args.file.display(),
            scenario.title,
            clock::go(scenario.duration),
            scenario.hpas.len(),
            if scenario.hpas.len() == 1 { "" } else { "s" },
            scenario.seed
        );
    }
    if args.compare {
        return compare(&args, &scenario, &opts, &mut console);
    }
    let outcome = alpaca_sim::run(&scenario, &opts, &mut console)?;
    console.clear_bar();
    let selected = |name: &str| args.hpa.as_deref().is_none_or(|h| h == name);
    for h in outcome.hpas.iter().filter(|h| selected(&h.record.name)) {
        println!("\n$ kubectl describe hpa {}", h.record.name);
        print!(
            "{}",
            describe::describe(&h.object, &h.events, outcome.duration)
        );
    }
    println!();
    for h in outcome.hpas.iter().filter(|h| selected(&h.record.name)) {
        println!("{}", summary::hpa_summary(h, outcome.duration));
    }
    if explain_at.is_some() {
        for h in outcome.hpas.iter().filter(|h| selected(&h.record.name)) {
            if let Some(e) = &h.explained {
                println!(
                    "EXPLAIN {} at {} (the sync nearest --explain-at)\n",
                    h.record.name,
                    clock::short(e.at)
                );
                println!("{}", super::decide::explain(&e.decision));
            }
        }
    }
    if let (Some(path), Some(json)) = (&args.timeline, timeline_format) {
        let text = if json {
            timeline::json(&outcome)
        } else {
            timeline::csv(&outcome)
        };
        write_file(path, &text)?;
        println!("Timeline written to {}", path.display());
    }
    if let Some(path) = &args.plot {
        write_file(path, &plot::svg(&outcome, &alpaca_sim::marks(&scenario)))?;
        println!("Plot written to {} (open it in a browser)", path.display());
    }
    Ok(())
}

/// `--compare`: upstream 1.37's run, then the scenario's, then the table and the plot.
fn compare(
    args: &Args,
    scenario: &Scenario,
    opts: &Options,
    console: &mut Console,
) -> anyhow::Result<()> {
    let (upstream, removed) = alpaca_sim::compare::upstream_1_37(scenario);
    if removed.is_empty() {
        println!(
            "Note: the scenario uses none of Alpaca's opt-in settings; both runs are upstream's."
        );
    } else {
        println!("As upstream Kubernetes 1.37 would run it, without:");
        for r in &removed {
            println!("  - {r}");
        }
    }
    let mut quiet = alpaca_sim::Quiet;
    let up = alpaca_sim::run(&upstream, opts, &mut quiet)?;
    let ours = alpaca_sim::run(scenario, opts, console)?;
    console.clear_bar();
    println!();
    print!("{}", alpaca_sim::compare::table(&up, &ours));
    if let Some(path) = &args.plot {
        write_file(path, &alpaca_sim::compare::plot(scenario, &up, &ours))?;
        println!("Plot written to {} (open it in a browser)", path.display());
    }
    Ok(())
}

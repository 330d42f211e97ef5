//! What the user sees: watch lines (`kubectl get hpa -w`), the describe view, the
//! summary, the timeline (CSV/JSON) and the plot (SVG).

pub mod compare_plot;
pub mod describe;
pub mod plot;
pub mod summary;
pub mod tabwriter;
pub mod timeline;
pub mod watch;

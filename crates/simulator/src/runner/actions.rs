//! Timed actions: what each does to the run's state, and how the narrative says it.

use std::sync::Arc;

use super::Observer;
use super::state::State;
use crate::report::watch::WatchTable;
use crate::scenario::{Action, ActionDef, LoadKind, Scenario};

fn describe_load(sc: &Scenario, i: usize) -> String {
    let l = &sc.loads[i];
    let service = &sc.services[l.service].name;
    match &l.kind {
        LoadKind::Closed { clients, think } => format!(
            "{} starts: {clients} client{} sending requests to Service {service}, {}ms think time",
            l.name,
            if *clients == 1 { "" } else { "s" },
            (think * 1000.0).round()
        ),
        LoadKind::Open(_) => format!("{} starts sending requests to Service {service}", l.name),
    }
}

/// Applies an action; returns what the narrative says about it.
pub fn apply(
    sc: &Scenario,
    st: &mut State,
    a: &ActionDef,
    table: &mut WatchTable,
    obs: &mut dyn Observer,
) -> Option<String> {
    let t = a.at;
    match &a.what {
        Action::StartLoad(i) => {
            st.loads[*i].forced = Some(true);
            Some(describe_load(sc, *i))
        }
        Action::StopLoad(i) => {
            st.loads[*i].forced = Some(false);
            Some(format!(
                "{} stops (Ctrl-C in the load generator's terminal)",
                sc.loads[*i].name
            ))
        }
        Action::SetRate(i, rate) => {
            st.loads[*i].rate = Some(rate.clone());
            Some(format!(
                "{}: new request rate ({:.0} req/s now)",
                sc.loads[*i].name,
                rate.at(t)
            ))
        }
        Action::SetMetric(i, v) => {
            st.adapter.overrides[*i] = Some(*v);
            let m = &sc.metrics[*i];
            let q = alpaca_quantity::Quantity::from_milli(
                (v * 1000.0).round() as i64,
                alpaca_quantity::Format::DecimalSI,
            );
            Some(format!("metric {} set to {q} (write-metrics)", m.name))
        }
        Action::PatchHpa(i, patched) => {
            let (written, admitted) = patched.as_ref();
            let h = &mut st.hpas[*i];
            h.written = written.clone();
            Arc::make_mut(&mut h.object).spec = admitted.spec.clone();
            if let Some(row) = table.row(*i, &h.object, t) {
                obs.line(&row);
            }
            Some(format!("HorizontalPodAutoscaler {} patched", h.key.name))
        }
        Action::Outage(i, dark) => {
            st.adapter.dark[*i] = *dark;
            let name = &sc.metrics[*i].name;
            Some(if *dark {
                format!("the external metrics API fails for {name} (its provider is dark)")
            } else {
                format!("the external metrics API answers for {name} again")
            })
        }
        Action::ScaleDeployment(d, n) => {
            let dep = &mut st.deps[*d];
            dep.replicas = *n;
            if dep.reconcile(t, &sc.deployments[*d]) {
                st.endpoints_changed = true;
            }
            Some(format!(
                "kubectl scale deployment {} --replicas={n}",
                sc.deployments[*d].name
            ))
        }
    }
}

/// Short labels of what the scenario does and when, for the plot.
pub fn marks(sc: &Scenario) -> Vec<(crate::clock::Millis, String)> {
    let mut out = Vec::new();
    for l in &sc.loads {
        if l.start > 0 {
            out.push((l.start, format!("{} starts", l.name)));
        }
        if let Some(s) = l.stop.filter(|s| *s < sc.duration) {
            out.push((s, format!("{} stops", l.name)));
        }
    }
    for a in &sc.actions {
        let label = match &a.what {
            Action::StartLoad(i) => format!("{} starts", sc.loads[*i].name),
            Action::StopLoad(i) => format!("{} stops", sc.loads[*i].name),
            Action::SetRate(i, _) => format!("{} rate changes", sc.loads[*i].name),
            Action::SetMetric(i, v) => {
                let q = alpaca_quantity::Quantity::from_milli(
                    (v * 1000.0).round() as i64,
                    alpaca_quantity::Format::DecimalSI,
                );
                format!("{} = {q}", sc.metrics[*i].name)
            }
            Action::PatchHpa(i, _) => format!("HPA {} patched", sc.hpas[*i].name),
            Action::ScaleDeployment(d, n) => {
                format!("{} scaled to {n} by hand", sc.deployments[*d].name)
            }
            Action::Outage(i, true) => format!("{} dark", sc.metrics[*i].name),
            Action::Outage(i, false) => format!("{} back", sc.metrics[*i].name),
        };
        if a.at <= sc.duration {
            out.push((a.at, label));
        }
    }
    out.sort_by_key(|m| m.0);
    out
}

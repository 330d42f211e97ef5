//! Which pods a ReplicaSet deletes when it scales down, after the ReplicaSet controller's
//! `getPodsToDelete` ranking: Pending before Running, not ready before ready, ready for a
//! shorter time before longer, newer before older.
//!
//! Simplifications: every pod is on its own node (no co-location rank), restarts never
//! happen, and timestamps are compared exactly (upstream buckets them logarithmically
//! since `LogarithmicScaleDown`).

use std::cmp::Reverse;

use super::pod::{Phase, SimPod};

/// Indices of the `count` pods to delete among the active (not terminating) ones.
pub fn victims(pods: &[SimPod], count: usize) -> Vec<usize> {
    let mut active: Vec<usize> = (0..pods.len())
        .filter(|&i| pods[i].phase != Phase::Terminating)
        .collect();
    active.sort_by_key(|&i| {
        let p = &pods[i];
        let phase_rank = match p.phase {
            Phase::Pending => 0,
            _ => 1,
        };
        let ready = p.phase == Phase::Ready;
        let ready_since = if ready { p.ready_at } else { i64::MIN };
        (
            phase_rank,
            ready,
            Reverse(ready_since),
            Reverse(p.created),
            Reverse(p.seq),
        )
    });
    active.truncate(count);
    active
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::pod::{Template, create};
    use std::collections::BTreeMap;
    use std::sync::Arc;

    #[test]
    fn deletes_unready_and_newest_first() {
        let tpl = Template {
            namespace: &Arc::from("default"),
            labels: &Arc::new(BTreeMap::new()),
            spec: &Arc::default(),
            startup_time: 10,
            readiness_delay: 10,
        };
        let mut pods: Vec<SimPod> = (0..4)
            .map(|i| create(format!("p{i}"), i, i as i64 * 100, &tpl))
            .collect();
        pods[0].phase = Phase::Ready;
        pods[1].phase = Phase::Ready;
        pods[2].phase = Phase::Starting;
        // p3 stays Pending
        assert_eq!(victims(&pods, 1), vec![3]);
        assert_eq!(victims(&pods, 2), vec![3, 2]);
        assert_eq!(victims(&pods, 3), vec![3, 2, 1], "newest ready next");
    }
}

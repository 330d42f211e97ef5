//! Response times: how long a request takes given how busy the pod serving it is, and the
//! throughput of closed-loop clients (exact Mean Value Analysis).
//!
//! A pod is a processor-sharing server: a request alone takes its CPU time on one core;
//! at utilization ρ of the pod's CPU budget (its limit minus idle use) it takes
//! `c / (1 − ρ)` (M/M/1-PS). At ρ ≥ 1 the pod is overloaded: CFS throttling caps it and
//! requests queue without bound.

/// Mean response time of a request costing `c` CPU-seconds at utilization `rho`;
/// `None` when overloaded.
pub fn response_time(c: f64, rho: f64) -> Option<f64> {
    if rho < 0.999 {
        Some(c / (1.0 - rho.max(0.0)))
    } else {
        None
    }
}

/// Throughput (requests/s) of `clients` closed-loop clients with think time `think`
/// seconds, against `n` identical pods with service time `s` seconds and requests spread
/// evenly: exact MVA for a closed product-form network, O(clients).
pub fn closed_loop_throughput(clients: u32, think: f64, s: f64, n: usize) -> f64 {
    if clients == 0 || n == 0 {
        return 0.0;
    }
    let n = n as f64;
    let mut queue = 0.0;
    let mut x = 0.0;
    for k in 1..=clients {
        let r = s * (1.0 + queue / n);
        x = f64::from(k) / (think + r);
        queue = x * r;
    }
    x
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_client_never_queues_behind_itself() {
        // The walkthrough's busybox loop: 10ms think, 15.65ms of CPU per request.
        let x = closed_loop_throughput(1, 0.010, 0.01565, 1);
        assert!((x * 0.01565 - 0.610).abs() < 0.001, "{}", x * 0.01565);
        assert_eq!(closed_loop_throughput(1, 0.010, 0.01565, 7), x);
    }

    #[test]
    fn many_clients_saturate_the_pods() {
        let x = closed_loop_throughput(1000, 0.0, 0.01, 2);
        assert!((x - 200.0).abs() < 1.0, "{x}");
        assert_eq!(response_time(0.01, 0.5), Some(0.02));
        assert_eq!(response_time(0.01, 1.2), None);
    }
}

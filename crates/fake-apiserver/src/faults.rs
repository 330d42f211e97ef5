//! Injected faults: error answers and latency for requests matching a
//! (verb, resource[/subresource], namespace, name) rule, optionally for the next N only.

use std::time::Duration;

use crate::error::{ApiError, qualified};
use crate::requests::{RequestInfo, Verb};

#[derive(Debug, Clone, PartialEq, Eq)]
enum Answer {
    Status {
        code: u16,
        reason: Option<String>,
        message: String,
    },
    Conflict,
    Forbidden,
}

/// A fault rule. Build with [`Fault::on`] or [`Fault::any`], choose what happens
/// ([`status`](Fault::status), [`conflict`](Fault::conflict), [`latency`](Fault::latency), ...)
/// and how often ([`times`](Fault::times), [`after`](Fault::after)).
///
/// The resource is written as RBAC writes it: `"deployments"` (the object itself, no
/// subresource), `"deployments/scale"`, `"deployments/*"` (object and any subresource),
/// or `"*"` (every request, discovery and metrics included).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    verb: Option<Verb>,
    resource: Option<String>,
    subresource: Option<Option<String>>,
    group: Option<String>,
    namespace: Option<String>,
    name: Option<String>,
    answer: Option<Answer>,
    latency: Option<Duration>,
    times: Option<u32>,
    after: u32,
}

impl Fault {
    /// A rule for `verb` on `resource` (see the type docs for the resource syntax).
    pub fn on(verb: Verb, resource: &str) -> Self {
        Self {
            verb: Some(verb),
            ..Self::any(resource)
        }
    }

    /// A rule for every verb on `resource`.
    pub fn any(resource: &str) -> Self {
        let (resource, subresource) = match resource {
            "*" => (None, None),
            r => match r.split_once('/') {
                Some((r, "*")) => (Some(r.to_string()), None),
                Some((r, s)) => (Some(r.to_string()), Some(Some(s.to_string()))),
                None => (Some(r.to_string()), Some(None)),
            },
        };
        Self {
            verb: None,
            resource,
            subresource,
            group: None,
            namespace: None,
            name: None,
            answer: None,
            latency: None,
            times: None,
            after: 0,
        }
    }

    /// Only for objects named `name`.
    pub fn name(mut self, name: &str) -> Self {
        self.name = Some(name.to_string());
        self
    }

    /// Only in namespace `namespace`.
    pub fn namespace(mut self, namespace: &str) -> Self {
        self.namespace = Some(namespace.to_string());
        self
    }

    /// Only in API group `group` (`""` for core).
    pub fn group(mut self, group: &str) -> Self {
        self.group = Some(group.to_string());
        self
    }

    /// Answer with this HTTP status and message; the reason is the canonical one for the code.
    pub fn status(mut self, code: u16, message: &str) -> Self {
        self.answer = Some(Answer::Status {
            code,
            reason: None,
            message: message.to_string(),
        });
        self
    }

    /// Answer with this HTTP status, reason and message.
    pub fn status_with_reason(mut self, code: u16, reason: &str, message: &str) -> Self {
        self.answer = Some(Answer::Status {
            code,
            reason: Some(reason.to_string()),
            message: message.to_string(),
        });
        self
    }

    /// `503 ServiceUnavailable`: "the server is currently unable to handle the request".
    pub fn unavailable(self) -> Self {
        self.status(503, "the server is currently unable to handle the request")
    }

    /// `500 InternalError`.
    pub fn internal_error(self) -> Self {
        self.status(500, "Internal error occurred: injected fault")
    }

    /// `409 Conflict` with upstream's optimistic-concurrency message for the addressed object.
    pub fn conflict(mut self) -> Self {
        self.answer = Some(Answer::Conflict);
        self
    }

    /// `403 Forbidden` worded as the authorizer does for the HPA controller's service account.
    pub fn forbidden(mut self) -> Self {
        self.answer = Some(Answer::Forbidden);
        self
    }

    /// Delay matching requests (before answering, with or without an error).
    pub fn latency(mut self, latency: Duration) -> Self {
        self.latency = Some(latency);
        self
    }

    /// Apply to the next `n` matching requests only, then let them through.
    pub fn times(mut self, n: u32) -> Self {
        self.times = Some(n);
        self
    }

    /// Let the first `n` matching requests through before applying.
    pub fn after(mut self, n: u32) -> Self {
        self.after = n;
        self
    }

    fn matches(&self, info: &RequestInfo) -> bool {
        if self.verb.is_some() && self.verb != info.verb {
            return false;
        }
        if self.group.as_ref().is_some_and(|g| *g != info.group) {
            return false;
        }
        if self.resource.is_some() && self.resource != info.resource {
            return false;
        }
        if self
            .subresource
            .as_ref()
            .is_some_and(|s| *s != info.subresource)
        {
            return false;
        }
        if self.namespace.is_some() && self.namespace != info.namespace {
            return false;
        }
        !(self.name.is_some() && self.name != info.name)
    }

    fn error_for(&self, info: &RequestInfo) -> Option<ApiError> {
        let plural = info.resource.as_deref().unwrap_or("");
        let name = info.name.as_deref().unwrap_or("");
        Some(match self.answer.as_ref()? {
            Answer::Status {
                code,
                reason,
                message,
            } => {
                let mut e = ApiError::new(*code, message.clone());
                if let Some(r) = reason {
                    e.reason = r.clone();
                }
                e
            }
            Answer::Conflict => ApiError::conflict(plural, &info.group, name),
            Answer::Forbidden => {
                let verb = info.verb.map(Verb::as_str).unwrap_or("get");
                let resource = match &info.subresource {
                    Some(s) => format!("{plural}/{s}"),
                    None => plural.to_string(),
                };
                let ns = info
                    .namespace
                    .as_deref()
                    .map(|n| format!(" in the namespace \"{n}\""))
                    .unwrap_or_default();
                let subject = if name.is_empty() {
                    qualified(plural, &info.group)
                } else {
                    format!("{} \"{name}\"", qualified(plural, &info.group))
                };
                ApiError::new(
                    403,
                    format!(
                        "{subject} is forbidden: User \"system:serviceaccount:kube-system:horizontal-pod-autoscaler\" \
                         cannot {verb} resource \"{resource}\" in API group \"{}\"{ns}",
                        info.group
                    ),
                )
                .with_details(name, &info.group, plural)
            }
        })
    }
}

#[derive(Debug)]
struct Rule {
    fault: Fault,
    seen: u32,
    fired: u32,
}

/// What the faults decided for one request.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Total latency to add.
    pub latency: Duration,
    /// The error to answer, if any.
    pub error: Option<ApiError>,
}

/// The injected fault rules, in injection order: the fake's own, and a fault-injecting
/// proxy's in front of a real API server.
#[derive(Debug, Default)]
pub struct Faults {
    rules: Vec<Rule>,
}

impl Faults {
    /// Adds a rule.
    pub fn inject(&mut self, fault: Fault) {
        self.rules.push(Rule {
            fault,
            seen: 0,
            fired: 0,
        });
    }

    /// Removes every rule.
    pub fn clear(&mut self) {
        self.rules.clear();
    }

    /// Removes the rules narrowed to `namespace` (see [`Fault::namespace`]), leaving the
    /// others: tests that share one server each clear their own.
    pub fn clear_namespace(&mut self, namespace: &str) {
        self.rules
            .retain(|r| r.fault.namespace.as_deref() != Some(namespace));
    }

    /// Rules that may still fire.
    pub fn pending(&self) -> usize {
        self.rules
            .iter()
            .filter(|r| r.fault.times.is_none_or(|t| r.fired < t))
            .count()
    }

    /// Decides latency and error for a request: every matching rule adds its latency,
    /// the first matching rule with an answer answers.
    pub fn check(&mut self, info: &RequestInfo) -> Outcome {
        let mut out = Outcome::default();
        for rule in &mut self.rules {
            if !rule.fault.matches(info) {
                continue;
            }
            rule.seen += 1;
            if rule.seen <= rule.fault.after || rule.fault.times.is_some_and(|t| rule.fired >= t) {
                continue;
            }
            if rule.fault.answer.is_some() && out.error.is_some() {
                continue;
            }
            rule.fired += 1;
            out.latency += rule.fault.latency.unwrap_or_default();
            if out.error.is_none() {
                out.error = rule.fault.error_for(info);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(verb: Verb, resource: &str, sub: Option<&str>, name: &str) -> RequestInfo {
        RequestInfo {
            verb: Some(verb),
            group: "apps".into(),
            resource: Some(resource.into()),
            subresource: sub.map(str::to_string),
            namespace: Some("default".into()),
            name: Some(name.into()),
        }
    }

    #[test]
    fn clearing_a_namespace_leaves_the_other_rules() {
        let mut f = Faults::default();
        f.inject(Fault::any("deployments").unavailable().namespace("default"));
        f.inject(Fault::any("deployments").unavailable().namespace("other"));
        f.inject(Fault::any("deployments").unavailable());
        f.clear_namespace("default");
        assert_eq!(f.pending(), 2);
        f.clear_namespace("other");
        assert_eq!(f.pending(), 1, "the rule for every namespace stays");
    }

    #[test]
    fn times_and_after() {
        let mut f = Faults::default();
        f.inject(
            Fault::on(Verb::Update, "deployments/scale")
                .conflict()
                .times(2),
        );
        let scale = info(Verb::Update, "deployments", Some("scale"), "web");
        let e = f.check(&scale).error.unwrap();
        assert_eq!(e.code, 409);
        assert!(
            e.message
                .starts_with("Operation cannot be fulfilled on deployments.apps \"web\"")
        );
        assert!(f.check(&scale).error.is_some());
        assert!(f.check(&scale).error.is_none());
        assert!(
            f.check(&info(Verb::Update, "deployments", None, "web"))
                .error
                .is_none()
        );
        f.clear();
        f.inject(Fault::any("deployments/*").unavailable().after(1));
        assert!(f.check(&scale).error.is_none());
        assert_eq!(f.check(&scale).error.unwrap().code, 503);
    }

    #[test]
    fn latency_adds_up_and_name_filters() {
        let mut f = Faults::default();
        f.inject(Fault::any("*").latency(Duration::from_millis(5)));
        f.inject(
            Fault::on(Verb::Get, "deployments")
                .name("other")
                .forbidden(),
        );
        let out = f.check(&info(Verb::Get, "deployments", None, "web"));
        assert_eq!(out.latency, Duration::from_millis(5));
        assert!(out.error.is_none());
        let out = f.check(&info(Verb::Get, "deployments", None, "other"));
        assert_eq!(out.error.unwrap().code, 403);
    }
}

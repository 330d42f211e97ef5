#!/usr/bin/env python3
"""Writes conformance/upstream/*.json: the cases of upstream's own HPA unit tests
(kubernetes pkg/controller/podautoscaler replica_calculator_test.go and horizontal_test.go),
transcribed as Snapshot/Decision conformance vectors.

The tables below are data read off the Go tests; the helpers turn each case into the
Snapshot its fixture sets up and the part of the Decision it asserts. See README.md for the
conventions (times, the zero time, how a calculator call becomes a sync) and for the
cases that are skipped. Python 3.11 standard library only; the output is deterministic.

    python3 conformance/upstream/generate.py
"""

import json
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
DISAGREEMENTS_DIR = HERE / "disagreements"

# Vectors whose expectation the engine does not meet yet (see README.md). They are written
# to disagreements/, which the conformance test does not run.
DISAGREEMENTS: set[str] = set()

NOW = datetime(2026, 1, 1, 0, 10, 0, tzinfo=timezone.utc)
# Go's zero time.Time, which the fakes leave in start times, readiness transition times and
# (in the replica calculator tests) metric timestamps. Any instant far enough in the past
# keeps every comparison the controller makes between them as it is in the Go test.
ZERO = "2000-01-01T00:00:00Z"
NS = "test-namespace"
POD_PREFIX = "test-pod"
SELECTOR = "name=test-pod"
MAX_INT32 = 2147483647
MAX_INT64 = 9223372036854775807

RC_SOURCE = "kubernetes/kubernetes pkg/controller/podautoscaler/replica_calculator_test.go"
HC_SOURCE = "kubernetes/kubernetes pkg/controller/podautoscaler/horizontal_test.go"


def at(seconds: float) -> str:
    """NOW plus an offset in seconds, RFC 3339."""
    t = NOW + timedelta(seconds=seconds)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def when(marker) -> str:
    """A time marker of the tables: None/'zero' (Go's zero time), 'now', 'hot' (= now,
    hotCPUCreationTime/timeNow), 'cool' (3 minutes ago, coolCPUCreationTime/time3MinsAgo),
    or an offset in seconds from now."""
    if marker is None or marker == "zero":
        return ZERO
    if marker in ("now", "hot"):
        return at(0)
    if marker == "cool":
        return at(-180)
    return at(marker)


def milli(m: int) -> str:
    """resource.NewMilliQuantity(m, DecimalSI), as a quantity string."""
    return "0" if m == 0 else f"{m}m"


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


# ---------------------------------------------------------------------------------------
# Kubernetes objects


def pod(i, *, phase="Running", ready="True", start=ZERO, ltt=ZERO, deleted=False,
        requests=None):
    """test-pod-i with containers container1/container2; `requests` is the cpu request of
    each container (quantity strings) or None for no requests."""
    containers = []
    for j, name in enumerate(("container1", "container2")):
        c = {"name": name}
        if requests is not None:
            c["resources"] = {"requests": {"cpu": requests[j]}}
        containers.append(c)
    meta = {"name": f"{POD_PREFIX}-{i}", "namespace": NS, "labels": {"name": POD_PREFIX}}
    if deleted:
        meta["deletionTimestamp"] = at(0)
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": meta,
        "spec": {"containers": containers},
        "status": {
            "phase": phase,
            "conditions": [{"type": "Ready", "status": ready, "lastTransitionTime": ltt}],
            "startTime": start,
        },
    }


def pod_metrics(name, timestamp, containers):
    """A PodMetrics; `containers` is a list of (name, usage dict)."""
    return {
        "apiVersion": "metrics.k8s.io/v1beta1",
        "kind": "PodMetrics",
        "metadata": {"name": name, "namespace": NS, "labels": {"name": POD_PREFIX}},
        "timestamp": timestamp,
        "window": "1m0s",
        "containers": [{"name": n, "usage": u} for n, u in containers],
    }


DEPLOYMENT_REF = {"apiVersion": "apps/v1", "kind": "Deployment", "name": "some-deployment"}
RC_REF = {"apiVersion": "v1", "kind": "ReplicationController", "name": "test-rc"}


def pod_value(i, value, timestamp):
    return {
        "describedObject": {"kind": "Pod", "namespace": NS, "name": f"{POD_PREFIX}-{i}",
                            "apiVersion": "/v1"},
        "metric": {"name": "qps"},
        "timestamp": timestamp,
        "value": value,
    }


def object_value(value, timestamp):
    return {
        "describedObject": dict(DEPLOYMENT_REF),
        "metric": {"name": "qps"},
        "timestamp": timestamp,
        "value": value,
    }


def external_value(value, timestamp, labels=None):
    item = {"metricName": "qps", "timestamp": timestamp, "value": value}
    if labels:
        item["metricLabels"] = labels
    return item


# Metric specs


def cpu_util(target):
    return {"type": "Resource", "resource": {
        "name": "cpu", "target": {"type": "Utilization", "averageUtilization": target}}}


def container_util(container, target):
    return {"type": "ContainerResource", "containerResource": {
        "name": "cpu", "container": container,
        "target": {"type": "Utilization", "averageUtilization": target}}}


def pods_avg(value):
    return {"type": "Pods", "pods": {
        "metric": {"name": "qps"}, "target": {"type": "AverageValue", "averageValue": value}}}


def metric_id(selector):
    m = {"name": "qps"}
    if selector is not None:
        m["selector"] = selector
    return m


def object_spec(target_type, value, selector=None):
    key = "value" if target_type == "Value" else "averageValue"
    return {"type": "Object", "object": {
        "describedObject": dict(DEPLOYMENT_REF), "metric": metric_id(selector),
        "target": {"type": target_type, key: value}}}


def external_spec(target_type, value, selector):
    key = "value" if target_type == "Value" else "averageValue"
    return {"type": "External", "external": {
        "metric": metric_id(selector), "target": {"type": target_type, key: value}}}


def hpa(min_replicas, max_replicas, spec_replicas, metrics, *, behavior=None,
        last_scale_time=None, conditions=None, target=RC_REF):
    spec = {"scaleTargetRef": dict(target), "minReplicas": min_replicas,
            "maxReplicas": max_replicas}
    if metrics:
        spec["metrics"] = metrics
    if behavior is not None:
        spec["behavior"] = behavior
    status = {"currentReplicas": spec_replicas, "desiredReplicas": spec_replicas}
    if last_scale_time is not None:
        status["lastScaleTime"] = last_scale_time
    if conditions:
        status["conditions"] = [
            {"type": t, "status": s, "reason": r, "message": ""} for t, s, r in conditions]
    return {
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": {"name": "test-hpa", "namespace": NS},
        "spec": spec,
        "status": status,
    }


def scale(name, spec_replicas, status_replicas, selector=SELECTOR):
    status = {"replicas": status_replicas}
    if selector is not None:
        status["selector"] = selector
    return {
        "apiVersion": "autoscaling/v1",
        "kind": "Scale",
        "metadata": {"name": name, "namespace": NS},
        "spec": {"replicas": spec_replicas},
        "status": status,
    }


def controller(window="5m", tolerance=0.1):
    """The flags upstream's tests run the controller with: defaultTestingTolerance 0.1,
    defaultTestingCPUInitializationPeriod 2m, defaultTestingDelayOfInitialReadinessStatus
    10s, and the downscale stabilization window the test passes."""
    return {"tolerance": tolerance, "cpuInitializationPeriod": "2m",
            "initialReadinessDelay": "10s", "downscaleStabilizationWindow": window}


def placeholder_history(replicas):
    """The controller holds an empty (but non-nil) recommendation list: in a Snapshot an
    empty list means "never synced", so one recommendation older than every window stands
    in for it; upstream replaces such an old sample with this sync's recommendation."""
    return {"recommendations": [{"timestamp": at(-7200), "replicas": replicas}],
            "scaleUpEvents": [], "scaleDownEvents": []}


def rules(policies, window, select="Max", tolerance=None):
    r = {"stabilizationWindowSeconds": window, "selectPolicy": select,
         "policies": [{"type": t, "value": v, "periodSeconds": p} for t, v, p in policies]}
    if tolerance is not None:
        r["tolerance"] = tolerance
    return r


def generate_scaling_rules(pods, pods_period, percent, percent_period, window):
    """generateScalingRules of horizontal_test.go, as data."""
    policies = []
    if pods:
        policies.append(("Pods", pods, pods_period))
    if percent:
        policies.append(("Percent", percent, percent_period))
    return rules(policies, window)


def events_uniform(raw, period):
    """generateEventsUniformDistribution: event i sits at the centre of the i-th of
    len(raw) equal segments of the last `period` seconds."""
    seg = period / len(raw)
    out = []
    for idx, change in enumerate(raw):
        ago = int(period - seg * (idx + 1) + seg / 2)
        out.append({"timestamp": at(-ago), "replicaChange": change})
    return out


# The test files read are the newest found (omerap12/kubernetes, mid-way through a refactor
# of these tests into table-driven ones). kubernetes/kubernetes master still names most cases
# as separate tests; MASTER_NAMES maps (refactored test, case) to that name where one exists.
MASTER_NAMES = {
    # replica_calculator_test.go
    ("TestReplicaCalcResourceScale", "scale up"): "TestReplicaCalcScaleUp",
    ("TestReplicaCalcResourceScale", "scale up: container metric"):
        "TestReplicaCalcContainerScaleUp",
    ("TestReplicaCalcResourceScale", "scale up: unready pod scales less"):
        "TestReplicaCalcScaleUpUnreadyLessScale",
    ("TestReplicaCalcResourceScale", "scale up: hot-CPU container scales less"):
        "TestReplicaCalcScaleUpContainerHotCpuLessScale",
    ("TestReplicaCalcResourceScale", "scale up: hot-CPU pod scales less"):
        "TestReplicaCalcScaleUpHotCpuLessScale",
    ("TestReplicaCalcResourceScale", "no scale: unready pods ignored"):
        "TestReplicaCalcScaleUpUnreadyNoScale",
    ("TestReplicaCalcResourceScale", "no scale: hot-CPU pods ignored"):
        "TestReplicaCalcScaleHotCpuNoScale",
    ("TestReplicaCalcResourceScale", "scale up: failed pods ignored"):
        "TestReplicaCalcScaleUpIgnoresFailedPods",
    ("TestReplicaCalcResourceScale", "scale up: failed pods ignored with missing container metric"):
        "TestReplicaCalcMissingContainerMetricScaleUpIgnoresFailedPods",
    ("TestReplicaCalcResourceScale", "scale up: container metrics with failed pods ignored"):
        "TestReplicaCalcScaleUpContainerIgnoresFailedPods",
    ("TestReplicaCalcResourceScale", "scale up: pods being deleted are ignored"):
        "TestReplicaCalcScaleUpIgnoresDeletionPods",
    ("TestReplicaCalcResourceScale", "scale up: container metrics with pods being deleted ignored"):
        "TestReplicaCalcScaleUpContainerIgnoresDeletionPods",
    ("TestReplicaCalcResourceScale", "scale down"): "TestReplicaCalcScaleDown",
    ("TestReplicaCalcResourceScale", "scale down: container metric"):
        "TestReplicaCalcContainerScaleDown",
    ("TestReplicaCalcResourceScale", "scale down: exclude unready pods"):
        "TestReplicaCalcScaleDownExcludeUnreadyPods",
    ("TestReplicaCalcResourceScale", "scale down: container metric excludes unready pods"):
        "TestReplicaCalcScaleDownContainerExcludeUnreadyPods",
    ("TestReplicaCalcResourceScale", "scale down: exclude unscheduled pods"):
        "TestReplicaCalcScaleDownExcludeUnscheduledPods",
    ("TestReplicaCalcResourceScale", "scale down: container metric excludes unscheduled pods"):
        "TestReplicaCalcScaleDownContainerExcludeUnscheduledPods",
    ("TestReplicaCalcResourceScale", "scale down: ignore hot-CPU pods"):
        "TestReplicaCalcScaleDownIgnoreHotCpuPods",
    ("TestReplicaCalcResourceScale", "scale down: container metric ignores hot-CPU pods"):
        "TestReplicaCalcScaleDownContainerIgnoreHotCpuPods",
    ("TestReplicaCalcResourceScale", "scale down: failed pods ignored"):
        "TestReplicaCalcScaleDownIgnoresFailedPods",
    ("TestReplicaCalcResourceScale", "scale down: container metric with failed pods ignored"):
        "TestReplicaCalcScaleDownContainerIgnoresFailedPods",
    ("TestReplicaCalcResourceScale", "scale down: pods being deleted are ignored"):
        "TestReplicaCalcScaleDownIgnoresDeletionPods",
    ("TestReplicaCalcResourceScale", "scale down: still-running pods being deleted are ignored"):
        "TestReplicaCalcScaleDownIgnoresDeletionPods_StillRunning",
    ("TestReplicaCalcExternalPerPodMetric", "scale up"): "TestReplicaCalcScaleUpPerPodCMExternal",
    ("TestReplicaCalcExternalPerPodMetric", "scale down"):
        "TestReplicaCalcScaleDownPerPodCMExternal",
    ("TestReplicaCalcExternalPerPodMetric", "within default tolerance"):
        "TestReplicaCalcTolerancePerPodCMExternal",
    ("TestReplicaCalcPodMetric", "scale up"): "TestReplicaCalcScaleUpCM",
    ("TestReplicaCalcPodMetric", "scale up: unready hot-CPU pod scales less"):
        "TestReplicaCalcScaleUpCMUnreadyHotCpuNoLessScale",
    ("TestReplicaCalcPodMetric", "scale up: unready hot-CPU pods avoid scale-down"):
        "TestReplicaCalcScaleUpCMUnreadyHotCpuScaleWouldScaleDown",
    ("TestReplicaCalcPodMetric", "scale down"): "TestReplicaCalcScaleDownCM",
    ("TestReplicaCalcPodMetric", "within default tolerance"): "TestReplicaCalcToleranceCM",
    ("TestReplicaCalcPodMetric", "no change: missing metrics"):
        "TestPlainMetricReplicaCalcMissingMetricsNoChangeEq",
    ("TestReplicaCalcPodMetric", "rolling update with maxSurge: extra pod missing metric"):
        "TestReplicaCalcDuringRollingUpdateWithMaxSurgeCM",
    ("TestReplicaCalcObjectMetric", "scale up"): "TestReplicaCalcScaleUpCMObject",
    ("TestReplicaCalcObjectMetric", "scale up: ignores unready pods"):
        "TestReplicaCalcScaleUpCMObjectIgnoresUnreadyPods",
    ("TestReplicaCalcObjectMetric", "scale down"): "TestReplicaCalcScaleDownCMObject",
    ("TestReplicaCalcObjectMetric", "within default tolerance"):
        "TestReplicaCalcToleranceCMObject",
    ("TestReplicaCalcObjectPerPodMetric", "scale up"): "TestReplicaCalcScaleUpCMPerPodObject",
    ("TestReplicaCalcObjectPerPodMetric", "scale down"):
        "TestReplicaCalcScaleDownPerPodCMObject",
    ("TestReplicaCalcObjectPerPodMetric", "within default tolerance"):
        "TestReplicaCalcTolerancePerPodCMObject",
    ("TestReplicaCalcExternalMetric", "scale down: ignores unready pods (would otherwise scale up)"):
        "TestReplicaCalcScaleUpCMExternalIgnoresUnreadyPods",
    ("TestReplicaCalcExternalMetric", "scale down"): "TestReplicaCalcScaleDownCMExternal",
    ("TestReplicaCalcExternalMetric", "within default tolerance"):
        "TestReplicaCalcToleranceCMExternal",
    ("TestReplicaCalcResourceTolerance", "within default tolerance"): "TestReplicaCalcTolerance",
    ("TestReplicaCalcResourceMissingMetrics", "superfluous metrics counted"):
        "TestReplicaCalcSuperfluousMetrics",
    ("TestReplicaCalcResourceMissingMetrics", "some pods missing metrics scales down"):
        "TestReplicaCalcMissingMetrics",
    ("TestReplicaCalcResourceMissingMetrics", "no change: metric equal to target"):
        "TestReplicaCalcMissingMetricsNoChangeEq",
    ("TestReplicaCalcResourceMissingMetrics", "no change: metric above target"):
        "TestReplicaCalcMissingMetricsNoChangeGt",
    ("TestReplicaCalcResourceMissingMetrics", "no change: metric below target"):
        "TestReplicaCalcMissingMetricsNoChangeLt",
    ("TestReplicaCalcResourceMissingMetrics", "no change: unready pod metric missing"):
        "TestReplicaCalcMissingMetricsUnreadyChange",
    ("TestReplicaCalcResourceMissingMetrics", "no change: hot-CPU pod metric missing"):
        "TestReplicaCalcMissingMetricsHotCpuNoChange",
    ("TestReplicaCalcResourceMissingMetrics", "scale up: unready pod metric missing"):
        "TestReplicaCalcMissingMetricsUnreadyScaleUp",
    ("TestReplicaCalcResourceMissingMetrics", "scale up: hot-CPU pod metric missing"):
        "TestReplicaCalcMissingMetricsHotCpuScaleUp",
    ("TestReplicaCalcResourceMissingMetrics", "scale down: unready pod metric missing"):
        "TestReplicaCalcMissingMetricsUnreadyScaleDown",
    ("TestReplicaCalcResourceMissingMetrics", "scale down: target over 100"):
        "TestReplicaCalcMissingMetricsScaleDownTargetOver100",
    ("TestReplicaCalcResourceMissingMetrics", "rolling update with maxSurge: extra pod missing metric"):
        "TestReplicaCalcDuringRollingUpdateWithMaxSurge",
    ("TestReplicaCalcResourceMissingMetrics", "disjoint pod and metric names"):
        "TestReplicaCalcDisjointResourcesMetrics",
    ("TestReplicaCalcResourceMissingMetrics", "no metrics returned from metrics API"):
        "TestReplicaCalcEmptyMetrics",
    ("TestReplicaCalcResourceMissingMetrics", "missing CPU request on container"):
        "TestReplicaCalcEmptyCPURequest",
    # horizontal_test.go (the fork's test_refactor_mapping.md)
    ("TestScaleContainerResource", "scale up container resource"): "TestScaleUpContainer",
    ("TestScaleContainerResource", "scale down container resource"):
        "TestScaleDownContainerResource",
    ("TestScaleUpUnreadyOrHotCpuNoScale", "hot CPU pods excluded from scaling"):
        "TestScaleUpHotCpuNoScale",
    ("TestScaleUpUnreadyOrHotCpuNoScale", "unready pods excluded from scaling"):
        "TestScaleUpCMUnreadyandCpuHot",
    ("TestScaleUpCPU", "scale up"): "TestScaleUp",
    ("TestScaleUpCPU", "scale up with unready pods results in less scale"):
        "TestScaleUpUnreadyLessScale",
    ("TestScaleUpCPU", "scale up with hot cpu pods results in less scale"):
        "TestScaleUpHotCpuLessScale",
    ("TestScaleUpCPU", "scale up ignores failed pods"): "TestScaleUpIgnoresFailedPods",
    ("TestScaleUpCPU", "scale up ignores deletion pods"): "TestScaleUpIgnoresDeletionPods",
    ("TestScaleUpCPU", "scale up deployment"): "TestScaleUpDeployment",
    ("TestScaleUpCPU", "scale up replicaset"): "TestScaleUpReplicaSet",
    ("TestScaleUpCPU", "no scale up when all unready pods bring utilization within target"):
        "TestScaleUpUnreadyNoScale",
    ("TestScaleDownCPU", "scale down"): "TestScaleDown",
    ("TestScaleDownCPU", "scale down includes unready pods"): "TestScaleDownIncludeUnreadyPods",
    ("TestScaleDownCPU", "scale down ignores hot cpu pods"): "TestScaleDownIgnoreHotCpuPods",
    ("TestScaleDownCPU", "scale down ignores failed pods"): "TestScaleDownIgnoresFailedPods",
    ("TestScaleDownCPU", "scale down ignores deletion pods"): "TestScaleDownIgnoresDeletionPods",
    ("TestScaleUpCM", "scale up custom metric"): "TestScaleUpCM",
    ("TestScaleUpCM", "unready and hot cpu pods do not reduce scale for custom metric"):
        "TestScaleUpCMUnreadyAndHotCpuNoLessScale",
    ("TestScaleUpCM", "unready and hot cpu pods scale to max with scaling limited condition"):
        "TestScaleUpCMUnreadyAndHotCpuNoLessScale",
    ("TestScaleUpCMObject", "scale up object metric with value target"): "TestScaleUpCMObject",
    ("TestScaleUpCMObject", "scale up per-pod object metric with average value target"):
        "TestScaleUpPerPodCMObject",
    ("TestScaleUpCMExternal", "scale up external metric with value target"):
        "TestScaleUpCMExternal",
    ("TestScaleUpCMExternal", "scale up external metric with per-pod average value target"):
        "TestScaleUpPerPodCMExternal",
    ("TestScaleDownCM", "scale down object metric with value target"): "TestScaleDownCMObject",
    ("TestScaleDownCM", "scale down per-pod object metric with average value target"):
        "TestScaleDownPerPodCMObject",
    ("TestScaleDownCM", "scale down external metric with value target"):
        "TestScaleDownCMExternal",
    ("TestScaleDownCM", "scale down per-pod external metric with average value target"):
        "TestScaleDownPerPodCMExternal",
    ("TestTolerance", "CPU resource metric within tolerance"): "TestTolerance",
    ("TestTolerance", "pods metric within tolerance"): "TestToleranceCM",
    ("TestTolerance", "object metric with value target within tolerance"):
        "TestToleranceCMObject",
    ("TestTolerance", "external metric with value target within tolerance"):
        "TestToleranceCMExternal",
    ("TestTolerance", "per-pod object metric with average value target within tolerance"):
        "TestTolerancePerPodCMObject",
    ("TestTolerance", "per-pod external metric with average value target within tolerance"):
        "TestTolerancePerPodCMExternal",
    ("TestReplicaLimits", "scale down clamped to min replicas"): "TestMinReplicas",
    ("TestReplicaLimits", "scale down clamped to min when desired is zero"):
        "TestMinReplicasDesiredZero",
    ("TestReplicaLimits", "no scaling when spec replicas is zero"): "TestZeroReplicas",
    ("TestReplicaLimits", "scale up to min when below min replicas"): "TestTooFewReplicas",
    ("TestReplicaLimits", "scale down to max when above max replicas"): "TestTooManyReplicas",
    ("TestReplicaLimits", "scale up clamped to max replicas"): "TestMaxReplicas",
    ("TestMetricsEdgeCases", "superfluous metrics reported"): "TestSuperfluousMetrics",
    ("TestMetricsEdgeCases", "missing metrics from some pods"): "TestMissingMetrics",
    ("TestMetricsEdgeCases", "empty metrics from all pods"): "TestEmptyMetrics",
    ("TestMetricsEdgeCases", "empty CPU requests"): "TestEmptyCPURequest",
    ("TestCPUScalingEdgeCases", "missing reports from some pods"): "TestMissingReports",
    ("TestCPUScalingEdgeCases", "more replicas than spec no scale"):
        "TestMoreReplicasThanSpecNoScale",
    ("TestUpscaleCap", "capped by scale up rules"): "TestUpscaleCap",
    ("TestUpscaleCap", "capped by max replicas when scale up limit exceeds max"):
        "TestUpscaleCapGreaterThanMaxReplicas",
    ("TestScaleTimingBehavior", "no backoff upscale custom metric only"):
        "TestNoBackoffUpscaleCM",
    ("TestScaleTimingBehavior", "no backoff upscale custom metric and CPU"):
        "TestNoBackoffUpscaleCMNoBackoffCpu",
    ("TestScaleTimingBehavior", "stabilize downscale"): "TestStabilizeDownscale",
    ("TestScaleRCImmediately", "scale up to min when below min replicas"):
        "TestScaleUpRCImmediately",
    ("TestScaleRCImmediately", "scale down to max when above max replicas"):
        "TestScaleDownRCImmediately",
}


def source_of(file_source, test, case):
    """The `source` of a vector: file, test and subtest, and master's name for the case."""
    s = f"{file_source} {test}"
    if case:
        s += f'/"{case}"'
    master = MASTER_NAMES.get((test, case))
    if master and master != test:
        s += f" [master: {master}]"
    return s + " (transcribed)"


def vector(name, source, snapshot, expected, compare):
    return name, {
        "name": name,
        "source": source,
        "compare": compare,
        "snapshot": {"kind": "Snapshot", "now": at(0), **snapshot},
        "expected": {"kind": "Decision", **expected},
    }


# ---------------------------------------------------------------------------------------
# replica_calculator_test.go
#
# A ReplicaCalculator call becomes one sync of an HPA whose only metric is the one the
# call computes. currentReplicas is the scale's spec.replicas and status.replicas (the
# per-pod Object/External calls read status.replicas). The HPA has minReplicas 1,
# maxReplicas 1000 and a behavior with stabilization 0 and policies that let any
# proposal through, so desiredReplicas is the calculator's replica count. Tolerances are
# the controller's 0.1 unless a case overrides them (then both behavior rules carry them).


def pm(*values):
    """makePodMetricLevels: every container of pod i reports values[i]."""
    return [[v, v] for v in values]


def rc_behavior(current, tolerances, huge):
    up_policies = [("Pods", 1000, 60), ("Percent", 1000, 60)]
    if huge:
        # Let a proposal of MaxInt32 through without overflowing int32: current + value.
        up_policies = [("Pods", MAX_INT32 - current, 60)]
    down_tol = up_tol = None
    if tolerances is not None:
        down_tol, up_tol = tolerances
    return {
        "scaleUp": rules(up_policies, 0, tolerance=up_tol),
        "scaleDown": rules([("Percent", 100, 60)], 0, tolerance=down_tol),
    }


def rc_pods(current, *, requests=None, readiness=None, start=None, phase=None, deleted=None):
    n = current
    if phase is not None and len(phase) > n:
        n = len(phase)
    pods = []
    for i in range(n):
        req = None
        if requests is not None and i < len(requests):
            req = [requests[i], requests[i]]
        pods.append(pod(
            i,
            phase=phase[i] if phase is not None else "Running",
            ready=readiness[i] if readiness is not None and i < len(readiness) else "True",
            start=when(start[i]) if start is not None else ZERO,
            ltt=ZERO,
            deleted=bool(deleted and deleted[i]),
            requests=req,
        ))
    return pods


def rc_vector(test, case, *, current, metric_spec, pods, pod_metrics_=None,
              custom=None, external=None, tolerances=None, expected_replicas=None,
              expected_metric=None, error=None, error_reason=None, status_replicas=None):
    huge = expected_replicas == MAX_INT32
    spec_replicas = current if current > 0 else 1
    status_replicas = current if status_replicas is None else status_replicas
    snap = {
        "controller": controller(window="0s"),
        "hpa": hpa(1, MAX_INT32 if huge else 1000, spec_replicas, [metric_spec],
                   behavior=rc_behavior(spec_replicas, tolerances, huge)),
        "scale": scale("test-rc", spec_replicas, status_replicas),
        "pods": pods,
    }
    if pod_metrics_ is not None:
        snap["podMetrics"] = pod_metrics_
    if custom is not None:
        snap["customMetrics"] = custom
    if external is not None:
        snap["externalMetrics"] = external
    snap["history"] = placeholder_history(spec_replicas)
    name = f"rc-{test}" + (f"-{slug(case)}" if case else "")
    source = source_of(RC_SOURCE, test, case)
    if error is not None:
        expected = {"status": {"conditions": [{
            "type": "ScalingActive", "status": "False", "reason": error_reason,
            "messageContains": error}]}}
        return vector(name, source, snap, expected, ["status.conditions[ScalingActive]"])
    expected = {"status": {"currentMetrics": [expected_metric]}}
    compare = ["status.currentMetrics"]
    if expected_replicas is not None:
        expected["desiredReplicas"] = expected_replicas
        compare.insert(0, "desiredReplicas")
    return vector(name, source, snap, expected, compare)


def rc_resource(test, case, *, current, requests, levels, target, replicas=None,
                utilization=None, raw=None, container=None, readiness=None, start=None,
                phase=None, deleted=None, pod_names=None, tolerances=None, error=None):
    pods = rc_pods(current, requests=requests, readiness=readiness, start=start,
                   phase=phase, deleted=deleted)
    metrics = []
    for i, lv in enumerate(levels):
        name = pod_names[i] if pod_names and i < len(pod_names) else f"{POD_PREFIX}-{i}"
        containers = []
        for j in range(2):
            if j < len(lv):
                containers.append((f"container{j + 1}", {"cpu": milli(lv[j])}))
            else:
                # The fake metrics client leaves the container entry zero-valued.
                containers.append(("", {}))
        metrics.append(pod_metrics(name, ZERO, containers))
    if container is None:
        spec = cpu_util(target)
        status = {"type": "Resource", "resource": {"name": "cpu", "current": {}}}
        current_values = status["resource"]["current"]
    else:
        spec = container_util(container, target)
        status = {"type": "ContainerResource", "containerResource": {
            "name": "cpu", "container": container, "current": {}}}
        current_values = status["containerResource"]["current"]
    if error is None:
        current_values["averageUtilization"] = utilization
        current_values["averageValue"] = milli(raw)
    return rc_vector(test, case, current=current, metric_spec=spec, pods=pods,
                     pod_metrics_=metrics, tolerances=tolerances, expected_replicas=replicas,
                     expected_metric=status, error=error,
                     error_reason="FailedGetResourceMetric")


TEST_EXTERNAL_SELECTOR = {"matchLabels": {"label": "value"}}


def rc_metric(test, case, kind, *, current, levels, target, replicas, usage,
              readiness=None, start=None, phase=None, tolerances=None):
    """kind: pods | object | objectPerPod | external | externalPerPod."""
    pods = rc_pods(current, readiness=readiness, start=start, phase=phase)
    custom = external = None
    if kind == "pods":
        spec = pods_avg(milli(target))
        custom = [pod_value(i, milli(v), ZERO) for i, v in enumerate(levels)]
        status = {"type": "Pods", "pods": {"metric": {"name": "qps"},
                                           "current": {"averageValue": milli(usage)}}}
    elif kind in ("object", "objectPerPod"):
        per_pod = kind == "objectPerPod"
        spec = object_spec("AverageValue" if per_pod else "Value", milli(target))
        custom = [object_value(milli(levels[0]), ZERO)]
        status = {"type": "Object", "object": {
            "describedObject": dict(DEPLOYMENT_REF), "metric": {"name": "qps"},
            "current": {("averageValue" if per_pod else "value"): milli(usage)}}}
    else:
        per_pod = kind == "externalPerPod"
        spec = external_spec("AverageValue" if per_pod else "Value", milli(target),
                             TEST_EXTERNAL_SELECTOR)
        # The fake answers the query for the selector {label: value}; an external metrics
        # server does that by returning the series that carry the label.
        external = [external_value(milli(v), ZERO, {"label": "value"}) for v in levels]
        status = {"type": "External", "external": {
            "metric": {"name": "qps", "selector": TEST_EXTERNAL_SELECTOR},
            "current": {("averageValue" if per_pod else "value"): milli(usage)}}}
    return rc_vector(test, case, current=current, metric_spec=spec, pods=pods, custom=custom,
                     external=external, tolerances=tolerances, expected_replicas=replicas,
                     expected_metric=status)


def cpu(n, value="1"):
    """cpuRequests(n, value)."""
    return [value] * n


T, F = "True", "False"
R, P, FAIL, SUCC = "Running", "Pending", "Failed", "Succeeded"


def rc_cases():
    out = []
    t = "TestReplicaCalcResourceScale"
    out += [
        rc_resource(t, "scale up", current=3, requests=cpu(3), levels=pm(300, 500, 700),
                    target=30, replicas=5, utilization=50, raw=2 * 500),
        rc_resource(t, "scale up: container metric", current=3, container="container2",
                    requests=cpu(3), levels=[[1000, 300], [1000, 500], [1000, 700]],
                    target=30, replicas=5, utilization=50, raw=500),
        rc_resource(t, "scale up: unready pod scales less", current=3, readiness=[F, T, T],
                    requests=cpu(3), levels=pm(300, 500, 700), target=30, replicas=4,
                    utilization=60, raw=2 * 600),
        rc_resource(t, "scale up: hot-CPU container scales less", current=3,
                    start=["hot", "cool", "cool"], container="container2", requests=cpu(3),
                    levels=[[0, 300], [0, 500], [0, 700]], target=30, replicas=4,
                    utilization=60, raw=600),
        rc_resource(t, "scale up: hot-CPU pod scales less", current=3,
                    start=["hot", "cool", "cool"], requests=cpu(3), levels=pm(300, 500, 700),
                    target=30, replicas=4, utilization=60, raw=2 * 600),
        rc_resource(t, "no scale: unready pods ignored", current=3, readiness=[T, F, F],
                    requests=cpu(3), levels=pm(400, 500, 700), target=30, replicas=3,
                    utilization=40, raw=2 * 400),
        rc_resource(t, "no scale: hot-CPU pods ignored", current=3, readiness=[T, F, F],
                    start=["cool", "hot", "hot"], requests=cpu(3), levels=pm(400, 500, 700),
                    target=30, replicas=3, utilization=40, raw=2 * 400),
        rc_resource(t, "scale up: failed pods ignored", current=2, readiness=[T, T, F, F],
                    phase=[R, R, FAIL, FAIL], requests=cpu(4), levels=pm(500, 700),
                    target=30, replicas=4, utilization=60, raw=2 * 600),
        rc_resource(t, "scale up: failed pods ignored with missing container metric",
                    current=2, readiness=[T, T, F, F], phase=[R, R, FAIL, FAIL],
                    container="container2", requests=cpu(4),
                    levels=[[1000, 500], [9000, 700], [1000], [9000]], target=30,
                    replicas=4, utilization=60, raw=600),
        rc_resource(t, "scale up: container metrics with failed pods ignored", current=2,
                    readiness=[T, T, F, F], phase=[R, R, FAIL, FAIL], container="container2",
                    requests=cpu(4), levels=[[1000, 500], [9000, 700]], target=30,
                    replicas=4, utilization=60, raw=600),
        rc_resource(t, "scale up: succeeded pods ignored", current=2, readiness=[T, T, F, F],
                    phase=[R, R, SUCC, SUCC], requests=cpu(4), levels=pm(500, 700),
                    target=30, replicas=4, utilization=60, raw=2 * 600),
        rc_resource(t, "scale up: container metric with succeeded pods ignored", current=2,
                    readiness=[T, T, F, F], phase=[R, R, SUCC, SUCC], container="container2",
                    requests=cpu(4), levels=[[1000, 500], [9000, 700]], target=30,
                    replicas=4, utilization=60, raw=600),
        rc_resource(t, "scale up: pods being deleted are ignored", current=2,
                    readiness=[T, T, F, F], phase=[R, R, R, R],
                    deleted=[False, False, True, True], requests=cpu(4), levels=pm(500, 700),
                    target=30, replicas=4, utilization=60, raw=2 * 600),
        rc_resource(t, "scale up: container metrics with pods being deleted ignored",
                    current=2, readiness=[T, T, F, F], phase=[R, R, R, R],
                    deleted=[False, False, True, True], container="container1",
                    requests=cpu(4), levels=pm(500, 700), target=30, replicas=4,
                    utilization=60, raw=600),
        rc_resource(t, "scale down", current=5, requests=cpu(5),
                    levels=pm(100, 300, 500, 250, 250), target=50, replicas=3,
                    utilization=28, raw=2 * 280),
        rc_resource(t, "scale down: container metric", current=5, container="container2",
                    requests=cpu(5),
                    levels=[[1000, 100], [1000, 300], [1000, 500], [1000, 250], [1000, 250]],
                    target=50, replicas=3, utilization=28, raw=280),
        rc_resource(t, "scale down: exclude unready pods", current=5,
                    readiness=[T, T, T, F, F], requests=cpu(5),
                    levels=pm(100, 300, 500, 250, 250), target=50, replicas=2,
                    utilization=30, raw=2 * 300),
        rc_resource(t, "scale down: container metric excludes unready pods", current=5,
                    readiness=[T, T, T, F, F], container="container2", requests=cpu(5),
                    levels=[[1000, 100], [1000, 300], [1000, 500], [1000, 250], [1000, 250]],
                    target=50, replicas=2, utilization=30, raw=300),
        rc_resource(t, "scale down: exclude unscheduled pods", current=5,
                    readiness=[T, F, F, F, F], phase=[R, P, P, P, P], requests=cpu(5),
                    levels=pm(100), target=50, replicas=1, utilization=10, raw=2 * 100),
        rc_resource(t, "scale down: container metric excludes unscheduled pods", current=5,
                    readiness=[T, F, F, F, F], phase=[R, P, P, P, P], container="container2",
                    requests=cpu(5),
                    levels=[[1000, 100], [1000, 300], [1000, 500], [1000, 250], [1000, 250]],
                    target=50, replicas=1, utilization=10, raw=100),
        rc_resource(t, "scale down: ignore hot-CPU pods", current=5,
                    start=["cool", "cool", "cool", "hot", "hot"], requests=cpu(5),
                    levels=pm(100, 300, 500, 250, 250), target=50, replicas=2,
                    utilization=30, raw=2 * 300),
        rc_resource(t, "scale down: container metric ignores hot-CPU pods", current=5,
                    start=["cool", "cool", "cool", "hot", "hot"], container="container2",
                    requests=cpu(5),
                    levels=[[1000, 100], [1000, 300], [1000, 500], [1000, 1000], [1000, 1000]],
                    target=50, replicas=2, utilization=30, raw=300),
        rc_resource(t, "scale down: failed pods ignored", current=5,
                    readiness=[T, T, T, T, T, F, F], phase=[R, R, R, R, R, FAIL, FAIL],
                    requests=cpu(7), levels=pm(100, 300, 500, 250, 250), target=50,
                    replicas=3, utilization=28, raw=2 * 280),
        rc_resource(t, "scale down: container metric with failed pods ignored", current=5,
                    readiness=[T, T, T, T, T, F, F], phase=[R, R, R, R, R, FAIL, FAIL],
                    container="container2", requests=cpu(7),
                    levels=[[1000, 100], [1000, 300], [1000, 500], [1000, 250], [1000, 250]],
                    target=50, replicas=3, utilization=28, raw=280),
        rc_resource(t, "scale down: succeeded pods ignored", current=5,
                    readiness=[T, T, T, T, T, F, F], phase=[R, R, R, R, R, SUCC, SUCC],
                    requests=cpu(7), levels=pm(100, 300, 500, 250, 250), target=50,
                    replicas=3, utilization=28, raw=2 * 280),
        rc_resource(t, "scale down: container metric with succeeded pods ignored", current=5,
                    readiness=[T, T, T, T, T, F, F], phase=[R, R, R, R, R, SUCC, SUCC],
                    container="container2", requests=cpu(7),
                    levels=[[1000, 100], [1000, 300], [1000, 500], [1000, 250], [1000, 250]],
                    target=50, replicas=3, utilization=28, raw=280),
        rc_resource(t, "scale down: pods being deleted are ignored", current=5,
                    readiness=[T, T, T, T, T, F, F], phase=[R] * 7,
                    deleted=[False] * 5 + [True, True], requests=cpu(7),
                    levels=pm(100, 300, 500, 250, 250), target=50, replicas=3,
                    utilization=28, raw=2 * 280),
        rc_resource(t, "scale down: still-running pods being deleted are ignored", current=5,
                    readiness=[T, T, T, T, T, F, F], phase=[R] * 7,
                    deleted=[False] * 5 + [True, True], container="container2",
                    requests=cpu(7),
                    levels=[[1000, 100], [1000, 300], [1000, 500], [1000, 250], [1000, 250]],
                    target=50, replicas=3, utilization=28, raw=280),
    ]

    t = "TestReplicaCalcExternalPerPodMetric"
    epp = "externalPerPod"
    out += [
        rc_metric(t, "replica count overflow saturates to MaxInt32", epp, current=1,
                  levels=[MAX_INT64], target=1, replicas=MAX_INT32, usage=MAX_INT64),
        rc_metric(t, "usage overflow with huge target leaves replicas unchanged", epp,
                  current=1, levels=[MAX_INT64], target=MAX_INT64, replicas=1,
                  usage=MAX_INT64),
        rc_metric(t, "statusReplicas zero does not overflow usage", epp, current=0,
                  levels=[20000], target=5000, replicas=4, usage=0),
        # The calculator's 0 replicas is below minReplicas 1: only the usage is comparable.
        rc_metric(t, "statusReplicas zero and metric zero does not underflow", epp, current=0,
                  levels=[0], target=5000, replicas=None, usage=0),
        rc_metric(t, "scale up", epp, current=3, levels=[8600], target=2150, replicas=4,
                  usage=2867),
        rc_metric(t, "scale down", epp, current=5, levels=[8600], target=2867, replicas=3,
                  usage=1720),
        rc_metric(t, "within default tolerance", epp, current=3, levels=[8600], target=2900,
                  replicas=3, usage=2867),
        rc_metric(t, "outside configurable 1% tolerance", epp, current=3, levels=[8600],
                  target=2800, replicas=4, usage=2867, tolerances=("0.1", "0.01")),
    ]

    t = "TestReplicaCalcPodMetric"
    out += [
        rc_metric(t, "scale up", "pods", current=3, levels=[20000, 10000, 30000],
                  target=15000, replicas=4, usage=20000),
        rc_metric(t, "scale up: unready hot-CPU pod scales less", "pods", current=3,
                  readiness=[T, T, F], start=["cool", "cool", "hot"],
                  levels=[50000, 10000, 30000], target=15000, replicas=6, usage=30000),
        rc_metric(t, "scale up: unready hot-CPU pods avoid scale-down", "pods", current=3,
                  readiness=[F, T, F], start=["hot", "cool", "hot"],
                  levels=[50000, 15000, 30000], target=15000, replicas=7, usage=31666),
        rc_metric(t, "scale down", "pods", current=5, levels=[12000] * 5, target=20000,
                  replicas=3, usage=12000),
        rc_metric(t, "within default tolerance", "pods", current=3,
                  levels=[20000, 21000, 21000], target=20000, replicas=3, usage=20666),
        rc_metric(t, "outside configurable 1% tolerance", "pods", current=3,
                  levels=[20000, 21000, 21000], target=20000, replicas=4, usage=20666,
                  tolerances=("0.1", "0.01")),
        rc_metric(t, "no change: missing metrics", "pods", current=5,
                  levels=[20000, 19000, 21000], target=20000, replicas=5, usage=20000),
        rc_metric(t, "rolling update with maxSurge: extra pod missing metric", "pods",
                  current=2, phase=[R, R, R], levels=[10000, 10000], target=17000,
                  replicas=2, usage=10000),
    ]

    # Two cases of kubernetes/kubernetes master that the refactored file no longer has (read
    # from a pre-refactor copy): despite their names both call GetMetricReplicas (a Pods
    # metric; the first one's external selector is never used).
    for t in ("TestReplicaCalcScaleUpCMExternal", "TestReplicaCalcScaleUpCMExternalNoLabels"):
        out.append(rc_metric(t, None, "pods", current=1, levels=[8600], target=4400,
                             replicas=2, usage=8600))

    t = "TestReplicaCalcObjectMetric"
    out += [
        rc_metric(t, "scale up", "object", current=3, levels=[20000], target=15000,
                  replicas=4, usage=20000),
        rc_metric(t, "scale up: very large metric saturates replicas to MaxInt32", "object",
                  current=3, levels=[MAX_INT64], target=1, replicas=MAX_INT32,
                  usage=MAX_INT64),
        rc_metric(t, "scale up: ignores unready pods", "object", current=3,
                  readiness=[F, T, F], levels=[50000], target=10000, replicas=5,
                  usage=50000),
        rc_metric(t, "scale down", "object", current=5, levels=[12000], target=20000,
                  replicas=3, usage=12000),
        rc_metric(t, "within default tolerance", "object", current=3, levels=[20666],
                  target=20000, replicas=3, usage=20666),
        rc_metric(t, "outside configurable 1% tolerance", "object", current=3,
                  levels=[20666], target=20000, replicas=4, usage=20666,
                  tolerances=("0.1", "0.01")),
    ]

    t = "TestReplicaCalcObjectPerPodMetric"
    opp = "objectPerPod"
    out += [
        rc_metric(t, "usage overflow with huge target leaves replicas unchanged", opp,
                  current=1, levels=[MAX_INT64], target=MAX_INT64, replicas=1,
                  usage=MAX_INT64),
        rc_metric(t, "scale up", opp, current=3, levels=[20000], target=5000, replicas=4,
                  usage=6667),
        rc_metric(t, "scale down", opp, current=5, levels=[6000], target=2000, replicas=3,
                  usage=1200),
        rc_metric(t, "within default tolerance", opp, current=4, levels=[20166],
                  target=5000, replicas=4, usage=5042),
        rc_metric(t, "outside configurable 1% tolerance", opp, current=4, levels=[20208],
                  target=5000, replicas=5, usage=5052, tolerances=("0.1", "0.01")),
        rc_metric(t, "statusReplicas zero does not overflow usage", opp, current=0,
                  levels=[20000], target=5000, replicas=4, usage=0),
        rc_metric(t, "statusReplicas zero and metric zero does not underflow", opp,
                  current=0, levels=[0], target=5000, replicas=None, usage=0),
    ]

    t = "TestReplicaCalcExternalMetric"
    out += [
        rc_metric(t, "scale down: ignores unready pods (would otherwise scale up)",
                  "external", current=3, readiness=[F, T, F], levels=[8600], target=4400,
                  replicas=2, usage=8600),
        rc_metric(t, "scale down", "external", current=5, levels=[8600], target=14334,
                  replicas=3, usage=8600),
        rc_metric(t, "within default tolerance", "external", current=3, levels=[8600],
                  target=8888, replicas=3, usage=8600),
        rc_metric(t, "outside configurable 1% tolerance", "external", current=3,
                  levels=[8900], target=8800, replicas=4, usage=8900,
                  tolerances=("0.1", "0.01")),
        rc_metric(t, "usage overflow caps at MaxInt64", "external", current=3,
                  levels=[MAX_INT64 // 2 + 1, MAX_INT64 // 2 + 1], target=MAX_INT64,
                  replicas=3, usage=MAX_INT64),
    ]

    t = "TestReplicaCalcResourceTolerance"
    mixed = ["900m", "1", "1100m"]
    out += [
        rc_resource(t, "within default tolerance", current=3, requests=mixed,
                    levels=pm(1010, 1030, 1020), target=100, replicas=3, utilization=102,
                    raw=2 * 1020),
        rc_resource(t, "outside 0% tolerance", current=3, requests=mixed,
                    levels=pm(909, 1010, 1111), target=100, replicas=4, utilization=101,
                    raw=2 * 1010, tolerances=("0", "0")),
        rc_resource(t, "within 200% scale-up tolerance", current=3, requests=mixed,
                    levels=pm(1890, 1910, 1900), target=100, replicas=3, utilization=190,
                    raw=2 * 1900, tolerances=("0.1", "2")),
        rc_resource(t, "outside 8% scale-up tolerance (superfluous scale-down tolerance)",
                    current=3, requests=mixed, levels=pm(1100, 1080, 1090), target=100,
                    replicas=4, utilization=109, raw=2 * 1090, tolerances=("2", "0.08")),
        rc_resource(t, "within 36% scale-down tolerance", current=3, requests=mixed,
                    levels=pm(660, 640, 650), target=100, replicas=3, utilization=65,
                    raw=2 * 650, tolerances=("0.36", "0.1")),
        rc_resource(t, "outside 34% scale-down tolerance", current=3, requests=mixed,
                    levels=pm(660, 640, 650), target=100, replicas=2, utilization=65,
                    raw=2 * 650, tolerances=("0.34", "0.1")),
    ]

    t = "TestReplicaCalcResourceMissingMetrics"
    out += [
        rc_resource(t, "superfluous metrics counted", current=4, requests=cpu(4),
                    levels=pm(4000, 9500, 3000, 7000, 3200, 2000), target=100, replicas=24,
                    utilization=587, raw=2 * 5875),
        rc_resource(t, "some pods missing metrics scales down", current=4, requests=cpu(4),
                    levels=pm(400, 95), target=100, replicas=3, utilization=24, raw=495),
        rc_resource(t, "no change: metric equal to target", current=2, requests=cpu(2),
                    levels=pm(1000), target=100, replicas=2, utilization=100, raw=2 * 1000),
        rc_resource(t, "no change: metric above target", current=2, requests=cpu(2),
                    levels=pm(1900), target=100, replicas=2, utilization=190, raw=2 * 1900),
        rc_resource(t, "no change: metric below target", current=2, requests=cpu(2),
                    levels=pm(600), target=100, replicas=2, utilization=60, raw=2 * 600),
        rc_resource(t, "no change: unready pod metric missing", current=3,
                    readiness=[F, T, T], requests=cpu(3), levels=pm(100, 450), target=50,
                    replicas=3, utilization=45, raw=2 * 450),
        rc_resource(t, "no change: hot-CPU pod metric missing", current=3,
                    start=["hot", "cool", "cool"], requests=cpu(3), levels=pm(100, 450),
                    target=50, replicas=3, utilization=45, raw=2 * 450),
        rc_resource(t, "scale up: unready pod metric missing", current=3,
                    readiness=[F, T, T], requests=cpu(3), levels=pm(100, 2000), target=50,
                    replicas=4, utilization=200, raw=2 * 2000),
        rc_resource(t, "scale up: hot-CPU pod metric missing", current=3,
                    readiness=[F, T, T], start=["hot", "cool", "cool"], requests=cpu(3),
                    levels=pm(100, 2000), target=50, replicas=4, utilization=200,
                    raw=2 * 2000),
        rc_resource(t, "scale down: unready pod metric missing", current=4,
                    readiness=[F, T, T, T], requests=cpu(4), levels=pm(100, 100, 100),
                    target=50, replicas=3, utilization=10, raw=2 * 100),
        rc_resource(t, "scale down: target over 100", current=4, readiness=[F, T, T, T],
                    requests=["1", "1", "2", "2"], levels=pm(200, 100, 100), target=300,
                    replicas=2, utilization=6, raw=2 * 100),
        rc_resource(t, "rolling update with maxSurge: extra pod missing metric", current=2,
                    phase=[R, R, R], requests=cpu(3), levels=pm(100, 100), target=50,
                    replicas=2, utilization=10, raw=2 * 100),
        rc_resource(t, "disjoint pod and metric names", current=1, requests=cpu(1),
                    levels=pm(100), pod_names=["an-older-pod-name"], target=100,
                    error="no metrics returned matched known pods"),
        rc_resource(t, "no metrics returned from metrics API", current=4, requests=cpu(3),
                    levels=pm(), target=100,
                    error="unable to get metrics for resource cpu: no metrics returned "
                          "from resource metrics API"),
        rc_resource(t, "missing CPU request on container", current=1, requests=[],
                    levels=pm(200), target=100, error="missing request for"),
    ]

    # TestReplicaCalcComputedToleranceAlgImplementation: 10 pods each using 150m per
    # container against requests around 300m; targets int32((1/(2*0.9) + .01) * 100) = 56
    # (scale to ceil(1500/(3000*0.5656) * 10) = 9) and int32((1/(2*0.9) + .004) * 100) = 55
    # (inside the tolerance: 10 stay).
    t = "TestReplicaCalcComputedToleranceAlgImplementation"
    per_pod = 300
    reqs = [f"{per_pod + d}m" for d in (100, -100, 10, -10, 2, -2, 1, -1, 0, 0)]
    out += [
        rc_resource(t, "scale down to the back-calculated count", current=10, requests=reqs,
                    levels=pm(*[150] * 10), target=56, replicas=9, utilization=50,
                    raw=2 * 150),
        rc_resource(t, "no scale within a close margin of the tolerance", current=10,
                    requests=reqs, levels=pm(*[150] * 10), target=55, replicas=10,
                    utilization=50, raw=2 * 150),
    ]
    return out


# ---------------------------------------------------------------------------------------
# horizontal_test.go
#
# Every case is one reconcileAutoscaler call on the fixture's HPA (test-namespace/test-hpa,
# target ReplicationController test-rc unless the case names another), with the flags of
# the test controller (downscale stabilization 5m). Pods: len(reportedCPURequests) of them
# (statusReplicas when unset), each container requesting half the pod's request (1 cpu by
# default), Ready with lastTransitionTime = startTime. Resource metrics: level/2 cpu per
# container, timestamp now, window 1m. Pods/Object/External metrics answer "qps" with the
# reported levels (milli-units).

STATUS_OK = [("AbleToScale", T, "SucceededRescale"), ("ScalingActive", T, "ValidMetricFound"),
             ("ScalingLimited", F, "DesiredWithinRange")]


def ok_with(*overrides):
    """statusOkWithOverrides: each override replaces the condition of its type."""
    conds = list(STATUS_OK)
    for o in overrides:
        conds = [o if c[0] == o[0] else c for c in conds]
    return conds


def conds(*triples):
    return [{"type": t, "status": s, "reason": r} for t, s, r in triples]


DEPLOYMENT_TARGET = {"apiVersion": "apps/v1", "kind": "Deployment", "name": "test-dep"}
REPLICASET_TARGET = {"apiVersion": "apps/v1", "kind": "ReplicaSet",
                     "name": "test-replicaset"}


def hc(test, case, *, min_r, max_r, spec, status, cpu_target=0, metrics=(), levels=(),
       requests=None, readiness=None, start=None, phase=None, deleted=None, target=RC_REF,
       last_scale_time=None, recommendations=None, initial_conditions=None, up=None,
       down=None, errors=None, scale_selector=SELECTOR, expect_desired, expect_rescale=None,
       expect_status_desired=None, expect_conditions=None, expect_cpu=None,
       expect_events=None, scale_to_zero=False):
    """One horizontal_test.go case. `requests` are each pod's cpu request in millicores.
    `scale_to_zero`: the case sets the HPAScaleToZero feature gate on (the Snapshot's
    `controller.hpaScaleToZero`)."""
    if requests is None:
        pod_requests = [1000] * status
    else:
        pod_requests = list(requests)
    pods = []
    for i, r in enumerate(pod_requests):
        st = when(start[i]) if start is not None else ZERO
        pods.append(pod(
            i,
            phase=phase[i] if phase is not None else "Running",
            ready=readiness[i] if readiness is not None else "True",
            start=st, ltt=st, deleted=bool(deleted and deleted[i]),
            requests=[milli(r // 2), milli(r // 2)]))
    metric_specs = []
    if cpu_target > 0:
        metric_specs.append(cpu_util(cpu_target))
    metric_specs += list(metrics)
    snap = {"controller": controller()}
    if scale_to_zero:
        snap["controller"]["hpaScaleToZero"] = True
    behavior = None
    if up is not None or down is not None:
        behavior = {}
        if up is not None:
            behavior["scaleUp"] = up
        if down is not None:
            behavior["scaleDown"] = down
    snap["hpa"] = hpa(min_r, max_r, spec, metric_specs, behavior=behavior,
                      last_scale_time=last_scale_time, conditions=initial_conditions,
                      target=target)
    snap["scale"] = scale(target["name"], spec, status, selector=scale_selector)
    snap["pods"] = pods
    snap["podMetrics"] = [
        pod_metrics(f"{POD_PREFIX}-{i}", at(0), [
            ("container1", {"cpu": milli(lv // 2), "memory": "512Ki"}),
            ("container2", {"cpu": milli(lv // 2), "memory": "512Ki"})])
        for i, lv in enumerate(levels)]
    kinds = {m["type"] for m in metric_specs}
    if "Pods" in kinds:
        snap["customMetrics"] = [pod_value(i, milli(lv), at(0)) for i, lv in enumerate(levels)]
    if "Object" in kinds:
        snap["customMetrics"] = [object_value(milli(levels[0]), at(0))]
    if "External" in kinds:
        snap["externalMetrics"] = [external_value(milli(lv), at(0)) for lv in levels]
    if errors:
        snap["errors"] = errors
    if recommendations == "empty":
        snap["history"] = placeholder_history(spec)
    elif recommendations is not None:
        snap["history"] = {"recommendations": [
            {"timestamp": at(ago), "replicas": r} for r, ago in recommendations],
            "scaleUpEvents": [], "scaleDownEvents": []}

    expected = {"desiredReplicas": expect_desired}
    compare = ["desiredReplicas"]
    if expect_rescale is not None:
        expected["rescale"] = expect_rescale
        compare.append("rescale")
    status_exp = {}
    if expect_status_desired is not None:
        status_exp["desiredReplicas"] = expect_status_desired
        compare.append("status.desiredReplicas")
    if expect_cpu is not None:
        status_exp["currentMetrics"] = [{"type": "Resource", "resource": {
            "name": "cpu", "current": {"averageUtilization": expect_cpu}}}]
        compare.append("status.currentMetrics[Resource:cpu]")
    if expect_conditions is not None:
        status_exp["conditions"] = conds(*expect_conditions)
        compare.append("status.conditions")
    if status_exp:
        expected["status"] = status_exp
    if expect_events is not None:
        expected["events"] = expect_events
        compare.append("events")
    name = f"hc-{test}" + (f"-{slug(case)}" if case else "")
    source = source_of(HC_SOURCE, test, case)
    return vector(name, source, snap, expected, compare)


def run_test(test, case=None, **kw):
    """A tc.runTest case: the status update is checked on every sync (desired replicas,
    conditions, defaulting to statusOk), and the scale is updated iff spec != expected."""
    exp = kw.pop("expect_desired")
    kw.setdefault("expect_conditions", STATUS_OK)
    kw.setdefault("expect_status_desired", exp)
    kw.setdefault("expect_rescale", kw["spec"] != exp)
    return hc(test, case, expect_desired=exp, **kw)


def table(test, case, *, status_checked=True, conditions=None, **kw):
    """A case of the table-driven tests that call reconcileAutoscaler directly and check
    the scale update, and (when `status_checked`) the status written to the HPA."""
    exp = kw["expect_desired"]
    if status_checked:
        kw.setdefault("expect_status_desired", exp)
        if conditions is not None:
            kw["expect_conditions"] = conditions
    return hc(test, case, **kw)


ONE = [1000] * 1
THREE = [1000] * 3
FIVE = [1000] * 5
MIXED = [900, 1000, 1100]
TENTH3 = [100] * 3


def hc_cases():
    out = []

    t = "TestScaleContainerResource"
    out += [
        table(t, "scale up container resource", status_checked=False, min_r=2, max_r=6,
              spec=3, status=3, metrics=[container_util("container1", 30)],
              levels=[300, 500, 700], requests=THREE, expect_desired=5, expect_rescale=True),
        table(t, "scale down container resource", status_checked=False, min_r=2, max_r=6,
              spec=5, status=5, metrics=[container_util("container2", 50)],
              levels=[100, 300, 500, 250, 250], requests=FIVE, recommendations="empty",
              expect_desired=3, expect_rescale=True),
    ]

    t = "TestScaleUpUnreadyOrHotCpuNoScale"
    for case, start in (("unready pods excluded from scaling", None),
                        ("hot CPU pods excluded from scaling", ["cool", "hot", "hot"])):
        out.append(table(t, case, min_r=2, max_r=6, spec=3, status=3, cpu_target=30,
                         levels=[400, 500, 700], requests=THREE, readiness=[T, F, F],
                         start=start, expect_desired=3, expect_rescale=False, expect_cpu=40,
                         conditions=ok_with(("AbleToScale", T, "ReadyForNewScale"))))

    t = "TestScaleUpCPU"
    up = dict(status_checked=False, min_r=2, max_r=6, cpu_target=30)
    out += [
        table(t, "scale up", spec=3, status=3, levels=[300, 500, 700], requests=THREE,
              expect_desired=5, expect_rescale=True, **up),
        table(t, "scale up with unready pods results in less scale", spec=3, status=3,
              levels=[300, 500, 700], requests=THREE, readiness=[F, T, T], expect_desired=4,
              expect_rescale=True, **up),
        table(t, "scale up with hot cpu pods results in less scale", spec=3, status=3,
              levels=[300, 500, 700], requests=THREE, start=["hot", "cool", "cool"],
              expect_desired=4, expect_rescale=True, **up),
        table(t, "scale up ignores failed pods", spec=2, status=2, levels=[500, 700],
              requests=[1000] * 4, readiness=[T, T, F, F], phase=[R, R, FAIL, FAIL],
              expect_desired=4, expect_rescale=True, **up),
        table(t, "scale up ignores deletion pods", spec=2, status=2, levels=[500, 700],
              requests=[1000] * 4, readiness=[T, T, F, F], phase=[R, R, R, R],
              deleted=[False, False, True, True], expect_desired=4, expect_rescale=True,
              **up),
        table(t, "scale up deployment", spec=3, status=3, levels=[300, 500, 700],
              requests=THREE, target=DEPLOYMENT_TARGET, expect_desired=5,
              expect_rescale=True, **up),
        table(t, "scale up replicaset", spec=3, status=3, levels=[300, 500, 700],
              requests=THREE, target=REPLICASET_TARGET, expect_desired=5,
              expect_rescale=True, **up),
        table(t, "no scale up when all unready pods bring utilization within target",
              spec=3, status=3, levels=[400, 500, 700], requests=THREE, readiness=[T, F, F],
              expect_desired=3, expect_rescale=False, **up),
    ]

    t = "TestScaleDownCPU"
    down = dict(status_checked=False, min_r=2, max_r=6, spec=5, status=5, cpu_target=50,
                levels=[100, 300, 500, 250, 250], recommendations="empty", expect_rescale=True)
    out += [
        table(t, "scale down", requests=FIVE, expect_desired=3, **down),
        table(t, "scale down includes unready pods", requests=FIVE,
              readiness=[T, T, T, F, F], expect_desired=2, **down),
        table(t, "scale down ignores hot cpu pods", requests=FIVE,
              start=["cool", "cool", "cool", "hot", "hot"], expect_desired=2, **down),
        table(t, "scale down ignores failed pods", requests=[1000] * 7,
              readiness=[T] * 5 + [F, F], phase=[R] * 5 + [FAIL, FAIL], expect_desired=3,
              **down),
        table(t, "scale down ignores deletion pods", requests=[1000] * 7,
              readiness=[T] * 5 + [F, F], phase=[R] * 7, deleted=[False] * 5 + [True, True],
              expect_desired=3, **down),
    ]

    t = "TestScaleUpCM"
    cm = dict(min_r=2, max_r=6, spec=3, status=3, metrics=[pods_avg("15")], requests=THREE,
              expect_rescale=True)
    out += [
        table(t, "scale up custom metric", levels=[20000, 10000, 30000], expect_desired=4,
              **cm),
        table(t, "unready and hot cpu pods do not reduce scale for custom metric",
              levels=[50000, 10000, 30000], readiness=[T, T, F],
              start=["cool", "cool", "hot"], expect_desired=6, **cm),
        table(t, "unready and hot cpu pods scale to max with scaling limited condition",
              levels=[50000, 15000, 30000], readiness=[F, T, F],
              start=["hot", "cool", "hot"], expect_desired=6,
              conditions=ok_with(("AbleToScale", T, "SucceededRescale"),
                                 ("ScalingLimited", T, "TooManyReplicas")), **cm),
    ]

    t = "TestScaleUpCMObject"
    out += [
        table(t, "scale up object metric with value target", min_r=2, max_r=6, spec=3,
              status=3, metrics=[object_spec("Value", "15")], levels=[20000],
              expect_desired=4, expect_rescale=True),
        table(t, "scale up per-pod object metric with average value target", min_r=2,
              max_r=6, spec=3, status=3, metrics=[object_spec("AverageValue", "10")],
              levels=[40000], expect_desired=4, expect_rescale=True),
    ]

    # HPAScaleToZero=true halves (the gate is the Snapshot's controller.hpaScaleToZero)
    zero_up = [("ScaledToZero", F, "NotScaledToZero"), ("AbleToScale", T, "SucceededRescale"),
               ("ScalingActive", T, "ValidMetricFound"),
               ("ScalingLimited", F, "DesiredWithinRange")]
    out += [
        table(t, "scale up from zero with feature gate enabled", min_r=0, max_r=6, spec=0,
              status=0, metrics=[object_spec("Value", "15")], levels=[20000],
              initial_conditions=[("ScaledToZero", T, "ScaledToZero")], expect_desired=2,
              expect_rescale=True, conditions=zero_up, scale_to_zero=True),
        table(t, "scale up from zero ignores tolerance with feature gate enabled", min_r=0,
              max_r=6, spec=0, status=0, metrics=[object_spec("Value", "1")], levels=[1000],
              initial_conditions=[("ScaledToZero", T, "ScaledToZero")], expect_desired=1,
              expect_rescale=True, conditions=zero_up, scale_to_zero=True),
    ]

    t = "TestScaleUpCMExternal"
    out += [
        table(t, "scale up external metric with value target", min_r=2, max_r=6, spec=3,
              status=3, metrics=[external_spec("Value", milli(6666), {})], levels=[8600],
              expect_desired=4, expect_rescale=True),
        table(t, "scale up external metric with per-pod average value target", min_r=2,
              max_r=6, spec=3, status=3,
              metrics=[external_spec("AverageValue", milli(2222), {})], levels=[8600],
              expect_desired=4, expect_rescale=True),
    ]

    t = "TestScaleDownStabilizeInitialSize"
    out.append(run_test(t, min_r=2, max_r=6, spec=5, status=5, cpu_target=50,
                        levels=[100, 300, 500, 250, 250], requests=FIVE, expect_desired=5,
                        expect_cpu=28,
                        expect_conditions=ok_with(("AbleToScale", T, "ScaleDownStabilized"))))

    t = "TestScaleDownCM"
    dcm = dict(min_r=2, max_r=6, spec=5, status=5, recommendations="empty", expect_desired=3,
               expect_rescale=True)
    out += [
        table(t, "scale down pods metric", metrics=[pods_avg("20")], levels=[12000] * 5,
              requests=FIVE, **dcm),
        table(t, "scale down object metric with value target",
              metrics=[object_spec("Value", "20")], levels=[12000], requests=FIVE, **dcm),
        table(t, "scale down per-pod object metric with average value target",
              metrics=[object_spec("AverageValue", "20")], levels=[60000], requests=FIVE,
              **dcm),
        table(t, "scale down external metric with value target",
              metrics=[external_spec("Value", milli(14400), {})], levels=[8600], **dcm),
        table(t, "scale down per-pod external metric with average value target",
              metrics=[external_spec("AverageValue", milli(3000), {})], levels=[8600],
              **dcm),
    ]

    to_zero = STATUS_OK + [("ScaledToZero", T, "ScaledToZero")]
    out += [
        table(t, "scale down to zero object metric with feature gate enabled", min_r=0,
              max_r=6, spec=5, status=5, recommendations="empty", expect_rescale=True,
              metrics=[object_spec("Value", "20")], levels=[0], requests=FIVE,
              expect_desired=0, conditions=to_zero, scale_to_zero=True),
        table(t, "scale down to zero external metric with feature gate enabled", min_r=0,
              max_r=6, spec=5, status=5, recommendations="empty", expect_rescale=True,
              metrics=[external_spec("Value", milli(14400), {})], levels=[0],
              expect_desired=0, conditions=to_zero, scale_to_zero=True),
    ]

    scaled_to_zero = [("ScaledToZero", T, "ScaledToZero")]
    out.append(run_test(
        "TestScaleUpFromZeroWithoutCondition", "HPAScaleToZero=true", min_r=0, max_r=6,
        spec=0, status=0, metrics=[object_spec("Value", "15")], levels=[20000],
        expect_desired=0, scale_to_zero=True,
        expect_conditions=[("AbleToScale", T, "SucceededGetScale"),
                           ("ScalingActive", F, "ScalingDisabled")]))
    out.append(run_test(
        "TestScaleUpFromZeroWhenMinReplicasIncreased", "HPAScaleToZero=true", min_r=2,
        max_r=6, spec=0, status=0, metrics=[object_spec("Value", milli(15000))],
        levels=[10000], initial_conditions=scaled_to_zero, expect_desired=2,
        scale_to_zero=True,
        expect_conditions=[("ScaledToZero", F, "NotScaledToZero"),
                           ("AbleToScale", T, "SucceededRescale"),
                           ("ScalingActive", T, "ValidMetricFound"),
                           ("ScalingLimited", T, "TooFewReplicas")]))
    out.append(run_test(
        "TestScaledToZeroConditionHandledOnNormalRescale", "HPAScaleToZero=true", min_r=1,
        max_r=6, spec=3, status=3, cpu_target=30, levels=[300, 500, 700], requests=THREE,
        initial_conditions=scaled_to_zero, expect_desired=5, scale_to_zero=True,
        expect_conditions=[("ScaledToZero", F, "NotScaledToZero")] + STATUS_OK))
    out.append(run_test(
        "TestManualScaleToZeroDisablesHPA", "HPAScaleToZero=true", min_r=1, max_r=6, spec=0,
        status=0, cpu_target=50, levels=[], requests=[], expect_desired=0,
        scale_to_zero=True,
        expect_conditions=[("AbleToScale", T, "SucceededGetScale"),
                           ("ScalingActive", F, "ScalingDisabled")]))
    out.append(run_test(
        "TestScaleUpFromZeroWhenMinReplicasIncreased", "HPAScaleToZero=false", min_r=2,
        max_r=6, spec=0, status=0, metrics=[object_spec("Value", milli(15000))],
        levels=[10000], initial_conditions=scaled_to_zero, expect_desired=0,
        expect_conditions=[("AbleToScale", T, "SucceededGetScale"),
                           ("ScalingActive", F, "ScalingDisabled")]))
    out.append(run_test(
        "TestScaledToZeroConditionHandledOnNormalRescale", "HPAScaleToZero=false", min_r=1,
        max_r=6, spec=3, status=3, cpu_target=30, levels=[300, 500, 700], requests=THREE,
        initial_conditions=scaled_to_zero, expect_desired=5))
    out.append(run_test(
        "TestManualScaleToZeroDisablesHPA", "HPAScaleToZero=false", min_r=1, max_r=6, spec=0,
        status=0, cpu_target=50, levels=[], requests=[], expect_desired=0,
        expect_conditions=[("AbleToScale", T, "SucceededGetScale"),
                           ("ScalingActive", F, "ScalingDisabled")]))

    t = "TestTolerance"
    tol = dict(expect_rescale=False, conditions=ok_with(("AbleToScale", T, "ReadyForNewScale")))
    out += [
        table(t, "CPU resource metric within tolerance", min_r=1, max_r=5, spec=3, status=3,
              cpu_target=100, levels=[1010, 1030, 1020], requests=MIXED, expect_desired=3,
              **tol),
        table(t, "pods metric within tolerance", min_r=1, max_r=5, spec=3, status=3,
              metrics=[pods_avg("20")], levels=[20000, 20001, 21000], requests=MIXED,
              expect_desired=3, **tol),
        table(t, "object metric with value target within tolerance", min_r=1, max_r=5,
              spec=3, status=3, metrics=[object_spec("Value", "20")], levels=[20050],
              requests=MIXED, expect_desired=3, **tol),
        table(t, "external metric with value target within tolerance", min_r=2, max_r=6,
              spec=4, status=4, metrics=[external_spec("Value", milli(8666), {})],
              levels=[8600], expect_desired=4, **tol),
        table(t, "per-pod object metric with average value target within tolerance",
              min_r=2, max_r=6, spec=4, status=4,
              metrics=[object_spec("AverageValue", milli(2200), {})], levels=[8600],
              expect_desired=4, **tol),
        table(t, "per-pod external metric with average value target within tolerance",
              min_r=2, max_r=6, spec=4, status=4,
              metrics=[external_spec("AverageValue", milli(2200), {})], levels=[8600],
              expect_desired=4, **tol),
    ]

    t = "TestConfigurableTolerance"
    ct = dict(min_r=1, max_r=5, spec=3, status=3, cpu_target=100)
    out += [
        run_test(t, "Scaling up because of a 1% configurable tolerance",
                 up={"tolerance": "0.01"}, levels=[1010, 1030, 1020], requests=MIXED,
                 expect_desired=4, **ct),
        run_test(t, "No scale-down because of a 90% configurable tolerance",
                 down={"tolerance": "0.9"}, levels=[300, 300, 300], requests=THREE,
                 expect_desired=3,
                 expect_conditions=ok_with(("AbleToScale", T, "ReadyForNewScale")), **ct),
        run_test(t, "No scaling because of the large default tolerance",
                 levels=[1010, 1030, 1020], requests=MIXED, expect_desired=3,
                 expect_conditions=ok_with(("AbleToScale", T, "ReadyForNewScale")), **ct),
    ]

    t = "TestReplicaLimits"
    rl = dict(expect_rescale=True)
    out += [
        table(t, "scale down clamped to min replicas", min_r=2, max_r=5, spec=3, status=3,
              cpu_target=90, levels=[10, 95, 10], requests=MIXED, recommendations="empty",
              expect_desired=2,
              conditions=ok_with(("ScalingLimited", T, "TooFewReplicas")), **rl),
        table(t, "scale down clamped to min when desired is zero", min_r=2, max_r=5, spec=3,
              status=3, cpu_target=90, levels=[0, 0, 0], requests=MIXED,
              recommendations="empty", expect_desired=2,
              conditions=ok_with(("ScalingLimited", T, "TooFewReplicas")), **rl),
        table(t, "no scaling when spec replicas is zero", min_r=3, max_r=5, spec=0,
              status=0, cpu_target=90, levels=[], requests=[], expect_desired=0,
              expect_rescale=False,
              conditions=[("AbleToScale", T, "SucceededGetScale"),
                          ("ScalingActive", F, "ScalingDisabled")]),
        table(t, "scale up to min when below min replicas", min_r=3, max_r=5, spec=2,
              status=2, cpu_target=90, levels=[], requests=[], expect_desired=3,
              conditions=[("AbleToScale", T, "SucceededRescale")], **rl),
        table(t, "scale down to max when above max replicas", min_r=3, max_r=5, spec=10,
              status=10, cpu_target=90, levels=[], requests=[], expect_desired=5,
              conditions=[("AbleToScale", T, "SucceededRescale")], **rl),
        table(t, "scale up clamped to max replicas", min_r=2, max_r=5, spec=3, status=3,
              cpu_target=90, levels=[8000, 9500, 1000], requests=MIXED, expect_desired=5,
              conditions=ok_with(("ScalingLimited", T, "TooManyReplicas")), **rl),
    ]

    t = "TestMetricsEdgeCases"
    failed_resource = [("AbleToScale", T, "SucceededGetScale"),
                       ("ScalingActive", F, "FailedGetResourceMetric")]
    out += [
        table(t, "superfluous metrics reported", min_r=2, max_r=6, spec=4, status=4,
              cpu_target=100, levels=[4000, 9500, 3000, 7000, 3200, 2000],
              requests=[1000] * 4, expect_desired=6, expect_rescale=True,
              conditions=ok_with(("ScalingLimited", T, "TooManyReplicas"))),
        table(t, "missing metrics from some pods", min_r=2, max_r=6, spec=4, status=4,
              cpu_target=100, levels=[400, 95], requests=[1000] * 4,
              recommendations="empty", expect_desired=3, expect_rescale=True),
        table(t, "empty metrics from all pods", min_r=2, max_r=6, spec=4, status=4,
              cpu_target=100, levels=[], requests=[1000] * 4, expect_desired=4,
              expect_rescale=False, conditions=failed_resource),
        table(t, "empty CPU requests", min_r=1, max_r=5, spec=1, status=1, cpu_target=100,
              levels=[200], requests=[], expect_desired=1, expect_rescale=False,
              conditions=failed_resource),
    ]

    t = "TestCPUScalingEdgeCases"
    out += [
        table(t, "missing reports from some pods", min_r=1, max_r=5, spec=4, status=4,
              cpu_target=50, levels=[200], requests=[200], recommendations="empty",
              expect_desired=2, expect_rescale=True),
        table(t, "more replicas than spec no scale", min_r=1, max_r=8, spec=4, status=5,
              cpu_target=50, levels=[500] * 5, requests=FIVE, expect_desired=4,
              expect_rescale=False,
              conditions=ok_with(("AbleToScale", T, "ReadyForNewScale"))),
    ]

    t = "TestUpscaleCap"
    cap = dict(min_r=1, spec=3, status=3, up=generate_scaling_rules(0, 0, 700, 60, 0),
               cpu_target=10, levels=[100, 200, 300], requests=TENTH3, expect_rescale=True)
    out += [
        table(t, "capped by scale up rules", max_r=100, expect_desired=24,
              conditions=ok_with(("ScalingLimited", T, "ScaleUpLimit")), **cap),
        table(t, "capped by max replicas when scale up limit exceeds max", max_r=20,
              expect_desired=20, conditions=ok_with(("ScalingLimited", T, "TooManyReplicas")),
              **cap),
    ]

    t = "TestScaleTimingBehavior"
    out += [
        table(t, "no backoff upscale custom metric only", min_r=1, max_r=5, spec=3, status=3,
              metrics=[pods_avg("15")], levels=[20000, 10000, 30000], requests=THREE,
              last_scale_time=at(0), expect_desired=4, expect_rescale=True,
              conditions=STATUS_OK),
        table(t, "no backoff upscale custom metric and CPU", min_r=1, max_r=5, spec=3,
              status=3, cpu_target=10, metrics=[pods_avg("15")],
              levels=[20000, 10000, 30000], requests=THREE, last_scale_time=at(0),
              expect_desired=5, expect_rescale=True,
              conditions=ok_with(("ScalingLimited", T, "TooManyReplicas"))),
        table(t, "stabilize downscale", min_r=1, max_r=5, spec=4, status=4, cpu_target=100,
              levels=[50, 50, 50], requests=TENTH3, recommendations=[(10, -600), (4, -60)],
              expect_desired=4, expect_rescale=False,
              conditions=ok_with(("AbleToScale", T, "ScaleDownStabilized"))),
    ]

    t = "TestScaleRCImmediately"
    out += [
        # The fixture sets no CPUTarget: its metric is a cpu Resource metric without a
        # target, which the API server would reject; the metric is never evaluated (1 < min
        # 2), so the vector leaves the metrics to the API server's default.
        table(t, "scale up to min when below min replicas", min_r=2, max_r=6, spec=1,
              status=1, levels=[0, 0, 0, 0], requests=[1000] * 4, last_scale_time=at(0),
              expect_desired=2, expect_rescale=True,
              conditions=[("AbleToScale", T, "SucceededRescale")]),
        table(t, "scale down to max when above max replicas", min_r=2, max_r=5, spec=6,
              status=6, cpu_target=50, levels=[8000, 9500, 1000], requests=MIXED,
              last_scale_time=at(0), expect_desired=5, expect_rescale=True,
              conditions=[("AbleToScale", T, "SucceededRescale")]),
    ]

    out.append(run_test(
        "TestEventCreated", min_r=1, max_r=5, spec=1, status=1, cpu_target=50, levels=[200],
        requests=[200], expect_desired=2,
        expect_events=[{"type": "Normal", "reason": "SuccessfulRescale",
                        "message": "New size: 2; reason: cpu resource utilization "
                                   "(percentage of request) above target"}]))
    out.append(run_test(
        "TestEventNotCreated", min_r=1, max_r=5, spec=2, status=2, cpu_target=50,
        levels=[200, 200], requests=[400, 400], expect_desired=2, expect_events=[],
        expect_conditions=ok_with(("AbleToScale", T, "ReadyForNewScale"))))

    invalid_selector = [("AbleToScale", T, "SucceededGetScale"),
                        ("ScalingActive", F, "InvalidSelector")]
    out.append(run_test(
        "TestConditionInvalidSelectorMissing", min_r=1, max_r=100, spec=3, status=3,
        cpu_target=10, levels=[100, 200, 300], requests=TENTH3, scale_selector=None,
        expect_desired=3, expect_conditions=invalid_selector))
    out.append(run_test(
        "TestConditionInvalidSelectorUnparsable", min_r=1, max_r=100, spec=3, status=3,
        cpu_target=10, levels=[100, 200, 300], requests=TENTH3,
        scale_selector="cheddar cheese", expect_desired=3,
        expect_conditions=invalid_selector))

    t = "TestConditionFailedGetMetrics"
    wrong = "something went wrong"
    all_errors = {"podMetrics": wrong, "customMetrics": wrong, "externalMetrics": wrong}
    for reason, cpu_target, metrics in (
            ("FailedGetResourceMetric", 10, []),
            ("FailedGetPodsMetric", 0, [pods_avg("15")]),
            ("FailedGetObjectMetric", 0, [object_spec("Value", "15")]),
            ("FailedGetExternalMetric", 0, [external_spec("Value", milli(300), {})])):
        out.append(run_test(
            t, reason, min_r=1, max_r=100, spec=3, status=3, cpu_target=cpu_target,
            metrics=metrics, levels=[100, 200, 300], requests=TENTH3, errors=all_errors,
            expect_desired=3,
            expect_conditions=[("AbleToScale", T, "SucceededGetScale"),
                               ("ScalingActive", F, reason)]))

    out.append(run_test(
        "TestConditionFailedGetScale", min_r=1, max_r=100, spec=3, status=3, cpu_target=10,
        levels=[100, 200, 300], requests=TENTH3, errors={"scale": wrong}, expect_desired=3,
        expect_conditions=[("AbleToScale", F, "FailedGetScale")]))
    out.append(run_test(
        "TestConditionFailedUpdateScale", min_r=1, max_r=5, spec=3, status=3, cpu_target=100,
        levels=[150, 150, 150], requests=TENTH3, errors={"updateScale": wrong},
        expect_desired=3,
        expect_conditions=ok_with(("AbleToScale", F, "FailedUpdateScale"))))

    # TestComputedToleranceAlgImplementation: per-pod requests around 300m (each container
    # half of it, integer division), 150m used per pod; targets 56 and 55 as in the
    # replica calculator version. The fixture's minReplicas 0 is not admissible without
    # HPAScaleToZero; 1 is used (neither sync goes below 9).
    t = "TestComputedToleranceAlgImplementation"
    reqs = [300 + d for d in (100, -100, 10, -10, 2, -2, 1, -1, 0, 0)]
    out += [
        run_test(t, "scale down to the back-calculated count", min_r=1, max_r=1000, spec=10,
                 status=10, cpu_target=56, levels=[150] * 10, requests=reqs,
                 recommendations="empty", expect_desired=9),
        run_test(t, "no scale within a close margin of the tolerance", min_r=1, max_r=1000,
                 spec=10, status=10, cpu_target=55, levels=[150] * 10, requests=reqs,
                 recommendations="empty", expect_desired=10,
                 expect_conditions=ok_with(("AbleToScale", T, "ReadyForNewScale"))),
    ]

    out.append(run_test(
        "TestScaleUpOneMetricEmpty", min_r=2, max_r=6, spec=3, status=3, cpu_target=30,
        metrics=[external_spec("Value", milli(100), {})], levels=[300, 400, 500],
        requests=THREE, errors={"externalMetrics": wrong}, expect_desired=4, expect_cpu=40))
    out.append(run_test(
        "TestNoScaleDownOneMetricEmpty", min_r=2, max_r=6, spec=5, status=5, cpu_target=50,
        metrics=[external_spec("Value", milli(1000), {})], levels=[100, 300, 500, 250, 250],
        requests=FIVE, errors={"externalMetrics": wrong}, recommendations="empty",
        expect_desired=5,
        expect_conditions=[("AbleToScale", T, "SucceededGetScale"),
                           ("ScalingActive", F, "FailedGetExternalMetric")]))
    out.append(run_test(
        "TestReconciliationDurationIsRecorded", min_r=2, max_r=6, spec=3, status=3,
        cpu_target=30, levels=[300, 500, 700], requests=THREE, expect_desired=5,
        expect_cpu=50))
    out.append(run_test(
        "TestReconciliationDurationIsRecordedOnError", min_r=2, max_r=6, spec=4, status=4,
        cpu_target=100, levels=[], requests=[1000] * 4, expect_desired=4,
        expect_conditions=failed_resource))
    out.append(run_test(
        "TestReconciliationsTotalCountMultipleReconciliations", min_r=1, max_r=5, spec=3,
        status=3, cpu_target=100, levels=[1010, 1030, 1020], requests=MIXED,
        expect_desired=3, expect_conditions=ok_with(("AbleToScale", T, "ReadyForNewScale"))))

    out += function_cases()
    return out


# ---------------------------------------------------------------------------------------
# Tests of the normalization helpers (TestConvertDesiredReplicasWithRules,
# TestNormalizeDesiredReplicas, TestScalingWithRules, TestNormalizeDesiredReplicasWithBehavior,
# TestStoreScaleEvents). Each case's prenormalized desired count N comes from an External
# metric with an AverageValue target of 1 reporting N (replicas = ceil(N / 1)); with the
# controller's tolerance at 0 the calculator returns exactly N. The helper's currentReplicas
# is the scale's, its min/max the HPA's, its stored recommendations and scale events the
# Snapshot's history.


def fn(test, case, *, current, desired, min_r=1, max_r=1000, up=None, down=None,
       behavior=False, recommendations=None, up_events=(), down_events=(), window="5m",
       expect_desired, expect_limited=None, expect_recommendations=None,
       expect_up_events=None, expect_down_events=None):
    b = None
    if behavior or up is not None or down is not None:
        b = {}
        if up is not None:
            b["scaleUp"] = up
        if down is not None:
            b["scaleDown"] = down
    snap = {
        "controller": controller(window=window, tolerance=0),
        "hpa": hpa(min_r, max_r, current, [external_spec("AverageValue", "1", None)],
                   behavior=b),
        "scale": scale("test-rc", current, current),
        "externalMetrics": [external_value(str(desired), at(0))],
    }
    if recommendations is None:
        recs = placeholder_history(current)["recommendations"]
    else:
        recs = [{"timestamp": at(ago), "replicas": r} for r, ago in recommendations]
    snap["history"] = {"recommendations": recs, "scaleUpEvents": list(up_events),
                       "scaleDownEvents": list(down_events)}
    expected = {"desiredReplicas": expect_desired}
    compare = ["desiredReplicas"]
    if expect_limited is not None:
        expected["status"] = {"conditions": [{"type": "ScalingLimited",
                                              "reason": expect_limited}]}
        compare.append("status.conditions[ScalingLimited]")
    history = {}
    if expect_recommendations is not None:
        history["recommendations"] = expect_recommendations
        compare.append("history.recommendations")
    if expect_up_events is not None:
        history["scaleUpEvents"] = [{"replicaChange": c} for c in expect_up_events]
        compare.append("history.scaleUpEvents")
    if expect_down_events is not None:
        history["scaleDownEvents"] = [{"replicaChange": c} for c in expect_down_events]
        compare.append("history.scaleDownEvents")
    if history:
        expected["history"] = history
    name = f"hc-{test}-{slug(case)}"
    source = source_of(HC_SOURCE, test, case)
    return vector(name, source, snap, expected, compare)


def generous_rules(window):
    """Policies that let any change through, so only stabilization shapes the result."""
    return {"scaleUp": rules([("Pods", 1000, 60), ("Percent", 1000, 60)], window[0]),
            "scaleDown": rules([("Percent", 100, 60)], window[1])}


def function_cases():
    out = []
    t = "TestConvertDesiredReplicasWithRules"
    out += [
        fn(t, "prenormalized desired replicas within range", current=5, desired=7, min_r=3,
           max_r=8, expect_desired=7, expect_limited="DesiredWithinRange"),
        fn(t, "prenormalized desired replicas < minReplicas", current=3, desired=1, min_r=2,
           max_r=8, expect_desired=2, expect_limited="TooFewReplicas"),
        # calculateScaleUpLimit(3) = max(2 * 3, 4) with the controller's scale-up factor 2
        # (the test binary raises the factor to 8 in init()).
        fn(t, "scaleUpLimit is the limit because scaleUpLimit < maxReplicas", current=3,
           desired=1000, min_r=1, max_r=2000, expect_desired=6, expect_limited="ScaleUpLimit"),
    ]

    t = "TestNormalizeDesiredReplicas"
    for case, recs, desired, stabilized, log_len in (
            ("empty log", None, 5, 5, 1),
            ("stabilize", [(4, -120), (5, -60)], 3, 5, 3),
            ("no stabilize", [(1, -120), (2, -60)], 3, 3, 3),
            ("no stabilize - old recommendations", [(10, -600), (9, -540)], 3, 3, 2),
            ("stabilize - old recommendations", [(10, -600), (4, -60), (5, -120), (9, -540)],
             3, 5, 4)):
        out.append(fn(t, case, current=10, desired=desired, recommendations=recs,
                      expect_desired=stabilized, expect_recommendations=[{}] * log_len))

    t = "TestScalingWithRules"
    g = generate_scaling_rules
    ev = events_uniform
    for c in (
            dict(name="prenormalized desired replicas within range", current=5, desired=7,
                 min_r=3, max_r=8, exp=7, cond="DesiredWithinRange"),
            dict(name="prenormalized desired replicas < minReplicas", current=3, desired=1,
                 min_r=2, max_r=8, exp=2, cond="TooFewReplicas"),
            dict(name="desired replica count is more than the maximum replica count",
                 current=100, desired=1000, min_r=100, max_r=150, exp=150,
                 cond="TooManyReplicas"),
            dict(name="scaleUpLimit is the limit because scaleUpLimit < maxReplicas with user policies",
                 current=3, desired=1000, min_r=1, max_r=2000, up=g(0, 0, 1, 60, 0), exp=4,
                 cond="ScaleUpLimit"),
            dict(name="scaleUp with default behavior", current=10, desired=50, exp=20,
                 cond="ScaleUpLimit"),
            dict(name="scaleUp with pods policy larger than percent policy", current=10,
                 desired=500, up=g(100, 60, 100, 60, 0), exp=110, cond="ScaleUpLimit"),
            dict(name="scaleUp with percent policy larger than pods policy", current=10,
                 desired=500, up=g(2, 60, 100, 60, 0), exp=20, cond="ScaleUpLimit"),
            dict(name="scaleUp with spec MaxReplicas limitation with large pod policy",
                 current=10, desired=50, up=g(100, 60, 0, 0, 0), exp=50,
                 cond="DesiredWithinRange"),
            dict(name="scaleUp with spec MaxReplicas limitation with large percent policy",
                 current=10, desired=50, up=g(10000, 60, 0, 0, 0), exp=50,
                 cond="DesiredWithinRange"),
            dict(name="scaleUp with pod policy limitation", current=10, desired=50,
                 up=g(30, 60, 0, 0, 0), exp=40, cond="ScaleUpLimit"),
            dict(name="scaleUp with percent policy limitation", current=10, desired=50,
                 up=g(0, 0, 200, 60, 0), exp=30, cond="ScaleUpLimit"),
            dict(name="scaleDown with percent policy larger than pod policy", current=100,
                 desired=2, down=g(20, 60, 1, 60, 300), exp=80, cond="ScaleDownLimit"),
            dict(name="scaleDown with pod policy larger than percent policy", current=100,
                 desired=2, down=g(2, 60, 1, 60, 300), exp=98, cond="ScaleDownLimit"),
            dict(name="scaleDown with spec MinReplicas limitation with large pod policy",
                 current=10, desired=0, down=g(100, 60, 0, 0, 300), exp=1,
                 cond="TooFewReplicas"),
            dict(name="scaleDown with spec MinReplicas limitation with large percent policy",
                 current=10, desired=2, min_r=5, down=g(0, 0, 100, 60, 300), exp=5,
                 cond="TooFewReplicas"),
            dict(name="scaleDown with pod policy limitation", current=10, desired=2,
                 down=g(5, 60, 0, 0, 300), exp=5, cond="ScaleDownLimit"),
            dict(name="scaleDown with percent policy limitation", current=10, desired=5,
                 down=g(0, 0, 50, 60, 300), exp=5, cond="DesiredWithinRange"),
            dict(name="scaleUp with spec MaxReplicas limitation with large pod policy and events",
                 up_events=ev([1, 5, 9], 120), max_r=200, current=100, desired=500,
                 up=g(300, 60, 0, 0, 0), exp=200, cond="TooManyReplicas"),
            dict(name="scaleUp with spec MaxReplicas limitation with large percent policy and events",
                 up_events=ev([1, 5, 9], 120), max_r=200, current=100, desired=500,
                 up=g(0, 0, 10000, 60, 0), exp=200, cond="TooManyReplicas"),
            dict(name="scaleUp with currentReplicas limitation with rate.PeriodSeconds with a lot of recent scale up events",
                 up_events=ev([1, 5, 9], 120), current=100, desired=500,
                 up=g(5, 120, 0, 0, 0), exp=100, cond="ScaleUpLimit"),
            dict(name="scaleUp with pod policy and previous scale up events",
                 up_events=ev([1, 5, 9], 120), current=100, desired=500,
                 up=g(150, 120, 0, 0, 0), exp=235, cond="ScaleUpLimit"),
            dict(name="scaleUp with percent policy and previous scale up events",
                 up_events=ev([1, 5, 9], 120), current=100, desired=500,
                 up=g(0, 0, 200, 120, 0), exp=255, cond="ScaleUpLimit"),
            dict(name="scaleUp with percent policy and previous scale up and down events",
                 up_events=ev([4], 120), down_events=ev([2], 120), current=6, desired=24,
                 up=g(0, 0, 300, 300, 0), exp=16, cond="ScaleUpLimit"),
            dict(name="scaleDown with default policy and previous events",
                 down_events=ev([1, 5, 9], 120), current=10, desired=5, exp=5,
                 cond="DesiredWithinRange"),
            dict(name="scaleDown with spec MinReplicas=nil limitation with large pod policy and previous events",
                 down_events=ev([1, 5, 9], 120), current=100, desired=0,
                 down=g(115, 120, 0, 0, 300), exp=1, cond="TooFewReplicas"),
            dict(name="scaleDown with spec MinReplicas limitation with large pod policy and previous events",
                 down_events=ev([1, 5, 9], 120), min_r=5, current=100, desired=0,
                 down=g(130, 120, 0, 0, 300), exp=5, cond="TooFewReplicas"),
            dict(name="scaleDown with spec MinReplicas limitation with large percent policy and previous events",
                 down_events=ev([1, 5, 9], 120), min_r=5, current=100, desired=2,
                 down=g(0, 0, 100, 120, 300), exp=5, cond="TooFewReplicas"),
            dict(name="scaleDown with pod policy limitation and previous events",
                 down_events=ev([1, 5, 9], 120), current=100, desired=2,
                 down=g(5, 120, 0, 0, 300), exp=100, cond="ScaleDownLimit"),
            dict(name="scaleDown with percent policy limitation and previous events",
                 down_events=ev([2, 4, 6], 120), current=100, desired=0,
                 down=g(0, 0, 50, 120, 300), exp=56, cond="ScaleDownLimit"),
            dict(name="scaleDown with percent policy and previous scale up and down events",
                 up_events=ev([2], 120), down_events=ev([4], 120), current=10, desired=1,
                 down=g(0, 0, 50, 180, 0), exp=6, cond="ScaleDownLimit"),
            dict(name="scaleDown with previous events preventing further scale down",
                 down_events=ev([10, 10, 10], 120), current=100, desired=0,
                 down=g(0, 0, 10, 120, 300), exp=100, cond="ScaleDownLimit"),
            dict(name="scaleDown with with previous events still allowing more scale down",
                 down_events=ev([10, 10, 10], 120), current=10, desired=5,
                 down=g(0, 0, 1000, 120, 300), exp=5, cond="DesiredWithinRange"),
            dict(name="check 'outdated' flag for events for one behavior for up",
                 up_events=ev([8, 12, 9, 11], 120), current=100, desired=200,
                 up=g(1000, 60, 0, 0, 0), exp=200, cond="DesiredWithinRange"),
            dict(name="check that events were not marked 'outdated' for two different policies in the behavior for up",
                 up_events=ev([8, 12, 9, 11], 120), current=100, desired=200,
                 up=g(1000, 120, 100, 60, 0), exp=200, cond="DesiredWithinRange"),
            dict(name="check that events were marked 'outdated' for two different policies in the behavior for up",
                 up_events=ev([8, 12, 9, 11], 120), current=100, desired=200,
                 up=g(1000, 30, 100, 60, 0), exp=200, cond="DesiredWithinRange"),
            dict(name="check 'outdated' flag for events for one behavior for down",
                 down_events=ev([8, 12, 9, 11], 120), current=100, desired=5,
                 down=g(1000, 60, 0, 0, 300), exp=5, cond="DesiredWithinRange"),
            dict(name="check that events were not marked 'outdated' for two different policies in the behavior for down",
                 down_events=ev([8, 12, 9, 11], 120), current=100, desired=5,
                 down=g(1000, 120, 100, 60, 300), exp=5, cond="DesiredWithinRange"),
            dict(name="check that events were marked 'outdated' for two different policies in the behavior for down",
                 down_events=ev([8, 12, 9, 11], 120), current=100, desired=5,
                 down=g(1000, 30, 100, 60, 300), exp=5, cond="DesiredWithinRange"),
    ):
        out.append(fn(t, c["name"], current=c["current"], desired=c["desired"],
                      min_r=c.get("min_r", 1), max_r=c.get("max_r", 1000), up=c.get("up"),
                      down=c.get("down"), behavior=True, up_events=c.get("up_events", ()),
                      down_events=c.get("down_events", ()), expect_desired=c["exp"],
                      expect_limited=c["cond"]))

    t = "TestNormalizeDesiredReplicasWithBehavior"
    for c in (
            dict(name="empty recommendations for scaling down", recs=None, current=100,
                 desired=5, exp=5, exp_recs=[5]),
            dict(name="simple scale down stabilization", recs=[(4, -120), (5, -60)],
                 current=100, desired=3, exp=5, exp_recs=[4, 5, 3], down=180),
            dict(name="simple scale up stabilization", recs=[(4, -120), (5, -60)], current=1,
                 desired=7, exp=4, exp_recs=[4, 5, 7], up=300),
            dict(name="no scale down stabilization", recs=[(1, -120), (2, -60)], current=100,
                 desired=3, exp=3, exp_recs=[1, 2, 3], up=300),
            dict(name="no scale up stabilization", recs=[(4, -120), (5, -60)], current=1,
                 desired=3, exp=3, exp_recs=[4, 5, 3], down=300),
            dict(name="no scale down stabilization, reuse recommendation element",
                 recs=[(10, -600), (9, -540)], current=100, desired=3, exp=3,
                 exp_recs=[10, 3]),
            dict(name="no scale up stabilization, reuse recommendation element",
                 recs=[(10, -600), (9, -540)], current=1, desired=100, exp=100,
                 exp_recs=[10, 100]),
            dict(name="scale down stabilization, reuse one of obsolete recommendation element",
                 recs=[(10, -600), (4, -60), (5, -120), (9, -540)], current=100, desired=3,
                 exp=5, exp_recs=[10, 4, 5, 3], down=180),
            dict(name="scale up stabilization, reuse one of obsolete recommendation element",
                 recs=[(10, -6000), (6, -60), (5, -120), (9, -180)], current=1, desired=100,
                 exp=5, exp_recs=[100, 6, 5, 9], up=300),
            dict(name="scale up and down stabilization, do not scale up when prenormalized rec goes down",
                 recs=[(2, -6000), (3, -180)], current=2, desired=1, exp=2, exp_recs=None,
                 up=300, down=300),
            dict(name="scale up and down stabilization, do not scale down when prenormalized rec goes up",
                 recs=[(2, -6000), (1, -180)], current=2, desired=3, exp=2, exp_recs=None,
                 up=300, down=300),
    ):
        b = generous_rules((c.get("up", 0), c.get("down", 0)))
        exp_recs = None
        if c["exp_recs"] is not None:
            exp_recs = [{"replicas": r} for r in c["exp_recs"]]
        out.append(fn(t, c["name"], current=c["current"], desired=c["desired"],
                      up=b["scaleUp"], down=b["scaleDown"], recommendations=c["recs"],
                      expect_desired=c["exp"], expect_recommendations=exp_recs))

    # TestStoreScaleEvents: storeScaleEvent after a change of +5 (scaling up from 10, the
    # behavior holding only ScaleUp rules) and of -5 (down). Each direction is a sync from
    # 10 to 15 or 5 with the case's stored events; only the directions whose rules let
    # that whole change through are transcribed (README.md).
    t = "TestStoreScaleEvents"
    rule_a = generate_scaling_rules(10, 60, 100, 60, 0)
    for c in (
            dict(name="empty entries with default behavior", rules=None, prev=[],
                 new=[], up=True, down=True),
            dict(name="empty entries with two-policy-behavior", rules=rule_a, prev=[],
                 new=[5], up=True, down=True),
            dict(name="one outdated entry to be kept untouched without behavior", rules=None,
                 prev=[(7, -61)], new=[7], up=True, down=True),
            dict(name="one outdated entry to be replaced with behavior", rules=rule_a,
                 prev=[(7, -61)], new=[5], up=True, down=True),
            dict(name="one actual entry to be not touched with behavior", rules=rule_a,
                 prev=[(7, -58)], new=[7, 5], up=False, down=True),
            dict(name="two entries, one of them to be replaced",
                 rules=generate_scaling_rules(10, 60, 0, 0, 0), prev=[(7, -61), (6, -59)],
                 new=[5, 6], up=False, down=False),
            dict(name="replace one entry, use policies with different periods",
                 rules=generate_scaling_rules(10, 60, 100, 30, 0),
                 prev=[(8, -29), (6, -59), (7, -61), (9, -61)], new=[8, 6, 7, 5], up=False,
                 down=True),
            dict(name="two entries, both actual",
                 rules=generate_scaling_rules(10, 120, 100, 30, 0), prev=[(7, -58), (6, -59)],
                 new=[7, 6, 5], up=True, down=True),
    ):
        prev = [{"timestamp": at(ago), "replicaChange": ch} for ch, ago in c["prev"]]
        for direction in ("up", "down"):
            if not c[direction]:
                continue
            kw = {}
            if c["rules"] is not None:
                kw["up" if direction == "up" else "down"] = c["rules"]
            if direction == "up":
                kw.update(up_events=prev, expect_up_events=c["new"])
            else:
                kw.update(down_events=prev, expect_down_events=c["new"])
            out.append(fn(t, f'{c["name"]} ({direction})', current=10,
                          desired=15 if direction == "up" else 5, expect_desired=15
                          if direction == "up" else 5, **kw))
    return out


def main():
    vectors = rc_cases() + hc_cases()
    names = [n for n, _ in vectors]
    dupes = {n for n in names if names.count(n) > 1}
    if dupes:
        raise SystemExit(f"duplicate vector names: {sorted(dupes)}")
    unknown = DISAGREEMENTS - set(names)
    if unknown:
        raise SystemExit(f"DISAGREEMENTS names no vector: {sorted(unknown)}")
    DISAGREEMENTS_DIR.mkdir(exist_ok=True)
    for d in (HERE, DISAGREEMENTS_DIR):
        for old in d.glob("*.json"):
            if old.name.startswith(("rc-", "hc-")):
                old.unlink()
    for name, v in vectors:
        d = DISAGREEMENTS_DIR if name in DISAGREEMENTS else HERE
        (d / f"{name}.json").write_text(json.dumps(v, indent=2) + "\n")
    print(f"{len(vectors)} vectors ({len(DISAGREEMENTS)} in disagreements/)")


if __name__ == "__main__":
    main()

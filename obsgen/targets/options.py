"""Settings the delivery targets share; defaults follow the most common installs."""

from __future__ import annotations

from dataclasses import dataclass

# kube-prometheus' Prometheus selects PrometheusRules with these labels (its `ruleSelector`);
# kube-prometheus-stack selects `release: <helm release>` instead: pass --rule-label release=NAME.
DEFAULT_RULE_LABELS: tuple[tuple[str, str], ...] = (("prometheus", "k8s"), ("role", "alert-rules"))
# The Grafana sidecar (kiwigrid/k8s-sidecar, as in the Grafana and kube-prometheus-stack charts)
# watches ConfigMaps carrying this label.
DASHBOARD_LABEL = ("grafana_dashboard", "1")
# Annotation the sidecar reads for the target folder when `folderAnnotation: grafana_folder` is set.
DASHBOARD_FOLDER_ANNOTATION = "grafana_folder"
DEFAULT_NAMESPACE = "monitoring"
THANOS_PARTIAL_RESPONSE = "abort"


@dataclass(frozen=True)
class TargetOptions:
    namespace: str = DEFAULT_NAMESPACE
    rule_labels: tuple[tuple[str, str], ...] = DEFAULT_RULE_LABELS
    # Thanos' own default; "warn" lets rules evaluate on partial data (a StoreAPI down).
    thanos_partial_response: str = THANOS_PARTIAL_RESPONSE


def as_record(targets: tuple[str, ...], options: TargetOptions) -> dict:
    """How an output was delivered, as the publish manifest records it (for `build --check`)."""
    return {"targets": sorted(set(targets)), "namespace": options.namespace,
            "rule_labels": [list(label) for label in options.rule_labels],
            "thanos_partial_response": options.thanos_partial_response}


def from_record(record: dict) -> tuple[tuple[str, ...], TargetOptions]:
    """The targets and options as_record() wrote; KeyError/TypeError/ValueError when it is not one."""
    options = TargetOptions(namespace=str(record["namespace"]),
                            rule_labels=tuple((str(k), str(v)) for k, v in record["rule_labels"]),
                            thanos_partial_response=str(record["thanos_partial_response"]))
    return tuple(str(t) for t in record["targets"]), options

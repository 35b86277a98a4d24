"""`obsgen build` options that choose and configure delivery targets."""

from __future__ import annotations

import functools
from typing import Callable

import click

from obsgen.targets import TARGETS
from obsgen.targets.options import DEFAULT_NAMESPACE, DEFAULT_RULE_LABELS, TargetOptions


def _label(value: str) -> tuple[str, str]:
    key, sep, label_value = value.partition("=")
    if not sep or not key:
        raise click.BadParameter(f"{value!r}: expected KEY=VALUE")
    return key, label_value


def _given(parameter: str) -> bool:
    source = click.get_current_context().get_parameter_source(parameter)
    return source not in (None, click.core.ParameterSource.DEFAULT)


def target_options(command: Callable) -> Callable:
    """Adds --target/--namespace/--rule-label and hands the command `targets` and `target_options`
    (None when not given on the command line)."""

    @click.option("--target", "targets", multiple=True, type=click.Choice(sorted(TARGETS)),
                  help="Delivery format, repeatable; written under OUT/<journey>/targets/<target>/. "
                       "Default: prometheus (the plain rule files only).")
    @click.option("--namespace", default=DEFAULT_NAMESPACE, show_default=True,
                  help="Kubernetes namespace of PrometheusRule/ConfigMap objects (prometheus-operator).")
    @click.option("--rule-label", "rule_labels", multiple=True, metavar="KEY=VALUE",
                  help="Label the Prometheus ruleSelector matches, repeatable; replaces the default "
                       + ", ".join(f"{k}={v}" for k, v in DEFAULT_RULE_LABELS) + " (prometheus-operator).")
    @functools.wraps(command)
    def wrapper(*args, targets: tuple[str, ...], namespace: str, rule_labels: tuple[str, ...], **kwargs):
        # None for what the command line leaves out: `build --check` then uses what the output records.
        options = None
        if _given("namespace") or rule_labels:
            options = TargetOptions(namespace=namespace,
                                    rule_labels=tuple(sorted(_label(v) for v in rule_labels)) or DEFAULT_RULE_LABELS)
        return command(*args, targets=targets or None, target_options=options, **kwargs)

    return wrapper

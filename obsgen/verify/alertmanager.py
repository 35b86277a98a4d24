"""Is Alertmanager running the generated receivers and inhibit rules, and does Prometheus send to it?"""

from __future__ import annotations

from urllib.parse import urlsplit

import yaml

from obsgen.clients.alertmanager import AlertmanagerApi
from obsgen.clients.http import ApiError
from obsgen.clients.prometheus import PrometheusApi


def _rule_key(rule: dict) -> tuple:
    # Alertmanager re-serialises its config with matchers sorted; compare as sets.
    return (frozenset(rule.get("source_matchers") or ()), frozenset(rule.get("target_matchers") or ()),
            frozenset(rule.get("equal") or ()))


def config_problems(generated: dict, loaded: dict) -> list[str]:
    problems = []
    have_receivers = {r.get("name") for r in loaded.get("receivers") or []}
    for receiver in generated.get("receivers") or []:
        if receiver["name"] not in have_receivers:
            problems.append(f"receiver {receiver['name']} is not in the running config")
    have_rules = {_rule_key(r) for r in loaded.get("inhibit_rules") or []}
    for rule in generated.get("inhibit_rules") or []:
        if _rule_key(rule) not in have_rules:
            sources = ", ".join(rule.get("source_matchers") or ())
            problems.append(f"inhibit rule for {sources} is missing or differs in the running config")
    return problems


def _host_port(url: str) -> tuple[str, int | None]:
    parts = urlsplit(url)
    host = parts.hostname or ""
    return ("127.0.0.1" if host == "localhost" else host), parts.port


def check_alertmanager(prometheus: PrometheusApi, alertmanager_url: str, generated: dict | None) -> list[str]:
    problems = []
    api = AlertmanagerApi(alertmanager_url)
    try:
        status = api.status()
    except ApiError as error:
        return [str(error)]
    loaded = yaml.safe_load(((status or {}).get("config") or {}).get("original") or "") or {}
    if generated is None:
        problems.append("the build produced no Alertmanager config to compare with")
    else:
        problems += config_problems(generated, loaded)
    try:
        active = prometheus.alertmanagers()
    except ApiError as error:
        return problems + [str(error)]
    if _host_port(alertmanager_url) not in {_host_port(a["url"]) for a in active}:
        urls = ", ".join(a["url"] for a in active) or "none"
        problems.append(f"Prometheus does not send alerts to {alertmanager_url} (its Alertmanagers: {urls})")
    return problems

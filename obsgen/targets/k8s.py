"""Kubernetes object-metadata rules the API server enforces, checked before anything is applied."""

from __future__ import annotations

import re

_DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_QUALIFIED_NAME = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")
_CONFIGMAP_KEY = re.compile(r"^[-._a-zA-Z0-9]+$")

# etcd's object limit, which the API server enforces on ConfigMap data.
CONFIGMAP_MAX_BYTES = 1024 * 1024


def resource_name(*parts: str) -> str:
    """Journey names may hold '_', which Kubernetes names may not."""
    return "-".join(parts).replace("_", "-").lower()[:253].rstrip("-.")


def name_problems(name: object) -> list[str]:
    if not isinstance(name, str) or len(name) > 253 or not _DNS_SUBDOMAIN.match(name):
        return [f"metadata.name {name!r} is not a DNS-1123 subdomain"]
    return []


def namespace_problems(namespace: object) -> list[str]:
    if not isinstance(namespace, str) or len(namespace) > 63 or not _DNS_LABEL.match(namespace):
        return [f"metadata.namespace {namespace!r} is not a DNS-1123 label"]
    return []


def label_key_problems(key: str) -> list[str]:
    prefix, _, name = key.rpartition("/")
    problems = []
    if prefix and (len(prefix) > 253 or not _DNS_SUBDOMAIN.match(prefix)):
        problems.append(f"label key {key!r}: prefix is not a DNS-1123 subdomain")
    if len(name) > 63 or not _QUALIFIED_NAME.match(name):
        problems.append(f"label key {key!r}: name part is not a qualified name")
    return problems


def labels_problems(labels: object) -> list[str]:
    if labels is None:
        return []
    if not isinstance(labels, dict):
        return ["metadata.labels is not a map"]
    problems = []
    for key, value in labels.items():
        problems.extend(label_key_problems(str(key)))
        if not isinstance(value, str):
            problems.append(f"label {key!r}: value {value!r} is not a string (quote it)")
        elif value and (len(value) > 63 or not _QUALIFIED_NAME.match(value)):
            problems.append(f"label {key!r}: value {value!r} is not a valid label value")
    return problems


def configmap_key_problems(key: str) -> list[str]:
    if len(key) > 253 or not _CONFIGMAP_KEY.match(key):
        return [f"data key {key!r} is not a valid ConfigMap key"]
    return []

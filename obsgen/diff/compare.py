"""`obsgen diff`'s work: build a spec as it was built into a directory, and compare with that directory
or with a Grafana."""

from __future__ import annotations

from pathlib import Path

from obsgen.artifacts.built import from_artifacts
from obsgen.artifacts.layout import OUT_DIR
from obsgen.build.load import load_in_fleet
from obsgen.build.pipeline import emit_all
from obsgen.clients.grafana import GrafanaClient, token_from_environment
from obsgen.diff.report import DiffReport, diff_inputs
from obsgen.diff.sources import from_built_directory, from_grafana


def diff_spec(spec: Path, against: Path | None, grafana_url: str | None) -> DiffReport:
    """How a fresh build of `spec` differs from the built output `against` (default generated/), or
    from the dashboards in the Grafana at `grafana_url`. FileNotFoundError when `against` holds no build."""
    directory = against if against is not None else Path(OUT_DIR)
    # Build the spec as `obsgen build --out <out_dir>` did: named the same (headers and dashboard
    # texts quote it) and with the journeys it was built together with.
    out_dir = directory.parent if (directory / "prometheus").is_dir() else directory
    journey = load_in_fleet(spec, out_dir)
    new = from_artifacts(emit_all(journey))
    if grafana_url is not None:
        client = GrafanaClient(grafana_url, token_from_environment())
        return diff_inputs(from_grafana(client, new), new, old_label=client.base_url, compare_rules=False)
    return diff_inputs(from_built_directory(directory, journey), new, old_label=str(directory))

"""The impact of a dependency failure as text a person reads in a terminal during an incident."""

from __future__ import annotations

from obsgen.artifacts.impact.compute import AlertRef, DependencyImpact, ImpactMap


def _alert_line(ref: AlertRef) -> str:
    return f"{ref.alert} ({'/'.join(ref.severities)}, {ref.kind}): {ref.reason}"


def _stage_line(impact: DependencyImpact) -> list[str]:
    lines = []
    for stage in impact.stages:
        how = "directly" if stage.direct else "through " + ", ".join(stage.via)
        lines.append(f"    {stage.name} ({stage.title}, feature {stage.feature}): {how}")
    return lines or ["    none"]


def _list(items: list[str]) -> list[str]:
    return [f"    {item}" for item in items] or ["    none"]


def impact_text(impact: DependencyImpact) -> str:
    lines = [f"{impact.title} ({impact.dependency}, {impact.kind}) fails:"]
    if impact.depends_on:
        lines.append(f"  needs: {', '.join(impact.depends_on)}")
    lines.append(f"  also down: {', '.join(impact.also_down) or 'none'}")
    lines.append("  stages it takes down:")
    lines += _stage_line(impact)
    lines.append(f"  features: {', '.join(impact.features) or 'none'}")
    lines.append("  SLOs that burn:")
    lines += _list([f"{s.name} ({s.title}): {s.reason}" for s in impact.slos])
    lines.append("  alerts:")
    lines.append(f"    cause (pages): {_alert_line(impact.cause)}")
    lines.append("    symptoms of the same cause (inhibited while the cause fires):")
    lines += [f"  {line}" for line in _list([_alert_line(a) for a in impact.symptoms])]
    lines.append("  business metrics that drop:")
    lines += _list([f"{m.name} ({m.title}, stage {m.stage})" for m in impact.business])
    return "\n".join(lines) + "\n"


def map_text(impacts: ImpactMap, only: str | None = None) -> str:
    chosen = [i for i in impacts.impacts if only is None or i.dependency == only]
    return "\n".join(impact_text(i) for i in chosen)

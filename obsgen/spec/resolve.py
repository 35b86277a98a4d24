"""Turn a structurally valid spec into the typed model, checking what a schema cannot:
references between sections, duplicates, cycles, and thresholds against histogram buckets.
Every problem is collected with its position; nothing is resolved from a broken spec.
"""

from __future__ import annotations

import hashlib

from obsgen.errors import Diagnostic
from obsgen.model import (BurnRate, BusinessMetric, Dependency, ErrorRateAlert, Health, Histogram, Journey,
                          LatencyAlert, Location, RunbookHints, Saturation, Slo, Stage)
from obsgen.naming import camel, down_alert_name, saturation_alert_names
from obsgen.promql import Matcher, Selector, format_number, parse_duration
from obsgen.spec import format as fmt
from obsgen.spec.positions import PositionedDocument
from obsgen.spec.profiles import DEFAULT_BURN_RATES, HEALTH_PROFILES, STAGE_PROFILES


def matchers(match: fmt.Match) -> tuple[Matcher, ...]:
    result = []
    for label, value in match.items():
        if isinstance(value, str):
            result.append(Matcher(label, "=", value))
        elif isinstance(value, fmt.RegexMatch):
            result.append(Matcher(label, "=~", value.regex))
        elif isinstance(value, fmt.NotEqual):
            result.append(Matcher(label, "!=", value.not_))
        else:
            result.append(Matcher(label, "!~", value.not_regex))
    return tuple(result)


def saturation_list(dep: fmt.Dependency) -> list[fmt.SaturationSignal]:
    """`saturation:` is one signal or a list of them."""
    if dep.saturation is None:
        return []
    return list(dep.saturation) if isinstance(dep.saturation, list) else [dep.saturation]


def runbook_hints(hints: fmt.RunbookHints | None) -> RunbookHints | None:
    if hints is None:
        return None
    return RunbookHints(logs=hints.logs, traces=hints.traces, dashboards=tuple(hints.dashboards),
                        commands=tuple(hints.commands), notes=hints.notes)


def dashboard_uid(journey: str) -> str:
    """Grafana uids are at most 40 characters; long names keep a hash so two never collide."""
    uid = f"obsgen-{journey}"
    if len(uid) <= 40:
        return uid
    return f"{uid[:31]}-{hashlib.sha256(journey.encode()).hexdigest()[:8]}"


class Resolver:
    def __init__(self, doc: fmt.JourneyDocument, positions: PositionedDocument, source: str, sha256: str):
        self.doc = doc
        self.spec = doc.spec
        self.positions = positions
        self.source = source
        self.sha256 = sha256
        self.problems: list[Diagnostic] = []

    def error(self, path: tuple, message: str) -> None:
        self.problems.append(self.positions.diagnostic(path, message))

    # -- checks -------------------------------------------------------------------------
    def check(self) -> list[Diagnostic]:
        self._check_unique("stages", [s.name for s in self.spec.stages])
        self._check_unique("slos", [s.name for s in self.spec.slos])
        self._check_unique("dependencies", [d.name for d in self.spec.dependencies])
        self._check_unique("business", [b.name for b in self.spec.business])
        for i, stage in enumerate(self.spec.stages):
            self._check_stage(i, stage)
        for i, slo in enumerate(self.spec.slos):
            self._check_slo(i, slo)
        for i, dep in enumerate(self.spec.dependencies):
            self._check_dependency(i, dep)
        self._check_dependency_cycles()
        for i, metric in enumerate(self.spec.business):
            if metric.stage is not None:
                self._check_stage_ref(("spec", "business", i, "stage"), metric.stage)
        return self.problems

    def _stage_names(self) -> list[str]:
        return [s.name for s in self.spec.stages]

    def _check_unique(self, section: str, names: list[str]) -> None:
        seen: dict[str, int] = {}
        for i, name in enumerate(names):
            if name in seen:
                self.error(("spec", section, i, "name"),
                           f"duplicate {section} name {name!r} (first used at spec.{section}[{seen[name]}])")
            seen.setdefault(name, i)

    def _check_stage_ref(self, path: tuple, name: str) -> None:
        if name not in self._stage_names():
            self.error(path, f"unknown stage {name!r}; stages are: {', '.join(self._stage_names())}")

    def _check_stage(self, i: int, stage: fmt.Stage) -> None:
        path = ("spec", "stages", i)
        if stage.profile is None and (stage.requests is None or stage.requests.metric is None or stage.errors is None):
            self.error(path + ("name",), f"stage {stage.name!r} needs a profile, or both requests (with a metric) and errors")
        if stage.profile is None and stage.kind is None:
            self.error(path + ("name",), f"stage {stage.name!r} needs a kind when it has no profile")
        has_latency = stage.profile is not None or (stage.latency is not None and stage.latency.histogram)
        if stage.alerts.latency is not None and not has_latency:
            self.error(path + ("alerts", "latency"), f"stage {stage.name!r} has a latency alert but no latency histogram")
        if stage.alerts.latency is not None and stage.latency and stage.latency.buckets:
            self._check_bucket(path + ("alerts", "latency", "threshold"), stage.alerts.latency.threshold, stage.latency.buckets)

    def _check_bucket(self, path: tuple, threshold: str, buckets: list[float]) -> None:
        seconds = parse_duration(threshold)
        if not any(abs(seconds - b) < 1e-9 for b in buckets):
            self.error(path, f"threshold {threshold} ({format_number(seconds)}s) is not a bucket bound of the histogram "
                             f"({', '.join(format_number(b) for b in buckets)}); the SLI could not be computed exactly")

    def _check_slo(self, i: int, slo: fmt.Slo) -> None:
        path = ("spec", "slos", i)
        for j, name in enumerate(slo.stages):
            self._check_stage_ref(path + ("stages", j), name)
        if slo.type == "journey-time":
            if slo.stages:
                self.error(path + ("stages",), "a journey-time SLO measures spec.journeyTime; it takes no stages")
            if self.spec.journey_time is None:
                self.error(path + ("type",), "a journey-time SLO needs spec.journeyTime (the end-to-end histogram)")
        elif not slo.stages:
            self.error(path + ("name",), f"SLO {slo.name!r} needs at least one stage")
        if slo.type == "availability" and slo.threshold is not None:
            self.error(path + ("threshold",), "an availability SLO takes no latency threshold")
        if slo.type != "availability":
            if slo.threshold is None:
                self.error(path + ("name",), f"{slo.type} SLO {slo.name!r} needs a threshold (e.g. 500ms)")
            else:
                self._check_latency_slo(path, slo)
        window = parse_duration(slo.window or self.spec.slo_window)
        budget = 1 - slo.objective / 100
        factors = [b.factor for b in slo.alerting.burn_rates or []] or [f for _, f, _, _ in DEFAULT_BURN_RATES]
        if slo.alerting.enabled and max(factors) * budget >= 1:
            self.error(path + ("objective",),
                       f"with an error budget of {format_number(budget * 100)}%, a burn rate of {format_number(max(factors))}x "
                       f"needs more than 100% errors, so that alert could never fire; raise the objective or set "
                       f"alerting.burnRates")
        for j, burn in enumerate(slo.alerting.burn_rates or []):
            bpath = path + ("alerting", "burnRates", j)
            if parse_duration(burn.short) >= parse_duration(burn.long):
                self.error(bpath + ("short",), f"short window {burn.short} must be shorter than long window {burn.long}")
            if parse_duration(burn.long) > window:
                self.error(bpath + ("long",), f"long window {burn.long} is longer than the SLO window")

    def _check_latency_slo(self, path: tuple, slo: fmt.Slo) -> None:
        if slo.type == "journey-time":
            if self.spec.journey_time and self.spec.journey_time.buckets:
                self._check_bucket(path + ("threshold",), slo.threshold, self.spec.journey_time.buckets)
            return
        for name in slo.stages:
            stage = next((s for s in self.spec.stages if s.name == name), None)
            if stage is None:
                continue
            if stage.profile is None and not (stage.latency and stage.latency.histogram):
                self.error(path + ("stages",), f"latency SLO {slo.name!r} uses stage {name!r}, which has no latency histogram")
            elif stage.latency and stage.latency.buckets:
                self._check_bucket(path + ("threshold",), slo.threshold, stage.latency.buckets)

    def _check_dependency(self, i: int, dep: fmt.Dependency) -> None:
        path = ("spec", "dependencies", i)
        for j, name in enumerate(dep.stages):
            self._check_stage_ref(path + ("stages", j), name)
        known = [d.name for d in self.spec.dependencies]
        for j, name in enumerate(dep.depends_on):
            if name not in known:
                self.error(path + ("dependsOn", j), f"unknown dependency {name!r}; dependencies are: {', '.join(known)}")
        self._check_health(path + ("health",), dep)
        for j, sat in enumerate(saturation_list(dep)):
            self._check_saturation(path + (("saturation", j) if isinstance(dep.saturation, list) else ("saturation",)), sat)
        self._check_unique_saturations(path, dep)
        if not dep.stages and not dep.features and not any(dep.name in d.depends_on for d in self.spec.dependencies):
            self.error(path + ("name",), f"dependency {dep.name!r} is used by no stage, feature or other dependency")

    def _check_health(self, path: tuple, dep: fmt.Dependency) -> None:
        health = dep.health
        if health.heartbeat is not None:
            if health.profile or health.metric or health.match or health.below is not None or health.above is not None:
                self.error(path + ("heartbeat",), "a heartbeat is the whole health signal: give it alone, "
                                                  "without profile, metric, match, below or above")
            scrape = parse_duration(self.spec.scrape_interval)
            if parse_duration(health.heartbeat.window) < 2 * scrape:
                self.error(path + ("heartbeat", "window"),
                           f"heartbeat window {health.heartbeat.window} holds fewer than two scrapes (scrapeInterval "
                           f"{self.spec.scrape_interval}), so no change could ever be seen in it")
            return
        if health.profile is None and health.metric is None:
            self.error(path, f"dependency {dep.name!r} has no health signal: give health.profile, health.metric "
                             f"or health.heartbeat")
            return
        if health.below is not None and health.above is not None and health.below >= health.above:
            self.error(path + ("below",), f"health is unhealthy below {format_number(health.below)} and above "
                                          f"{format_number(health.above)}: no value is healthy")
        if (health.below is not None or health.above is not None) and health.metric is None:
            self.error(path + ("below" if health.below is not None else "above",),
                       "a health threshold (below/above) needs the gauge it applies to: give health.metric")
        selector = self._health_selector(dep)
        if selector.metric == "up" and not selector.matchers:
            self.error(path, f"health signal {selector.promql()} has no label matchers: it reads every scrape target "
                             f"of the Prometheus and reports down only when all of them are; select this "
                             f"dependency's targets, e.g. match: {{job: {dep.name}}}")

    def _check_saturation(self, path: tuple, sat: fmt.SaturationSignal) -> None:
        if (sat.metric is None) == (sat.ratio is None):
            self.error(path, f"saturation {sat.name!r} needs exactly one of metric (a gauge) or ratio")
        if sat.ratio is not None and sat.match:
            self.error(path + ("match",), "a ratio's matchers go under ratio.numerator.match and ratio.denominator.match")
        if sat.ratio is not None and sat.predict is not None:
            self.error(path + ("predict",), "predict extrapolates one gauge; a ratio cannot be predicted (drop predict, "
                                            "or predict the numerator as a gauge signal of its own)")

    def _check_unique_saturations(self, path: tuple, dep: fmt.Dependency) -> None:
        names: dict[str, int] = {}
        alerts: dict[str, int] = {}
        for j, sat in enumerate(saturation_list(dep)):
            where = path + (("saturation", j) if isinstance(dep.saturation, list) else ("saturation",))
            if sat.name in names:
                self.error(where + ("name",) if isinstance(dep.saturation, list) else where,
                           f"dependency {dep.name!r} has two saturation signals named {sat.name!r}; "
                           f"give each a name of its own (it names their alerts)")
                continue
            names[sat.name] = j
            for alert in saturation_alert_names(camel(self.doc.metadata.name, dep.name), sat.name, sat.predict is not None):
                if alert and alert in alerts:
                    self.error(where + ("name",), f"saturation {sat.name!r} would raise {alert}, which another "
                                                  f"saturation signal of {dep.name!r} raises too; rename one")
                alerts.setdefault(alert, j)

    def _check_dependency_cycles(self) -> None:
        graph = {d.name: list(d.depends_on) for d in self.spec.dependencies}
        index = {d.name: i for i, d in enumerate(self.spec.dependencies)}
        reported: set[frozenset] = set()

        def visit(name: str, trail: list[str]) -> None:
            if name in trail:
                cycle = trail[trail.index(name):] + [name]
                key = frozenset(cycle)
                if key not in reported:
                    reported.add(key)
                    self.error(("spec", "dependencies", index[cycle[0]], "dependsOn"),
                               f"dependency cycle: {' -> '.join(cycle)}")
                return
            for nxt in graph.get(name, []):
                visit(nxt, trail + [name])

        for name in graph:
            visit(name, [])

    # -- resolution ---------------------------------------------------------------------
    def journey(self) -> Journey:
        meta = self.doc.metadata
        return Journey(
            name=meta.name,
            title=meta.title or camel(meta.name),
            description=meta.description or "",
            service=meta.service,
            team=meta.team,
            labels=tuple(sorted(meta.labels.items())),
            runbook_base_url=meta.runbook_base_url,
            dashboard_base_url=meta.dashboard_base_url,
            trace_ui_url=meta.trace_ui_url,
            trace_service=meta.trace_service or meta.service,
            dashboard_uid=dashboard_uid(meta.name),
            scrape_interval=parse_duration(self.spec.scrape_interval),
            stages=tuple(self._stage(s) for s in self.spec.stages),
            journey_time=self._journey_time(),
            journey_time_title=(self.spec.journey_time.title if self.spec.journey_time and self.spec.journey_time.title
                                else "End-to-end journey time"),
            slos=tuple(self._slo(s) for s in self.spec.slos),
            dependencies=tuple(self._dependency(i, d) for i, d in enumerate(self.spec.dependencies)),
            business=tuple(self._business(b) for b in self.spec.business),
            source=self.source,
            source_sha256=self.sha256,
            declared_at=self._location(("metadata", "name")),
        )

    def _location(self, path: tuple) -> Location:
        line, column = self.positions.at(path)
        return Location(self.source, line, column)

    def _journey_time(self) -> Histogram | None:
        jt = self.spec.journey_time
        if jt is None:
            return None
        return Histogram(jt.histogram, matchers(jt.match), tuple(jt.buckets) if jt.buckets else None)

    def _stage(self, stage: fmt.Stage) -> Stage:
        profile = STAGE_PROFILES.get(stage.profile) if stage.profile else None
        own = matchers(stage.match)
        requests = self._requests(stage, profile, own)
        error_extra = matchers(stage.errors.match) if stage.errors else (profile.error_matchers if profile else ())
        errors_metric = (stage.errors.metric if stage.errors and stage.errors.metric else requests.metric)
        errors = requests.renamed(errors_metric).with_matchers(*error_extra)
        latency = self._latency(stage, profile, own)
        prefix = camel(self.doc.metadata.name, stage.name)
        return Stage(
            name=stage.name,
            title=stage.title or camel(stage.name),
            description=stage.description or "",
            kind=stage.kind or (profile.kind if profile else "http"),
            feature=stage.feature or stage.name,
            requests=requests,
            errors=errors,
            latency=latency,
            error_rate_alert=self._error_rate_alert(stage, requests, errors, prefix),
            latency_alert=self._latency_alert(stage, prefix),
            data_missing_alert=f"{prefix}SliDataMissing",
            runbook=runbook_hints(stage.runbook),
        )

    @staticmethod
    def _requests(stage: fmt.Stage, profile, own: tuple[Matcher, ...]) -> Selector:
        metric = (stage.requests.metric if stage.requests and stage.requests.metric else profile.requests_metric)
        base = Selector(metric, profile.requests_matchers if profile else ())
        extra = own + (matchers(stage.requests.match) if stage.requests else ())
        return base.with_matchers(*extra)

    @staticmethod
    def _latency(stage: fmt.Stage, profile, own: tuple[Matcher, ...]) -> Histogram | None:
        spec = stage.latency
        metric = spec.histogram if spec and spec.histogram else (profile.latency_histogram if profile else None)
        if metric is None:
            return None
        dropped = profile.labels_not_on_histogram if profile else ()
        kept = tuple(m for m in own if m.label not in dropped)
        base = Selector(metric, kept).with_matchers(*(matchers(spec.match) if spec else ()))
        return Histogram(metric, base.matchers, tuple(spec.buckets) if spec and spec.buckets else None)

    @staticmethod
    def _error_rate_alert(stage: fmt.Stage, requests: Selector, errors: Selector, prefix: str) -> ErrorRateAlert | None:
        alert = stage.alerts.error_rate
        if alert is None:
            return None
        if alert.errors is not None:
            # The seed's alert counts 4xx too, while the SLO counts only 5xx: the alert may differ.
            errors = requests.renamed(alert.errors.metric or requests.metric).with_matchers(*matchers(alert.errors.match))
        return ErrorRateAlert(
            name=alert.name or f"{prefix}HighErrorRate",
            threshold=alert.threshold,
            window=parse_duration(alert.window),
            for_=parse_duration(alert.for_),
            severity=alert.severity,
            errors=errors,
        )

    @staticmethod
    def _latency_alert(stage: fmt.Stage, prefix: str) -> LatencyAlert | None:
        alert = stage.alerts.latency
        if alert is None:
            return None
        return LatencyAlert(
            name=alert.name or f"{prefix}HighLatency",
            quantile=alert.quantile,
            threshold=parse_duration(alert.threshold),
            window=parse_duration(alert.window),
            for_=parse_duration(alert.for_),
            severity=alert.severity,
        )

    def _slo(self, slo: fmt.Slo) -> Slo:
        burns = slo.alerting.burn_rates
        burn_rates = tuple(
            BurnRate(b.severity, b.factor, parse_duration(b.long), parse_duration(b.short)) for b in burns
        ) if burns else tuple(
            BurnRate(sev, factor, parse_duration(long), parse_duration(short))
            for sev, factor, long, short in DEFAULT_BURN_RATES
        )
        return Slo(
            name=slo.name,
            title=slo.title or camel(slo.name),
            description=slo.description or "",
            type=slo.type,
            stages=tuple(slo.stages),
            objective=round(slo.objective / 100, 12),
            window=parse_duration(slo.window or self.spec.slo_window),
            threshold=parse_duration(slo.threshold) if slo.threshold else None,
            alerting=slo.alerting.enabled,
            alert_name=slo.alerting.name or f"{camel(self.doc.metadata.name, slo.name)}ErrorBudgetBurn",
            page_for=parse_duration(slo.alerting.page_for),
            ticket_for=parse_duration(slo.alerting.ticket_for),
            burn_rates=burn_rates,
        )

    def _dependency(self, index: int, dep: fmt.Dependency) -> Dependency:
        prefix = camel(self.doc.metadata.name, dep.name)
        return Dependency(
            name=dep.name,
            title=dep.title or camel(dep.name),
            kind=dep.kind,
            health=self._health(dep),
            health_for=parse_duration(dep.health.for_),
            saturations=tuple(self._saturation(s, prefix) for s in saturation_list(dep)),
            stages=tuple(dep.stages),
            features=tuple(dep.features),
            depends_on=tuple(dep.depends_on),
            down_alert_name=down_alert_name(prefix),
            runbook=runbook_hints(dep.runbook),
            declared_at=self._location(("spec", "dependencies", index, "name")),
        )

    @staticmethod
    def _health_selector(dep: fmt.Dependency) -> Selector:
        if dep.health.heartbeat is not None:
            return Selector(dep.health.heartbeat.metric, matchers(dep.health.heartbeat.match))
        profile = HEALTH_PROFILES.get(dep.health.profile) if dep.health.profile else None
        metric = dep.health.metric or profile.metric
        base = Selector(metric, profile.default_matchers if profile else ())
        return base.with_matchers(*matchers(dep.health.match))

    def _health(self, dep: fmt.Dependency) -> Health:
        beat = dep.health.heartbeat
        return Health(self._health_selector(dep), below=dep.health.below, above=dep.health.above,
                      heartbeat=parse_duration(beat.window) if beat else None)

    @staticmethod
    def _saturation(sat: fmt.SaturationSignal, prefix: str) -> Saturation:
        alert, predicted = saturation_alert_names(prefix, sat.name, sat.predict is not None)
        if sat.ratio is not None:
            selector = Selector(sat.ratio.numerator.metric, matchers(sat.ratio.numerator.match))
            denominator = Selector(sat.ratio.denominator.metric, matchers(sat.ratio.denominator.match))
        else:
            selector, denominator = Selector(sat.metric, matchers(sat.match)), None
        title = sat.title or sat.name.replace("-", " ").replace("_", " ")
        # A gauge named backlog is a queue's depth, and that says what it means; of other signals, only that
        # they approach a limit.
        queue = sat.name == "backlog" and denominator is None
        return Saturation(
            name=sat.name,
            title=title,
            meaning="consumers are not keeping up" if queue else "the dependency is near its capacity",
            selector=selector,
            denominator=denominator,
            threshold=sat.threshold,
            predict_range=parse_duration(sat.predict.range) if sat.predict else None,
            predict_ahead=parse_duration(sat.predict.ahead) if sat.predict else None,
            for_=parse_duration(sat.for_),
            severity=sat.severity,
            alert_name=alert,
            predicted_alert_name=predicted,
        )

    @staticmethod
    def _business(metric: fmt.BusinessMetric) -> BusinessMetric:
        return BusinessMetric(
            name=metric.name,
            title=metric.title or camel(metric.name),
            type=metric.type,
            selector=Selector(metric.metric, matchers(metric.match)),
            by=tuple(metric.by),
            unit=metric.unit,
            stage=metric.stage,
        )

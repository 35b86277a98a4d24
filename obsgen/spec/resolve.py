"""Turn a structurally valid spec into the typed model, checking what a schema cannot:
references between sections, duplicates, cycles, and thresholds against histogram buckets.
Every problem is collected with its position; nothing is resolved from a broken spec.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from pathlib import Path
from typing import Protocol, Sequence

from pydantic import BaseModel

from obsgen import calendar_window
from obsgen.errors import Diagnostic
from obsgen.model import (BudgetPolicy, BusinessMetric, CustomAlert, CustomAlertTest, Dependency, ErrorRateAlert,
                          FailuresAlert, Health, Histogram, Journey, LatencyAlert, Location, QuerySli, RunbookHints,
                          Saturation, Slo, SloType, Stage, TimesliceSli)
from obsgen.naming import budget_alert_names, camel, down_alert_name, recently_down_alert_name, saturation_alert_names
from obsgen.promql import Matcher, Selector, format_duration, format_number, parse_duration, regex as promregex
from obsgen.spec import burn_rates, format as fmt, rawpromql, signal_checks as checks
from obsgen.spec.positions import PositionedDocument
from obsgen.spec.profiles import HEALTH_PROFILES
from obsgen.spec.stage_profiles import UnreadableProfileFile, builtin_profiles, load_profile_file

# Types whose SLI is the share of bad minutes of a gauge, not of bad events.
TIMESLICE_TYPES = tuple(kind for kind in SloType if kind.is_timeslice)
# A time slice is one rule evaluation; 1m is Prometheus' usual evaluation_interval (and the rule tests').
TIMESLICE_SECONDS = 60.0
# Labels every journey alert gets from obsgen; a custom alert may not set them itself.
RESERVED_LABELS = frozenset({"severity", "journey", "team", "stage", "slo", "dependency", "alertname"})
# Labels a dimension may not be: obsgen's own, and those the rules aggregate or compare on.
DIMENSION_RESERVED = RESERVED_LABELS | {"le", "factor", "quantile"}


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


def infer_unit(histogram: str) -> str:
    """A histogram's unit from its name, as OpenTelemetry and Prometheus name them."""
    return "milliseconds" if histogram.endswith(("_milliseconds", "_ms")) else "seconds"


def code_matcher(codes: fmt.ErrorCodes, override: list | None) -> Matcher:
    values = [str(c) for c in (override if override is not None else codes.codes)]
    return Matcher(codes.label, "=~", "|".join(promregex.quote_meta(v) for v in values))


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


def error_selector(requests: Selector, errors: fmt.ErrorSignal) -> Selector:
    """Failures as a spec states them: matchers added to the requests selector, or another counter
    (failed logins in an events counter) that keeps only its own matchers unless asked otherwise."""
    metric = errors.metric or requests.metric
    if metric != requests.metric and not errors.with_stage_match:
        return Selector(metric, matchers(errors.match))
    return requests.renamed(metric).with_matchers(*matchers(errors.match))


class GeneratedAlert(Protocol):
    """What alert_locations reads of a generated alert (obsgen.artifacts.prometheus.AlertRule), so this
    layer does not import the rules builder that makes them."""

    @property
    def alert(self) -> str: ...
    @property
    def slo(self) -> str | None: ...
    @property
    def dependency(self) -> str | None: ...
    @property
    def stages(self) -> tuple[str, ...]: ...


class Resolver:
    def __init__(self, doc: fmt.JourneyDocument, positions: PositionedDocument, source: str, sha256: str,
                 base_dir: Path | None = None):
        self.doc = doc
        self.spec = doc.spec
        self.positions = positions
        self.source = source
        self.sha256 = sha256
        self.base_dir = base_dir if base_dir is not None else Path(source).parent
        self.problems: list[Diagnostic] = []
        self.warnings: list[Diagnostic] = []
        self.profiles: dict[str, fmt.StageProfile] = dict(builtin_profiles())

    def error(self, path: tuple, message: str) -> None:
        self.problems.append(self.positions.diagnostic(path, message))

    # -- checks -------------------------------------------------------------------------
    def check(self) -> list[Diagnostic]:
        self._load_profiles()
        self._check_dimensions()
        self._check_unique("stages", [s.name for s in self.spec.stages])
        self._check_unique("slos", [s.name for s in self.spec.slos])
        self._check_unique("dependencies", [d.name for d in self.spec.dependencies])
        self._check_unique("business", [b.name for b in self.spec.business])
        for i, stage in enumerate(self.spec.stages):
            self._check_stage(i, stage)
        if self.spec.journey_time is not None and self.spec.journey_time.buckets:
            self._check_bucket_bounds(("spec", "journeyTime", "buckets"), self.spec.journey_time.buckets)
        for i, slo in enumerate(self.spec.slos):
            self._check_slo(i, slo)
        for i, dep in enumerate(self.spec.dependencies):
            self._check_dependency(i, dep)
        self._check_dependency_cycles()
        for i, metric in enumerate(self.spec.business):
            if metric.stage is not None:
                self._check_stage_ref(("spec", "business", i, "stage"), metric.stage)
        self._check_unique("alerts", [a.name for a in self.spec.alerts])
        for i, alert in enumerate(self.spec.alerts):
            self._check_custom_alert(i, alert)
        self._check_regexes(self.doc, ())
        return self.problems

    def _check_dimensions(self) -> None:
        """Dimensions become labels of every generated series and alert: they may not clash with obsgen's own."""
        seen: set[str] = set()
        for i, label in enumerate(self.spec.by):
            if label in DIMENSION_RESERVED or label.startswith("__"):
                self.error(("spec", "by", i), f"{label!r} cannot be a dimension: obsgen or Prometheus sets that label")
            elif label in seen:
                self.error(("spec", "by", i), f"dimension {label!r} is listed twice")
            seen.add(label)

    def _check_regexes(self, node, path: tuple) -> None:
        """Every =~/!~ value anywhere in the spec, as Prometheus (RE2) would compile it."""
        if isinstance(node, (fmt.RegexMatch, fmt.NotRegexMatch)):
            key, pattern = ("regex", node.regex) if isinstance(node, fmt.RegexMatch) else ("notRegex", node.not_regex)
            try:
                promregex.check(pattern)
            except promregex.RegexError as error:
                self.error(path + (key,), f"invalid regular expression {pattern!r}: {error} (Prometheus uses RE2 syntax)")
        elif isinstance(node, BaseModel):
            for name, field in type(node).model_fields.items():
                self._check_regexes(getattr(node, name), path + (field.alias or name,))
        elif isinstance(node, dict):
            for key, value in node.items():
                self._check_regexes(value, path + (key,))
        elif isinstance(node, list):
            for i, value in enumerate(node):
                self._check_regexes(value, path + (i,))

    def _load_profiles(self) -> None:
        """Built-in profiles, then the spec's files in order, then its inline ones; a name is defined once."""
        defined_at = {name: "built in" for name in self.profiles}
        for i, name in enumerate(self.spec.profile_files):
            path = ("spec", "profileFiles", i)
            shown = (Path(self.source).parent / name).as_posix()
            try:
                found, problems = load_profile_file(self.base_dir / name, shown)
            except UnreadableProfileFile as exc:
                self.error(path, str(exc))
                continue
            self.problems.extend(problems)
            self._add_profiles(found, path, shown, defined_at)
        for name, profile in self.spec.profiles.items():
            self._add_profiles({name: profile}, ("spec", "profiles", name), "spec.profiles", defined_at)

    def _add_profiles(self, found: dict, path: tuple, where: str, defined_at: dict[str, str]) -> None:
        for name, profile in found.items():
            if name in defined_at:
                self.error(path, f"profile {name!r} is already defined ({defined_at[name]})")
                continue
            defined_at[name] = where
            self.profiles[name] = profile

    def check_alert_names(self, generated: list[str]) -> list[Diagnostic]:
        """Custom alerts may not take a generated alert's name: tests, runbook anchors and inhibition
        would mix the two up. Needs the resolved journey, so it runs after check()."""
        taken = set(generated)
        for i, alert in enumerate(self.spec.alerts):
            if alert.name in taken:
                self.error(("spec", "alerts", i, "name"),
                           f"alert name {alert.name!r} is already used by a generated alert; choose another")
        self._check_generated_names_unique(generated)
        return self.problems

    def _check_generated_names_unique(self, generated: list[str]) -> None:
        """Two generated alerts of one name (two stages given the same explicit errorRate name, an
        SLO named like a stage's alert) would share one runbook section, one test and one inhibition."""
        repeated = {name for name, count in Counter(generated).items() if count > 1}
        written = [(path, name) for path, name in self._explicit_alert_names() if name in repeated]
        first_at: dict[str, tuple] = {}
        for path, name in written:
            if name in first_at:
                line, column = self.positions.at(first_at[name])
                self.error(path, f"alert name {name!r} is already given to another alert (line {line}, "
                                 f"column {column}); choose another")
            else:
                first_at[name] = path
        for name, path in first_at.items():
            if sum(1 for _, other in written if other == name) == 1:
                self.error(path, f"alert name {name!r} is also the name obsgen gives another alert; choose another")
        for name in sorted(repeated - set(first_at)):
            self.error(("metadata", "name"), f"two generated alerts are both named {name!r} (stage, SLO or "
                                             f"dependency names that differ only in punctuation); rename one")

    def _explicit_alert_names(self) -> list[tuple[tuple, str]]:
        """(spec path, name) of every alert name written in the spec, in document order."""
        named: list[tuple[tuple, str]] = []
        for i, stage in enumerate(self.spec.stages):
            for key, alert in (("errorRate", stage.alerts.error_rate), ("latency", stage.alerts.latency),
                               ("failures", stage.alerts.failures)):
                if alert is not None and alert.name:
                    named.append((("spec", "stages", i, "alerts", key, "name"), alert.name))
        for i, slo in enumerate(self.spec.slos):
            if slo.alerting.name:
                named.append((("spec", "slos", i, "alerting", "name"), slo.alerting.name))
        return named

    def alert_locations(self, alerts: Sequence[GeneratedAlert]) -> tuple[tuple[str, Location], ...]:
        """(name, where the spec names it) of each alert (see GeneratedAlert): the name as written
        when the spec writes it, else the stage, SLO or dependency it is derived from."""
        written = dict((name, path) for path, name in reversed(self._explicit_alert_names()))
        written.update({a.name: ("spec", "alerts", i, "name") for i, a in reversed(list(enumerate(self.spec.alerts)))})
        located: dict[str, Location] = {}
        for alert in alerts:
            path = written.get(alert.alert) or self._alert_origin(alert)
            located.setdefault(alert.alert, self._location(path))
        return tuple(located.items())

    def _alert_origin(self, alert: GeneratedAlert) -> tuple:
        for section, name in (("slos", alert.slo), ("dependencies", alert.dependency),
                              ("stages", alert.stages[0] if alert.stages else None)):
            items = getattr(self.spec, section)
            index = next((i for i, item in enumerate(items) if name and item.name == name), None)
            if index is not None:
                return ("spec", section, index, "name")
        return ("metadata", "name")

    def check_dimension_matchers(self, journey: Journey) -> list[Diagnostic]:
        """A dimension partitions every series, so no selector may fix it: a stage matching job="api" under
        `by: [job]` would be one value of it, not a split. Needs the resolved selectors (profiles filled in)."""
        matched = {m.label for selector in _selectors(journey) for m in selector.matchers}
        for i, label in enumerate(self.spec.by):
            if label in matched:
                self.error(("spec", "by", i), f"dimension {label!r} is matched by a selector of this spec; a dimension "
                                              f"is a label every series carries and no selector fixes (e.g. cluster)")
        return self.problems

    def _check_custom_alert(self, i: int, alert: fmt.CustomAlert) -> None:
        path = ("spec", "alerts", i)
        reason = rawpromql.problem(alert.expr)
        if reason:
            self.error(path + ("expr",), f"alert {alert.name!r}: expr {reason}")
        if alert.stage is not None:
            self._check_stage_ref(path + ("stage",), alert.stage)
        known = [d.name for d in self.spec.dependencies]
        if alert.dependency is not None and alert.dependency not in known:
            self.error(path + ("dependency",),
                       f"unknown dependency {alert.dependency!r}; dependencies are: {', '.join(known) or 'none'}")
        reserved = sorted(set(alert.labels) & RESERVED_LABELS)
        if reserved:
            self.error(path + ("labels",), f"labels {', '.join(reserved)} are set by obsgen; use the alert's fields")
        for j, series in enumerate(alert.test.input_series if alert.test else []):
            reason = rawpromql.series_problem(series.series)
            if reason:
                self.error(path + ("test", "inputSeries", j, "series"), f"input series {reason}")

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
        if stage.profile is not None and stage.profile not in self.profiles:
            self.error(path + ("profile",), f"unknown profile {stage.profile!r}; profiles are: "
                                            f"{', '.join(sorted(self.profiles))}")
            return
        profile = self.profiles.get(stage.profile) if stage.profile else None
        if stage.error_codes is not None and (profile is None or profile.error_codes is None):
            self.error(path + ("errorCodes",), f"stage {stage.name!r}: errorCodes replaces a profile's error codes, "
                                               f"but {'its profile has none' if profile else 'it has no profile'}; "
                                               f"use errors.match")
        if stage.error_codes is not None and stage.errors is not None:
            self.error(path + ("errorCodes",), f"stage {stage.name!r} has both errors and errorCodes; give one")
        failures = stage.alerts.failures
        if failures is not None and failures.match and failures.metric is None:
            self.error(path + ("alerts", "failures", "match"), "failures.match needs failures.metric (the counter it selects)")
        if stage.profile is None and (stage.requests is None or stage.requests.metric is None or stage.errors is None):
            self.error(path + ("name",), f"stage {stage.name!r} needs a profile, or both requests (with a metric) and errors")
        if stage.profile is None and stage.kind is None:
            self.error(path + ("name",), f"stage {stage.name!r} needs a kind when it has no profile")
        if stage.latency is not None and stage.latency.buckets:
            self._check_bucket_bounds(path + ("latency", "buckets"), stage.latency.buckets)
        histogram = self._histogram_of(stage)
        if stage.alerts.latency is not None:
            tpath = path + ("alerts", "latency", "threshold")
            if histogram is None:
                self.error(path + ("alerts", "latency"), f"stage {stage.name!r} has a latency alert but no latency histogram")
            elif self._check_positive(tpath, stage.alerts.latency.threshold):
                unreachable = checks.unreachable_quantile(stage.alerts.latency.threshold, histogram)
                if unreachable is None:
                    self._check_bucket(tpath, stage.alerts.latency.threshold, histogram)
                else:  # the bucket it is not on would be beside the point
                    self.error(tpath, unreachable)
        if stage.alerts.error_rate is not None:
            self._report(path + ("alerts", "errorRate", "threshold"),
                         checks.unreachable_error_ratio(stage.alerts.error_rate.threshold))
        if stage.profile is not None or (stage.requests and stage.requests.metric and stage.errors is not None):
            self._check_error_signals(path, stage, profile)

    def _report(self, path: tuple, problem: str | None) -> None:
        if problem is not None:
            self.error(path, problem)

    def _check_bucket_bounds(self, path: tuple, buckets: list[float]) -> None:
        for index, problem in checks.duplicate_buckets(buckets):
            self.error(path + (index,), problem)

    def _check_error_signals(self, path: tuple, stage: fmt.Stage, profile: fmt.StageProfile | None) -> None:
        """The stage's errors, and an error-rate alert's own, must be some but not all of its requests."""
        requests = self._requests(stage, profile, matchers(stage.match))
        errors = error_selector(requests, stage.errors) if stage.errors is not None else \
            self._profile_errors(stage, profile, requests)
        where = [(path + ("errors",) if stage.errors is not None else path + ("profile",), errors)]
        alert = stage.alerts.error_rate
        if alert is not None and alert.errors is not None:
            where.append((path + ("alerts", "errorRate", "errors"), error_selector(requests, alert.errors)))
        for errors_path, selector in where:
            self._report(errors_path, checks.errors_same_as_requests(requests, selector))
            disjoint = checks.errors_outside_requests(requests, selector)
            if disjoint is not None:
                label, problem = disjoint
                self.error(self._requests_matcher_path(path, stage, label) or errors_path, problem)

    @staticmethod
    def _requests_matcher_path(path: tuple, stage: fmt.Stage, label: str) -> tuple | None:
        """Where the stage itself wrote the requests' matcher on label, if it did."""
        if label in stage.match:
            return path + ("match", label)
        if stage.requests is not None and label in stage.requests.match:
            return path + ("requests", "match", label)
        return None

    def _check_positive(self, path: tuple, threshold: str) -> bool:
        if parse_duration(threshold) > 0:
            return True
        self.error(path, f"latency threshold {threshold} is not above 0: no event is faster than that, so the "
                         f"objective could never be met")
        return False

    def _check_bucket(self, path: tuple, threshold: str, histogram: Histogram) -> None:
        if histogram.native or not histogram.buckets:
            return
        bound = histogram.in_unit(parse_duration(threshold))
        if not any(abs(bound - b) < 1e-9 for b in histogram.buckets):
            shown = f"{format_number(bound)}s" if histogram.scale == 1 else f"{format_number(bound)} {histogram.unit}"
            bounds = ", ".join(format_number(b) for b in histogram.buckets)
            unit = "" if histogram.scale == 1 else f", in {histogram.unit}"
            self.error(path, f"threshold {threshold} ({shown}) is not a bucket bound of the histogram ({bounds}{unit}); "
                             f"the SLI could not be computed exactly")

    def _check_slo_kind(self, path: tuple, slo: fmt.Slo) -> bool:
        """The SLI source: exactly one of type (with its block) or raw queries. True when a stage-based type."""
        if slo.type is None and slo.sli is None:
            self.error(path + ("name",), f"SLO {slo.name!r} needs a type, or sli with raw queries")
        if slo.type is not None and slo.sli is not None:
            self.error(path + ("sli",), f"SLO {slo.name!r} has a type ({slo.type}) and raw sli queries; give one")
        for block in ("freshness", "lag"):
            if getattr(slo, block) is not None and slo.type != block:
                self.error(path + (block,), f"a {block} block belongs to an SLO of type {block}")
            if slo.type == block and getattr(slo, block) is None:
                self.error(path + ("type",), f"a {block} SLO needs a {block} block (metric, match and its threshold)")
        if slo.sli is not None:
            self._check_query_sli(path + ("sli",), slo.sli)
        if slo.type in TIMESLICE_TYPES or slo.sli is not None:
            if slo.threshold is not None:
                self.error(path + ("threshold",), f"SLO {slo.name!r} takes no latency threshold")
            return False
        return slo.type is not None

    def _check_query_sli(self, path: tuple, sli: fmt.QuerySli) -> None:
        if (sli.error_query is None) == (sli.good_query is None):
            self.error(path, "raw sli needs exactly one of errorQuery and goodQuery, with totalQuery")
        for key, query in (("errorQuery", sli.error_query), ("goodQuery", sli.good_query), ("totalQuery", sli.total_query)):
            reason = rawpromql.template_problem(query) if query is not None else None
            if reason:
                self.error(path + (key,), f"{key}: {reason}")

    def _check_slo(self, i: int, slo: fmt.Slo) -> None:
        path = ("spec", "slos", i)
        for j, name in enumerate(slo.stages):
            self._check_stage_ref(path + ("stages", j), name)
        if self._check_slo_kind(path, slo):
            self._check_stage_slo(path, slo)
        self._check_burn_rates(path, slo)
        self._check_budgeting(path, slo)
        if slo.calendar is not None:
            self._check_calendar(path, slo)

    def _slo_window(self, slo: fmt.Slo) -> float:
        """The rolling window, or a calendar period's nominal length (obsgen.calendar_window)."""
        if slo.calendar is not None:
            return calendar_window.NOMINAL[slo.calendar.period]
        return parse_duration(slo.window or self.spec.slo_window)

    def _check_calendar(self, path: tuple, slo: fmt.Slo) -> None:
        where = path + ("calendar",)
        if slo.window is not None:
            self.error(path + ("window",), "give either window (rolling) or calendar, not both")
        if slo.calendar.time_zone not in calendar_window.UTC_NAMES:
            self.error(where + ("timeZone",), f"time zone {slo.calendar.time_zone!r} is not supported: calendar "
                                              f"periods start at 00:00 UTC (PromQL's date functions know only UTC)")
        if slo.type in TIMESLICE_TYPES:
            self.error(where, f"a {slo.type} SLO is budgeted by timeslices, which keep a rolling window; calendar "
                              f"windows count events (docs/error-budgets.md)")

    def _check_budgeting(self, path: tuple, slo: fmt.Slo) -> None:
        """A time-slice SLI has no events to count, every other SLI has no slices: the method follows the type."""
        supported = "timeslices" if slo.type in TIMESLICE_TYPES else "occurrences"
        if slo.budgeting_method is not None and slo.budgeting_method != supported:
            article = "an" if slo.type and slo.type[0] in "aeiou" else "a"
            kind = f"{article} {slo.type} SLO" if slo.type else "a raw SLI"
            self.error(path + ("budgetingMethod",), f"{kind} is budgeted by {supported}, not {slo.budgeting_method} "
                                                    f"(docs/error-budgets.md)")
        within = slo.alerting.budget.forecast_within
        window = self._slo_window(slo)
        if within is not None and parse_duration(within) > window:
            self.error(path + ("alerting", "budget", "forecastWithin"),
                       f"forecastWithin {within} is longer than the SLO window")

    def _check_stage_slo(self, path: tuple, slo: fmt.Slo) -> None:
        if slo.type == SloType.JOURNEY_TIME:
            if slo.stages:
                self.error(path + ("stages",), "a journey-time SLO measures spec.journeyTime; it takes no stages")
            if self.spec.journey_time is None:
                self.error(path + ("type",), "a journey-time SLO needs spec.journeyTime (the end-to-end histogram)")
        elif not slo.stages:
            self.error(path + ("name",), f"SLO {slo.name!r} needs at least one stage")
        if slo.type == SloType.AVAILABILITY and slo.threshold is not None:
            self.error(path + ("threshold",), "an availability SLO takes no latency threshold")
        if slo.type != SloType.AVAILABILITY:
            if slo.threshold is None:
                self.error(path + ("name",), f"{slo.type} SLO {slo.name!r} needs a threshold (e.g. 500ms)")
            else:
                self._check_latency_slo(path, slo)

    def _check_burn_rates(self, path: tuple, slo: fmt.Slo) -> None:
        budget = 1 - slo.objective / 100
        if slo.alerting.min_events is not None and (slo.type in TIMESLICE_TYPES or slo.sli is not None):
            self.error(path + ("alerting", "minEvents"), "minEvents guards SLOs that count events (availability, "
                                                         "latency, journey-time); a time-slice or raw SLI has none")
        if not slo.alerting.enabled:
            return
        for j, burn in enumerate(slo.alerting.burn_rates or []):
            if (burn.factor is None) == (burn.budget_share is None):
                self.error(path + ("alerting", "burnRates", j), "give a burn rate exactly one of factor and budgetShare")
                return
        window = self._slo_window(slo)
        pairs = self._burn_pairs(path, slo)
        written = "slo_window" in self.spec.model_fields_set
        window_path = path + ("window",) if slo.window else path + ("calendar", "period") if slo.calendar else (("spec", "sloWindow") if written else path + ("objective",))
        for where, problem in burn_rates.problems(pairs, budget, window, window_path):
            self.error(where, problem)
        for where, warning in burn_rates.warnings(pairs, window):
            self.warnings.append(self.positions.diagnostic(where, f"warning: {warning}"))
        if slo.type in TIMESLICE_TYPES:
            self._check_slice_granularity(path, slo, budget, pairs)

    def _burn_pairs(self, path: tuple, slo: fmt.Slo) -> list[burn_rates.Planned]:
        return burn_rates.planned(slo, self._slo_window(slo), path)

    def _check_slice_granularity(self, path: tuple, slo: fmt.Slo, budget: float,
                                 pairs: list[burn_rates.Planned]) -> None:
        """A time-slice SLI moves in whole slices: one bad slice is slice/long of a long window. When that
        alone is above a page threshold, a single bad minute pages and a slow burn cannot be told from a
        fast one; the windows do not fit the objective."""
        for burn in (b for b in pairs if b.severity == "page"):
            one_slice = TIMESLICE_SECONDS / burn.long
            if one_slice > burn.factor * budget:
                self.error(path + ("objective",),
                           f"one bad minute is {format_number(round(one_slice * 100, 3))}% of the "
                           f"{format_duration(burn.long)} window, above the page threshold of "
                           f"{format_number(burn.factor)}x the {format_number(round(budget * 100, 6))}% budget: a "
                           f"single bad minute would page. Lengthen the page windows (alerting.burnRates) or lower "
                           f"the objective")
                return

    def _check_latency_slo(self, path: tuple, slo: fmt.Slo) -> None:
        if not self._check_positive(path + ("threshold",), slo.threshold):
            return
        if slo.type == SloType.JOURNEY_TIME:
            if self.spec.journey_time:
                self._check_bucket(path + ("threshold",), slo.threshold, self._journey_time())
            return
        for name in slo.stages:
            stage = next((s for s in self.spec.stages if s.name == name), None)
            if stage is None or (stage.profile is not None and stage.profile not in self.profiles):
                continue
            histogram = self._histogram_of(stage)
            if histogram is None:
                self.error(path + ("stages",), f"latency SLO {slo.name!r} uses stage {name!r}, which has no latency histogram")
            else:
                self._check_bucket(path + ("threshold",), slo.threshold, histogram)

    def _histogram_of(self, stage: fmt.Stage) -> Histogram | None:
        profile = self.profiles.get(stage.profile) if stage.profile else None
        return self._latency(stage, profile, matchers(stage.match))

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
            slos=tuple(self._slo(i, s) for i, s in enumerate(self.spec.slos)),
            dependencies=tuple(self._dependency(i, d) for i, d in enumerate(self.spec.dependencies)),
            business=tuple(self._business(b) for b in self.spec.business),
            source=self.source,
            source_sha256=self.sha256,
            declared_at=self._location(("metadata", "name")),
            custom_alerts=tuple(self._custom_alert(a) for a in self.spec.alerts),
            dims=tuple(self.spec.by),
            warnings=tuple(sorted(set(self.warnings))),
        )

    @staticmethod
    def _custom_alert(alert: fmt.CustomAlert) -> CustomAlert:
        return CustomAlert(
            name=alert.name, expr=alert.expr, for_=parse_duration(alert.for_), severity=alert.severity,
            summary=alert.summary, description=alert.description, runbook=alert.runbook or "",
            stage=alert.stage or "", dependency=alert.dependency or "", labels=tuple(sorted(alert.labels.items())),
            test=CustomAlertTest(
                input_series=tuple((s.series, s.values) for s in alert.test.input_series),
                fires_at=parse_duration(alert.test.fires_at),
                quiet_at=tuple(parse_duration(d) for d in alert.test.quiet_at),
                labels=tuple(sorted(alert.test.labels.items())),
            ) if alert.test else None,
        )

    def _location(self, path: tuple) -> Location:
        line, column = self.positions.at(path)
        return Location(self.source, line, column)

    def _journey_time(self) -> Histogram | None:
        jt = self.spec.journey_time
        if jt is None:
            return None
        return Histogram(jt.histogram, matchers(jt.match), tuple(jt.buckets) if jt.buckets else None,
                         jt.unit or infer_unit(jt.histogram))

    def _stage(self, stage: fmt.Stage) -> Stage:
        profile = self.profiles.get(stage.profile) if stage.profile else None
        own = matchers(stage.match)
        requests = self._requests(stage, profile, own)
        if stage.errors is not None:
            errors = error_selector(requests, stage.errors)
        else:
            errors = self._profile_errors(stage, profile, requests)
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
            failures_alert=self._failures_alert(stage, errors, prefix),
            runbook=runbook_hints(stage.runbook),
        )

    @staticmethod
    def _failures_alert(stage: fmt.Stage, errors: Selector, prefix: str) -> FailuresAlert | None:
        alert = stage.alerts.failures
        if alert is None:
            return None
        failures = Selector(alert.metric, matchers(alert.match)) if alert.metric else errors
        return FailuresAlert(
            name=alert.name or f"{prefix}Failures",
            failures=failures,
            threshold=alert.threshold,
            window=parse_duration(alert.window),
            for_=parse_duration(alert.for_),
            severity=alert.severity,
        )

    @staticmethod
    def _requests(stage: fmt.Stage, profile: fmt.StageProfile | None, own: tuple[Matcher, ...]) -> Selector:
        metric = (stage.requests.metric if stage.requests and stage.requests.metric else profile.requests.metric)
        base = Selector(metric, matchers(profile.requests.match) if profile else ())
        extra = own + (matchers(stage.requests.match) if stage.requests else ())
        return base.with_matchers(*extra)

    @staticmethod
    def _profile_errors(stage: fmt.Stage, profile: fmt.StageProfile | None, requests: Selector) -> Selector:
        """A profile's failures: its error matchers (and status codes) on the requests, or on its own
        error counter, which follows the same naming convention and so keeps the stage's matchers."""
        if profile is None:
            return requests
        extra = matchers(profile.errors.match) if profile.errors else ()
        if profile.error_codes is not None:
            extra += (code_matcher(profile.error_codes, stage.error_codes),)
        metric = profile.errors.metric if profile.errors and profile.errors.metric else requests.metric
        return requests.renamed(metric).with_matchers(*extra)

    @staticmethod
    def _latency(stage: fmt.Stage, profile: fmt.StageProfile | None, own: tuple[Matcher, ...]) -> Histogram | None:
        spec = stage.latency
        inherited = profile.latency if profile else None
        metric = spec.histogram if spec and spec.histogram else (inherited.histogram if inherited else None)
        if metric is None:
            return None
        # The profile's unit and kind describe the profile's histogram, not one the stage names instead.
        same = inherited is not None and inherited.histogram == metric
        unit = (spec.unit if spec and spec.unit else None) or (inherited.unit if same else None) or infer_unit(metric)
        native = spec.native if spec and spec.native is not None else (inherited.native if same else False)
        dropped = profile.labels_not_on_histogram if profile else ()
        kept = tuple(m for m in own if m.label not in dropped)
        own_histogram = matchers(inherited.match) if same else ()
        base = Selector(metric, own_histogram).with_matchers(*kept).with_matchers(*(matchers(spec.match) if spec else ()))
        return Histogram(metric, base.matchers, tuple(spec.buckets) if spec and spec.buckets else None, unit, native)

    @staticmethod
    def _error_rate_alert(stage: fmt.Stage, requests: Selector, errors: Selector, prefix: str) -> ErrorRateAlert | None:
        alert = stage.alerts.error_rate
        if alert is None:
            return None
        if alert.errors is not None:
            # The seed's alert counts 4xx too, while the SLO counts only 5xx: the alert may differ.
            errors = error_selector(requests, alert.errors)
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

    def _slo(self, i: int, slo: fmt.Slo) -> Slo:
        objective = round(slo.objective / 100, 12)
        event_based = slo.type not in TIMESLICE_TYPES and slo.sli is None
        pairs = burn_rates.burn_rates(self._burn_pairs(("spec", "slos", i), slo), round(1 - objective, 12),
                                      slo.alerting.min_events, event_based)
        return Slo(
            name=slo.name,
            title=slo.title or camel(slo.name),
            description=slo.description or "",
            type=SloType(slo.type or SloType.QUERY),
            stages=tuple(slo.stages),
            objective=objective,
            window=self._slo_window(slo),
            threshold=parse_duration(slo.threshold) if slo.threshold else None,
            alerting=slo.alerting.enabled,
            alert_name=slo.alerting.name or f"{camel(self.doc.metadata.name, slo.name)}ErrorBudgetBurn",
            page_for=parse_duration(slo.alerting.page_for),
            ticket_for=parse_duration(slo.alerting.ticket_for),
            burn_rates=pairs,
            query=QuerySli(slo.sli.error_query, slo.sli.good_query, slo.sli.total_query) if slo.sli else None,
            timeslice=self._timeslice(slo),
            budget=self._budget_policy(slo) if slo.alerting.enabled else None,
            calendar=slo.calendar.period if slo.calendar else None,
        )

    def _budget_policy(self, slo: fmt.Slo) -> BudgetPolicy:
        exhausted, forecast = budget_alert_names(camel(self.doc.metadata.name, slo.name))
        policy = slo.alerting.budget
        window = self._slo_window(slo)
        within = parse_duration(policy.forecast_within) if policy.forecast_within else window / 4
        return BudgetPolicy(exhausted, None if policy.exhausted == "off" else policy.exhausted,
                            forecast, None if policy.forecast == "off" else policy.forecast, within)

    @staticmethod
    def _timeslice(slo: fmt.Slo) -> TimesliceSli | None:
        if slo.freshness is not None:
            fresh = slo.freshness
            return TimesliceSli(SloType.FRESHNESS, Selector(fresh.metric, matchers(fresh.match)), "max",
                                parse_duration(fresh.max_age))
        if slo.lag is not None:
            lag = slo.lag
            return TimesliceSli(SloType.LAG, Selector(lag.metric, matchers(lag.match)), lag.aggregation, lag.threshold)
        return None

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
            recently_down_alert_name=recently_down_alert_name(prefix),
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
            drained=sat.drained,
            drain_limit=parse_duration(sat.drain_limit),
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


def _selectors(journey: Journey) -> list[Selector]:
    """Every selector the generated rules read (raw-PromQL SLIs and custom alerts are the author's text)."""
    found: list[Selector] = []
    for stage in journey.stages:
        found += [stage.requests, stage.errors]
        found += [stage.latency.series] if stage.latency else []
        found += [stage.error_rate_alert.errors] if stage.error_rate_alert else []
        found += [stage.failures_alert.failures] if stage.failures_alert else []
    found += [journey.journey_time.series] if journey.journey_time else []
    found += [slo.timeslice.selector for slo in journey.slos if slo.timeslice is not None]
    for dep in journey.dependencies:
        found.append(dep.health.selector)
        for sat in dep.saturations:
            found += [sat.selector] + ([sat.denominator] if sat.denominator else [])
    found += [metric.selector for metric in journey.business]
    return found

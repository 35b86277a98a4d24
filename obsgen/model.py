"""The one typed model every emitter reads. Built from a validated spec; never from YAML.

Durations are seconds, objectives are ratios (0.999), selectors are safe PromQL builders,
and every name an emitter needs (alert names, dashboard uid) is decided here once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from obsgen.dimensions import aggregate, or_constant
from obsgen.errors import Diagnostic
from obsgen.promql import Matcher, Selector, format_duration, format_number, le_matcher

# How many of a histogram's units make a second.
UNIT_SCALE = {"seconds": 1.0, "milliseconds": 1000.0}
# Prometheus' client default buckets (in seconds), what a classic histogram whose spec declares none is taken to have.
DEFAULT_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)


@dataclass(frozen=True)
class Histogram:
    metric: str  # base name, without _bucket/_count/_sum; a native histogram's own name
    matchers: tuple[Matcher, ...] = ()
    buckets: tuple[float, ...] | None = None  # in the histogram's unit
    unit: str = "seconds"  # a key of UNIT_SCALE
    native: bool = False  # a Prometheus 3 native histogram: one series, no le label

    @property
    def scale(self) -> float:
        return UNIT_SCALE[self.unit]

    def in_unit(self, seconds: float) -> float:
        """A duration as the histogram observes it (0.5s is 500 in a milliseconds histogram)."""
        return seconds if self.scale == 1 else round(seconds * self.scale, 9)

    @property
    def series(self) -> Selector:
        return Selector(self.metric, self.matchers)

    @property
    def bucket(self) -> Selector:
        return self.series if self.native else Selector(f"{self.metric}_bucket", self.matchers)

    @property
    def count(self) -> Selector:
        """What counts its events: the _count series, or the native histogram itself (histogram_count)."""
        return self.series if self.native else Selector(f"{self.metric}_count", self.matchers)

    def under(self, seconds: float) -> Selector:
        """The classic bucket counting events at or under a threshold."""
        return self.bucket.with_matchers(le_matcher(self.in_unit(seconds)))


@dataclass(frozen=True)
class ErrorRateAlert:
    name: str
    threshold: float
    window: float
    for_: float
    severity: str
    errors: Selector


@dataclass(frozen=True)
class LatencyAlert:
    name: str
    quantile: float
    threshold: float
    window: float
    for_: float
    severity: str


@dataclass(frozen=True)
class FailuresAlert:
    """More than ``threshold`` failures within ``window``: for batch jobs, whose few runs make ratios noisy."""

    name: str
    failures: Selector
    threshold: int
    window: float
    for_: float
    severity: str


@dataclass(frozen=True)
class RunbookHints:
    """Where to look when a stage or dependency is in trouble, as the spec says it (shown, never run)."""

    logs: str | None = None
    traces: str | None = None
    dashboards: tuple[str, ...] = ()
    commands: tuple[str, ...] = ()
    notes: str | None = None


@dataclass(frozen=True)
class Stage:
    name: str
    title: str
    description: str
    kind: str
    feature: str
    requests: Selector
    errors: Selector
    latency: Histogram | None
    error_rate_alert: ErrorRateAlert | None
    latency_alert: LatencyAlert | None
    data_missing_alert: str
    failures_alert: FailuresAlert | None = None
    runbook: RunbookHints | None = None


@dataclass(frozen=True)
class BurnRate:
    severity: str
    factor: float
    long: float
    short: float
    # Low-traffic guard of a page pair: the valid events its short window must hold (0: no guard).
    min_events: int = 0


WINDOW_PLACEHOLDER = "{{.window}}"


@dataclass(frozen=True)
class QuerySli:
    """An SLI given as raw PromQL templates; ``{{.window}}`` stands for the window of each recorded ratio."""

    bad: str | None  # bad events; None when ``good`` is given
    good: str | None
    total: str

    @staticmethod
    def expand(template: str, window: str) -> str:
        return template.replace(WINDOW_PLACEHOLDER, window)


@dataclass(frozen=True)
class BudgetPolicy:
    """The budget policy's alerts: the window's budget is spent, and it will be within ``forecast_within`` seconds
    at the recent burn rate. A severity of None turns that alert off."""

    exhausted_alert: str
    exhausted_severity: str | None
    forecast_alert: str
    forecast_severity: str | None
    forecast_within: float


class SloType(StrEnum):
    """What an SLO measures. A str: generated files write it, and compare it, as its spec spelling."""

    AVAILABILITY = "availability"
    LATENCY = "latency"
    JOURNEY_TIME = "journey-time"
    QUERY = "query"  # raw PromQL (the spec's `sli`, no type)
    FRESHNESS = "freshness"
    LAG = "lag"

    @property
    def is_timeslice(self) -> bool:
        """Time-slice SLIs count bad minutes; every other SLI counts bad events."""
        return self in (SloType.FRESHNESS, SloType.LAG)

    @property
    def is_ratio(self) -> bool:
        """Whether the SLI is a ratio of good events (or minutes), not a latency threshold."""
        return self not in (SloType.LATENCY, SloType.JOURNEY_TIME)


@dataclass(frozen=True)
class TimesliceSli:
    """A time-slice SLI: each minute is good or bad by a gauge against a threshold, and the SLI is the share
    of bad minutes. ``freshness``: the age of the newest timestamp (time() - max) above ``threshold``
    seconds; ``lag``: the aggregated gauge above ``threshold``. A minute without data is bad."""

    kind: SloType  # FRESHNESS | LAG
    selector: Selector
    aggregation: str  # max | sum
    threshold: float


@dataclass(frozen=True)
class Slo:
    name: str
    title: str
    description: str
    type: SloType
    stages: tuple[str, ...]
    objective: float  # ratio of good events, 0.999
    window: float
    threshold: float | None
    alerting: bool
    alert_name: str
    page_for: float
    ticket_for: float
    burn_rates: tuple[BurnRate, ...]
    query: QuerySli | None = None  # type "query"
    timeslice: TimesliceSli | None = None  # types "freshness" and "lag"
    budget: BudgetPolicy | None = None  # None: no budget alerts (alerting off)
    # "month" | "week": a calendar window (UTC); ``window`` then holds its nominal length (30d, 7d).
    calendar: str | None = None

    @property
    def budgeting_method(self) -> str:
        """OpenSLO's budgetingMethod: time-slice SLIs count bad minutes, every other SLI counts bad events."""
        return "timeslices" if self.timeslice is not None else "occurrences"

    @property
    def error_budget(self) -> float:
        return round(1 - self.objective, 12)

    @property
    def window_text(self) -> str:
        """The SLO window as alerts and panels say it: "30d", or "the calendar month (UTC)"."""
        return f"the calendar {self.calendar} (UTC)" if self.calendar else format_duration(self.window)

    @property
    def windows(self) -> tuple[float, ...]:
        """Every window an SLI is recorded at: the alerts' windows plus the dashboards' 5m."""
        seen = {300.0}
        for burn in self.burn_rates:
            seen.update((burn.long, burn.short))
        return tuple(sorted(seen))


# With dimensions (spec.by): how long a dimension value whose health series vanished still counts as down.
HEALTH_LOOKBACK = 3600.0


@dataclass(frozen=True)
class Health:
    """How a dependency reports its health: a 0/1 gauge, a gauge with a healthy range, or a heartbeat (a
    counter or a last-success timestamp that keeps changing while it works). Every form reads as one
    0/1 value, so alerts, dashboards and rule tests treat them alike."""

    selector: Selector
    below: float | None = None  # unhealthy while the gauge is below this
    above: float | None = None  # unhealthy while the gauge is above this
    heartbeat: float | None = None  # window (seconds) in which the series must change

    @property
    def form(self) -> str:
        if self.heartbeat is not None:
            return "heartbeat"
        return "threshold" if self.below is not None or self.above is not None else "gauge"

    def healthy(self) -> str:
        """The healthy condition as a person reads it: pg_up{...}, kafka_brokers >= 3, changes(c[5m]) > 0."""
        series = self.selector.promql()
        if self.form == "heartbeat":
            return f"changes({series}[{format_duration(self.heartbeat)}]) > 0"
        if self.form == "gauge":
            return series
        bounds = ([f">= {format_number(self.below)}"] if self.below is not None else []) + (
            [f"<= {format_number(self.above)}"] if self.above is not None else [])
        return f"{series} {' and '.join(bounds)}"

    def instance_up(self) -> str:
        """PromQL that is 1 for each healthy instance and 0 (or below 1) for each other one."""
        series = self.selector.promql()
        if self.form == "heartbeat":
            # changes(), not rate(): the same for a counter (a reset is a change too), it also takes a
            # last-success timestamp, and dashboards can show it with the alert's own window.
            return f"changes({series}[{format_duration(self.heartbeat)}]) > bool 0"
        if self.form == "gauge":
            return series
        checks = ([f"{series} >= bool {format_number(self.below)}"] if self.below is not None else []) + (
            [f"{series} <= bool {format_number(self.above)}"] if self.above is not None else [])
        return checks[0] if len(checks) == 1 else " * ".join(f"({c})" for c in checks)

    def up(self, dims: tuple[str, ...] = ()) -> str:
        """1 while at least one instance is healthy; 0 when none is, or when no series is left. With
        dimensions, per dimension value: one whose series vanished within HEALTH_LOOKBACK is 0 (down)
        too, and when none is left anywhere a single unlabelled 0 answers."""
        healthiest = aggregate("max", dims, self.instance_up())
        if not dims:
            return f"{healthiest} or vector(0)"
        seen = f"present_over_time({self.selector.promql()}[{format_duration(HEALTH_LOOKBACK)}])"
        return f"{healthiest} or 0 * {aggregate('group', dims, seen)} {or_constant(dims, '0')}"


@dataclass(frozen=True)
class Saturation:
    name: str  # what it measures, e.g. backlog; part of its alert names
    title: str
    meaning: str  # what a high value means, for alerts and runbooks
    selector: Selector  # the gauge, or the ratio's numerator
    denominator: Selector | None
    threshold: float
    predict_range: float | None
    predict_ahead: float | None
    for_: float
    severity: str
    alert_name: str
    predicted_alert_name: str | None
    drained: float = 0.0  # a queue at or below this has drained the work queued during an outage
    drain_limit: float = 3600.0  # the longest a RecentlyDown companion waits for that drain

    def value(self, dims: tuple[str, ...] = ()) -> str:
        """The one value compared with the threshold (per dimension value): the deepest gauge, or the summed ratio."""
        if self.denominator is None:
            return aggregate("max", dims, self.selector.promql())
        return f"{aggregate('sum', dims, self.selector.promql())} / {aggregate('sum', dims, self.denominator.promql())}"

    @property
    def is_queue(self) -> bool:
        """A gauge named backlog is a queue's depth (the one signal a dependency could have at first)."""
        return self.name == "backlog" and self.denominator is None

    def shown(self) -> str:
        """The signal as alert texts and panels name it: the gauge's selector, or the ratio."""
        return self.selector.promql() if self.denominator is None else self.value()

    @property
    def alert_names(self) -> tuple[str, ...]:
        return (self.alert_name,) + ((self.predicted_alert_name,) if self.predicted_alert_name else ())


@dataclass(frozen=True)
class DependencySignals:
    """What a dependency is and how it is watched: all its cause alerts need."""

    name: str
    title: str
    kind: str
    health: Health
    health_for: float
    saturations: tuple[Saturation, ...]
    down_alert_name: str

    def saturation_of(self, alert_name: str) -> Saturation:
        return next(s for s in self.saturations if alert_name in s.alert_names)

    @property
    def alert_names(self) -> tuple[str, ...]:
        return (self.down_alert_name,) + tuple(n for s in self.saturations for n in s.alert_names)


@dataclass(frozen=True)
class Dependency(DependencySignals):
    stages: tuple[str, ...]
    features: tuple[str, ...]
    depends_on: tuple[str, ...]
    runbook: RunbookHints | None = None
    # Always the journey's own name, shared dependency or not: its period and targets are per journey.
    recently_down_alert_name: str = ""
    # Set when several journeys of one build declare this dependency: its cause alerts then exist
    # once for all of them (obsgen.fleet), and the names above are the shared ones.
    shared: SharedDependency | None = None
    declared_at: Location = field(default=None, compare=False)  # type: ignore[assignment]


@dataclass(frozen=True)
class Location:
    """Where a name was declared in its spec, for problems that span several specs."""

    file: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


@dataclass(frozen=True)
class DependencyUse:
    """One journey's use of a shared dependency: which of its stages stop when it fails."""

    journey: str
    journey_title: str
    stages: tuple[str, ...]
    stage_titles: tuple[str, ...]
    dashboard_url: str


@dataclass(frozen=True)
class SharedDependency(DependencySignals):
    """A dependency declared by several journeys of one build, with one definition and one set of
    cause alerts (no journey label) that route to the owners of shared infrastructure."""

    users: tuple[DependencyUse, ...]
    runbook_page: str  # the runbook page that documents its alerts (the first user journey's)
    dashboard_url: str  # the index dashboard

    def runbook_url(self, alert_name: str) -> str:
        return f"{self.runbook_page}#{alert_name.lower()}"


@dataclass(frozen=True)
class CustomAlertTest:
    """The spec's own proof of a custom alert: it fires at ``fires_at`` on these input series."""

    input_series: tuple[tuple[str, str], ...]  # (series, values in promtool's notation)
    fires_at: float
    quiet_at: tuple[float, ...]
    labels: tuple[tuple[str, str], ...]  # the expression's result labels


@dataclass(frozen=True)
class CustomAlert:
    """An alert written in raw PromQL by the spec's author (already parsed and checked)."""

    name: str
    expr: str
    for_: float
    severity: str
    summary: str
    description: str
    runbook: str
    stage: str
    dependency: str
    labels: tuple[tuple[str, str], ...]
    test: CustomAlertTest | None = None


@dataclass(frozen=True)
class BusinessMetric:
    name: str
    title: str
    type: str
    selector: Selector
    by: tuple[str, ...]
    unit: str
    stage: str | None


@dataclass(frozen=True)
class Journey:
    name: str
    title: str
    description: str
    service: str
    team: str
    labels: tuple[tuple[str, str], ...]
    runbook_base_url: str
    dashboard_base_url: str
    trace_ui_url: str
    trace_service: str
    dashboard_uid: str
    scrape_interval: float
    stages: tuple[Stage, ...]
    journey_time: Histogram | None
    journey_time_title: str
    slos: tuple[Slo, ...]
    dependencies: tuple[Dependency, ...]
    business: tuple[BusinessMetric, ...]
    source: str  # the spec path as given, relative when possible
    source_sha256: str = field(default="")
    declared_at: Location = field(default=None, compare=False)  # type: ignore[assignment]
    custom_alerts: tuple[CustomAlert, ...] = ()
    # spec.by: labels every aggregation keeps, so one spec serves many clusters (empty: one series per rule).
    dims: tuple[str, ...] = ()
    # What the spec allows but probably did not mean (a page at 1x); reported by the build, never fatal.
    warnings: tuple[Diagnostic, ...] = field(default=(), compare=False)
    # Where the spec gives each alert its name (the name written, or the stage, SLO or dependency it
    # is derived from), for problems that span several specs: two journeys' alerts of one name.
    alert_declared_at: tuple[tuple[str, Location], ...] = field(default=(), compare=False)
    # How often Prometheus evaluates the rules: its usual 1m (the rule tests' too); a drill sets its stack's.
    evaluation_interval: float = 60.0

    @property
    def local_dependencies(self) -> tuple[Dependency, ...]:
        """Dependencies whose cause alerts this journey's own rule files carry."""
        return tuple(d for d in self.dependencies if d.shared is None)

    def stage(self, name: str) -> Stage:
        return next(s for s in self.stages if s.name == name)

    def dependency(self, name: str) -> Dependency:
        return next(d for d in self.dependencies if d.name == name)

    @property
    def runbook_page(self) -> str:
        return f"{self.runbook_base_url.rstrip('/')}/{self.name}.md"

    def runbook_url(self, alert_name: str) -> str:
        return f"{self.runbook_page}#{alert_name.lower()}"

    def dashboard_url(self, **variables: str) -> str:
        query = "&".join(f"var-{k}={v}" for k, v in sorted(variables.items()) if v)
        url = f"{self.dashboard_base_url.rstrip('/')}/d/{self.dashboard_uid}/{self.name}"
        return f"{url}?{query}" if query else url


@dataclass(frozen=True)
class Fleet:
    """Every journey of one build, with the dependencies they share. One journey is a fleet too."""

    journeys: tuple[Journey, ...]  # sorted by name
    shared: tuple[SharedDependency, ...]  # sorted by name
    dashboard_uid: str
    dashboard_base_url: str

    @property
    def dashboard_url(self) -> str:
        return f"{self.dashboard_base_url.rstrip('/')}/d/{self.dashboard_uid}/journeys"

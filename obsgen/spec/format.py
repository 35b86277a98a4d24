"""The journey spec format (apiVersion obsgen/v1), as pydantic models.

These models are the single source of truth for the spec's shape: `obsgen schema` prints
the JSON Schema generated from them, and the loader validates specs against that schema
(to report every problem at once, with positions) before building these objects.
Names that end up in PromQL, rule names or JSON are constrained by patterns here.
"""

from __future__ import annotations

from typing import Annotated, Literal, Union

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

NAME_PATTERN = r"^[a-z][a-z0-9_-]{0,62}$"
LABEL_NAME_PATTERN = r"^[a-zA-Z_][a-zA-Z0-9_]*$"
METRIC_NAME_PATTERN = r"^[a-zA-Z_:][a-zA-Z0-9_:]*$"
ALERT_NAME_PATTERN = r"^[A-Z][A-Za-z0-9]*$"
DURATION_PATTERN = r"^([0-9]+(ms|s|m|h|d|w|y))+$"
# Free text ends up inside Go templates (alert annotations), where braces would be evaluated.
TEXT_PATTERN = r"^[^{}]*$"
URL_PATTERN = r"^https?://[^\s\"'<>{}]+$"

Name = Annotated[str, Field(pattern=NAME_PATTERN, description="lower-case identifier: letters, digits, '_' and '-'")]
LabelName = Annotated[str, Field(pattern=LABEL_NAME_PATTERN)]
MetricName = Annotated[str, Field(pattern=METRIC_NAME_PATTERN)]
Duration = Annotated[str, Field(pattern=DURATION_PATTERN, description="Prometheus duration, e.g. 5m, 1h30m, 30d")]
Text = Annotated[str, Field(pattern=TEXT_PATTERN, max_length=2000, description="free text without braces")]
Url = Annotated[str, Field(pattern=URL_PATTERN)]
Severity = Literal["page", "ticket"]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", alias_generator=to_camel, populate_by_name=True, frozen=True)


class RegexMatch(Model):
    """Label value matched by an RE2 regular expression (`=~`)."""

    regex: str


class NotEqual(Model):
    """Label value must differ (`!=`)."""

    not_: str = Field(alias="not")


class NotRegexMatch(Model):
    """Label value must not match the regular expression (`!~`)."""

    not_regex: str


MatcherValue = Union[str, RegexMatch, NotEqual, NotRegexMatch]
Match = dict[LabelName, MatcherValue]


# Runbook hints are shown as Markdown text or inside code blocks; no line breaks, so they cannot start sections.
HINT_PATTERN = r"^[^\x00-\x1f\x7f-\x9f\u2028\u2029]*$"
HintLine = Annotated[str, Field(pattern=HINT_PATTERN, min_length=1, max_length=1000)]


class RunbookHints(Model):
    """Where to look when this stage or dependency is in trouble, in the team's own tools."""

    logs: HintLine | None = Field(default=None, description="a log query or where the logs are, e.g. {app=\"api\"} |= \"error\" in Loki")
    traces: HintLine | None = Field(default=None, description="where the traces are, e.g. a Jaeger or Tempo search")
    dashboards: list[Url] = Field(default_factory=list, description="further dashboards to open")
    commands: list[HintLine] = Field(default_factory=list, description="shell command lines that show its state, e.g. kubectl ... get pods")
    notes: HintLine | None = Field(default=None, description="anything else the person on call should know")


class CounterSignal(Model):
    """A counter and the label matchers that select the events it counts."""

    metric: MetricName | None = Field(default=None, description="defaults to the profile's metric")
    match: Match = Field(default_factory=dict)


class HistogramSignal(Model):
    """A classic Prometheus histogram, by its base name (without _bucket/_count/_sum)."""

    histogram: MetricName | None = None
    match: Match = Field(default_factory=dict)
    buckets: list[float] | None = Field(default=None, description="the histogram's bucket bounds; lets obsgen check latency thresholds against them")


class ErrorRateAlert(Model):
    """The seed's 'high error rate' style alert: errors / requests over a window above a threshold."""

    name: Annotated[str, Field(pattern=ALERT_NAME_PATTERN)] | None = None
    threshold: float = Field(gt=0, le=1, description="error ratio, 0.05 = 5%")
    window: Duration = "5m"
    for_: Duration = Field(default="2m", alias="for")
    severity: Severity = "page"
    errors: CounterSignal | None = Field(default=None, description="errors for this alert, if they differ from the stage's")


class LatencyAlert(Model):
    """The seed's 'slow p95' style alert: a histogram quantile over a window above a threshold."""

    name: Annotated[str, Field(pattern=ALERT_NAME_PATTERN)] | None = None
    quantile: float = Field(default=0.95, gt=0, lt=1)
    threshold: Duration
    window: Duration = "5m"
    for_: Duration = Field(default="5m", alias="for")
    severity: Severity = "page"


class StageAlerts(Model):
    error_rate: ErrorRateAlert | None = None
    latency: LatencyAlert | None = None


class Stage(Model):
    """One step of the journey, in journey order."""

    name: Name
    title: Text | None = None
    description: Text | None = None
    kind: Literal["http", "task", "queue"] | None = Field(default=None, description="defaults from the profile")
    profile: Literal["http", "celery"] | None = Field(default=None, description="instrumentation profile that fills requests, errors and latency")
    feature: Name | None = Field(default=None, description="the user-facing feature this stage serves; defaults to the stage name")
    match: Match = Field(default_factory=dict, description="label matchers added to every signal of the profile")
    requests: CounterSignal | None = Field(default=None, description="valid events")
    errors: CounterSignal | None = Field(default=None, description="failed events; matchers are added to the requests selector")
    latency: HistogramSignal | None = None
    alerts: StageAlerts = Field(default_factory=StageAlerts)
    runbook: RunbookHints | None = Field(default=None, description="where to look when it fails, shown in the runbook sections of its alerts")


class BurnRateWindow(Model):
    """One multi-window burn-rate condition (Google SRE workbook, chapter 5)."""

    severity: Severity
    factor: float = Field(gt=0)
    long: Duration
    short: Duration


class SloAlerting(Model):
    enabled: bool = True
    name: Annotated[str, Field(pattern=ALERT_NAME_PATTERN)] | None = None
    page_for: Duration = "2m"
    ticket_for: Duration = "15m"
    burn_rates: list[BurnRateWindow] | None = Field(default=None, description="defaults: page 14.4x 1h/5m and 6x 6h/30m; ticket 3x 1d/2h and 1x 3d/6h")


class Slo(Model):
    """A service level objective over one or more stages, or over the end-to-end journey time."""

    name: Name
    title: Text | None = None
    description: Text | None = None
    type: Literal["availability", "latency", "journey-time"]
    stages: list[Name] = Field(default_factory=list, description="stages whose events count; not used for journey-time")
    objective: float = Field(gt=0, lt=100, description="percent of good events, e.g. 99.9")
    threshold: Duration | None = Field(default=None, description="latency threshold for latency and journey-time SLOs")
    window: Duration | None = Field(default=None, description="SLO window; defaults to spec.sloWindow")
    alerting: SloAlerting = Field(default_factory=SloAlerting)


class Heartbeat(Model):
    """A counter (or a last-success timestamp) that keeps changing while the dependency works: jobs run,
    messages flow. Down when it has not changed within the window, or is gone."""

    metric: MetricName = Field(description="the counter or timestamp, e.g. a worker's jobs_processed_total")
    match: Match = Field(default_factory=dict, description="label matchers that select this dependency's series")
    window: Duration = Field(default="5m", description="down when the series has not changed within this window; "
                                                       "longer than the time between two beats and two scrapes")


class HealthSignal(Model):
    """How a dependency reports its health. By default a gauge that is 1 while healthy (absent or 0 is
    down); `below`/`above` turn it into a threshold on any gauge, and `heartbeat` watches a counter."""

    profile: Literal["postgresql", "rabbitmq", "scrape"] | None = None
    metric: MetricName | None = None
    match: Match = Field(default_factory=dict)
    below: float | None = Field(default=None, description="unhealthy while the gauge is below this, e.g. 3 for kafka_brokers")
    above: float | None = Field(default=None, description="unhealthy while the gauge is above this")
    heartbeat: Heartbeat | None = Field(default=None, description="a counter or timestamp that stops changing when the dependency is down")
    for_: Duration = Field(default="1m", alias="for")


class Prediction(Model):
    range: Duration = "30m"
    ahead: Duration = "1h"


class RatioTerm(Model):
    """One side of a saturation ratio: a gauge, by its metric name and the label matchers that select it."""

    metric: MetricName = Field(description="a gauge; summed over every series the matchers select")
    match: Match = Field(default_factory=dict, description="label matchers that select the series to sum")


class Ratio(Model):
    """numerator / denominator, each summed over the series it selects (e.g. connections in use / allowed)."""

    numerator: RatioTerm = Field(description="what is in use, e.g. pg_stat_activity_count")
    denominator: RatioTerm = Field(description="the limit, e.g. pg_settings_max_connections")


class SaturationSignal(Model):
    """A gauge (queue depth) or a ratio of two gauges (pool use) with a limit, and an optional linear prediction."""

    name: Name = Field(default="backlog", description="what it measures; names its alerts (<Journey><Dependency><Name>High), so keep it stable")
    title: Text | None = Field(default=None, description="how alerts and panels call it; defaults from the name")
    metric: MetricName | None = Field(default=None, description="a gauge; give this or ratio")
    match: Match = Field(default_factory=dict, description="label matchers of the gauge (a ratio has its own)")
    ratio: Ratio | None = Field(default=None, description="a ratio of two gauges instead of metric")
    threshold: float = Field(gt=0, description="alert above this value (a share, e.g. 0.9, for a ratio)")
    predict: Prediction | None = Field(default=None, description="also alert when the linear trend passes the threshold (gauges only)")
    for_: Duration = Field(default="10m", alias="for")
    severity: Severity = "ticket"


class Dependency(Model):
    name: Name
    title: Text | None = None
    kind: Literal["postgresql", "rabbitmq", "http", "service", "other"]
    health: HealthSignal
    saturation: SaturationSignal | list[SaturationSignal] | None = Field(
        default=None, description="one saturation signal, or a list of them with distinct names")
    stages: list[Name] = Field(default_factory=list, description="stages that use it directly")
    features: list[Name] = Field(default_factory=list, description="further features it serves outside this journey's stages")
    depends_on: list[Name] = Field(default_factory=list, description="dependencies it needs in turn")
    runbook: RunbookHints | None = Field(default=None, description="where to look when it fails, shown in its runbook sections")


class BusinessMetric(Model):
    name: Name
    title: Text | None = None
    metric: MetricName
    type: Literal["counter", "histogram", "gauge"] = "counter"
    by: list[LabelName] = Field(default_factory=list)
    match: Match = Field(default_factory=dict)
    unit: Annotated[str, Field(pattern=r"^[A-Za-z0-9_.:/%-]+$")] = "short"
    stage: Name | None = Field(default=None, description="the stage that produces it, so impact maps know what drops")


class JourneyTime(Model):
    """End-to-end journey time, from the first click to the last background step."""

    histogram: MetricName
    match: Match = Field(default_factory=dict)
    buckets: list[float] | None = None
    title: Text | None = None


class Metadata(Model):
    name: Name
    title: Text | None = None
    description: Text | None = None
    service: Name
    team: Name
    labels: dict[LabelName, Annotated[str, Field(pattern=TEXT_PATTERN, max_length=200)]] = Field(default_factory=dict)
    runbook_base_url: Url
    dashboard_base_url: Url = "http://localhost:3000"
    trace_ui_url: Url = Field(default="http://localhost:16686", description="Jaeger UI base URL")
    trace_service: Annotated[str, Field(pattern=r"^[A-Za-z0-9_.-]{1,128}$")] | None = Field(
        default=None, description="service name the journey's traces are recorded under in Jaeger; defaults to service")


class JourneySpec(Model):
    scrape_interval: Duration = "15s"
    slo_window: Duration = "30d"
    stages: list[Stage] = Field(min_length=1)
    journey_time: JourneyTime | None = None
    slos: list[Slo] = Field(default_factory=list)
    dependencies: list[Dependency] = Field(default_factory=list)
    business: list[BusinessMetric] = Field(default_factory=list)


class JourneyDocument(Model):
    """A whole spec file."""

    api_version: Literal["obsgen/v1"]
    kind: Literal["Journey"]
    metadata: Metadata
    spec: JourneySpec

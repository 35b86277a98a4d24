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


class FailuresAlert(Model):
    """A count-based alert for batch jobs: more than `threshold` failures within `window`
    (`sum(increase(failures[window])) > threshold`), where a ratio would say little about a job that runs once a day."""

    name: Annotated[str, Field(pattern=ALERT_NAME_PATTERN)] | None = None
    metric: MetricName | None = Field(default=None, description="the failures counter; defaults to the stage's errors")
    match: Match = Field(default_factory=dict, description="label matchers of the failures counter (with metric)")
    threshold: int = Field(default=0, ge=0, description="failures allowed in the window; the alert fires above it")
    window: Duration = "1d"
    for_: Duration = Field(default="1m", alias="for")
    severity: Severity = "ticket"


class StageAlerts(Model):
    error_rate: ErrorRateAlert | None = None
    latency: LatencyAlert | None = None
    failures: FailuresAlert | None = None


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


class BurnRateWindow(Model):
    """One multi-window burn-rate condition (Google SRE workbook, chapter 5)."""

    severity: Severity
    factor: float = Field(gt=0)
    long: Duration
    short: Duration


# Only this placeholder is substituted in raw SLI queries (as Sloth's `{{.window}}`).
WINDOW_PLACEHOLDER = "{{.window}}"


class QuerySli(Model):
    """An SLI as raw PromQL, for what no profile covers (Sloth's errorQuery/totalQuery). Each query is
    expanded once per SLI window with `{{.window}}` replaced by a Prometheus duration, and must be a
    vector expression; aggregate both queries to the same labels (e.g. `sum(...)`)."""

    error_query: str | None = Field(default=None, max_length=4000, description="bad events over {{.window}}, e.g. sum(rate(x_errors_total[{{.window}}]))")
    good_query: str | None = Field(default=None, max_length=4000, description="good events over {{.window}} (instead of errorQuery)")
    total_query: str = Field(max_length=4000, description="valid events over {{.window}}")


class FreshnessSli(Model):
    """A timestamp gauge of the last success (e.g. a batch job's last_success_timestamp_seconds): a minute is
    bad when the newest timestamp is older than maxAge, or when there is none."""

    metric: MetricName
    match: Match = Field(default_factory=dict)
    max_age: Duration = Field(description="data older than this is stale, e.g. 26h")


class LagSli(Model):
    """A backlog gauge (e.g. kafka_consumergroup_lag): a minute is bad when the aggregated lag is above the
    threshold, or when there is no lag series."""

    metric: MetricName
    match: Match = Field(default_factory=dict)
    threshold: float = Field(ge=0, description="lag (messages, seconds...) above which a minute is bad")
    aggregation: Literal["sum", "max"] = Field(default="sum", description="how the gauge's series combine: total lag or the worst one")


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
    type: Literal["availability", "latency", "journey-time", "freshness", "lag"] | None = Field(
        default=None, description="what the SLO measures; freshness and lag are time-slice SLOs (share of good minutes); "
                                  "omit it when sli gives raw queries")
    sli: QuerySli | None = Field(default=None, description="the SLI as raw PromQL (no type then)")
    freshness: FreshnessSli | None = Field(default=None, description="for type freshness")
    lag: LagSli | None = Field(default=None, description="for type lag")
    stages: list[Name] = Field(default_factory=list, description="stages whose events count; for raw, freshness and lag SLOs the stages they concern (impact maps); not used for journey-time")
    objective: float = Field(gt=0, lt=100, description="percent of good events, e.g. 99.9")
    threshold: Duration | None = Field(default=None, description="latency threshold for latency and journey-time SLOs")
    window: Duration | None = Field(default=None, description="SLO window; defaults to spec.sloWindow")
    alerting: SloAlerting = Field(default_factory=SloAlerting)


class HealthSignal(Model):
    """A series that is 1 while the dependency is healthy (absent or 0 means down)."""

    profile: Literal["postgresql", "rabbitmq", "scrape"] | None = None
    metric: MetricName | None = None
    match: Match = Field(default_factory=dict)
    for_: Duration = Field(default="1m", alias="for")


class Prediction(Model):
    range: Duration = "30m"
    ahead: Duration = "1h"


class SaturationSignal(Model):
    """A gauge of backlog (queue depth) with a limit, and an optional linear prediction."""

    metric: MetricName
    match: Match = Field(default_factory=dict)
    threshold: float = Field(gt=0)
    predict: Prediction | None = None
    for_: Duration = Field(default="10m", alias="for")
    severity: Severity = "ticket"


class Dependency(Model):
    name: Name
    title: Text | None = None
    kind: Literal["postgresql", "rabbitmq", "http", "service", "other"]
    health: HealthSignal
    saturation: SaturationSignal | None = None
    stages: list[Name] = Field(default_factory=list, description="stages that use it directly")
    features: list[Name] = Field(default_factory=list, description="further features it serves outside this journey's stages")
    depends_on: list[Name] = Field(default_factory=list, description="dependencies it needs in turn")


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


_NUMBER = r"-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"
_UNSIGNED = r"(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"
# promtool's expanding notation: "1 2 3", "0+10x100", "5-1x4", "_", "_x3", "stale".
SERIES_VALUES_PATTERN = (rf"^\s*(?:_(?:x[0-9]+)?|stale|{_NUMBER}(?:[+-]{_UNSIGNED}x[0-9]+)?)"
                         rf"(?:\s+(?:_(?:x[0-9]+)?|stale|{_NUMBER}(?:[+-]{_UNSIGNED}x[0-9]+)?))*\s*$")


class InputSeries(Model):
    """One input series of a custom alert's test, in promtool's notation."""

    series: str = Field(max_length=2000, description='a series selector with = matchers, e.g. push_time_seconds{job="backup"}')
    values: Annotated[str, Field(pattern=SERIES_VALUES_PATTERN, max_length=2000)] = Field(
        description="one value per minute in promtool's expanding notation, e.g. '0+0x9 600+0x10', '_x5', 'stale'")


class CustomAlertTest(Model):
    """Proof that a custom alert fires: promtool runs it on these input series in every build."""

    input_series: list[InputSeries] = Field(min_length=1)
    fires_at: Duration = Field(description="a time (from the start of the series) at which the alert is firing")
    quiet_at: list[Duration] = Field(default_factory=list, description="times at which it must not be firing")
    labels: dict[LabelName, Annotated[str, Field(pattern=TEXT_PATTERN, max_length=200)]] = Field(
        default_factory=dict, description="labels of the expression's result, which the alert carries besides obsgen's")


class CustomAlert(Model):
    """An alert in raw PromQL, as an escape hatch: labelled, linked, routed and inhibited like the generated ones."""

    name: Annotated[str, Field(pattern=ALERT_NAME_PATTERN)]
    expr: str = Field(max_length=4000, description="PromQL; must parse and be a vector expression")
    for_: Duration = Field(default="5m", alias="for")
    severity: Severity = "ticket"
    summary: Text
    description: Text
    runbook: Text | None = Field(default=None, description="what to do, for the runbook section (Markdown is escaped)")
    stage: Name | None = Field(default=None, description="the stage it concerns (dashboard link, impact map)")
    dependency: Name | None = Field(default=None, description="the dependency it concerns: held back while that dependency is down")
    labels: dict[LabelName, Annotated[str, Field(pattern=TEXT_PATTERN, max_length=200)]] = Field(
        default_factory=dict, description="extra labels; severity, journey, team, stage, slo and dependency are set by obsgen")
    test: CustomAlertTest | None = Field(default=None, description="input series on which the alert must fire")


class JourneySpec(Model):
    scrape_interval: Duration = "15s"
    slo_window: Duration = "30d"
    stages: list[Stage] = Field(min_length=1)
    journey_time: JourneyTime | None = None
    slos: list[Slo] = Field(default_factory=list)
    dependencies: list[Dependency] = Field(default_factory=list)
    business: list[BusinessMetric] = Field(default_factory=list)
    alerts: list[CustomAlert] = Field(default_factory=list, description="custom alerts in raw PromQL")


class JourneyDocument(Model):
    """A whole spec file."""

    api_version: Literal["obsgen/v1"]
    kind: Literal["Journey"]
    metadata: Metadata
    spec: JourneySpec

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
# Prometheus' grammar: units largest first, each at most once (obsgen.promql.parse_duration reads it).
DURATION_PATTERN = r"^([0-9]+y)?([0-9]+w)?([0-9]+d)?([0-9]+h)?([0-9]+m)?([0-9]+s)?([0-9]+ms)?$"
# Free text ends up inside Go templates (alert annotations), where braces would be evaluated, and in
# runbooks, SVG and terminals, where control characters are invalid (XML) or act (escape sequences).
# Tabs and line breaks are whitespace, which every output folds. Bidirectional overrides and isolates
# would make the text read differently from what it is ("Trojan Source", CVE-2021-42574).
TEXT_PATTERN = r"^[^{}\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]*$"
URL_PATTERN = r"^https?://[^\s\"'<>{}]+$"

Name = Annotated[str, Field(pattern=NAME_PATTERN, description="lower-case identifier: letters, digits, '_' and '-'")]
# Names in selectors may be any UTF-8 (Prometheus 3: `service.name`) when spec.nameValidation is utf8;
# the loader checks them against the legacy grammar otherwise (obsgen.spec.schema).
UTF8_NAME_PATTERN = r"^.+$"
LabelName = Annotated[str, Field(pattern=LABEL_NAME_PATTERN)]
MetricName = Annotated[str, Field(pattern=METRIC_NAME_PATTERN)]
SelectorLabelName = Annotated[str, Field(pattern=UTF8_NAME_PATTERN)]
SelectorMetricName = Annotated[str, Field(
    pattern=UTF8_NAME_PATTERN,
    description="metric name: [a-zA-Z_:][a-zA-Z0-9_:]*, or any UTF-8 (e.g. http.server.duration) with "
                "spec.nameValidation: utf8")]
Duration = Annotated[str, Field(pattern=DURATION_PATTERN, min_length=1,
                                description="Prometheus duration, e.g. 5m, 1h30m, 30d")]
Text = Annotated[str, Field(pattern=TEXT_PATTERN, max_length=2000,
                            description="free text without braces, control characters or bidirectional overrides")]
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
Match = Annotated[dict[SelectorLabelName, MatcherValue], Field(
    description="label matchers; label names are [a-zA-Z_][a-zA-Z0-9_]*, or any UTF-8 (e.g. service.name) with "
                "spec.nameValidation: utf8")]


# Runbook hints are shown as Markdown text or inside code blocks; no line breaks, so they cannot start sections.
HINT_PATTERN = r"^[^\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]*$"
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

    metric: SelectorMetricName | None = Field(default=None, description="defaults to the profile's metric")
    match: Match = Field(default_factory=dict)


class ErrorSignal(CounterSignal):
    """Failed events: matchers added to the requests selector, or another counter of their own."""

    with_stage_match: bool = Field(
        default=False, description="only when metric is another counter than the requests': also apply the stage's "
                                   "match (and the profile's request matchers) to it; by default that counter gets "
                                   "only its own match, since it rarely carries the requests' labels")


HistogramUnit = Literal["seconds", "milliseconds"]
UNIT_DESCRIPTION = ("unit the histogram observes in; inferred from its name when absent: a name ending in "
                    "_milliseconds or _ms is milliseconds, any other name (e.g. _seconds) seconds. Spec thresholds "
                    "stay durations (500ms); obsgen converts them to the histogram's unit")


class HistogramSignal(Model):
    """A latency histogram: a classic Prometheus histogram by its base name (without _bucket/_count/_sum),
    or a native histogram (Prometheus 3) by its name."""

    histogram: SelectorMetricName | None = None
    match: Match = Field(default_factory=dict)
    buckets: list[float] | None = Field(default=None, description="the histogram's bucket bounds, in its unit; lets obsgen check latency thresholds against them")
    unit: HistogramUnit | None = Field(default=None, description=UNIT_DESCRIPTION)
    native: bool | None = Field(default=None, description="a native histogram (Prometheus 3): SLIs use histogram_fraction/histogram_count and quantiles need no le label; defaults to the profile's (false)")


class ErrorRateAlert(Model):
    """The seed's 'high error rate' style alert: errors / requests over a window above a threshold."""

    name: Annotated[str, Field(pattern=ALERT_NAME_PATTERN)] | None = None
    threshold: float = Field(gt=0, le=1, description="error ratio, 0.05 = 5%")
    window: Duration = "5m"
    for_: Duration = Field(default="2m", alias="for")
    severity: Severity = "page"
    errors: ErrorSignal | None = Field(default=None, description="errors for this alert, if they differ from the stage's")


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


ErrorCode = Annotated[Union[str, int], Field(description="a status code value, e.g. 13 or Internal")]


class ProfileRequests(Model):
    metric: MetricName = Field(description="the counter of valid events; may be a histogram's own _count")
    match: Match = Field(default_factory=dict, description="label matchers that select valid events")


class ProfileErrors(Model):
    metric: MetricName | None = Field(default=None, description="another counter of failures; defaults to the requests metric")
    match: Match = Field(default_factory=dict, description="label matchers that select failures")


class ErrorCodes(Model):
    """Which values of a status label are failures; a stage can replace the list (errorCodes)."""

    label: LabelName = Field(description="the status label, e.g. rpc_grpc_status_code or grpc_code")
    codes: list[ErrorCode] = Field(min_length=1, description="its values that are failures")


class ProfileLatency(Model):
    histogram: MetricName = Field(description="base name of a classic histogram (without _bucket), or a native histogram's name")
    match: Match = Field(default_factory=dict, description="label matchers for the histogram only")
    unit: HistogramUnit | None = Field(default=None, description=UNIT_DESCRIPTION)
    native: bool = Field(default=False, description="a native histogram (Prometheus 3)")


class StageProfile(Model):
    """An instrumentation convention: what counts requests, errors and latency. A stage's `match` is
    added to every signal (minus labelsNotOnHistogram on the histogram)."""

    kind: Literal["http", "task", "queue"] = Field(description="what a stage using the profile is by default")
    description: Text | None = Field(default=None, description="what the profile describes, for people")
    requests: ProfileRequests = Field(description="valid events")
    errors: ProfileErrors | None = Field(default=None, description="matchers that select failures among the requests")
    error_codes: ErrorCodes | None = Field(default=None, description="failures by status code, as a regex matcher on the label; added to errors.match")
    latency: ProfileLatency | None = Field(default=None, description="the latency histogram")
    labels_not_on_histogram: list[LabelName] = Field(default_factory=list, description="labels the latency histogram does not carry; a stage's matchers on them are dropped there")


class ProfileFile(Model):
    """A file of instrumentation profiles, named in spec.profileFiles."""

    api_version: Literal["obsgen/v1"]
    kind: Literal["Profiles"]
    profiles: dict[Name, StageProfile] = Field(description="profiles by name, as stages name them in `profile`")


class Stage(Model):
    """One step of the journey, in journey order."""

    name: Name
    title: Text | None = None
    description: Text | None = None
    kind: Literal["http", "task", "queue"] | None = Field(default=None, description="defaults from the profile")
    profile: Name | None = Field(default=None, description="instrumentation profile that fills requests, errors and latency: a built-in one (http, celery, otel-http, otel-grpc, grpc-go, micrometer-http, spanmetrics) or one of spec.profiles / spec.profileFiles")
    feature: Name | None = Field(default=None, description="the user-facing feature this stage serves; defaults to the stage name")
    match: Match = Field(default_factory=dict, description="label matchers added to every signal of the profile")
    requests: CounterSignal | None = Field(default=None, description="valid events")
    errors: ErrorSignal | None = Field(default=None, description="failed events; matchers are added to the requests selector (a different metric gets only its own matchers)")
    error_codes: list[ErrorCode] | None = Field(default=None, min_length=1, description="status codes that count as errors, replacing the profile's errorCodes.codes (profiles with an errorCodes label only)")
    latency: HistogramSignal | None = None
    alerts: StageAlerts = Field(default_factory=StageAlerts)
    runbook: RunbookHints | None = Field(default=None, description="where to look when it fails, shown in the runbook sections of its alerts")


class BurnRateWindow(Model):
    """One multi-window burn-rate condition (Google SRE workbook, chapter 5): give its burn rate as a
    factor, or as the share of the SLO window's error budget it may consume in the long window."""

    severity: Severity
    factor: float | None = Field(default=None, gt=0, description="burn rate: fires when both windows' error ratio is above factor x (1 - objective)")
    budget_share: float | None = Field(
        default=None, gt=0, le=100,
        description="instead of factor: percent of the SLO window's error budget consumed within the long window, e.g. 2 "
                    "(factor = share x SLO window / long window, so the alert means the same for 7d and 90d SLOs)")
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


class BudgetAlerts(Model):
    """The budget policy's alerts (docs/error-budgets.md): the error budget of the SLO window is spent, and it
    will be at the current pace. Both are tickets by default: they call for a decision (freeze risky releases,
    spend the next sprint on reliability), not for someone to wake up."""

    exhausted: Literal["page", "ticket", "off"] = Field(
        default="ticket", description="severity of the alert that fires while the budget left over the SLO window is "
                                      "at or below zero; off for none")
    forecast: Literal["page", "ticket", "off"] = Field(
        default="ticket", description="severity of the alert that fires while, at the burn rate of both the last 1d "
                                      "and the last 3d, the budget left lasts less than forecastWithin; off for none")
    forecast_within: Duration | None = Field(
        default=None, description="how soon the budget must run out for the forecast alert to fire; defaults to a "
                                  "quarter of the SLO window (7d12h for 30d, 1d18h for 7d)")


class CalendarWindow(Model):
    """A calendar SLO window (OpenSLO timeWindow with isRolling: false): the budget is counted from the start of
    the current calendar month or ISO week and resets at the next one (docs/error-budgets.md, "Calendar windows").
    Periods are UTC: PromQL's date functions know no other time zone, so only UTC is supported."""

    period: Literal["month", "week"] = Field(
        description="month: from the 1st 00:00 to the next 1st (burn-rate factors use a nominal 30d); week: the ISO "
                    "week, Monday 00:00 to the next Monday (7d)")
    time_zone: Annotated[str, Field(max_length=64, pattern=r"^[A-Za-z0-9_+/-]+$")] = Field(
        default="UTC", description="time zone of the period boundaries; only UTC (or Etc/UTC) is supported, any "
                                   "other is refused")


class SloAlerting(Model):
    enabled: bool = True
    name: Annotated[str, Field(pattern=ALERT_NAME_PATTERN)] | None = None
    page_for: Duration = "2m"
    ticket_for: Duration = "15m"
    burn_rates: list[BurnRateWindow] | None = Field(
        default=None,
        description="defaults, from the share of the budget each may consume (SRE workbook): page 2% in 1h (short 5m) "
                    "and 5% in 6h (30m), ticket 10% in 1d (2h) and 10% in 3d (6h); factor = share x SLO window / long "
                    "window (14.4, 6, 3, 1 for 30d), tickets at least 1")
    min_events: int | None = Field(
        default=None, ge=0,
        description="low-traffic guard: valid events each page pair's short window must hold before it may page "
                    "(0: no guard). Default per pair: ceil(1 / (factor x (1 - objective))), the fewest events in which "
                    "a single bad event cannot cross the page threshold. Event-based SLOs only")
    budget: BudgetAlerts = Field(default_factory=BudgetAlerts, description="error-budget exhausted and forecast alerts")


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
    window: Duration | None = Field(default=None, description="SLO window (rolling); defaults to spec.sloWindow")
    calendar: CalendarWindow | None = Field(
        default=None, description="instead of a rolling window: a calendar month or ISO week (UTC) whose budget resets "
                                  "at each period start; not with window, and only for SLOs that count events")
    budgeting_method: Literal["occurrences", "timeslices"] | None = Field(
        default=None, description="how the SLO window's error ratio counts (OpenSLO budgetingMethod): occurrences = bad "
                                  "events / valid events over the window (availability, latency, journey-time and raw "
                                  "SLIs); timeslices = bad minutes / minutes (freshness and lag, which have no events). "
                                  "Defaults to the one the SLO's type supports; see docs/error-budgets.md")
    alerting: SloAlerting = Field(default_factory=SloAlerting)


class Heartbeat(Model):
    """A counter (or a last-success timestamp) that keeps changing while the dependency works: jobs run,
    messages flow. Down when it has not changed within the window, or is gone."""

    metric: SelectorMetricName = Field(description="the counter or timestamp, e.g. a worker's jobs_processed_total")
    match: Match = Field(default_factory=dict, description="label matchers that select this dependency's series")
    window: Duration = Field(default="5m", description="down when the series has not changed within this window; "
                                                       "longer than the time between two beats and two scrapes")


class HealthSignal(Model):
    """How a dependency reports its health. By default a gauge that is 1 while healthy (absent or 0 is
    down); `below`/`above` turn it into a threshold on any gauge, and `heartbeat` watches a counter."""

    profile: Literal["postgresql", "rabbitmq", "scrape"] | None = None
    metric: SelectorMetricName | None = None
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

    metric: SelectorMetricName = Field(description="a gauge; summed over every series the matchers select")
    match: Match = Field(default_factory=dict, description="label matchers that select the series to sum")


class Ratio(Model):
    """numerator / denominator, each summed over the series it selects (e.g. connections in use / allowed)."""

    numerator: RatioTerm = Field(description="what is in use, e.g. pg_stat_activity_count")
    denominator: RatioTerm = Field(description="the limit, e.g. pg_settings_max_connections")


class SaturationSignal(Model):
    """A gauge (queue depth) or a ratio of two gauges (pool use) with a limit, and an optional linear prediction."""

    name: Name = Field(default="backlog", description="what it measures; names its alerts (<Journey><Dependency><Name>High), so keep it stable")
    title: Text | None = Field(default=None, description="how alerts and panels call it; defaults from the name")
    metric: SelectorMetricName | None = Field(default=None, description="a gauge; give this or ratio")
    match: Match = Field(default_factory=dict, description="label matchers of the gauge (a ratio has its own)")
    ratio: Ratio | None = Field(default=None, description="a ratio of two gauges instead of metric")
    threshold: float = Field(gt=0, description="alert above this value (a share, e.g. 0.9, for a ratio)")
    predict: Prediction | None = Field(default=None, description="also alert when the linear trend passes the threshold (gauges only)")
    for_: Duration = Field(default="10m", alias="for")
    severity: Severity = "ticket"
    drained: float = Field(
        default=0, ge=0,
        description="a queue gauge (name backlog) at or below this is drained: after the dependency recovers, its "
                    "RecentlyDown companion keeps holding symptoms back while the work queued during the outage drains")
    drain_limit: Duration = Field(
        default="1h",
        description="the longest a queue (name backlog) may drain after the dependency recovers before its symptoms "
                    "page again: bounds the companion, so a stuck queue cannot mute pages")


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
    metric: SelectorMetricName
    type: Literal["counter", "histogram", "gauge"] = "counter"
    by: list[LabelName] = Field(default_factory=list)
    match: Match = Field(default_factory=dict)
    unit: Annotated[str, Field(pattern=r"^[A-Za-z0-9_.:/%-]+$")] = "short"
    stage: Name | None = Field(default=None, description="the stage that produces it, so impact maps know what drops")


class JourneyTime(Model):
    """End-to-end journey time, from the first click to the last background step."""

    histogram: SelectorMetricName
    match: Match = Field(default_factory=dict)
    buckets: list[float] | None = Field(default=None, description="the histogram's bucket bounds, in its unit")
    unit: HistogramUnit | None = Field(default=None, description=UNIT_DESCRIPTION)
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
    name_validation: Literal["legacy", "utf8"] = Field(
        default="legacy",
        description="metric and label names in selectors: 'legacy' ([a-zA-Z_:][a-zA-Z0-9_:]*, every Prometheus) or "
                    "'utf8' (any UTF-8, quoted in PromQL; needs Prometheus 3 with UTF-8 name validation)")
    by: list[LabelName] = Field(
        default_factory=list, max_length=5,
        description="dimensions: label names (e.g. [cluster] or [cluster, env]) every recording rule and alert keeps, so "
                    "one spec serves many clusters and an alert says which one burns; Alertmanager groups and inhibits "
                    "per value, dashboards get a variable per label")
    scrape_interval: Duration = "15s"
    slo_window: Duration = "30d"
    profiles: dict[Name, StageProfile] = Field(default_factory=dict, description="instrumentation profiles of this journey's own, by name")
    profile_files: list[Annotated[str, Field(pattern=r"^[^\x00-\x1f\x7f]{1,4096}$")]] = Field(
        default_factory=list, description="files of profiles (apiVersion obsgen/v1, kind Profiles), relative to this spec")
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

"""Grafana variable substitution, as Grafana does it for Prometheus queries."""

from __future__ import annotations

from obsgen.verify.variables import TimeContext, interpolate, regex_escape, variable_values

TIME = TimeContext(window=600, step=15, scrape_interval=15)


def _custom(name: str, values: list[str], current, multi: bool = True, all_value: str | None = None) -> dict:
    variable = {
        "name": name, "type": "custom", "multi": multi, "includeAll": multi,
        "current": {"value": current},
        "options": [{"value": "$__all"}] + [{"value": v} for v in values],
    }
    if all_value:
        variable["allValue"] = all_value
    return variable


def test_rate_interval_is_at_least_four_scrapes_and_covers_a_step():
    assert TIME.rate_interval == 60
    assert TimeContext(window=86400, step=120, scrape_interval=15).rate_interval == 135
    assert TIME.builtins()["__rate_interval"] == "1m"
    assert TIME.builtins()["__range"] == "10m"
    assert TIME.builtins()["__interval"] == "15s"


def test_all_of_a_multi_value_variable_becomes_a_regex_alternative():
    values = variable_values([_custom("stage", ["browse", "checkout"], ["$__all"])])
    assert values == {"stage": "(browse|checkout)"}
    result = interpolate('x{stage=~"$stage"}[$__rate_interval]', values, TIME)
    assert result.expr == 'x{stage=~"(browse|checkout)"}[1m]'
    assert result.unresolved == ()


def test_all_value_wins_over_the_options():
    values = variable_values([_custom("slo", ["a", "b"], "$__all", all_value=".*")])
    assert values == {"slo": ".*"}


def test_selected_values_are_regex_escaped_for_promql_strings():
    values = variable_values([_custom("handler", ["/a.b", "/c"], ["/a.b"])])
    assert values == {"handler": "/a\\\\.b"}
    assert regex_escape("a|b") == "a\\\\|b"


def test_single_value_variables_are_not_escaped():
    values = variable_values([_custom("trace_id", [], "ab.c", multi=False)])
    assert values == {"trace_id": "ab.c"}


def test_every_syntax_is_replaced_and_unknown_names_are_reported():
    result = interpolate("${stage} [[stage]] ${stage:regex} $nope $__range_s", {"stage": "s"}, TIME)
    assert result.expr == "s s s $nope 600"
    assert result.unresolved == ("nope",)


def test_label_replace_back_references_are_not_variables():
    result = interpolate('label_replace(up, "x", "$1 (selected)", "job", "(.*)")', {}, TIME)
    assert result.unresolved == ()
    assert "$1 (selected)" in result.expr


def test_datasource_variables_are_not_query_values():
    assert variable_values([{"name": "datasource", "type": "datasource", "query": "prometheus"}]) == {}

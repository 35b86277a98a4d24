"""Annotation templates expanded as Prometheus' template functions do."""

from __future__ import annotations

import pytest

from obsgen.artifacts.ruletests.templates import (UnsupportedTemplate, expand, humanize, humanize_duration,
                                                  humanize_percentage)


@pytest.mark.parametrize("value, text", [(5000, "5k"), (1234567, "1.235M"), (0.005, "5m"), (0, "0"), (12, "12")])
def test_humanize(value, text):
    assert humanize(value) == text


@pytest.mark.parametrize("value, text", [(0.3333333, "33.33%"), (1, "100%"), (0.0005, "0.05%")])
def test_humanize_percentage(value, text):
    assert humanize_percentage(value) == text


@pytest.mark.parametrize("value, text", [(1.6875, "1.688s"), (90, "1m 30s"), (3725, "1h 2m 5s"), (0.25, "250ms"),
                                         (90000, "1d 1h 0m 0s"), (0, "0s")])
def test_humanize_duration(value, text):
    assert humanize_duration(value) == text


def test_expand_value_and_labels():
    assert expand("{{ $value | humanizePercentage }} of {{ $labels.stage }}", 0.1, {"stage": "checkout"}) \
        == "10% of checkout"


def test_unknown_constructs_are_refused():
    with pytest.raises(UnsupportedTemplate):
        expand("{{ range $x := . }}", 1, {})

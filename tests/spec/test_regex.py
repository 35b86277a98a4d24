"""Matcher regexes in a spec are checked as Prometheus (RE2) compiles them, with positions."""

from __future__ import annotations

import subprocess
import sys

import pytest

from obsgen.build.load import parse_journey
from obsgen.errors import SpecError
from tests.spec.test_errors import MINIMAL


def test_re2_only_regexes_are_accepted_and_emitted_verbatim():
    text = MINIMAL.replace("match: {handler: /checkout}",
                           'match: {handler: {regex: "/[[:alpha:]]+"}, method: {notRegex: "\\\\QGET.\\\\E"}}')
    journey = parse_journey(text, "shop.yaml")
    assert journey.stage("checkout").requests.promql() == (
        'http_requests_total{handler=~"/[[:alpha:]]+",method!~"\\\\QGET.\\\\E"}')


def test_invalid_regexes_are_positioned_errors_all_at_once():
    text = MINIMAL.replace("match: {handler: /checkout}",
                           'match: {handler: {regex: "(?=x)"}}\n'
                           '      errors:\n'
                           '        match:\n'
                           '          code: {notRegex: "5(.."}')
    with pytest.raises(SpecError) as caught:
        parse_journey(text, "shop.yaml")
    assert [str(d) for d in caught.value.diagnostics] == [
        "shop.yaml:12:32: invalid regular expression '(?=x)': invalid perl operator: (?= "
        "(Prometheus uses RE2 syntax)",
        "shop.yaml:15:28: invalid regular expression '5(..': missing ): 5(.. (Prometheus uses RE2 syntax)",
    ]


@pytest.mark.integration
def test_invalid_regex_exits_2_without_traceback(tmp_path):
    spec = tmp_path / "shop.yaml"
    spec.write_text(MINIMAL.replace("match: {handler: /checkout}", 'match: {handler: {regex: "a)|(b"}}'))
    result = subprocess.run([sys.executable, "-m", "obsgen", "build", "--no-validate", str(spec),
                             "--out", str(tmp_path / "out")], cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode == 2
    assert "shop.yaml:12:32: invalid regular expression 'a)|(b'" in result.stderr
    assert "Traceback" not in result.stderr

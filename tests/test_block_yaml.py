"""obsgen.block_yaml writes the bytes PyYAML writes: on every generated file and on random documents."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings, strategies as st

from obsgen import block_yaml, render
from tests.conftest import ROOT


def pyyaml(data) -> str:
    return render.dump_yaml(data, dumper=render._DEFAULT)


def direct(data) -> str:
    """The direct writer alone (a fresh one, so no other test's strings are remembered)."""
    return block_yaml.for_dumper(render._DEFAULT, **render._OPTIONS).dump(data)


GENERATED = sorted(p for p in (ROOT / "generated").rglob("*.y*ml"))


def test_there_are_generated_files_to_compare():
    assert len(GENERATED) > 50


@pytest.mark.parametrize("path", GENERATED, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_generated_yaml_file_is_written_directly_and_byte_for_byte(path: Path):
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    assert direct(data) == pyyaml(data)


def test_a_build_writes_its_yaml_directly(purchase_artifacts):
    """The documents a build keeps (rules, rule tests) need no fallback; so no generated file (above)."""
    documents = [a for a in purchase_artifacts if a.path.endswith(".yaml") and a.document is not None]
    assert {"tests/purchase.tests.yaml", "prometheus/alerts.rules.yaml"} <= {a.path for a in documents}
    for artifact in documents:
        assert render._direct_or_none(artifact.document) is not None, artifact.path


# Characters that decide a scalar's style: indicators, quotes, spaces, breaks, digits and letters that
# make numbers, booleans and nulls, a control character, non-ASCII (printable and not).
_TRICKY = list(" :#-?,[]{}&*!|>'\"%@`.=~<+0123456789eEaxyYnNoOtTfFlu_/\\\n\t\r\x85\u2028\u00e9\u4e2d\U0001f600\x07\ufeff")
_texts = st.one_of(st.text(alphabet=st.sampled_from(_TRICKY), max_size=12),
                   st.text(max_size=8),
                   st.sampled_from(["", "null", "~", "yes", "No", "on", "1e3", "0x1F", "1_000", "2026-12-02", "<<", "=",
                                    "---", "...", "- a", "a: b", "a #b", "a:", "a\n", "a\n\n", "\na", " a", "a ",
                                    "a\nb ", "x" * 130, 'up{job="api"} == 0', "slo:sli_error:ratio_rate5m"]))
_scalars = st.one_of(_texts, st.integers(), st.floats(allow_nan=True, allow_infinity=True), st.booleans(), st.none())
_documents = st.recursive(_scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                             st.dictionaries(_texts, inner, max_size=4)), max_leaves=20)


@settings(max_examples=400)
@given(st.one_of(st.lists(_documents, min_size=1, max_size=4), st.dictionaries(_texts, _documents, min_size=1, max_size=4)))
def test_random_documents_are_written_as_pyyaml_writes_them(document):
    """Directly where the writer can, else through PyYAML: the same bytes either way."""
    assert render.dump_yaml(document) == pyyaml(document)
    try:
        written = direct(document)
    except block_yaml.Unsupported:
        return
    assert written == pyyaml(document)


def test_what_pyyaml_writes_otherwise_is_left_to_pyyaml():
    shared = ["a"]
    for document, reason in [({"k": shared, "j": shared}, "appears twice"),
                             ({"x" * 128: 1}, "128 characters"),
                             ({"k": ("a",)}, "type tuple"),
                             ({1: "a"}, "key of type int"),
                             ({"k": "a\n\n"}, "keep indicator"),
                             ({"k": " a\nb"}, "indentation"),
                             ({"k": "a\u2028b"}, "several lines other than as a literal block"),
                             ({}, "non-empty mapping")]:
        with pytest.raises(block_yaml.Unsupported, match=reason):
            direct(document)
        assert render.dump_yaml(document) == pyyaml(document)


def test_floats_are_written_as_pyyaml_represents_them():
    values = [0.0, -0.0, 1.0, 0.1, 1e16, 1e-5, 123456789.123, math.inf, -math.inf, math.nan]
    assert direct({"v": values}) == pyyaml({"v": values})
    assert "- 1.0e+16\n" in direct({"v": values}) and "- .nan\n" in direct({"v": values})


def test_multi_line_strings_become_literal_blocks_indented_where_they_land():
    document = {"groups": [{"rules": [{"expr": "sum(rate(x[5m]))\n/\nsum(rate(y[5m]))", "keep": "a\n\nb\n"}]}]}
    assert direct(document) == pyyaml(document)
    assert "  - expr: |-\n      sum(rate(x[5m]))\n      /\n" in direct(document)

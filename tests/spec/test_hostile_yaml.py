"""Hostile or malformed YAML is refused quickly, as one positioned problem, never a traceback."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import yaml

from obsgen.build.load import MAX_SPEC_BYTES, load_journey, parse_journey
from obsgen.errors import SpecError
from obsgen.spec.positions import MAX_ALIASED_VALUES, MAX_DEPTH

BILLION_LAUGHS = "\n".join(
    ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    + [f"{b}: &{b} [{', '.join(['*' + a] * 9)}]" for a, b in zip("abcdefgh", "bcdefghi")]
) + "\n"


def refusal(text: str) -> str:
    with pytest.raises(SpecError) as caught:
        parse_journey(text, "evil.yaml")
    (only,) = caught.value.diagnostics
    return str(only)


def test_billion_laughs_is_refused_in_well_under_a_second_at_the_alias_that_expands():
    assert len(BILLION_LAUGHS) < 1024
    started = time.monotonic()
    found = refusal(BILLION_LAUGHS)
    assert time.monotonic() - started < 0.5
    assert found.startswith("evil.yaml:")
    line, column = map(int, found.split(":")[1:3])
    assert BILLION_LAUGHS.splitlines()[line - 1][column - 1] == "*"
    assert f"expand to more than {MAX_ALIASED_VALUES} values" in found


def test_modest_aliases_are_still_expanded():
    text = "apiVersion: &v obsgen/v1\nkind: Journey\nmetadata: {name: *v}\n"
    with pytest.raises(SpecError) as caught:
        parse_journey(text, "ok.yaml")
    assert not any("alias" in d.message or "expand" in d.message for d in caught.value.diagnostics)
    assert any("metadata.name: 'obsgen/v1' is not a lower-case name" in d.message for d in caught.value.diagnostics)


def test_an_alias_inside_its_own_anchor_is_refused():
    assert refusal("a: &a [1, *a]\n") == f"evil.yaml:1:11: the spec nests deeper than {MAX_DEPTH} levels (does a YAML alias refer to itself?)"


@pytest.mark.parametrize("opening, closing", [("[", "]"), ("{a: ", "}")])
def test_five_thousand_deep_nesting_is_refused_not_a_recursion_error(opening, closing):
    found = refusal("spec: " + opening * 5000 + closing * 5000 + "\n")
    assert f"the spec nests deeper than {MAX_DEPTH} levels" in found
    assert found.startswith("evil.yaml:1:")


def test_block_nesting_deeper_than_the_limit_points_at_the_line():
    text = "".join(f"{'  ' * i}k{i}:\n" for i in range(MAX_DEPTH + 5))
    assert refusal(text).startswith(f"evil.yaml:{MAX_DEPTH}:")


@pytest.mark.parametrize("text, position, tag", [
    ("apiVersion: !vault secret/obsgen\n", "1:13", "!vault"),
    ("metadata: !vault {name: x}\n", "1:11", "!vault"),
    ("spec: !!python/object:os.system [ls]\n", "1:7", "tag:yaml.org,2002:python/object:os.system"),
    ("spec: !!binary aGVsbG8=\n", "1:7", "tag:yaml.org,2002:binary"),
    ("spec: !!set {a, b}\n", "1:7", "tag:yaml.org,2002:set"),
])
def test_unknown_tags_are_positioned_errors_not_constructor_errors(text, position, tag):
    assert refusal(text) == (f"evil.yaml:{position}: unsupported YAML tag {tag!r}: specs use plain YAML values "
                             "(strings, numbers, true/false, lists and mappings)")


@pytest.mark.parametrize("text, message", [
    ("a: !!int twelve\n", "evil.yaml:1:4: 'twelve' is not a valid int"),
    ("a: !!bool maybe\n", "evil.yaml:1:4: 'maybe' is not a valid bool"),
    ("a: " + "9" * 5000 + "\n", "evil.yaml:1:4: '" + "9" * 40 + "…' is too large"),
    ("a: 9223372036854775808\n", "evil.yaml:1:4: '9223372036854775808' is too large (at most 9223372036854775807)"),
    ("a: .nan\n", "evil.yaml:1:4: '.nan' is not a finite number"),
    ("a: -.inf\n", "evil.yaml:1:4: '-.inf' is not a finite number"),
    ("a: 1.0e+400\n", "evil.yaml:1:4: '1.0e+400' is not a finite number"),
    # libyaml refuses the escape itself; PyYAML's Python scanner reads it and the loader refuses the value.
    ('a: "x\\ud800"\n', "evil.yaml:1:8: YAML syntax error: found invalid Unicode character escape code"
     if yaml.__with_libyaml__ else "evil.yaml:1:4: 'x\\ud800' holds U+D800, half of a UTF-16 surrogate pair, which is not text"),
    ("[a]: 1\n", "evil.yaml:1:1: a mapping key must be plain text, not a list or a mapping"),
])
def test_values_no_spec_field_can_hold_are_positioned_errors(text, message):
    assert refusal(text) == message


def test_unquoted_dates_stay_text():
    with pytest.raises(SpecError) as caught:
        parse_journey("apiVersion: 2024-01-01\n", "d.yaml")
    assert "d.yaml:1:13: apiVersion: '2024-01-01' is not one of 'obsgen/v1'; expected one of: obsgen/v1" in [
        str(d) for d in caught.value.diagnostics]


def test_a_control_character_is_positioned():
    assert refusal("a: 1\nb: \"x\x01\"\n") == "evil.yaml:2:6: YAML error: the spec contains the unprintable character U+0001"


def test_a_spec_that_is_not_a_mapping():
    assert refusal("- 1\n- 2\n") == "evil.yaml:1:1: the document: expected a mapping, got a list"


def test_non_utf8_bytes_are_positioned_at_the_first_bad_byte(tmp_path: Path):
    spec = tmp_path / "latin1.yaml"
    spec.write_bytes("apiVersion: obsgen/v1\nkind: Jé".encode("utf-8") + b"\xff\n")
    with pytest.raises(SpecError) as caught:
        load_journey(spec, source_name="latin1.yaml")
    assert [str(d) for d in caught.value.diagnostics] == [
        "latin1.yaml:2:9: spec is not UTF-8 text: byte 0xff (invalid start byte)"]


def test_dev_zero_and_huge_files_are_refused_without_reading_them_whole(tmp_path: Path):
    huge = tmp_path / "huge.yaml"
    huge.write_bytes(b"#" * (MAX_SPEC_BYTES + 1))
    for path, shown in ((huge, "huge.yaml"), (Path("/dev/zero"), "zero.yaml")):
        with pytest.raises(SpecError) as caught:
            load_journey(path, source_name=shown)
        assert [str(d) for d in caught.value.diagnostics] == [
            f"{shown}:1:1: spec is larger than {MAX_SPEC_BYTES // 1024} KiB; is this the right file?"]


def test_a_spec_at_the_size_limit_is_read(tmp_path: Path):
    spec = tmp_path / "big.yaml"
    spec.write_bytes(b"- 1\n" + b"#" * (MAX_SPEC_BYTES - 5) + b"\n")
    with pytest.raises(SpecError) as caught:
        load_journey(spec, source_name="big.yaml")
    assert [str(d) for d in caught.value.diagnostics] == ["big.yaml:1:1: the document: expected a mapping, got a list"]

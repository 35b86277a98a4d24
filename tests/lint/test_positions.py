"""Offsets inside YAML scalars map back to the right file line:col."""

import textwrap

import yaml

from obsgen.lint.positions import Pos, line_col_to_offset, scalar_offset_pos

DOC = textwrap.dedent(
    """\
    plain: rate(x[1m])
    quoted: "rate(x[1m])"
    escaped: "rate(x{a=\\"b\\"}[1m])"
    block: |
      sum(
        rate(x[1m])
      )
    """
)


def scalar(key):
    root = yaml.compose(DOC)
    return next(v for k, v in root.value if k.value == key)


def test_plain_quoted_and_block_scalars_map_exactly():
    lines = DOC.split("\n")
    assert scalar_offset_pos(scalar("plain"), lines, 6) == Pos(1, 14)
    assert scalar_offset_pos(scalar("quoted"), lines, 6) == Pos(2, 16)
    node = scalar("block")
    assert scalar_offset_pos(node, lines, node.value.index("[")) == Pos(6, 11)


def test_escaped_scalar_falls_back_to_its_start():
    assert scalar_offset_pos(scalar("escaped"), DOC.split("\n"), 10) == Pos(3, 10)


def test_line_col_to_offset():
    assert line_col_to_offset("ab\ncd", 2, 2) == 4

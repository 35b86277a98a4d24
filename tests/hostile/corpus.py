"""Hostile and malformed spec files: name -> bytes. Each is refused with exit 2 at a position."""

from __future__ import annotations

import yaml

from obsgen.build.load import MAX_SPEC_BYTES
from tests.spec_text import SHOP

HEAD = "apiVersion: obsgen/v1\nkind: Journey\n"
BILLION_LAUGHS = "\n".join(
    ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    + [f"{b}: &{b} [{', '.join(['*' + a] * 9)}]" for a, b in zip("abcdefgh", "bcdefghi")]) + "\n"
# Mappings of aliases of mappings: the same expansion without a list.
MAPPING_BOMB = "a: &a {x: 1, y: 2, z: 3}\n" + "".join(
    f"{b}: &{b} {{{', '.join(f'k{i}: *{a}' for i in range(10))}}}\n" for a, b in zip("abcdefg", "bcdefgh"))


# The composer refuses the 64th bracket (the document's mapping is the first level); without libyaml,
# PyYAML's scanner refuses the 65th, before its look-ahead for simple keys gets slow.
DEEP_FLOW_AT = "1:70" if yaml.__with_libyaml__ else "1:71"


def _utf8(text: str) -> bytes:
    return text.encode("utf-8")


# name -> (file content, the position of the one problem, a part of its message)
CORPUS: dict[str, tuple[bytes, str, str]] = {
    "billion-laughs": (_utf8(BILLION_LAUGHS), "5:8", "YAML aliases in the spec expand to more than 10000 values"),
    "mapping-alias-bomb": (_utf8(MAPPING_BOMB), "5:20", "YAML aliases in the spec expand to more than 10000 values"),
    "self-alias": (_utf8("a: &a [1, *a]\n"), "1:11", "does a YAML alias refer to itself?"),
    "deep-flow-nesting": (_utf8("spec: " + "[" * 5000 + "]" * 5000 + "\n"), DEEP_FLOW_AT, "the spec nests deeper than 64 levels"),
    "deep-block-nesting": (_utf8("".join(f"{'  ' * i}k{i}:\n" for i in range(200))), "64:127",
                           "the spec nests deeper than 64 levels"),
    "huge-file": (b"#" * (MAX_SPEC_BYTES + 1), "1:1", f"spec is larger than {MAX_SPEC_BYTES // 1024} KiB; is this the right file?"),
    "huge-scalar": (_utf8(SHOP.replace("name: shop\n", "name: shop\n  title: " + "x" * 100_000 + "\n", 1)), "5:10",
                    "… is longer than 2000 characters"),
    "vault-tag": (_utf8(HEAD + "metadata: !vault secret/shop\n"), "3:11", "unsupported YAML tag '!vault'"),
    "python-tag": (_utf8(HEAD + "spec: !!python/object/apply:os.system [id]\n"), "3:7",
                   "unsupported YAML tag 'tag:yaml.org,2002:python/object/apply:os.system'"),
    "binary-tag": (_utf8(HEAD + "spec: !!binary aGVsbG8=\n"), "3:7", "unsupported YAML tag 'tag:yaml.org,2002:binary'"),
    "raw-control-character": (_utf8(SHOP.replace("team: web", "team: w\x1beb")), "6:10",
                              "the spec contains the unprintable character U+001B"),
    "raw-nul": (_utf8(SHOP.replace("team: web", "team: w\x00eb")), "6:10", "the spec contains the unprintable character U+0000"),
    "escaped-nul-in-title": (_utf8(SHOP.replace("name: shop\n", 'name: shop\n  title: "Shop\\0"\n', 1)), "5:10",
                             "metadata.title: 'Shop\\x00' is not text without '{', '}', control characters"),
    "bidi-override-in-title": (_utf8(SHOP.replace("name: shop\n", "name: shop\n  title: Shop \u202egnp.exe\n", 1)), "5:10",
                               "metadata.title: 'Shop \\u202egnp.exe' is not text without '{', '}', control characters "
                               "or bidirectional overrides"),
    "non-utf8": (SHOP.replace("team: web", "team: w").encode("utf-8") + b"\xe9\n", "13:1",
                 "spec is not UTF-8 text: byte 0xe9"),
    "utf16": (SHOP.encode("utf-16"), "1:1", "spec is not UTF-8 text: byte 0xff"),
    "empty": (b"", "1:1", "the spec is empty"),
    "a-list": (_utf8("- 1\n- 2\n"), "1:1", "the document: expected a mapping, got a list"),
    "two-documents": (_utf8(SHOP + "---\n" + SHOP), "13:1", "YAML syntax error: but found another document"),
    "duplicate-key": (_utf8(SHOP.replace("team: web", "team: web\n  team: ops")), "7:3",
                      "duplicate key 'team' (first defined at line 6)"),
    "unterminated-quote": (_utf8(SHOP.replace("team: web", 'team: "web')), "13:1", "YAML syntax error"),
    "tab-indentation": (_utf8(SHOP.replace("  team: web", "\tteam: web")), "6:1", "YAML syntax error"),
    "huge-integer": (_utf8(SHOP.replace("  stages:", "  scrapeInterval: " + "9" * 5000 + "\n  stages:")), "9:19",
                     "is too large"),
}

"""The committed JSON Schema (obsgen/spec/journey.schema.json, which the loader validates specs with and
`obsgen schema` prints) is the one the pydantic models give: a change to the models regenerates it with
`python -m obsgen.spec.schema > obsgen/spec/journey.schema.json`. specs/journey.schema.json, the editors'
copy next to the specs, is a link to it."""

from __future__ import annotations

from obsgen.spec.schema import SCHEMA_FILE, generated_schema, schema_json
from tests.conftest import ROOT


def test_the_committed_schema_is_the_models():
    assert SCHEMA_FILE.read_text(encoding="utf-8") == schema_json(generated_schema()), (
        "obsgen/spec/journey.schema.json is stale: python -m obsgen.spec.schema > obsgen/spec/journey.schema.json")


def test_the_specs_copy_is_the_committed_schema():
    beside_the_specs = ROOT / "specs" / "journey.schema.json"
    assert beside_the_specs.is_symlink() and beside_the_specs.resolve() == SCHEMA_FILE.resolve()

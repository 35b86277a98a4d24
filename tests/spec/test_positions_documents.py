"""Multi-document YAML (OpenSLO files) keeps each document's own positions, and the loader's refusals."""

from obsgen.spec.positions import load_positioned_documents


def test_each_document_has_its_own_positions():
    first, second = load_positioned_documents("a: 1\n---\nb:\n  - 2\n", "f.yaml")
    assert first.data == {"a": 1} and second.data == {"b": [2]}
    assert second.diagnostic(("b", 0), "x").line == 4 and first.diagnostic(("a",), "x").line == 1


def test_a_syntax_error_after_good_documents_is_reported_at_its_line():
    docs = load_positioned_documents("a: 1\n---\nb: {\n", "f.yaml")
    assert docs[0].data == {"a": 1}
    assert [(p.line, p.message.split(":")[0]) for p in docs[-1].problems] == [(4, "YAML syntax error")]


def test_refusals_of_the_single_document_loader_hold_for_every_document():
    docs = load_positioned_documents("a: 1\n---\nb: !vault x\n---\nc: {c: 1, c: 2}\n", "f.yaml")
    problems = [str(p) for d in docs for p in d.problems]
    assert any(p.startswith("f.yaml:3:4: unsupported YAML tag") for p in problems)
    assert not any("duplicate" in p for p in problems)  # the stream stops at the first refusal


def test_empty_documents_are_skipped():
    assert [d.data for d in load_positioned_documents("---\n---\na: 1\n", "f.yaml")] == [{"a": 1}]

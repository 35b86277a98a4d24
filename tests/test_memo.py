"""obsgen.memo.per_object: computed once per object, never shared between equal objects, copies handed out."""

from __future__ import annotations

from dataclasses import dataclass

from obsgen import memo


@dataclass(frozen=True)
class Subject:
    name: str


def test_a_result_is_computed_once_per_object_and_each_caller_gets_its_own_list():
    calls = []

    @memo.per_object_list
    def letters(subject: Subject) -> list[str]:
        calls.append(subject)
        return list(subject.name)

    first = Subject("ab")
    one, two = letters(first), letters(first)
    assert one == two == ["a", "b"] and len(calls) == 1
    one.append("z")
    assert letters(first) == ["a", "b"]
    assert letters(Subject("ab")) == ["a", "b"] and len(calls) == 2  # equal, but another object


def test_only_the_latest_objects_are_kept():
    @memo.per_object
    def name(subject: Subject) -> tuple[str, ...]:
        return (subject.name,)

    subjects = [Subject(str(i)) for i in range(memo.RECENT * 3)]
    assert [name(s) for s in subjects] == [(s.name,) for s in subjects]
    assert name(subjects[-1]) is name(subjects[-1])  # the answer itself, not a copy
    remembered = name.__wrapped__  # the function itself; the cache is in the closure
    cells = [c.cell_contents for c in name.__closure__ if isinstance(c.cell_contents, dict)]
    assert remembered and len(cells) == 1 and 0 < len(cells[0]) <= memo.RECENT

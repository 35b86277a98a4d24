"""The README and docs/ stay a map a reader can follow: short front page, every link lands."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


def github_anchor(heading: str) -> str:
    """The id GitHub gives a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def anchors(page: Path) -> set[str]:
    text = re.sub(r"```.*?```", "", page.read_text(), flags=re.S)
    return {github_anchor(m) for m in re.findall(r"(?m)^#+ (.+)$", text)}


def relative_links(page: Path) -> list[str]:
    text = re.sub(r"```.*?```", "", page.read_text(), flags=re.S)
    return [t for t in LINK.findall(text) if not re.match(r"[a-z]+:", t)]


def test_readme_is_a_front_page_not_a_manual():
    assert len((ROOT / "README.md").read_text()) <= 10_000


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_every_relative_link_lands(page: Path):
    broken = []
    for target in relative_links(page):
        path, _, anchor = target.partition("#")
        dest = (page.parent / path).resolve() if path else page
        if not dest.exists():
            broken.append(target)
        elif anchor and dest.suffix == ".md" and anchor not in anchors(dest):
            broken.append(target)
    assert not broken, f"{page.name}: {broken}"


def test_every_docs_page_is_linked_from_the_readme():
    linked = {Path(t.partition("#")[0]).name for t in relative_links(ROOT / "README.md")}
    unlinked = [p.name for p in PAGES[1:] if p.name not in linked]
    assert not unlinked


@pytest.mark.integration
def test_readme_example_spec_builds(tmp_path: Path):
    example = re.search(r"```yaml\n(.+?)```", (ROOT / "README.md").read_text(), re.S).group(1)
    spec = tmp_path / "journey.yaml"
    spec.write_text(example)
    run = subprocess.run([sys.executable, "-m", "obsgen", "build", str(spec), "--out", str(tmp_path / "out"),
                          "--no-validate"], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr

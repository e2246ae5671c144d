"""The documentation: generated pages match the code, links resolve, the README stays short,
and every benchmark has its page with the command that reproduces it."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
PAGES = [ROOT / "README.md", ROOT / "CHANGELOG.md", *sorted(DOCS.rglob("*.md"))]
#: bench/ modules that are not benchmarks of their own: model converters (a benchmark
#: anchor's, and musicnn's taggers that the music model reads; their cards name them).
BENCH_HELPERS = {"vision_keras_to_onnx", "musicnn_to_onnx"}


def test_generated_pages_match_the_code() -> None:
    result = subprocess.run([sys.executable, str(DOCS / "generate.py"), "--check"],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_resolves(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text):
        if "://" in target or target.startswith("mailto:"):
            continue
        assert (page.parent / target).exists(), f"{page.name}: broken link {target}"


def test_the_readme_is_a_short_front_door() -> None:
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    assert len(lines) <= 150
    text = "\n".join(lines)
    assert "./setup.sh && .venv/bin/moodplayer demo" in text
    assert "./setup.sh --dev && .venv/bin/python -m pytest" in text


def test_ci_runs_the_readmes_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "./setup.sh --dev" in ci and ".venv/bin/python -m pytest" in ci
    assert ".venv/bin/lint-imports" in ci and ".venv/bin/ruff check ." in ci


def test_code_points_only_at_docs_that_exist() -> None:
    sources = [*ROOT.glob("moodplayer/**/*.py"), *ROOT.glob("beetsplug/**/*.py"),
               *ROOT.glob("bench/*.py"), *ROOT.glob("models/*.md")]
    for source in sources:
        for target in re.findall(r"\bdocs/[\w/.-]+\.md", source.read_text(encoding="utf-8")):
            assert (ROOT / target).is_file(), f"{source.relative_to(ROOT)} points at {target}"


@pytest.mark.parametrize("script", sorted(p.stem for p in (ROOT / "bench").glob("*.py")
                                          if p.stem not in BENCH_HELPERS))
def test_every_benchmark_has_a_page_with_its_command(script: str) -> None:
    page = DOCS / "benchmarks" / f"{script.replace('_', '-')}.md"
    assert page.is_file(), f"no {page.relative_to(ROOT)}"
    assert f"bench/{script}.py" in page.read_text(encoding="utf-8")

"""The part boundaries docs/architecture.md states hold: import-linter's contracts pass."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_lint_imports_keeps_every_contract() -> None:
    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    names = [c["name"] for c in contracts["contracts"]]
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint), "--no-cache"], cwd=ROOT, capture_output=True,
                            text=True, check=False)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    for name in names:
        assert f"{name} KEPT" in result.stdout


def test_architecture_page_states_every_contract() -> None:
    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    page = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    for contract in contracts["contracts"]:
        assert contract["name"] in page, f"docs/architecture.md lacks {contract['name']!r}"


def test_emotion_is_kept_apart_from_every_other_module_of_ours() -> None:
    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    (emotion,) = [c for c in contracts["contracts"] if c.get("source_modules") == [
        "moodplayer.emotion"]]
    ours = {f"moodplayer.{p.stem}" for p in (ROOT / "moodplayer").iterdir()
            if (p.suffix == ".py" or (p / "__init__.py").is_file())
            and p.stem not in {"__init__", "emotion"}}
    assert set(emotion["forbidden_modules"]) == ours

"""Fuzzing what a user types: configuration values and command lines.

Whatever the value, the answer is the configuration read as asked, or one line saying
which key or argument is wrong and what was expected (exit status 2 for the command
line); never a traceback.
"""

from __future__ import annotations

import contextlib
import io
import math
from pathlib import Path

import pytest
import yaml
from beets.ui import UserError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from beetsplug.moodtag import options as moodtag_options
from moodplayer.agent.cli import main
from moodplayer.agent.config import SCHEMA, AgentConfig, load_config, validate
from moodplayer.exceptions import ConfigError

#: What YAML can hold: scalars of every kind (nan and infinities too), lists, mappings.
YAML_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats()
    | st.text(st.characters(blacklist_characters="\0"), max_size=30),
    lambda inner: st.lists(inner, max_size=3)
    | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=6)

#: Words people (and scripts) put where a number, a name or a path belongs.
WORDS = st.sampled_from(["nan", "NaN", "inf", "-inf", "1e308", "-1e308", "1e-308", "-1", "0",
                         "-0", "0.5", "1", "3", "12", "2.5", "99999999999999999999", "",
                         " ", "-", "--", "-x", "/", "~", "happy",
                         "fixed", "target", "yes", "None", "%d", "$HOME", "0001-01-01",
                         "9999-12-31T23:59:59", "1e400w"]) \
    | st.text(st.characters(blacklist_characters="\0", blacklist_categories=("Cs",)),
              max_size=12)

FUZZ = settings(max_examples=150, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])


def _one_line(message: str) -> bool:
    return bool(message.strip()) and "\n" not in message.strip()


@FUZZ
@given(key=st.sampled_from([*SCHEMA, "polcy", "unknown"]), value=YAML_VALUES)
def test_any_agent_option_value_is_read_or_refused_in_one_line(tmp_path, key, value):
    try:
        config = validate({key: value}, library=tmp_path / "l.db", directory=tmp_path)
    except ConfigError as exc:
        assert _one_line(str(exc)) and f"moodplayer.{key}" in str(exc)
    else:
        assert isinstance(config, AgentConfig)
        number = getattr(config, key)
        assert not (isinstance(number, float) and not math.isfinite(number))


@FUZZ
@given(document=YAML_VALUES)
def test_any_config_file_is_read_or_refused_in_one_line(tmp_path, document):
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump({"moodplayer": document} if isinstance(document, dict)
                                   else document))
    try:
        load_config(path)
    except ConfigError as exc:
        assert str(exc).strip()
        assert "Traceback" not in str(exc)


@FUZZ
@given(key=st.sampled_from([*moodtag_options.SCHEMA, "exerpt"]), value=YAML_VALUES)
def test_any_moodtag_option_value_is_read_or_refused_in_one_line(key, value):
    try:
        values = moodtag_options.check({**moodtag_options.defaults(), key: value})
    except UserError as exc:
        message = str(exc)
        assert _one_line(message) and (f"moodtag.{key}" in message or "moodtag:" in message)
    else:
        assert set(values) == set(moodtag_options.SCHEMA)


def _run(argv: list[str]) -> tuple[int, str]:
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        try:
            status = main(argv)
        except SystemExit as exc:
            status = exc.code if isinstance(exc.code, int) else 2
    return status, err.getvalue()


@pytest.fixture
def refused_config(tmp_path: Path) -> Path:
    """A config the agent refuses: a command that gets past its arguments stops here."""
    path = tmp_path / "refused.yaml"
    path.write_text(f"library: {tmp_path / 'none.db'}\nmoodplayer:\n  queue_length: 0\n")
    return path


@pytest.fixture
def usable_config(tmp_path: Path) -> Path:
    """A valid config whose library does not exist."""
    path = tmp_path / "usable.yaml"
    path.write_text(f"library: {tmp_path / 'none.db'}\ndirectory: {tmp_path}\n")
    return path


def _commands(refused: Path, usable: Path, file: Path) -> st.SearchStrategy[list[str]]:
    r, u = ["-c", str(refused)], ["-c", str(usable)]
    return st.one_of(
        st.builds(lambda d, s: ["run", *r, "--duration", d, "--sensing", s], WORDS,
                  st.sampled_from(["off", "glance", "continuous"])),
        st.builds(lambda m, n, p, t, s: ["suggest", *u, "--mood", m, "-n", n, "--policy", p,
                                         "--target", t, "--step", s],
                  WORDS, WORDS, st.sampled_from(["match", "uplift", "fixed"]), WORDS, WORDS),
        st.builds(lambda f, n: ["watch", *u, "--fps", f, "--frames", n, "--detector-path",
                                str(file)], WORDS, WORDS),
        st.builds(lambda s, m: ["calibrate", *u, "--seconds", s, "--min-frames", m,
                                "--detector-path", str(file)], WORDS, WORDS),
        st.builds(lambda n: ["demo", "--tracks", n, "--dir", str(file)], WORDS),
        st.builds(lambda s, o: ["report", "--since", s, "-o", o], WORDS, WORDS),
        st.builds(lambda p: ["players", *r, "--mpd-port", p], WORDS),
        st.builds(lambda w: ["config", "-c", w], WORDS),
    )


def test_any_command_line_is_run_or_refused_in_one_line(tmp_path, monkeypatch, refused_config,
                                                        usable_config):
    monkeypatch.chdir(tmp_path)  # `report -o WORD` writes here
    file = tmp_path / "a-file"
    file.write_text("not a folder, not a model")

    @FUZZ
    @given(argv=_commands(refused_config, usable_config, file))
    def check(argv: list[str]) -> None:
        status, err = _run(argv)
        assert "Traceback" not in err, (argv, err)
        if status:
            assert status in (1, 2), (argv, status, err)
            assert err.count("\n") == 1 and _one_line(err), (argv, err)

    check()


@pytest.mark.parametrize("duration", ["-1", "nan", "inf", "1e308", "0"])
def test_run_duration_must_be_a_real_span(refused_config, duration):
    """`run --duration nan | inf | 1e308` gave tracebacks; `--duration 0` ran forever."""
    status, err = _run(["run", "-c", str(refused_config), "--duration", duration])
    assert status == 2
    assert f"--duration: expected seconds above 0 and at most 2592000 (leave it out to run " \
        f"until stopped), got '{duration}'" in err
    assert err.count("\n") == 1


def test_demo_dir_that_is_a_file_is_refused(tmp_path):
    file = tmp_path / "notes.txt"
    file.write_text("mine")
    status, err = _run(["demo", "--dir", str(file)])
    assert (status, err) == (2, f"moodplayer: --dir {file}: expected a folder, but it is a "
                                "file\n")
    assert file.read_text() == "mine"

"""The control interface on the session bus, driven through the `moodplayer` CLI."""

from __future__ import annotations

import subprocess

from moodplayer import paths


def _cli(moodplayer_cmd, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*moodplayer_cmd, *args], capture_output=True, text=True,
                          timeout=60)


def _status(moodplayer_cmd) -> dict[str, str]:
    result = _cli(moodplayer_cmd, "status")
    assert result.returncode == 0, result.stderr
    return dict(line.split(": ", 1) for line in result.stdout.splitlines() if ": " in line)


def test_status_pause_resume_target(tmp_path, make_config, start_agent, moodplayer_cmd,
                                    annotated_library):
    config = make_config(annotated_library, "policy: uplift\ntarget: calm\nnever_moods: [tense]")
    start_agent("--config", str(config), "--mood-script", "happy:60")
    status = _status(moodplayer_cmd)
    assert status["state"] == "running"
    assert status["source"] == "scripted"
    assert status["player"] == "none"  # no player on this bus: the agent waits quietly
    assert status["camera"] == "released"

    assert _cli(moodplayer_cmd, "pause").returncode == 0
    assert _status(moodplayer_cmd)["state"] == "paused"
    assert _cli(moodplayer_cmd, "resume").returncode == 0
    assert _status(moodplayer_cmd)["state"] == "running"

    assert _cli(moodplayer_cmd, "target", "sad").stdout.strip() == "sad"
    assert _status(moodplayer_cmd)["target"] == "sad"
    # The next target after sad is calm; tense is skipped because it is never steered to.
    assert _cli(moodplayer_cmd, "target").stdout.strip() == "calm"
    assert _cli(moodplayer_cmd, "target").stdout.strip() == "energetic"
    assert _cli(moodplayer_cmd, "target").stdout.strip() == "neutral"
    refused = _cli(moodplayer_cmd, "target", "tense")
    assert refused.returncode == 1 and "tense is in never_moods" in refused.stderr

    nothing = _cli(moodplayer_cmd, "like")
    assert nothing.returncode == 1
    assert nothing.stderr.strip() == "moodplayer: nothing is playing"


def test_commands_say_when_no_agent_runs(session_bus, moodplayer_cmd):
    result = _cli(moodplayer_cmd, "status")
    assert result.returncode == 1
    assert "the agent is not running" in result.stderr


def test_forget_with_the_agent_running_and_stopped(tmp_path, make_config, start_agent,
                                                   moodplayer_cmd, annotated_library):
    config = make_config(annotated_library)
    agent = start_agent("--config", str(config), "--grant-consent", "--sensing", "continuous")
    assert (paths.data_dir() / "agent.sqlite3").exists()
    result = _cli(moodplayer_cmd, "forget")
    assert result.returncode == 0 and "the running agent deleted" in result.stdout
    assert "0 mood samples, 0 decisions, 0 feedback" in _status(moodplayer_cmd)["stored"]
    agent.terminate()
    assert agent.wait(30) == 0
    # Stopped: forget removes the files itself, consent included.
    result = _cli(moodplayer_cmd, "forget")
    assert result.returncode == 0 and "deleted" in result.stdout
    assert not paths.data_dir().exists()

"""Starting and stopping the agent: consent, clean shutdown on SIGTERM and SIGINT."""

from __future__ import annotations

import os
import pty
import signal
import subprocess

import pytest

from moodplayer.agent.store import StateStore, default_path


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_signal_shuts_down_cleanly_with_state_flushed(signum, tmp_path, make_config,
                                                      start_agent, session_bus,
                                                      annotated_library, moodplayer_cmd):
    config = make_config(annotated_library)
    agent = start_agent("--config", str(config), "--mood-script", "calm:60")
    agent.send_signal(signum)
    assert agent.wait(30) == 0
    log = agent.log_path.read_text()
    assert f"{signal.Signals(signum).name}: shutting down" in log
    assert "state flushed" in log
    assert "Traceback" not in log
    # Flushed: the write-ahead log was checkpointed into the database and emptied.
    wal = default_path().with_name(default_path().name + "-wal")
    assert not wal.exists() or wal.stat().st_size == 0
    # The bus name was released: the CLI sees no agent.
    status = subprocess.run([*moodplayer_cmd, "status"], capture_output=True, text=True,
                            timeout=60)
    assert "the agent is not running" in status.stderr


def test_refuses_the_camera_without_consent(tmp_path, make_config, annotated_library,
                                            session_bus, moodplayer_cmd):
    config = make_config(annotated_library)
    result = subprocess.run([*moodplayer_cmd, "run", "--config", str(config)],
                            stdin=subprocess.DEVNULL, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 1
    assert "camera consent has not been given" in result.stderr
    with StateStore() as store:
        assert store.consent() is None


def test_asks_for_consent_once_and_records_the_answer(tmp_path, make_config, start_agent,
                                                      annotated_library, wait_for,
                                                      agent_on_bus):
    config = make_config(annotated_library)
    primary, secondary = pty.openpty()
    agent = start_agent("--config", str(config), stdin=secondary, stdout=secondary,
                        wait=False)
    os.close(secondary)
    question = b""
    while b"[y/N]" not in question:
        question += os.read(primary, 1024)
    assert b"never stored" in question
    os.write(primary, b"y\n")
    assert wait_for(agent_on_bus)
    agent.terminate()
    agent.wait(30)
    os.close(primary)
    with StateStore() as store:
        assert store.consent()[1] == "asked"
    # Asked once: the next start does not ask again.
    second = start_agent("--config", str(config), stdin=subprocess.DEVNULL)
    second.terminate()
    assert second.wait(30) == 0


def test_a_no_answer_means_no_start(tmp_path, make_config, annotated_library, session_bus,
                                    moodplayer_cmd):
    config = make_config(annotated_library)
    primary, secondary = pty.openpty()
    proc = subprocess.Popen([*moodplayer_cmd, "run", "--config", str(config)],
                            stdin=secondary, stdout=secondary, stderr=subprocess.PIPE)
    os.close(secondary)
    question = b""
    while b"[y/N]" not in question:
        question += os.read(primary, 1024)
    os.write(primary, b"n\n")
    assert proc.wait(30) == 1
    assert b"no consent to use the camera" in proc.stderr.read()
    os.close(primary)
    with StateStore() as store:
        assert store.consent() is None


def test_logs_go_to_the_configured_file_at_the_configured_level(
        tmp_path, make_config, annotated_library, session_bus, moodplayer_cmd):
    log_file = tmp_path / "logs" / "agent.log"
    log_file.parent.mkdir()  # an existing folder: a missing one is refused, never made
    config = make_config(annotated_library, f"log_file: {log_file}\nlog_level: info")
    result = subprocess.run([*moodplayer_cmd, "run", "--config", str(config),
                             "--mood-script", "calm:60", "--duration", "2"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    text = log_file.read_text()
    assert "INFO moodplayer.agent.service: agent running" in text
    assert "DEBUG" not in text

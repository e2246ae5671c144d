"""The tray indicator with real parts: `moodplayer run` (a real agent process) steering a
headless mpv, reading a camera stand-in (a folder of real photos, through the real face
detector and expression model), its StatusNotifierItem drawn by a real tray host (Xfce's
panel with its status tray, under Xvfb) on a private session bus. The test drives the
menu over D-Bus as the panel does (``com.canonical.dbusmenu``) and looks at the screen."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

import cv2
import dbus
import dbus.bus
import numpy as np
import pytest

from moodplayer.agent.control import AgentClient
from moodplayer.agent.store import StateStore
from moodplayer.desktop.states import ICON_THEME_PATH, ICONS, MEANINGS
from moodplayer.testing import Processes, start_mpv
from moodplayer.testing.desktop import PANEL_SIZE, screenshot
from moodplayer.vision.insight import insightface_sample

pytestmark = pytest.mark.players

#: Where `docs/user-guide.md` takes its tray picture from, when asked to refresh it.
DOCS_SHOT_ENV = "MOODPLAYER_TRAY_SCREENSHOT"
#: The part of the screen the picture shows: the panel's left end and the menu below it.
SHOT = (330, 360)


def _status() -> dict[str, str]:
    """The agent's Status, over a connection of its own to the test's session bus."""
    return AgentClient(dbus.bus.BusConnection(os.environ["DBUS_SESSION_BUS_ADDRESS"])).status()


def _store(predicate) -> bool:
    with StateStore() as store:
        return predicate(store)


def _panel_pixels(display: str, path: Path) -> np.ndarray:
    """The left end of the panel, where the status tray sits, as BGR pixels."""
    return cv2.imread(str(screenshot(display, path, (120, PANEL_SIZE))))


def _open_menu(display: str, path: Path, wait_for) -> Path:
    """Click the icon as a person does; once the panel has drawn the menu below it, save
    the panel and the menu as a picture; the menu is closed again."""
    env = {"DISPLAY": display, "PATH": "/usr/bin:/bin"}
    subprocess.run(["xdotool", "mousemove", "11", str(PANEL_SIZE // 2), "click", "1",
                    "mousemove", "630", "470"],  # the pointer out of the picture
                   env=env, timeout=30, check=True)

    def drawn() -> bool:  # the screen below the panel is black until the menu is there
        image = cv2.imread(str(screenshot(display, path, SHOT)), cv2.IMREAD_GRAYSCALE)
        return bool((image[PANEL_SIZE + 10:] > 200).mean() > 0.3)
    assert wait_for(drawn), "the panel drew no menu"
    time.sleep(0.5)  # let the menu finish drawing before the picture is kept
    screenshot(display, path, SHOT)
    subprocess.run(["xdotool", "key", "Escape"], env=env, timeout=30, check=True)
    return path


def _red_dot(image: np.ndarray) -> int:
    """Pixels of the icons' red "camera open" dot."""
    b, g, r = (image[..., i].astype(int) for i in range(3))
    return int(((r > 200) & (g < 90) & (b < 90)).sum())


def _orange_badge(image: np.ndarray) -> int:
    """Pixels of the orange "paused" badge."""
    b, g, r = (image[..., i].astype(int) for i in range(3))
    return int(((r > 210) & (g > 110) & (g < 170) & (b < 50)).sum())


@pytest.fixture
def detector(shared_dir: Path) -> Path:
    path = shared_dir / "models" / "scrfd_500m.onnx"
    if not path.is_file():
        pytest.skip(f"{path} is absent (the face detector's weights)")
    return path


@pytest.fixture
def camera_dir(tmp_path: Path) -> Path:
    """The camera stand-in: a folder of photos, read in a loop like a webcam; starts with
    a photo of smiling faces (the insightface wheel's sample)."""
    folder = tmp_path / "camera"
    folder.mkdir()
    shutil.copy(insightface_sample("t1.jpg"), folder / "frame.jpg")
    return folder


@pytest.fixture
def browser(tmp_path: Path) -> tuple[Path, Path]:
    """A stand-in for the desktop's web browser, which xdg-open runs ($BROWSER) on a
    machine without a desktop session: it writes what it was asked to show."""
    seen = tmp_path / "browser-opened"
    script = tmp_path / "browser"
    script.write_text(f"#!/bin/sh\nprintf '%s' \"$1\" > {seen}\n", encoding="utf-8")
    script.chmod(0o755)
    return script, seen


def test_tray_shows_the_camera_and_its_menu_steers_the_agent(
        tray_host, panel, private_bus, procs: Processes, tmp_path, make_config,
        annotated_library, start_agent, wait_for, detector, camera_dir, browser):
    own = sorted((annotated_library / "music").rglob("*.ogg"))[0]
    start_mpv(procs, private_bus, tmp_path / "mpv.sock", own)  # music plays: the camera opens
    config = make_config(annotated_library, f"""
        players: [mpv]
        mpv_socket: {tmp_path / 'mpv.sock'}
        notifications: no
        sensing: continuous
        camera: {camera_dir}
        detector: {detector}
        sensitivity: eager
        fps: 4
        absent_after: 3""")
    monitor = subprocess.Popen(["dbus-monitor", "--address", private_bus.address,
                                "type='signal',interface='org.moodplayer.Agent1'"],
                               stdout=subprocess.PIPE, text=True)
    script, opened = browser
    agent = start_agent("--config", str(config), "--grant-consent",
                        env={**os.environ, "BROWSER": str(script)})

    # Registered with the real tray host, which reads its icons from the project's folder.
    assert wait_for(lambda: len(panel.items()) == 1), agent.log_path.read_text()
    assert str(panel.prop("IconThemePath")) == str(ICON_THEME_PATH)
    assert bool(panel.prop("ItemIsMenu"))

    # Camera open and a face read: the "reading" icon, drawn by the panel with its red dot.
    assert wait_for(lambda: panel.prop("IconName") == ICONS["reading"], 60), \
        agent.log_path.read_text()
    assert wait_for(lambda: _status()["mood"] == "happy", 60)
    assert _red_dot(_panel_pixels(tray_host, tmp_path / "reading.png")) > 4
    _icon, _pixmaps, title, body = panel.prop("ToolTip")
    assert title == f"moodplayer: {MEANINGS['reading']}"
    assert "Mood: happy (confidence" in body

    # What a person sees: the icon and its menu. The user guide shows this picture
    # (refreshed with MOODPLAYER_TRAY_SCREENSHOT=docs/images/tray.png).
    shot = _open_menu(tray_host, tmp_path / "tray.png", wait_for)
    if os.environ.get(DOCS_SHOT_ENV):
        shutil.copy(shot, os.environ[DOCS_SHOT_ENV])

    # The face leaves the picture: after absent_after, "no face" (the camera still open).
    (camera_dir / "frame.jpg").unlink()
    blank = np.full((480, 640, 3), 128, np.uint8)
    cv2.imwrite(str(camera_dir / "frame.png"), blank)
    assert wait_for(lambda: panel.prop("IconName") == ICONS["no-face"], 60)
    assert _status()["camera"] == "open"

    # Pause from the menu: the camera is really released, and the icon says so.
    panel.click("Pause sensing (releases the camera)")
    assert wait_for(lambda: _status()["camera"] == "released")
    assert _status()["state"] == "paused"
    assert wait_for(lambda: panel.prop("IconName") == ICONS["paused"])
    paused = _panel_pixels(tray_host, tmp_path / "paused.png")
    assert _orange_badge(paused) > 4 and _red_dot(paused) == 0
    panel.click("Resume sensing")
    assert wait_for(lambda: _status()["camera"] == "open")
    assert wait_for(lambda: panel.prop("IconName") in (ICONS["reading"], ICONS["no-face"]))

    # Like and dislike what plays: stored as the user's feedback.
    assert wait_for(lambda: panel.entries()["Like this track"][1].get("enabled", True))
    panel.click("Like this track")
    assert wait_for(lambda: _store(lambda s: any(f.kind == "liked" and f.path == str(own)
                                                 for f in s.feedback())))
    panel.click("Dislike this track")
    assert wait_for(lambda: _store(lambda s: any(f.kind == "disliked" for f in s.feedback())))

    # Policy and target, as radio items showing the current choice.
    panel.click("uplift")
    assert wait_for(lambda: _status()["policy"] == "uplift")
    panel.click("calm")
    assert wait_for(lambda: _status()["target"] == "calm")
    entries = panel.entries()
    assert entries["calm"][1]["toggle-state"] == 1 and entries["happy"][1]["toggle-state"] == 0
    assert "Target mood: calm" in entries

    # Today's report, written and handed to the desktop's browser.
    panel.click("Open today's report")
    assert wait_for(lambda: opened.exists() and opened.read_text())
    report = Path(opened.read_text().removeprefix("file://"))
    assert report.is_file() and "<svg" in report.read_text(encoding="utf-8")

    # Forget everything takes a second, deliberate click in its own submenu.
    assert "Yes, forget everything" in entries and entries["Forget everything…"][1][
        "children-display"] == "submenu"
    panel.click("Yes, forget everything")
    assert wait_for(lambda: _store(lambda s: not any(f.kind in ("liked", "disliked")
                                                     for f in s.feedback())))

    # Quit: the agent stops cleanly and its icon leaves the tray.
    panel.click("Quit moodplayer")
    assert agent.wait(30) == 0
    assert wait_for(lambda: panel.items() == [])

    monitor.terminate()
    signals = monitor.communicate(timeout=10)[0]
    for expected in ('member=TrackQueued', 'member=CameraChanged', 'string "open"',
                     'string "released"',
                     'member=MoodChanged', 'string "happy"', 'string "absent"',
                     'member=StateChanged', 'string "paused"', 'string "running"'):
        assert expected in signals, expected

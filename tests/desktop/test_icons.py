"""The tray's icons: one SVG per state, found the way a tray host finds them (GTK's own
icon theme lookup), a themed icon where the host cannot read the project's folder, and
legible at the sizes panels draw them (16 and 22 px) on light and dark panels."""

from __future__ import annotations

import itertools
import shutil
import subprocess
from pathlib import Path

import cv2
import numpy as np
import pytest

from moodplayer.desktop.states import ICON_THEME_PATH, ICONS, MEANINGS, TRAY_STATES, icon_file

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "user-guide.md"
#: A light and a dark panel (GNOME's and Xfce's default greys are in between).
BACKGROUNDS = {"light": "#f6f5f4", "dark": "#241f31"}


def _gtk():
    gi = pytest.importorskip("gi")
    try:
        gi.require_version("Gtk", "3.0")
        from gi.repository import Gtk
    except (ValueError, ImportError) as exc:
        pytest.skip(f"GTK 3's introspection data is absent (gir1.2-gtk-3.0): {exc}")
    return Gtk


def test_each_state_has_its_own_icon_found_through_the_icon_theme_path():
    gtk = _gtk()
    theme = gtk.IconTheme.new()
    theme.set_search_path([str(ICON_THEME_PATH)])
    assert len(set(ICONS.values())) == len(TRAY_STATES)
    for state in TRAY_STATES:
        found = theme.lookup_icon(ICONS[state], 22, 0)
        assert found is not None, state
        assert Path(found.get_filename()) == icon_file(state)


def test_a_host_without_the_project_folder_shows_a_themed_icon():
    gtk = _gtk()
    theme = gtk.IconTheme.new()
    theme.set_custom_theme("Adwaita")
    if theme.lookup_icon("camera-web", 22, 0) is None:
        pytest.skip("the Adwaita icon theme is absent (adwaita-icon-theme)")
    for state in TRAY_STATES:
        themed = ICONS[state].removesuffix("-moodplayer")
        found = theme.lookup_icon(ICONS[state], 22, gtk.IconLookupFlags.GENERIC_FALLBACK)
        assert found is not None, state
        assert Path(found.get_filename()).name.startswith(themed), (state, found.get_filename())


def _render(state: str, size: int, tmp_path: Path) -> tuple[np.ndarray, np.ndarray]:
    """The icon drawn at ``size`` px by librsvg (what GTK hosts draw SVGs with): its
    colours (BGR) and its opacity (0..1)."""
    rsvg = shutil.which("rsvg-convert")
    if rsvg is None:
        pytest.skip("rsvg-convert is absent (librsvg2-bin)")
    out = tmp_path / f"{state}-{size}.png"
    subprocess.run([rsvg, "-w", str(size), "-h", str(size), str(icon_file(state)),
                    "-o", str(out)], check=True, timeout=30)
    image = cv2.imread(str(out), cv2.IMREAD_UNCHANGED).astype(float)
    return image[..., :3], image[..., 3] / 255


@pytest.mark.parametrize("size", [16, 22])
@pytest.mark.parametrize("panel", list(BACKGROUNDS))
def test_legible_on_light_and_dark_panels(size, panel, tmp_path):
    hexa = BACKGROUNDS[panel]
    background = np.array([int(hexa[i:i + 2], 16) for i in (5, 3, 1)], float)  # BGR
    shown = {}
    for state in TRAY_STATES:
        colour, alpha = _render(state, size, tmp_path)
        on_panel = colour * alpha[..., None] + background * (1 - alpha[..., None])
        stands_out = np.abs(on_panel - background).max(axis=2) > 90
        # Much of what is drawn stands out strongly from the panel behind it (an icon
        # drawn dark on dark, or pale on light, would not).
        assert stands_out.sum() >= 0.35 * (alpha > 0.5).sum(), (state, stands_out.mean())
        shown[state] = on_panel
    for (a, image_a), (b, image_b) in itertools.combinations(shown.items(), 2):
        # No two states look alike: they differ strongly in at least a row's worth of pixels.
        differ = (np.abs(image_a - image_b).max(axis=2) > 90).sum()
        assert differ >= size, (a, b, differ)


def test_the_user_guide_says_what_each_state_means():
    guide = GUIDE.read_text(encoding="utf-8")
    for state in TRAY_STATES:
        assert MEANINGS[state] in guide, state

#!/usr/bin/env bash
# Take a fresh Debian 12 machine to a working moodplayer, in two layers.
#
#   ./setup.sh            what a user needs to run moodplayer and its demo: apt packages
#                         (ffmpeg, D-Bus, the build dependencies of dbus-python and PyGObject,
#                         mpv for the demo) and .venv with moodplayer and its runtime packages
#   ./setup.sh --dev      also what the tests need: the real players, a virtual screen, a
#                         notification daemon, Chromium, strace, and the `test` and `train`
#                         extras (pytest, ruff, import-linter, a CPU build of torch)
#   --no-apt              with either: only the virtual environment (apt packages present)
#
# Idempotent: safe to run again; it only installs what is missing. README.md says how much
# disk each layer takes.
set -euo pipefail
cd "$(dirname "$0")"

dev=0 apt=1
for arg in "$@"; do
  case "$arg" in
    --dev) dev=1 ;;
    --no-apt) apt=0 ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) echo "setup: unknown option '$arg' (expected --dev, --no-apt)" >&2; exit 2 ;;
  esac
done

# The user layer:
#  - ffmpeg: decodes audio for analysis.
#  - dbus, libdbus-1-dev, libglib2.0-dev, libgirepository1.0-dev, libcairo2-dev,
#    pkg-config, gcc, python3-dev: dbus-python and PyGObject build from pip against these.
#  - mpv and mpv-mpris: the player the demo steers (headless, on a private bus).
#  - fluidsynth (LGPL-2.1+) and fluid-soundfont-gm (FluidR3 General MIDI, MIT licence,
#    145 MB): they play the demo's composed library with real instrument samples.
APT_USER=(
  ffmpeg dbus dbus-x11 libdbus-1-dev libglib2.0-dev libgirepository1.0-dev libcairo2-dev
  pkg-config gcc python3-dev python3-venv
  mpv mpv-mpris fluidsynth fluid-soundfont-gm
)
# The dev layer: the real players the integration tests drive, headless (rhythmbox-plugins
# holds Rhythmbox's MPRIS plugin, only "recommended" by rhythmbox), a virtual screen, a
# real notification daemon and a browser to render the report, strace for the privacy test.
# The tray tests: xfce4-panel (its status tray is a real StatusNotifierWatcher and host;
# xfconf holds its settings), xdotool (clicks the tray icon and notification buttons as a
# person does), librsvg2-bin (renders the icons at 16 and 22 px), gir1.2-gtk-3.0 (GTK's
# own icon theme lookup, as tray hosts do it).
APT_DEV=(
  vlc-bin vlc-plugin-base rhythmbox rhythmbox-plugins xvfb xauth gstreamer1.0-plugins-good
  audacious playerctl libsdl2-2.0-0 mpd mpdris2
  notification-daemon chromium strace
  xfce4-panel xfconf xdotool librsvg2-bin gir1.2-gtk-3.0
)

if ((apt)); then
  wanted=("${APT_USER[@]}")
  ((dev)) && wanted+=("${APT_DEV[@]}")
  missing=()
  for pkg in "${wanted[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" \
      || missing+=("$pkg")
  done
  if ((${#missing[@]})); then
    sudo=""; [[ $(id -u) -ne 0 ]] && sudo="sudo"
    echo "setup: installing system packages: ${missing[*]}"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
      "${missing[@]}" >/dev/null
  fi
fi

PY=${PYTHON:-python3}
if [[ ! -x .venv/bin/python ]]; then
  "$PY" -m venv .venv
fi
pip=(.venv/bin/pip install -q)
target="."
# The tests exercise the training code too. torch 2.13.0 is pinned here because it is the
# CPU build this project's machines keep on disk (an unpinned torch pulls a CUDA build of
# several GB); the `train` extra itself accepts any torch >= 2.4.
extra=()
if ((dev)); then
  target=".[test,train]"
  extra=("torch==2.13.0")
fi
stamp=.venv/.moodplayer-$([[ $dev == 1 ]] && echo dev || echo user)
if [[ ! -f $stamp || pyproject.toml -nt $stamp ]]; then
  "${pip[@]}" --upgrade pip
  "${pip[@]}" -e "$target" "${extra[@]}"
  # One OpenCV: insightface (the SCRFD face detector) requires opencv-python, a build with
  # GUI libraries, beside the headless build moodplayer uses; both fill the same cv2/
  # folder. Take the first out and put the second back whole.
  if .venv/bin/pip show -q opencv-python 2>/dev/null; then
    headless=$(.venv/bin/pip show opencv-python-headless | sed -n 's/^Version: //p')
    .venv/bin/pip uninstall -q -y opencv-python
    "${pip[@]}" --force-reinstall --no-deps "opencv-python-headless==$headless"
  fi
  touch "$stamp"
fi
echo "setup: ready (.venv$( ((dev)) && echo ', with the test tools'))"

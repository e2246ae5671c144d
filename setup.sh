#!/usr/bin/env bash
# Take a fresh Debian 12 machine to a working moodplayer install.
#
#   ./setup.sh            system packages (apt) + .venv with moodplayer and its test tools
#   ./setup.sh --no-apt   only the virtual environment (when apt packages are present)
#
# Idempotent: safe to run again; it only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")"

# What the system must provide:
#  - ffmpeg: decodes audio for analysis.
#  - dbus, libdbus-1-dev, libglib2.0-dev, libgirepository1.0-dev, libcairo2-dev,
#    pkg-config: dbus-python and PyGObject build from pip against these.
#  - players and a virtual screen for the integration tests (real players, headless);
#    rhythmbox-plugins holds its MPRIS plugin (only "recommended" by rhythmbox).
APT_PACKAGES=(
  ffmpeg dbus dbus-x11 libdbus-1-dev libglib2.0-dev libgirepository1.0-dev libcairo2-dev
  pkg-config gcc python3-dev python3-venv
  mpv mpv-mpris vlc-bin vlc-plugin-base rhythmbox rhythmbox-plugins xvfb xauth
  gstreamer1.0-plugins-good
  audacious playerctl libsdl2-2.0-0 mpd mpdris2
  # agent tests: a real notification daemon (on Xvfb) and a browser to render the report
  notification-daemon chromium
)

if [[ "${1:-}" != "--no-apt" ]]; then
  missing=()
  for pkg in "${APT_PACKAGES[@]}"; do
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
stamp=.venv/.moodplayer-installed
if [[ ! -f $stamp || pyproject.toml -nt $stamp ]]; then
  .venv/bin/pip install -q --upgrade pip
  # The tests exercise the training code too. torch 2.13.0 is pinned here because it is
  # the CPU build this project's machines keep on disk (an unpinned torch pulls a CUDA
  # build of several GB); the `train` extra itself accepts any torch >= 2.4.
  .venv/bin/pip install -q -e ".[test,train]" "torch==2.13.0"
  touch "$stamp"
fi
echo "setup: ready (.venv)"

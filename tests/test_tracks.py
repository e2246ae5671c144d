"""One identity and one name per track (moodplayer.tracks), on real files and links."""

from __future__ import annotations

import os
from pathlib import Path

from moodplayer.player import to_uri
from moodplayer.tracks import local_path, track_id, track_name


def _library(tmp_path: Path) -> tuple[Path, Path, Path]:
    """A real file on 'another disk', the music folder linked to it, and a file link into
    it (beets' ``import: link: yes``); returns (real file, via the folder link, via the
    file link)."""
    disk = tmp_path / "disk"
    disk.mkdir()
    real = disk / "odd #1 é%20&?.ogg"
    real.write_bytes(b"")
    (tmp_path / "Music").symlink_to(disk, target_is_directory=True)
    (tmp_path / "links").mkdir()
    (tmp_path / "links" / "Artist - Title.ogg").symlink_to(real)
    return real, tmp_path / "Music" / real.name, tmp_path / "links" / "Artist - Title.ogg"


def test_every_spelling_of_a_local_track_is_one_track(tmp_path, monkeypatch):
    real, via_folder, via_link = _library(tmp_path)
    monkeypatch.chdir(tmp_path)
    spellings = [
        real, str(real), via_folder, via_link, Path("Music") / real.name,  # relative
        to_uri(via_folder), to_uri(real),
        "file://" + str(via_link).replace("%", "%25").replace("#", "%23").replace("?", "%3F"),
        "file://localhost" + str(real).replace("%", "%25").replace("?", "%3F")
        .replace("#", "%23").replace(" ", "%20").replace("é", "%C3%A9"),
        "file:" + str(real).replace("%", "%25").replace("?", "%3F").replace("#", "%23"),
    ]
    assert {track_id(s) for s in spellings} == {str(real)}
    assert all(local_path(s) == str(real) for s in spellings)


def test_what_is_not_a_local_file_keeps_its_spelling(tmp_path):
    for uri in ("spotify:track:4uLU6hMCjMI75M1A2tKUQC", "http://127.0.0.1:9/stream.mp3",
                "file://otherhost/music/a.ogg"):
        assert local_path(uri) is None
        assert track_id(uri) == uri
    assert local_path("") is None
    gone = tmp_path / "gone.ogg"  # a missing file is still a local path, for the refusal
    assert track_id(gone) == str(gone)


def test_an_untagged_track_is_named_by_its_file_name(tmp_path):
    real, _, via_link = _library(tmp_path)
    assert track_name(real) == real.name
    assert track_name(str(real), "", "  ") == real.name
    assert track_name(to_uri(real)) == real.name  # escapes decoded
    assert track_name(real, "Some Artist") == f"Some Artist – {real.name}"
    assert track_name(real, "A", "T") == "A – T" and track_name(real, "", "T") == "T"
    assert track_name("http://radio.example/live%20one.mp3") == "live one.mp3"
    assert track_name("spotify:track:4uLU6hMCjMI75M1A2tKUQC", "", "") != ""
    assert track_name(os.fspath(via_link)) == "Artist - Title.ogg"

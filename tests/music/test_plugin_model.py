"""`beet moodtag` with the trained model: absolute estimates, confidence, versions, -w,
and another model file chosen by ``moodtag.model``."""

from __future__ import annotations

import json

import pytest
from beets import config
from mediafile import MediaFile

from moodplayer.music.analyze import ANALYSIS_VERSION
from moodplayer.music.model import MODEL_NAME
from moodplayer.resources import model_file
from tests.music.test_plugin import MoodtagHelper


class TestModelInPlugin(MoodtagHelper):
    def test_confidence_is_stored_typed_and_in_range(self, clips):
        items = self.add_clips(clips)
        self.moodtag("--no-lastfm")
        for item in items:
            item.load()
            assert isinstance(item.moodtag_confidence, float)
            assert 0.0 < item.moodtag_confidence <= 1.0
            assert -1 <= item.moodtag_valence <= 1 and -1 <= item.moodtag_arousal <= 1
        found = list(self.lib.items("moodtag_confidence:0.001..1"))
        assert len(found) == len(items)

    def test_another_album_does_not_move_a_track(self, clips):
        """Default ``normalise: none``: a track's place is its own audio's."""
        first = self.add_clips(clips)[0]
        self.moodtag("--no-lastfm", f"title:{first.title}")
        first.load()
        before = (first.moodtag_valence, first.moodtag_arousal, first.moodtag_mood)
        self.moodtag("--no-lastfm")  # the other tracks: music added after the first
        first.load()
        assert (first.moodtag_valence, first.moodtag_arousal, first.moodtag_mood) == before

    def test_library_normalisation_is_an_option(self, clips):
        """``normalise: library`` re-centres over what is annotated: the track may move."""
        config["moodtag"]["normalise"] = "library"
        first = self.add_clips(clips)[0]
        self.moodtag("--no-lastfm", f"title:{first.title}")
        first.load()
        alone = (first.moodtag_valence, first.moodtag_arousal)
        model = (first.moodtag_audio_valence, first.moodtag_audio_arousal)
        self.moodtag("--no-lastfm")
        first.load()
        assert (first.moodtag_valence, first.moodtag_arousal) != alone
        # The model's own estimate is kept as it was, beside the re-centred one.
        assert (first.moodtag_audio_valence, first.moodtag_audio_arousal) == model

    def test_old_version_is_annotated_again(self, clips):
        items = self.add_clips(clips)
        self.moodtag("--no-lastfm")
        items[0].load()
        items[0]["moodtag_version"] = ANALYSIS_VERSION - 1
        items[0].store()
        assert "analysed 1, skipped 4, failed 0" in self.moodtag("--no-lastfm")
        items[0].load()
        assert items[0].moodtag_version == ANALYSIS_VERSION

    def test_write_puts_only_bpm_and_key_into_files(self, clips, tmp_path):
        """-w writes bpm and initial_key, not the other beets fields (issue 11, item 12)."""
        items = self.add_clips(clips, copy_to=tmp_path)
        originals = {}
        for item in items:
            originals[item.id] = MediaFile(item.filepath).title
            item.title = "edited in beets only"
            item.comments = "not for the file"
            item.store()
        self.moodtag("--no-lastfm", "-w")
        for item in items:
            item.load()
            media = MediaFile(item.filepath)
            assert media.bpm == item.bpm > 0
            assert media.initial_key == item.initial_key
            assert media.title == originals[item.id]
            assert media.comments != "not for the file"

    def test_missing_model_is_one_line_naming_it(self, clips, tmp_path):
        from beets.ui import UserError

        self.add_clips(clips)
        missing = tmp_path / "gone" / "moodplayer-music.json"
        config["moodtag"]["model"] = str(missing)
        with pytest.raises(UserError, match=str(missing)) as err:
            self.moodtag("--no-lastfm")
        assert "\n" not in str(err.value)
        assert all(item.get("moodtag_version") is None for item in self.lib.items())

    def test_model_option_chooses_the_model_file(self, clips, tmp_path):
        """``moodtag.model`` is the model that annotates: one whose output rows are turned
        round (Q1<->Q3, Q2<->Q4) puts every track at the opposite point."""
        items = self.add_clips(clips)
        self.moodtag("--no-lastfm")
        shipped = {}
        for item in items:
            item.load()
            shipped[item.id] = (item.moodtag_audio_valence, item.moodtag_audio_arousal)
        doc = json.loads(model_file(MODEL_NAME).read_text(encoding="utf-8"))
        for member in doc["members"]:
            last = member["layers"][-1]
            last["w"] = [last["w"][i] for i in (2, 3, 0, 1)]
            last["b"] = [last["b"][i] for i in (2, 3, 0, 1)]
        turned = tmp_path / "turned.json"
        turned.write_text(json.dumps(doc), encoding="utf-8")
        config["moodtag"]["model"] = str(turned)
        self.moodtag("--no-lastfm", "-f")
        for item in items:
            item.load()
            valence, arousal = shipped[item.id]
            assert item.moodtag_audio_valence == pytest.approx(-valence, abs=1e-3)
            assert item.moodtag_audio_arousal == pytest.approx(-arousal, abs=1e-3)

    def test_missing_tagger_is_one_line_naming_it(self, clips, tmp_path, monkeypatch):
        from beets.ui import UserError

        from moodplayer.music import musicnn

        self.add_clips(clips)
        monkeypatch.setattr(musicnn, "model_file", lambda name: tmp_path / name)
        musicnn._session.cache_clear()
        try:
            with pytest.raises(UserError, match=str(tmp_path / "musicnn-msd.onnx")) as err:
                self.moodtag("--no-lastfm")
        finally:
            musicnn._session.cache_clear()
        assert "\n" not in str(err.value)
        assert all(item.get("moodtag_version") is None for item in self.lib.items())

"""The agent's decisions as a plain object: a real recommender on a real annotated beets
library, a real state store and a private bus, with a stand-in for the player layer
(``DummyHands`` in conftest.py, the interface the agent uses) so each rule can be driven exactly.
The same loop against a real mpv is in test_loop_mpv.py."""

from __future__ import annotations

import logging
import sqlite3

from gi.repository import GLib

from moodplayer.agent.hands import PlayerEvent
from moodplayer.recommend import MoodEstimate


def test_queue_follows_a_sustained_mood_change(agent_for):
    agent, player = agent_for("sensing: off\nqueue_length: 2")
    agent.on_mood(MoodEstimate.named("happy"))
    player.appear()
    happy = list(player.queue)
    assert len(happy) == 2
    agent.on_mood(MoodEstimate.named("sad"))
    sad = list(player.queue)  # the happy picks were taken out; sad ones are up next
    assert len(sad) == 2 and not set(sad) & set(happy)
    decisions = agent.store.decisions()
    assert [d.target for d in decisions] == ["happy", "happy", "sad", "sad"]
    assert all(f"{d.target} mood" in d.reason for d in decisions)


def test_a_pick_that_fits_the_new_mood_too_stays_where_it_is(agent_for):
    # 4 picks for happy and 4 for sad from a library of 6 tracks must share some: those
    # stay queued, in place, rather than being taken out and queued again.
    agent, player = agent_for("sensing: off\nqueue_length: 4")
    agent.on_mood(MoodEstimate.named("happy"))
    player.appear()
    happy = list(player.queue)
    taken_out: list[str] = []
    remove = player.remove
    player.remove = lambda paths, done: (taken_out.extend(paths), remove(paths, done))
    agent.on_mood(MoodEstimate.named("sad"))
    kept = [p for p in happy if p in player.queue]
    assert kept and player.queue[:len(kept)] == kept, (happy, player.queue)
    assert not set(taken_out) & set(player.queue), (taken_out, player.queue)
    assert len(player.queue) == len(set(player.queue)) == 4
    assert {d.target for d in agent.store.decisions()[4:]} == {"sad"}


def test_top_ups_go_behind_the_agents_own_upcoming_picks(agent_for):
    agent, player = agent_for("sensing: off\nqueue_length: 3")
    agent.on_mood(MoodEstimate.named("calm"))
    player.appear()
    first, second, third = player.queue
    player.start_track(first)
    assert player.queue[:2] == [second, third] and len(player.queue) == 3


def test_a_player_that_cannot_remove_gets_nothing_behind_the_stale_picks(agent_for):
    agent, player = agent_for("sensing: off\nqueue_length: 2")
    player.can_remove = False
    agent.on_mood(MoodEstimate.named("happy"))
    player.appear()
    happy = list(player.queue)
    agent.on_mood(MoodEstimate.named("sad"))
    assert player.queue == happy  # nothing piled up behind them
    player.start_track(happy[0])
    player.start_track(happy[1])
    assert len(player.queue) == 2 and {d.target for d in agent.store.decisions()[2:]} == {"sad"}


def test_the_same_mood_again_changes_nothing(agent_for):
    agent, player = agent_for()
    agent.on_mood(MoodEstimate.named("calm"))
    player.appear()
    before = list(player.queue)
    agent.on_mood(MoodEstimate.named("calm"))
    assert player.queue == before


def test_keeps_n_upcoming_and_never_touches_what_plays(agent_for):
    agent, player = agent_for("sensing: off\nqueue_length: 3")
    agent.on_mood(MoodEstimate.named("energetic"))
    player.appear()
    first = player.queue[0]
    player.start_track(first)
    assert len(player.queue) == 3 and first not in player.queue
    agent.on_mood(MoodEstimate.named("calm"))  # re-plan: the playing track stays
    assert player.playing_path == first and first not in player.queue
    assert agent.status()["queued by moodplayer"] == "3"
    # each is a pick for calm, or an earlier pick that calm would choose as well (kept)
    calm = {d.path for d in agent.store.decisions() if d.target == "calm"}
    assert set(player.queue[:3]) == calm | {q.path for q in agent.plan.upcoming}
    assert {q.mood for q in agent.plan.upcoming} == {"calm"}


def test_backs_off_when_the_user_takes_over(agent_for, annotated_library):
    agent, player = agent_for("sensing: off\nqueue_length: 2")
    agent.on_mood(MoodEstimate.named("happy"))
    player.appear()
    ours = list(player.queue)
    player.start_track(ours[0])
    queued = len(agent.store.decisions())
    player.start_track(str(annotated_library / "music" / "their own pick.mp3"))
    agent.on_mood(MoodEstimate.named("sad"))
    assert agent.status()["backed off"] == "yes"
    assert len(agent.store.decisions()) == queued  # nothing added while backed off
    player.start_track(player.queue[0])  # the player is back to the agent's queue
    assert agent.status()["backed off"] == "no"
    assert agent.status()["queued by moodplayer"] == "2"


def test_skips_are_heard_and_stored_with_the_decision(agent_for):
    agent, player = agent_for()
    agent.on_mood(MoodEstimate.named("happy"))
    player.appear()
    track = player.queue[0]
    player.start_track(track)
    player.skip(track, at=4.0)
    kinds = [(f.kind, f.path) for f in agent.store.feedback()]
    assert kinds == [("started", track), ("skipped", track)]
    skipped = agent.store.feedback()[-1]
    assert skipped.decision_id == agent.store.decisions()[0].id
    learned = list(agent.recommender.store.events(agent.recommender.user))
    assert [(e.kind, e.path) for e in learned] == [("skipped", track)]


def test_never_steers_toward_a_never_mood(agent_for, annotated_library):
    agent, player = agent_for("sensing: off\nnever_moods: [sad]")
    agent.on_mood(MoodEstimate.named("sad"))
    player.appear()
    decisions = agent.store.decisions()
    assert {d.target for d in decisions} == {"neutral"}
    assert all("not steering toward sad" in d.reason for d in decisions)


def test_pause_stops_queueing_and_resume_fills(agent_for):
    agent, player = agent_for()
    agent.on_mood(MoodEstimate.named("happy"))
    agent.pause()
    player.appear()
    assert player.queue == []
    agent.resume()
    assert len(player.queue) == 2


def test_no_player_waits_quietly(agent_for, caplog):
    agent, player = agent_for()
    with caplog.at_level(logging.WARNING):
        agent.on_mood(MoodEstimate.named("happy"))
        agent.on_mood(MoodEstimate.named("sad"))
    assert player.queue == [] and caplog.records == []
    player.appear()
    assert len(player.queue) == 2


def test_locked_library_is_retried(agent_for, annotated_library, caplog, wait_for):
    agent, player = agent_for()
    agent.on_mood(MoodEstimate.named("happy"))
    lock = sqlite3.connect(annotated_library / "library.db", isolation_level=None)
    lock.execute("BEGIN EXCLUSIVE")  # what a running `beet import` holds while it writes
    try:
        with caplog.at_level(logging.WARNING):
            player.appear()
        assert player.queue == []
        assert "trying again" in caplog.text
    finally:
        lock.execute("ROLLBACK")
        lock.close()
    context = GLib.MainContext.default()
    assert wait_for(lambda: (context.iteration(False), len(player.queue) == 2)[1], 60)


def test_player_gone_and_back(agent_for):
    agent, player = agent_for()
    agent.on_mood(MoodEstimate.named("calm"))
    player.appear()
    player.name = ""
    player.on_event(PlayerEvent("vanished", "dummy"))
    assert agent.status()["queued by moodplayer"] == "0"
    player.queue.clear()
    player.appear()  # restarted: the agent carries on
    assert len(player.queue) == 2


def test_sensing_off_plays_the_default_query(agent_for):
    agent, player = agent_for("sensing: off\ndefault_query: artist:Grey")
    player.appear()
    decisions = agent.store.decisions()
    assert len(decisions) == 2
    assert all("Grey Harbour" in d.path for d in decisions)
    assert all(d.reason == "sensing is off: playing your default query 'artist:Grey'"
               for d in decisions)


def test_sensing_off_plays_the_default_playlist_in_order(agent_for, annotated_library,
                                                         tmp_path):
    tracks = sorted(str(p) for p in (annotated_library / "music").rglob("*.*"))[:3]
    playlist = tmp_path / "evening.m3u"
    playlist.write_text("#EXTM3U\n" + "\n".join(reversed(tracks)) + "\n", encoding="utf-8")
    agent, player = agent_for(f"sensing: off\ndefault_playlist: {playlist}\nqueue_length: 3")
    player.appear()
    assert [d.path for d in agent.store.decisions()] == list(reversed(tracks))


def test_a_track_skipped_in_a_mood_is_not_queued_again_in_that_mood(agent_for):
    agent, player = agent_for("sensing: off\nqueue_length: 2")
    agent.on_mood(MoodEstimate.named("happy"))
    player.appear()
    skipped = list(player.queue)
    for track in skipped:
        player.start_track(track)
        player.skip(track, at=4.0)
    for mood in ("sad", "happy", "calm", "happy"):  # each change re-plans the queue
        agent.on_mood(MoodEstimate.named(mood))
    happy_later = [d.path for d in agent.store.decisions()[2:] if d.target == "happy"]
    assert len(happy_later) >= 4 and not set(skipped) & set(happy_later), happy_later

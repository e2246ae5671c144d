"""``moodplayer run``: sensing, recommendation and player control in one process.

Everything happens on the GLib main loop: player signals, the control interface,
notification replies, timers; the camera reads frames on its own worker thread and hands
only mood events over. No busy waiting: the loop sleeps until something happens (plus one
housekeeping tick a second while the camera is open, to notice a silent camera).

The session bus may go away (a desktop session restarting its bus): the agent flushes its
state, waits for the bus to come back, takes its name again and carries on; the player
part follows players on its own connection and comes back by itself.
"""

from __future__ import annotations

import logging
import signal
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import dbus
import dbus.bus
from dbus.mainloop.glib import DBusGMainLoop
from gi.repository import GLib

from moodplayer import paths
from moodplayer.agent.config import AgentConfig
from moodplayer.agent.control import ControlService
from moodplayer.agent.defaults import DefaultSelection
from moodplayer.agent.hands import Hands, PlayerEvent
from moodplayer.agent.notify import Notifier
from moodplayer.agent.queue import Queued, QueuePlan
from moodplayer.agent.report import default_report_path, track_positions, write_report
from moodplayer.agent.store import REMOVED, MoodSample, StateStore, forget_all
from moodplayer.emotion import MOODS
from moodplayer.exceptions import MoodplayerError, RecommendError, VisionError
from moodplayer.player import session_address
from moodplayer.recommend import FeedbackStore, MoodEstimate, Recommender, make_policy
from moodplayer.recommend.policy import POLICIES
from moodplayer.tracks import track_id, track_name

if TYPE_CHECKING:
    from moodplayer.agent.camera import CameraMood
    from moodplayer.agent.scripted import ScriptedMood
    from moodplayer.desktop import Tray

log = logging.getLogger(__name__)

#: Seconds between attempts while the library is locked or unreadable.
RETRY_S = 5.0
#: Seconds between attempts to reach a session bus that went away.
RECONNECT_S = 2.0
#: Feedback kinds the player reports that the recommender learns from.
_LEARNED = {"played": "played", "skipped": "skipped"}
#: The buttons of the "queued" notification (where the daemon shows actions): key, label.
QUEUED_ACTIONS = (("like", "Like"), ("skip", "Skip"), ("pause", "Pause"))

CONSENT_QUESTION = """\
moodplayer reads your facial expression from the camera to choose music.
Frames stay in memory and are never stored or sent anywhere; what is kept is the mood
label over time, the tracks queued with their reasons, and which you skipped
(`moodplayer forget` deletes all of it). The camera is released while the agent is
paused and while nothing plays.
Allow moodplayer to use the camera? [y/N] """


@dataclass(frozen=True, slots=True)
class RunOptions:
    """What ``moodplayer run`` was asked on the command line."""

    grant_consent: bool = False
    mood_script: str | None = None
    source: str | None = None
    sensing: str | None = None
    play: bool = False
    duration: float | None = None
    verbose: int = 0


def setup_logging(config: AgentConfig, verbose: int) -> None:
    """Log at the configured level (``-v``/``-vv`` raise it) to stderr or the log file."""
    level = logging.DEBUG if verbose > 1 else logging.INFO if verbose else \
        getattr(logging, config.log_level.upper())
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    if config.log_file is not None:
        paths.private_file(config.log_file)  # owner-only, whatever the umask
        handlers = [logging.FileHandler(config.log_file, encoding="utf-8")]
    logging.basicConfig(level=level, handlers=handlers, force=True,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def ensure_consent(store: StateStore, *, grant: bool) -> None:
    """Make sure camera consent is on record: by flag, by asking, or refuse to start."""
    if store.consent() is not None:
        return
    if grant:
        store.grant_consent("--grant-consent")
        log.info("camera consent recorded (--grant-consent)")
        return
    if not sys.stdin.isatty():
        raise MoodplayerError("camera consent has not been given: run `moodplayer run` once "
                              "in a terminal to answer, or pass --grant-consent")
    print(CONSENT_QUESTION, end="", flush=True)
    answer = sys.stdin.readline()
    if answer.strip().lower() not in ("y", "yes"):
        raise MoodplayerError("no consent to use the camera: not starting (set sensing: off "
                              "to use moodplayer without it)")
    store.grant_consent("asked")


def connect_session() -> dbus.bus.BusConnection:
    """A connection to the session bus that does not end the process when the bus goes."""
    address = session_address()
    if address is None:
        raise MoodplayerError("no D-Bus session bus: DBUS_SESSION_BUS_ADDRESS is not set")
    try:
        bus = dbus.bus.BusConnection(address)
    except dbus.DBusException as exc:
        raise MoodplayerError(f"no D-Bus session bus at {address}: "
                              f"{exc.get_dbus_message()}") from exc
    bus.set_exit_on_disconnect(False)
    return bus


class Agent:
    """The running service; also the Controller of the D-Bus control interface."""

    def __init__(self, config: AgentConfig, options: RunOptions, store: StateStore,
                 bus: dbus.bus.BusConnection, hands: Hands | None = None) -> None:
        self.config, self.options, self.store, self.bus = config, options, store, bus
        self.sensing = options.sensing or config.sensing
        self.loop = GLib.MainLoop()
        # Before the control interface claims the bus name: whoever sees the agent there
        # may stop it with SIGTERM or SIGINT, and the state is then flushed.
        for signum in (signal.SIGTERM, signal.SIGINT):
            GLib.unix_signal_add(GLib.PRIORITY_HIGH, signum, self._on_signal, signum)
        self.plan = QueuePlan(config.queue_length)
        self.defaults = DefaultSelection(config)
        self.target = config.target
        self.policy = config.policy
        self.recommender = self._recommender()
        self.mood: MoodEstimate | None = None
        self.absent = False
        self.paused = False
        self.source = self._mood_source()
        #: path -> ("artist – title", reason) of the tracks queued, for status and the tray
        self.reasons: dict[str, tuple[str, str]] = {}
        self._announced = ""  # the track the live "queued" notification is about
        self._camera = "released"
        self.notifier = self._notifier(bus)
        self.control = ControlService(bus, self)
        self.hands = hands if hands is not None else Hands(config)
        self.tray = self._tray(bus)
        self._retry = 0
        self._glance = 0
        self._tick = 0
        self._reconnect = 0
        self._kicked = False
        self._players = 0  # players come and gone: an answer about an older one is stale
        self._running = True
        bus.call_on_disconnection(self._bus_lost)

    # -- parts -----------------------------------------------------------------------

    def _recommender(self) -> Recommender:
        # The smoother already filters the camera's moods over seconds (dwell,
        # hysteresis): the recommender's per-pick mood belief would filter them twice
        # and hold on to an old mood after a real change.
        return Recommender(self.config.library, store=FeedbackStore(),
                           policy=make_policy(self.policy, self.target),
                           directory=self.config.directory, mood_belief=False)

    def _mood_source(self) -> ScriptedMood | CameraMood | None:
        if self.options.mood_script:
            from moodplayer.agent.scripted import ScriptedMood, parse_script
            return ScriptedMood(parse_script(self.options.mood_script))
        if self.sensing == "off":
            return None
        try:
            from moodplayer.agent.camera import CameraMood
            return CameraMood(self.config, self.options.source)
        except VisionError as exc:
            log.warning("sensing disabled: %s", exc)
            self.sensing = "off"
            return None

    def _notifier(self, bus: dbus.bus.BusConnection) -> Notifier:
        return Notifier(bus, enabled=self.config.notifications, on_action=self._on_action)

    def _tray(self, bus: dbus.bus.BusConnection) -> Tray | None:
        """The tray indicator on ``bus`` (None with ``tray: no``)."""
        if not self.config.tray:
            return None
        from moodplayer.desktop import Tray
        try:
            # Its answers ("why this track?") are asked for: shown even with notifications off.
            return Tray(bus, self, notify=Notifier(bus).show)
        except dbus.DBusException as exc:
            log.warning("no tray icon: %s", exc.get_dbus_message())
            return None

    def _announce(self, signal_name: str, *args: object) -> None:
        """Emit one of the control interface's signals (while the bus is there)."""
        if self.control is not None:
            getattr(self.control, signal_name)(*args)

    @property
    def source_name(self) -> str:
        """'scripted', 'camera' or 'off': where moods come from."""
        return self.source.name if self.source is not None else "off"

    # -- life cycle ------------------------------------------------------------------

    def run(self) -> int:
        """Run until SIGTERM/SIGINT, ``--duration`` or a fatal error; returns the status."""
        if self.options.duration:
            GLib.timeout_add(int(self.options.duration * 1000), self._on_duration)
        log.info("agent running: sensing %s (%s), policy %s, keeping %d queued",
                 self.sensing, self.source_name, self.config.policy, self.config.queue_length)
        self.hands.start(self.on_player_event)
        self._update_sensing()
        try:
            self.loop.run()
        finally:
            self.shutdown()
        return 0

    def _on_signal(self, signum: int) -> bool:
        log.info("%s: shutting down", signal.Signals(signum).name)
        self.loop.quit()
        return False

    def _on_duration(self) -> bool:
        log.info("ran for %g s as asked: shutting down", self.options.duration)
        self.loop.quit()
        return False

    def shutdown(self) -> None:
        """Release the camera, the player and the bus name; flush and close the store."""
        self._running = False
        self._stop_sensing()
        if self.source is not None:
            self.source.close()
        self.hands.close()
        if self.tray is not None:
            self.tray.close()
        if self._reconnect:
            GLib.source_remove(self._reconnect)
            self._reconnect = 0
        if self.control is not None:
            self.control.close()
        self.recommender.store.close()
        self.store.close()
        log.info("stopped; state flushed")

    # -- the session bus -------------------------------------------------------------

    def _bus_lost(self, _connection: object) -> None:
        """The session bus went away: flush the state and wait for it to come back."""
        if not self._running:
            return
        self.store.close()  # checkpoint everything into the main file
        self.store = StateStore(self.store.path)
        self.control = None
        self.tray = None  # it went with the bus; a new one comes with the next
        log.warning("the session bus went away: state flushed; waiting for it to come back")
        self._reconnect = GLib.timeout_add(int(RECONNECT_S * 1000), self._try_reconnect)

    def _try_reconnect(self) -> bool:
        try:
            bus = connect_session()
        except MoodplayerError:
            return True  # not back yet: try again
        self._reconnect = 0
        try:
            self.control = ControlService(bus, self)
        except dbus.DBusException as exc:
            log.error("the session bus is back but the agent's name is taken (%s): stopping",
                      exc.get_dbus_message())
            bus.close()
            self.loop.quit()
            return False
        self.bus = bus
        self.notifier = self._notifier(bus)
        self.tray = self._tray(bus)
        bus.call_on_disconnection(self._bus_lost)
        log.info("the session bus is back: carrying on")
        return False

    # -- sensing ---------------------------------------------------------------------

    def _want_sensing(self) -> bool:
        if self.source is None or self.paused:
            return False
        if self.source_name == "scripted":
            return True  # no camera: the script follows wall time from the start
        return self.hands.playing and (self.sensing != "glance" or self._glance != 0)

    def _update_sensing(self) -> None:
        if self._want_sensing():
            self.source.start(self.on_mood)
            if self.source_name == "camera" and not self._tick:
                self._tick = GLib.timeout_add_seconds(1, self._watch_camera)
            self._camera_changed()
        else:
            self._stop_sensing()

    def _stop_sensing(self) -> None:
        if self.source is not None:
            self.source.stop()
        if self._tick:
            GLib.source_remove(self._tick)
            self._tick = 0
        self._camera_changed()

    def _camera_state(self) -> str:
        return "open" if getattr(self.source, "open", False) else "released"

    def _camera_changed(self) -> None:
        """Announce the camera being opened or released (once per change)."""
        state = self._camera_state()
        if state != self._camera:
            self._camera = state
            self._announce("CameraChanged", state)

    def _glance_now(self) -> None:
        if self.sensing != "glance" or self.source is None:
            return
        if self._glance:
            GLib.source_remove(self._glance)
        self._glance = GLib.timeout_add(int(self.config.glance_seconds * 1000),
                                        self._glance_over)
        self._update_sensing()

    def _glance_over(self) -> bool:
        self._glance = 0
        self._update_sensing()
        return False

    def _watch_camera(self) -> bool:
        """Once a second while the camera is open: a camera that went silent means absent;
        a camera whose reader stopped on its own is announced as released."""
        self._camera_changed()
        silent = time.monotonic() - self.source.last_reading
        if not self.absent and silent > max(self.config.absent_after, 2.0 / self.config.fps):
            log.warning("no frames from the camera for %.0f s: mood is absent", silent)
            self.on_mood(None)
        return True

    def on_mood(self, estimate: MoodEstimate | None) -> None:
        """A sustained mood change (None: the face or camera has been gone a while)."""
        if estimate is None:
            if self.absent:
                return
            self.absent = True
            log.info("mood: absent (steering paused until a face is seen)")
            self.store.add_mood(MoodSample(time.time(), "absent", 0.0, 0.0, 0.0,
                                           self.source_name))
            self._announce("MoodChanged", "absent", 0.0)
        else:
            changed = self.absent or self.mood is None or estimate.mood != self.mood.mood
            self.absent, self.mood = False, estimate
            self.store.add_mood(MoodSample(
                time.time(), estimate.mood, estimate.point.valence, estimate.point.arousal,
                self._confidence(), self.source_name))
            if not changed:
                return
            log.info("mood: %s%s", estimate.mood,
                     " (scripted)" if self.source_name == "scripted" else "")
            self._announce("MoodChanged", estimate.mood, self._confidence())
        self._replan()

    # -- choosing and queueing -------------------------------------------------------

    def _label(self) -> str:
        """What the upcoming tracks should be chosen for: a mood or 'default'."""
        steering = self.mood is not None and not self.absent
        if not steering and self.defaults.configured:
            return "default"
        mood = self.mood.mood if steering and self.mood else "neutral"
        return "neutral" if mood in self.config.never_moods else mood

    def _choose(self, n: int, excluded: set[str] | None = None, *, remember: bool = True
                ) -> list[tuple[str, str, str, str]]:
        """``n`` tracks as (track_id, artist, title, reason) for the current label, none of
        ``excluded`` (default: what is queued, playing or impossible to queue); with
        ``remember`` false the recommender only looks and counts nothing as picked."""
        label = self._label()
        excluded = self.plan.excluded() if excluded is None else excluded
        if label == "default":
            why = f"{'sensing is off' if self.source is None else 'no face seen'}: " \
                  f"playing {self.defaults.describe()}"
            # The playlist loops: only what cannot be queued and what plays are left out.
            skip = self.plan.unqueueable | {self.plan.playing_path}
            return [(path, artist, title, why)
                    for path, artist, title in self.defaults.take(n, skip=skip)]
        estimate = self.mood if self.mood is not None and label == self.mood.mood \
            else MoodEstimate.named(label)
        picks = [(track_id(p.path), p) for p in self.recommender.suggest(
            estimate, n, remember=remember, exclude=excluded)]
        note = ""
        if self.mood is not None and self.mood.mood in self.config.never_moods:
            note = f" (not steering toward {self.mood.mood}: it is in never_moods)"
        return [(path, p.artist, p.title, p.reason + note) for path, p in picks
                if path not in excluded][:n]

    def _replan(self) -> None:
        if self.paused or not self.hands.available or self.plan.backed_off:
            return
        label = self._label()
        stale = self.plan.stale(label)
        fitting = self._still_fitting(stale, label)
        if fitting:
            log.info("re-planning for %s: keeping %s (it fits %s too)", label,
                     ", ".join(sorted(fitting)), label)
            self.plan.refit(fitting, label)
            stale = [q for q in stale if q.path not in fitting]
        if stale:
            self.plan.retire(stale)
            self._take_out(stale, f"re-planning for {label}")
        self._fill()

    def _take_out(self, stale: list[Queued], occasion: str) -> None:
        """Take retired picks out of the player's queue where it allows (they count as
        waiting until they are gone); ``occasion`` starts each log line."""
        if not stale:
            return
        for queued in stale:
            log.info("%s: taking out %s (chosen for %s)", occasion, queued.path, queued.mood)
        if self.hands.can_remove:
            self.plan.removing += 1
            self.hands.remove([q.path for q in stale],
                              lambda removed, why: self._removed(stale, removed, why))
        else:
            log.info("%s cannot take tracks out of its queue: adding nothing behind the "
                     "%d left there", self.hands.name, len(stale))

    def _still_fitting(self, stale: list[Queued], label: str) -> set[str]:
        """The stale picks that ``label`` would choose as well: they stay where they are
        rather than being taken out and queued again."""
        if not stale or label == "default":
            return set()
        paths = {q.path for q in stale}
        free = self.plan.length - (len(self.plan.upcoming) - len(stale))
        try:
            chosen = self._choose(free, self.plan.excluded() - paths, remember=False)
        except RecommendError:
            return set()
        return paths & {c[0] for c in chosen}

    def _removed(self, stale: list[Queued], removed: Sequence[str], why: str) -> None:
        """The player answered a removal: what is not there any more no longer counts."""
        self.plan.removing -= 1
        # Without an error, what was not removed is no longer waiting (it plays, or the
        # user took it out); after an error it may still be there and keeps counting.
        self.plan.removed([q for q in stale if q.path in removed or not why])
        for path in removed:
            self.store.add_feedback(kind=REMOVED, path=path, player=self.hands.name)
        self._fill()

    def _fill(self) -> None:
        n = self.plan.wanted()
        if self.paused or n == 0 or not self.hands.available or self._retry:
            return
        label = self._label()
        try:
            chosen = self._choose(n)
        except RecommendError as exc:
            log.warning("%s; trying again in %g s", exc, RETRY_S)
            self._retry = GLib.timeout_add(int(RETRY_S * 1000), self._retry_fill)
            return
        if not chosen:
            return
        self.plan.requested += 1
        mood = self.mood.mood if self.mood and not self.absent else "none"
        self.hands.enqueue([c[0] for c in chosen],
                           lambda accepted, refused, why: self._enqueued(
                               chosen, label, mood, accepted, refused, why),
                           after=self.plan.after())

    def _enqueued(self, chosen: list[tuple[str, str, str, str]], label: str, mood: str,
                  accepted: Sequence[str], refused: Sequence[tuple[str, str]],
                  why: str) -> None:
        """The player answered an enqueue request: record and announce what it took,
        remember what can never be queued, and take the next candidates instead."""
        self.plan.requested -= 1
        for path, reason in refused:
            self.plan.refused(path)
            log.info("leaving %s out from now on (%s); taking the next candidate", path,
                     reason)
        if why:
            log.warning("the player did not take the tracks: %s; trying again in %g s", why,
                        RETRY_S)
            if not self._retry:
                self._retry = GLib.timeout_add(int(RETRY_S * 1000), self._retry_fill)
            return
        taken = set(accepted)
        lines = []
        for path, artist, title, reason in (c for c in chosen if c[0] in taken):
            decision = self.store.add_decision(mood=mood, target=label, path=path,
                                               title=title, artist=artist, reason=reason,
                                               player=self.hands.name)
            self.plan.added(Queued(path, label, decision))
            name = track_name(path, artist, title)
            log.info("queued %s: %s", name, reason)
            lines.append(f"{name}: {reason}")
            self._remember_reason(path, name, reason)
            self._announce("TrackQueued", path, artist, title, reason)
        if lines:
            self._announced = next(c[0] for c in chosen if c[0] in taken)
            self.notifier.show(f"moodplayer queued music for {label}", "\n".join(lines),
                               actions=QUEUED_ACTIONS)
        if lines and not self._kicked and self.options.play and not self.hands.playing:
            self._kicked = True
            self.hands.play(self._announced)
        if label != self._label():  # the mood moved on while the player answered
            self._replan()
        else:
            self._fill()  # in place of what could not be queued

    def _adopt(self, waiting: Sequence[str] | None, player_no: int) -> None:
        """The player answered what waits in its queue: the agent's picks from an earlier
        run (its store says it queued them there and they have not played) are its own
        again, in queue order, kept if they fit the mood and taken out if not; beyond
        ``queue_length`` they are taken out."""
        self.plan.requested -= 1
        if player_no != self._players:  # about a player since gone or replaced
            self._fill()
            return
        found = self.store.unstarted(waiting or (), self.hands.name)
        mine, surplus, seen = [], [], set()
        for path in waiting or ():
            if path in found:
                queued = Queued(path, found[path].target, found[path].id)
                (surplus if path in seen or len(mine) == self.plan.length else mine).append(
                    queued)
                seen.add(path)
        if mine or surplus:
            log.info("%d track(s) waiting in %s were queued by moodplayer before: they are "
                     "its own again", len(mine) + len(surplus), self.hands.name)
        self.plan.adopted(mine, surplus)
        self._take_out(surplus, f"more than {self.plan.length} of its own waiting")
        self._replan()
        kept = {q.path for q in self.plan.upcoming}
        for queued in mine:
            if queued.path in kept:
                log.info("taking back %s (queued by an earlier run for %s): it fits %s",
                         queued.path, found[queued.path].target, self._label())

    def _remember_reason(self, path: str, track: str, reason: str) -> None:
        """Keep why ``path`` was queued while it waits or plays; forget older ones."""
        keep = {q.path for q in self.plan.upcoming + self.plan.retired}
        keep |= {self.plan.playing_path, path}
        self.reasons = {p: r for p, r in self.reasons.items() if p in keep}
        self.reasons[path] = (track, reason)

    def _retry_fill(self) -> bool:
        self._retry = 0
        self._fill()
        return False

    # -- the player ------------------------------------------------------------------

    def on_player_event(self, event: PlayerEvent) -> None:
        kind = event.kind
        if kind == "appeared":
            log.info("player %s is here%s", event.player,
                     f", playing {event.path}" if event.path else "")
            self.plan.forget_player(event.path)
            self._players += 1
            self.plan.requested += 1  # nothing is added before what waits there is known
            self.hands.upcoming(lambda waiting, no=self._players: self._adopt(waiting, no))
        elif kind == "vanished":
            log.info("player %s went away; waiting for a player", event.player)
            self._players += 1
            self.plan.forget_player()
        elif kind == "started":
            mine = self.plan.started(event.path)
            self.store.add_feedback(kind="started", path=event.path, player=event.player)
            if mine is None and self.plan.backed_off:
                log.info("you took over (%s is not from moodplayer): backing off until the "
                         "player is back to moodplayer's queue", event.path)
            self._glance_now()
            self._fill()
        elif kind in ("played", "skipped"):
            self.store.add_feedback(kind=kind, path=event.path, player=event.player,
                                    position_s=event.position_s)
            where = "" if event.position_s is None else f" at {event.position_s:.0f} s"
            if where and event.length_s:  # past half a track counts as played
                where += f" of {event.length_s:.0f} s"
            log.info("heard: %s %s%s", kind, event.path, where)
            self._learn(event.path, _LEARNED[kind])
        elif kind == "stopped":
            self.plan.stopped()
            self._fill()
        self._update_sensing()

    def _learn(self, path: str, kind: str) -> None:
        try:
            self.recommender.feedback(path, kind)
        except RecommendError as exc:
            log.warning("feedback kept in the state store only: %s", exc)

    # -- Controller (the D-Bus interface) --------------------------------------------

    def _confidence(self) -> float:
        if self.absent or self.mood is None:
            return 0.0
        return 1.0 if self.mood.confidence is None else float(self.mood.confidence)

    def status(self) -> Mapping[str, str]:
        """A few named facts about the agent, as strings."""
        mood = "absent" if self.absent else (self.mood.mood if self.mood else "unknown")
        counts = self.store.counts()
        playing = self.hands.playing_path or ""
        track, reason = self.reasons.get(playing, (playing, ""))
        return {
            "state": "paused" if self.paused else "running",
            "sensing": self.sensing, "source": self.source_name,
            "camera": self._camera_state(),
            "mood": mood, "confidence": f"{self._confidence():.2f}",
            "steering toward": self._label(),
            "policy": self.policy, "target": self.target,
            "player": self.hands.name or "none", "playing": playing,
            "track": track if self.hands.playing else "", "reason": reason,
            "queued by moodplayer": str(self.plan.waiting()),
            "backed off": "yes" if self.plan.backed_off else "no",
            "stored": ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in counts.items()),
        }

    def pause(self) -> None:
        """Stop sensing and queueing; the camera is released at once."""
        self.paused = True
        self._stop_sensing()
        log.info("paused (camera released)")
        self._announce("StateChanged", "paused")

    def resume(self) -> None:
        """Sense and queue again."""
        self.paused = False
        log.info("resumed")
        self._announce("StateChanged", "running")
        self._update_sensing()
        self._fill()

    def _thumb(self, kind: str, path: str = "") -> str:
        path = path or self.hands.playing_path
        if not path:
            raise MoodplayerError("nothing is playing")
        self.store.add_feedback(kind=f"{kind}d", path=path, player=self.hands.name)
        self._learn(path, kind)
        return f"{kind}d {path}"

    def like(self) -> str:
        """Thumbs up for the playing track."""
        return self._thumb("like")

    def dislike(self) -> str:
        """Thumbs down for the playing track."""
        return self._thumb("dislike")

    def set_target(self, mood: str) -> str:
        """Set the target mood of the uplift and fixed policies."""
        if mood not in MOODS:
            raise MoodplayerError(f"unknown mood {mood!r}: expected one of {', '.join(MOODS)}")
        if mood in self.config.never_moods:
            raise MoodplayerError(f"{mood} is in never_moods")
        self.target = mood
        self.recommender.policy = make_policy(self.policy, mood)
        log.info("target mood: %s", mood)
        self._replan()
        return mood

    def next_target(self) -> str:
        """Move the target to the next mood (skipping never_moods)."""
        allowed = [m for m in MOODS if m not in self.config.never_moods]
        index = allowed.index(self.target) if self.target in allowed else -1
        return self.set_target(allowed[(index + 1) % len(allowed)])

    def set_policy(self, policy: str) -> str:
        """Choose tracks by another policy from now on (match, uplift or fixed)."""
        if policy not in POLICIES:
            raise MoodplayerError(f"unknown policy {policy!r}: expected one of "
                                  f"{', '.join(POLICIES)}")
        self.policy = policy
        self.recommender.policy = make_policy(policy, self.target)
        log.info("policy: %s", policy)
        self._replan()
        return policy

    def now(self) -> str:
        """Take a glance now (glance mode); in continuous mode the camera is already on."""
        if self.sensing != "glance":
            return f"sensing is {self.sensing}: nothing to do"
        if self.paused:
            return "paused: resume first"
        self._glance_now()
        return f"glancing for {self.config.glance_seconds:g} s"

    def report(self) -> str:
        """Write today's report (since midnight) where ``moodplayer report`` writes it."""
        now = time.time()
        midnight = time.mktime((*time.localtime(now)[:3], 0, 0, 0, 0, 0, -1))
        positions, note = track_positions(self.config.library, self.config.directory)
        return str(write_report(self.store, default_report_path(), since=midnight, now=now,
                                positions=positions, positions_note=note))

    def quit(self) -> None:
        """Stop the agent once the current call has been answered."""
        log.info("asked to quit")
        GLib.idle_add(self.loop.quit)

    def _on_action(self, key: str) -> None:
        """A button of the "queued" notification was pressed."""
        try:
            if key == "like":
                log.info("from the notification: %s", self._thumb("like", self._announced))
            elif key == "skip":
                self._skip(self._announced)
            elif key == "pause":
                self.pause()
        except MoodplayerError as exc:
            log.info("notification action %s: %s", key, exc)

    def _skip(self, path: str) -> None:
        """Skip ``path``: the player moves on if it plays; taken out if it waits."""
        if path and path == self.hands.playing_path:
            log.info("from the notification: skipping %s", path)
            self.hands.skip()  # the player reports the skip, which is learnt
            return
        waiting = [q for q in self.plan.upcoming if q.path == path]
        if not waiting:
            raise MoodplayerError(f"{path or 'that track'} is no longer queued")
        log.info("from the notification: taking %s out of the queue", path)
        self.store.add_feedback(kind="skipped", path=path, player=self.hands.name)
        self._learn(path, "skipped")
        self.plan.retire(waiting)
        self.plan.removing += 1
        self.hands.remove([path], lambda removed, why: self._removed(waiting, removed, why))

    def forget(self) -> int:
        """Delete everything stored (state, feedback, learner); carry on with empty stores."""
        self.recommender.store.close()
        self.store.close()
        removed = len(forget_all())
        self.store = StateStore()
        self.recommender = self._recommender()
        log.info("forgot everything stored (%d files); camera consent must be given again "
                 "at the next start", removed)
        return removed


def run_agent(config: AgentConfig, options: RunOptions) -> int:
    """Start the agent and run it until it is stopped; returns the exit status."""
    setup_logging(config, options.verbose)
    DBusGMainLoop(set_as_default=True)
    store = StateStore()
    try:
        uses_camera = not options.mood_script and (options.sensing or config.sensing) != "off"
        if uses_camera:
            ensure_consent(store, grant=options.grant_consent)
        bus = connect_session()
        try:
            agent = Agent(config, options, store, bus)
        except dbus.DBusException as exc:
            raise MoodplayerError(f"cannot start (is another agent running? "
                                  f"`moodplayer status`): {exc.get_dbus_message()}") from exc
    except BaseException:
        store.close()
        raise
    return agent.run()

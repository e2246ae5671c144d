"""The recommender: from a mood to ranked tracks with reasons, learning from feedback."""

from __future__ import annotations

import getpass
import logging
import time
from collections import OrderedDict, deque
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from moodplayer.emotion import MOOD_CENTRES, MOODS
from moodplayer.exceptions import RecommendError
from moodplayer.music.library import TrackMatrix, changed, default_library, load_tracks
from moodplayer.recommend import learner as lrn
from moodplayer.recommend.belief import MoodBelief
from moodplayer.recommend.explain import Evidence, sentence
from moodplayer.recommend.lastfm_signals import LastfmSignals
from moodplayer.recommend.mood import MoodEstimate
from moodplayer.recommend.policy import MatchPolicy, Policy, Target
from moodplayer.recommend.profiles import ProfileTable, load_table
from moodplayer.recommend.scoring import TrackFeatures, fit, static_score
from moodplayer.recommend.store import Event, FeedbackKind, FeedbackStore
from moodplayer.tracks import track_id

log = logging.getLogger(__name__)

#: Score offsets that keep a track skipped in this mood, a recent track and the same
#: artist out unless nothing else is left (in that order: a skipped track comes last).
_HELD_PENALTY = 1e12
_RECENT_PENALTY = 1e9
_ARTIST_PENALTY = 1e6
#: Keeps a track the model places more likely outside the target's quadrant than in it
#: below every one it places inside, the same artist again included.
_POOR_FIT_PENALTY = 1e7
#: Keeps what the caller excludes (queued already, playing) below everything else.
_EXCLUDED_PENALTY = 1e15
#: How many answers one way (tracks finished or liked; skipped or disliked) before a
#: reason says what the learner learned from them ("usually finish", "often skip").
_SAID_AFTER = 3
#: How long a track skipped (or given a thumbs down) in a mood is not picked for that mood
#: again, unless nothing else is left; playing it through or liking it lifts the hold.
SKIP_HOLD_S = 12 * 3600.0
#: The answers that put a track on hold for the mood it was answered in.
_HOLDING: frozenset[str] = frozenset(("skipped", "dislike"))
#: How many targets' fits are kept (match and target policies need one per mood row).
_FIT_CACHE = 32
#: Score per unit of an artist's finish rate above (below) the user's overall rate, and
#: the weight (in answers) of the overall rate as the prior of each artist's.
_ARTIST_WEIGHT = 4.0
_ARTIST_PRIOR = 2.0
#: Learner updates logged (about 200 bytes each) between full checkpoints of its state.
_CHECKPOINT_EVERY = 50
#: Where the mood-region memberships (minus 0.5) sit in a learner feature vector.
_REGIONS = slice(lrn.TRACK_FEATURES.index("near_happy"),
                 lrn.TRACK_FEATURES.index("near_happy") + len(MOODS))


@dataclass(frozen=True, slots=True)
class Fitted:
    """Every track's fit to one target: components, static score, learner fit features."""

    comps: dict[str, np.ndarray]
    score: np.ndarray      #: float32 (n,)
    columns: np.ndarray    #: float32 (4, n), see learner.fit_columns
    poor: np.ndarray       #: bool (n,): more likely outside the target's quadrant than in it


@dataclass(frozen=True, slots=True)
class Pick:
    """One recommended track and why."""

    item_id: int
    path: str
    artist: str
    title: str
    album: str
    score: float
    reason: str


def default_user() -> str:
    """Whose taste is learned by default: the login name ("default" if there is none)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "default"


class Recommender:
    """Ranks a beets library for a mood, explains each pick, and learns from feedback.

    ``library_path``: the beets database (default: beets' configured library);
    ``store``: where feedback and the learner live (default ``FeedbackStore()``);
    ``table``: a ``ProfileTable`` or a path to one (default: the shipped table);
    ``policy``: ``MatchPolicy()`` by default; ``learning``: use and update the
    per-user learner, play/skip history and session mood belief (False: the static
    table alone); ``mood_belief``: filter the moods passed in through the session's
    ``MoodBelief`` (for raw per-pick readings; a caller whose moods are already
    smoothed over seconds, like the agent, turns it off so a real change is not
    filtered twice);
    ``explore``: scale of the Thompson-sampling draw (0: none); ``recent_window``:
    no track repeats within this many picks; ``lastfm``: optional Last.fm taste
    signals (off by default); ``seed``: for reproducible exploration.
    """

    def __init__(self, library_path: str | Path | None = None,
                 store: FeedbackStore | None = None,
                 table: ProfileTable | str | Path | None = None,
                 policy: Policy | None = None, *, user: str | None = None,
                 directory: str | Path | None = None, learning: bool = True,
                 mood_belief: bool = True, explore: float = 0.05, recent_window: int = 50,
                 learner_weight: float = 2.0,
                 lastfm: LastfmSignals | None = None, seed: int | None = None) -> None:
        if library_path is None or directory is None:
            configured_path, configured_dir = default_library()
            library_path = library_path or configured_path
            directory = directory or configured_dir
        self.library_path = Path(library_path).expanduser().resolve()
        self.directory = directory
        self.store = store if store is not None else FeedbackStore()
        self.table = table if isinstance(table, ProfileTable) else load_table(table)
        self.policy: Policy = policy if policy is not None else MatchPolicy()
        self.user = user or default_user()
        self.learning = learning
        self.mood_belief = mood_belief
        self.explore = explore
        self.learner_weight = learner_weight
        self.lastfm = lastfm
        self._rng = np.random.default_rng(seed)
        self._recent: deque[int] = deque(maxlen=max(0, recent_window))
        self._last_artist = ""
        # item id -> (estimate, learner context, track features) at the time of the pick
        self._picked: OrderedDict[int, tuple[MoodEstimate, np.ndarray, np.ndarray]] = \
            OrderedDict()
        self._tracks: TrackMatrix | None = None
        self._learner = self._load_learner()
        self._belief = MoodBelief(counts=self.store.load_confusion(self.user, len(MOODS)))
        self._observed: MoodEstimate | None = None
        self._history: dict[int, np.ndarray] = {}   # item id -> [plays, skips, likes, dislikes]
        self._artists: dict[str, np.ndarray] = {}
        self._held: dict[str, dict[int, float]] = {}  # mood -> item id -> when it was skipped
        for event in reversed(list(self.store.events(self.user, limit=20000))):
            self._count(event.item_id, event.artist or "", event.kind)
            if event.item_id is not None:
                self._recent.append(event.item_id)  # no repeats across restarts either
                self._hold(event.item_id, event.mood, event.kind, event.ts)

    # -- state -----------------------------------------------------------------------

    def _load_learner(self) -> lrn.Learner:
        """The last checkpoint (or the prior) with the updates logged since replayed."""
        state = self.store.load_learner(self.user, lrn.VERSION, lrn.DIM)
        learner = lrn.Learner() if state is None else lrn.Learner(None, *state)
        updates = self.store.learner_updates(self.user, lrn.VERSION, lrn.CONTEXT_SIZE,
                                             len(lrn.TRACK_FEATURES))
        for context, x, reward in updates:
            learner.update(context, x, reward)
        self._logged = len(updates)
        return learner

    def _count(self, item_id: int | None, artist: str, kind: FeedbackKind) -> None:
        column = ("played", "skipped", "like", "dislike").index(kind)
        if item_id is not None:
            self._history.setdefault(item_id, np.zeros(4))[column] += 1
        if artist:
            self._artists.setdefault(artist.casefold(), np.zeros(4))[column] += 1
        self._signals = None

    def _hold(self, item_id: int, mood: str | None, kind: FeedbackKind, ts: float) -> None:
        """Put a track skipped in ``mood`` on hold for that mood; an answer that speaks
        for it (played through, liked) lifts the hold."""
        if mood is None:
            return
        if kind in _HOLDING:
            self._held.setdefault(mood, {})[item_id] = ts
        else:
            self._held.get(mood, {}).pop(item_id, None)

    def held(self, mood: str, now: float | None = None) -> list[int]:
        """The beets ids of the tracks on hold for ``mood``: skipped (or thumbed down) in
        that mood within ``SKIP_HOLD_S`` and not played through or liked since."""
        since = (time.time() if now is None else now) - SKIP_HOLD_S
        return [i for i, ts in self._held.get(mood, {}).items() if ts >= since]

    def _refresh(self) -> TrackMatrix:
        if self._tracks is None or changed(self._tracks, self.library_path):
            tracks = load_tracks(self.library_path, self.directory)
            if tracks is not self._tracks:
                self._tracks = tracks
                self._features = TrackFeatures.build(tracks, self.table)
                f = self._features
                self._static_x = lrn.static_columns(f.valence, f.arousal, f.bpm, f.mode,
                                                    f.energy, f.brightness)
                self._index = {int(i): k for k, i in enumerate(tracks.ids)}
                self._fits: OrderedDict[tuple, Fitted] = OrderedDict()
                self._by_path: dict[str, int] | None = None
                self._signals = None
                self._lastfm_boost = (self.lastfm.boost(tracks.artists, tracks.tags)
                                      if self.lastfm else np.zeros(len(tracks))
                                      ).astype(np.float32)
        return self._tracks

    def _user_signals(self) -> np.ndarray:
        """Per track: what this user's plays, skips and thumbs say (score units)."""
        if self._signals is None:
            tracks = self._tracks
            signal = np.zeros(len(tracks))
            for item_id, (plays, skips, likes, dislikes) in self._history.items():
                k = self._index.get(item_id)
                if k is not None:
                    signal[k] += 0.8 * (likes - dislikes) + 0.4 * np.tanh((plays - 2 * skips) / 3)
            if self._artists:
                # Each artist's finish rate (Beta posterior around this user's overall
                # rate, thumbs counting twice) against the overall rate.
                counts = np.array(list(self._artists.values()))
                good = counts[:, 0] + 2 * counts[:, 2]
                bad = counts[:, 1] + 2 * counts[:, 3]
                overall = (good.sum() + 1) / (good.sum() + bad.sum() + 2)
                rate = (good + _ARTIST_PRIOR * overall) / (good + bad + _ARTIST_PRIOR)
                artist_signal = dict(zip(self._artists, _ARTIST_WEIGHT * (rate - overall),
                                         strict=True))
                signal += np.fromiter((artist_signal.get(a.casefold(), 0.0)
                                       for a in tracks.artists), float, len(tracks))
            self._signals = signal.astype(np.float32)
        return self._signals

    # -- ranking ---------------------------------------------------------------------

    def suggest(self, mood: MoodEstimate | str, n: int = 10, *,
                remember: bool = True, exclude: Collection[str] = ()) -> list[Pick]:
        """The ``n`` best tracks for ``mood`` (an estimate or a mood name), best first,
        none of ``exclude`` (track paths in any spelling) while others are left.

        The picks count as picked (no repeats, no artist twice in a row, feedback
        attributed to them) unless ``remember`` is false: then the call is only a look.

        Raises RecommendError for an empty library or one without annotations.
        """
        estimate = mood if isinstance(mood, MoodEstimate) else MoodEstimate.named(mood)
        if self.learning and self.mood_belief:
            estimate = self._believed(estimate)
        tracks = self._refresh()
        if len(tracks) == 0:
            raise RecommendError(f"the beets library {self.library_path} is empty: "
                                 f"import music with `beet import`")
        if not tracks.analyzed.any():
            raise RecommendError(f"no track in {self.library_path} has mood annotations yet: "
                                 f"run `beet moodtag`")
        n = min(n, len(tracks))
        targets = self.policy.targets(estimate, n, self.table)
        context = lrn.context_vector(estimate.mood, estimate.point.valence,
                                      estimate.point.arousal)
        if self.learning:
            weights = self._learner.track_weights(context, self._rng,
                                                  self.explore).astype(np.float32)
            learned_base = self.learner_weight * (weights[:lrn.STATIC_SIZE] @ self._static_x)
            base = learned_base + self._user_signals() + self._lastfm_boost
            # A reason tells what the learner believes (its mean, not the exploring draw),
            # in a direction only once the user answered so several times: one skip is
            # not "you often skip songs like this".
            believed = self._learner.track_weights(context).astype(np.float32)
            believed_base = self.learner_weight * (believed[:lrn.STATIC_SIZE] @ self._static_x)
            answers = sum(self._history.values(), np.zeros(4))
            finished, skipped = answers[0] + answers[2], answers[1] + answers[3]
        else:
            weights, base, believed = None, self._lastfm_boost, None
        penalty = np.zeros(len(tracks))
        recent = [self._index[i] for i in self._recent if i in self._index]
        penalty[recent] = _RECENT_PENALTY
        barred = [k for k in map(self._locate, exclude) if k is not None]
        penalty[barred] += _EXCLUDED_PENALTY
        if self.learning:
            held = [self._index[i] for i in self.held(estimate.mood) if i in self._index]
            penalty[held] += _HELD_PENALTY
        last_artist = self._last_artist
        picks: list[Pick] = []
        taken = np.zeros(len(tracks), dtype=bool)  # no track twice in one suggestion
        scored: dict[tuple, tuple[Fitted, np.ndarray, np.ndarray | None]] = {}
        shortlists: dict[tuple, list[int]] = {}
        codes = self._features.artist_codes
        for target in targets:
            key = (target.profile.name, target.point)
            if key not in scored:
                fitted = self._fitted(target)
                score = fitted.score + base
                learned = None
                if weights is not None:
                    score += self.learner_weight * (weights[lrn.STATIC_SIZE:] @ fitted.columns)
                if believed is not None:
                    learned = believed_base + self.learner_weight * (
                        believed[lrn.STATIC_SIZE:] @ fitted.columns)
                    learned -= learned.mean()  # what sets this track apart, for the reason
                    learned[learned > 0] *= finished >= _SAID_AFTER
                    learned[learned < 0] *= skipped >= _SAID_AFTER
                scored[key] = fitted, score, learned
            fitted, score, learned = scored[key]
            if key not in shortlists:
                shortlists[key] = self._shortlist(score - penalty, n)
            code = self._artist_code(last_artist) if last_artist else -2
            # Another artist before the one just picked, but never at the cost of the
            # quadrant: a track that fits comes before variety.
            k = next((j for j in shortlists[key] if penalty[j] == 0 and codes[j] != code
                      and not fitted.poor[j]), None)
            if k is None:  # nothing in the shortlist without a compromise: rank everything
                total = (score - penalty - _ARTIST_PENALTY * (codes == code)
                         - _POOR_FIT_PENALTY * fitted.poor)
                total[taken] = -np.inf
                k = int(np.argmax(total))
            penalty[k] += _RECENT_PENALTY
            taken[k] = True
            last_artist = tracks.artists[k]
            picks.append(self._pick(k, estimate, target, fitted,
                                    0.0 if learned is None else float(learned[k]),
                                    float(score[k]), remember))
        if picks and remember:
            self._last_artist = picks[-1].artist
        return picks

    def _believed(self, estimate: MoodEstimate) -> MoodEstimate:
        """The estimate, or where the session's mood belief (this reading, the ones
        before it and the answers since) says the user really is, if that differs."""
        if estimate is not self._observed:  # the same reading passed again is no news
            self._belief.observe(estimate.mood, estimate.confidence)
            self._observed = estimate
        mood = self._belief.mood
        if mood == estimate.mood:
            return estimate
        return MoodEstimate(MOOD_CENTRES[mood], mood, self._belief.confidence)

    def _fitted(self, target: Target) -> Fitted:
        """The fit of every track to ``target``, cached per target until the library changes."""
        key = (target.profile.name, target.point)
        fitted = self._fits.get(key)
        if fitted is None:
            comps = fit(self._features, target.profile, target.point.valence,
                        target.point.arousal)
            fitted = Fitted(comps, static_score(comps).astype(np.float32),
                            lrn.fit_columns(comps), comps["inside"] < 0.5)
            self._fits[key] = fitted
            while len(self._fits) > _FIT_CACHE:
                self._fits.popitem(last=False)
        else:
            self._fits.move_to_end(key)
        return fitted

    @staticmethod
    def _shortlist(total: np.ndarray, n: int) -> list[int]:
        """The best few tracks of ``total``, best first: enough for ``n`` picks with room
        for the artist and repeat rules, without sorting the whole library."""
        m = min(len(total), 4 * n + 64)
        top = np.argpartition(-total, m - 1)[:m]
        return [int(j) for j in top[np.argsort(-total[top], kind="stable")]]

    def _artist_code(self, artist: str) -> int:
        return self._features.artist_index.get(artist.casefold(), -2)

    def _pick(self, k: int, estimate: MoodEstimate, target: Target,
              fitted: Fitted, learned: float, score: float, remember: bool) -> Pick:
        tracks, f = self._tracks, self._features
        item_id = int(tracks.ids[k])
        if remember:
            x = np.concatenate([self._static_x[:, k], fitted.columns[:, k]]).astype(float)
            self._picked[item_id] = (estimate, lrn.context_vector(
                estimate.mood, estimate.point.valence, estimate.point.arousal), x)
            self._recent.append(item_id)
            while len(self._picked) > 1000:
                self._picked.popitem(last=False)
        history = self._history.get(item_id, np.zeros(4))
        tag = next((t for t in tracks.tags[k] if t in target.profile.tags), "")
        evidence = Evidence(
            bpm=float(f.bpm[k]), mode=float(f.mode[k]), key=tracks.keys[k],
            arousal=float(f.arousal[k]), track_mood=tracks.moods[k], fitting_tag=tag,
            analyzed=bool(tracks.analyzed[k]), learned=learned,
            plays=int(history[0]), skips=int(history[1]), likes=int(history[2]),
            lastfm=self.lastfm.reason(tracks.artists[k]) if self.lastfm else "",
            tempo_fit=float(fitted.comps["tempo"][k]), mode_fit=float(fitted.comps["mode"][k]),
            poor=bool(fitted.poor[k]))
        return Pick(item_id, tracks.paths[k], tracks.artists[k], tracks.titles[k],
                    tracks.albums[k], score, sentence(estimate, target, evidence))

    # -- feedback --------------------------------------------------------------------

    def _locate(self, item: int | str) -> int | None:
        tracks = self._refresh()
        if isinstance(item, str) and not item.isdigit():
            if self._by_path is None:  # any spelling of a track finds it (moodplayer.tracks)
                self._by_path = {track_id(p): k for k, p in enumerate(tracks.paths)}
            return self._by_path.get(track_id(item))
        return self._index.get(int(item))

    def feedback(self, item: int | str, kind: FeedbackKind,
                 mood: MoodEstimate | str | None = None) -> None:
        """Record how the user answered a track (by beets id, or any spelling of its path or
        ``file://`` URL) and learn from it.

        ``mood`` is the mood at the time; by default the one the track was picked for.
        Unknown tracks are recorded but teach the learner nothing.
        """
        if kind not in lrn.REWARDS:
            raise ValueError(f"unknown feedback kind {kind!r}: expected {tuple(lrn.REWARDS)}")
        k = self._locate(item)
        given = MoodEstimate.named(mood) if isinstance(mood, str) else mood
        tracks = self._tracks
        item_id = int(tracks.ids[k]) if k is not None else None
        picked = self._picked.get(item_id) if item_id is not None else None
        estimate = given or (picked[0] if picked else None)
        artist = tracks.artists[k] if k is not None else None
        self.store.add(self.user, Event(
            ts=time.time(), item_id=item_id,
            path=tracks.paths[k] if k is not None else str(item), artist=artist, kind=kind,
            mood=estimate.mood if estimate else None,
            valence=estimate.point.valence if estimate else None,
            arousal=estimate.point.arousal if estimate else None,
            confidence=estimate.confidence if estimate else None))
        if k is None:
            log.info("feedback for %s, which is not in the library: recorded only", item)
            return
        self._count(item_id, artist or "", kind)
        if estimate is not None:
            self._hold(item_id, estimate.mood, kind, time.time())
        if not self.learning:
            return
        if given is not None or picked is None:
            estimate = given or MoodEstimate.named("neutral")
            row = self.table[estimate.label if estimate.label in self.table else estimate.mood]
            fitted = self._fitted(Target(row, row.point))
            x = np.concatenate([self._static_x[:, k], fitted.columns[:, k]]).astype(float)
            context = lrn.context_vector(estimate.mood, estimate.point.valence,
                                         estimate.point.arousal)
        else:
            _, context, x = picked
            if self.mood_belief:
                self._belief.answer(x[_REGIONS] + 0.5, kind in ("played", "like"))
        self._learner.update(context, x, lrn.REWARDS[kind])
        self._logged += 1
        if self._logged < _CHECKPOINT_EVERY:
            self.store.add_learner_update(self.user, lrn.VERSION, context, x,
                                          lrn.REWARDS[kind])
        else:
            l_ = self._learner
            self.store.save_learner(self.user, lrn.VERSION, l_.precision, l_.moment, l_.n)
            self.store.save_confusion(self.user, self._belief.counts)
            self._logged = 0

    def reset_learning(self) -> int:
        """Forget this user's feedback and learner state; returns how many events went."""
        removed = self.store.reset(self.user)
        self._learner = lrn.Learner()
        self._logged = 0
        self._belief = MoodBelief()
        self._observed = None
        self._history.clear()
        self._artists.clear()
        self._held.clear()
        self._recent.clear()
        self._signals = None
        return removed

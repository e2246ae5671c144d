"""What mood the listener is really in: a belief over the mood regions, kept per session.

One face reading is often wrong (the FER model confuses sad with neutral, fear with
everything), but moods last longer than a track, and every skip or play says something
about the mood too. ``MoodBelief`` is a small hidden-Markov filter over ``MOODS``:

- between picks the mood may change (``switch`` probability, spread evenly);
- each face reading is weighed by how this user's readings relate to the moods they
  turned out to be in: a per-user confusion table of soft counts, starting from "the
  reading is usually right" and learned from the belief after each answer;
- each answer weighs the moods by how well the track fits them: a track played through
  speaks for the moods whose region it sits in, a skip against them.

Moods given by name (``MoodEstimate.named``) are taken as what the user says they are.
"""

from __future__ import annotations

import numpy as np

from moodplayer.emotion import MOODS

_N = len(MOODS)
#: Prior pseudo-counts of the confusion table: a reading matching the mood, and any other.
PRIOR_RIGHT = 4.0
PRIOR_WRONG = 0.6
#: P(played through | the track sits in the mood's region) and (| it sits far from it).
PLAY_IN = 0.8
PLAY_OUT = 0.3


class MoodBelief:
    """A probability per mood in ``MOODS`` order, updated by readings and answers."""

    def __init__(self, switch: float = 0.08, counts: np.ndarray | None = None) -> None:
        self.switch = switch
        self.belief = np.full(_N, 1.0 / _N)
        #: Soft counts: row the mood the user was in, column the mood the face read.
        self.counts = counts if counts is not None else (
            np.full((_N, _N), PRIOR_WRONG) + np.eye(_N) * (PRIOR_RIGHT - PRIOR_WRONG))
        self._read: int | None = None

    def observe(self, mood: str, confidence: float | None) -> None:
        """Step to the next pick and fold in a face reading of ``mood`` (None confidence:
        the mood was given by hand, which is taken as true). A label outside ``MOODS``
        tells nothing and is ignored."""
        if mood not in MOODS:
            return
        r = MOODS.index(mood)  # type: ignore[arg-type]
        if confidence is None:
            self.belief = np.full(_N, 0.01)
            self.belief[r] = 1.0
            self.belief /= self.belief.sum()
            self._read = None
            return
        b = (1.0 - self.switch) * self.belief + self.switch / _N
        rows = self.counts / self.counts.sum(axis=1, keepdims=True)
        # A confident reading counts fully; a hesitant one is flattened toward no evidence.
        b *= rows[:, r] ** max(0.2, confidence)
        self.belief = b / b.sum()
        self._read = r

    def answer(self, membership: np.ndarray, played: bool) -> None:
        """Fold in how the user answered a track whose region memberships (one per mood,
        0..1) are ``membership``; then teach the confusion table the reading just used."""
        like = PLAY_OUT + (PLAY_IN - PLAY_OUT) * np.clip(membership, 0.0, 1.0)
        b = self.belief * (like if played else 1.0 - like)
        self.belief = b / b.sum()
        if self._read is not None:
            self.counts[:, self._read] += self.belief
            self._read = None

    @property
    def mood(self) -> str:
        """The most likely mood."""
        return MOODS[int(np.argmax(self.belief))]

    @property
    def confidence(self) -> float:
        """The probability of the most likely mood."""
        return float(self.belief.max())

"""Choosing the user's face when the camera sees several: the largest, and then the same one.

A face that was chosen keeps being chosen while it is still there (boxes overlapping
frame to frame), unless another face is clearly larger: so a second person walking
past, or two faces of similar size, do not make the reading jump between them.
"""

from __future__ import annotations

from collections.abc import Sequence

from moodplayer.vision.detect import Detection


def iou(a: Sequence[float], b: Sequence[float]) -> float:
    """Intersection over union of two (x1, y1, x2, y2) boxes."""
    w = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    h = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = w * h
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


class MainFaceTracker:
    """Picks one face per frame: the previous main face if still seen, else the largest.

    ``switch_ratio``: how much larger another face must be to take over.
    ``min_overlap``: the IoU with the last main box that counts as the same face.
    """

    def __init__(self, switch_ratio: float = 2.0, min_overlap: float = 0.3) -> None:
        self.switch_ratio = switch_ratio
        self.min_overlap = min_overlap
        self._last: tuple[float, float, float, float] | None = None

    def reset(self) -> None:
        """Forget the tracked face (after the user has been absent)."""
        self._last = None

    def choose(self, faces: Sequence[Detection]) -> Detection | None:
        """The main face among ``faces``, or None if there is none."""
        if not faces:
            return None
        largest = max(faces, key=lambda f: f.area)
        same = None
        if self._last is not None:
            overlaps = [(iou(f.box, self._last), f) for f in faces]
            best_iou, best = max(overlaps, key=lambda t: t[0])
            if best_iou >= self.min_overlap:
                same = best
        chosen = same if same is not None and largest.area < self.switch_ratio * same.area \
            else largest
        self._last = chosen.box
        return chosen

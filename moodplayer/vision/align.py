"""Face alignment: a similarity transform that puts the 5 landmarks on a template.

The default template is FER-2013's own framing, measured by running SCRFD on 770
training images: the mean landmark positions, made left-right symmetric, as
fractions of the crop side. Faces aligned to it look like the faces the model was
trained on: eyes level, same scale, same margin.
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

#: FER-2013 landmark template (x, y as fractions of the side): eyes, nose, mouth corners.
FER_TEMPLATE: tuple[tuple[float, float], ...] = (
    (0.316, 0.387), (0.684, 0.387), (0.500, 0.589), (0.363, 0.755), (0.637, 0.755),
)


def align_face(frame: np.ndarray, landmarks: np.ndarray, size: int,
               template: Sequence[Sequence[float]] = FER_TEMPLATE) -> np.ndarray:
    """The face in ``frame`` warped so ``landmarks`` (5x2) fall on ``template``.

    The crop keeps the face's own resolution (at least ``size``, at most 4x ``size``
    pixels a side), so a later area resize to ``size`` averages rather than skips
    pixels. Edges outside the frame are filled by replicating the border.
    """
    src = np.asarray(landmarks, dtype=np.float32).reshape(5, 2)
    unit = np.asarray(template, dtype=np.float32).reshape(5, 2)
    eye_px = float(np.linalg.norm(src[1] - src[0]))
    eye_unit = float(np.linalg.norm(unit[1] - unit[0]))
    side = int(np.clip(round(eye_px / max(eye_unit, 1e-6)), size, 4 * size))
    matrix, _ = cv2.estimateAffinePartial2D(src, unit * side, method=cv2.LMEDS)
    if matrix is None:  # degenerate landmarks: fall back to the eyes' box
        matrix = _eye_matrix(src, unit, side)
    return cv2.warpAffine(frame, matrix, (side, side), flags=cv2.INTER_LINEAR,
                          borderMode=cv2.BORDER_REPLICATE)


def _eye_matrix(src: np.ndarray, unit: np.ndarray, side: int) -> np.ndarray:
    centre = src[:2].mean(0)
    scale = side * float(np.linalg.norm(unit[1] - unit[0])) / max(
        float(np.linalg.norm(src[1] - src[0])), 1.0)
    target = unit[:2].mean(0) * side
    return np.array([[scale, 0, target[0] - scale * centre[0]],
                     [0, scale, target[1] - scale * centre[1]]], dtype=np.float32)

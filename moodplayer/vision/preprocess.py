"""Face pixels to model input: the one preprocessing shared by training and inference.

Training feeds FER-2013's 48x48 face crops through :func:`prepare_pixels`; inference
feeds aligned face crops (see ``align``) through the same function, so both see the
same colour conversion, resize method and contrast equalisation. :func:`to_tensor`
then scales and normalises with the mean and std the model card declares.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

#: Resize methods a card may name; "area" (averaging, right for shrinking) is the default.
RESIZE_METHODS: dict[str, int] = {"area": cv2.INTER_AREA, "linear": cv2.INTER_LINEAR,
                                  "cubic": cv2.INTER_CUBIC, "nearest": cv2.INTER_NEAREST}


@dataclass(frozen=True, slots=True)
class InputSpec:
    """What an expression model expects: size, channels, equalisation, normalisation.

    ``mean`` and ``std`` apply to pixels scaled to [0, 1], one value per channel (or
    one for all). ``resize`` names the interpolation used to reach ``size``.
    ``clahe`` equalises contrast (on the gray image, or on the lightness of a colour
    one) with the given clip limit and tile grid, which keeps low-light and back-lit
    faces readable.
    """

    size: int = 48
    channels: int = 1
    clahe: bool = True
    clahe_clip: float = 2.0
    clahe_grid: int = 4
    mean: tuple[float, ...] = (0.5,)
    std: tuple[float, ...] = (0.25,)
    rgb: bool = False
    resize: str = "area"

    def __post_init__(self) -> None:
        if self.resize not in RESIZE_METHODS:
            raise ValueError(f"resize must be one of {', '.join(RESIZE_METHODS)}, "
                             f"got {self.resize!r}")
        if self.size < 8:
            raise ValueError(f"input size must be at least 8 pixels, got {self.size}")
        if self.channels not in (1, 3):
            raise ValueError(f"channels must be 1 or 3, got {self.channels}")
        for name in ("mean", "std"):
            values = getattr(self, name)
            if len(values) not in (1, self.channels):
                raise ValueError(
                    f"{name} needs 1 or {self.channels} values, got {len(values)}"
                )
        if any(s <= 0 for s in self.std):
            raise ValueError(f"std values must be positive, got {self.std}")


def _equalise(gray: np.ndarray, spec: InputSpec) -> np.ndarray:
    clahe = cv2.createCLAHE(clipLimit=spec.clahe_clip,
                            tileGridSize=(spec.clahe_grid, spec.clahe_grid))
    return clahe.apply(gray)


def prepare_pixels(face: np.ndarray, spec: InputSpec) -> np.ndarray:
    """``face`` (gray HxW or BGR HxWx3, uint8) as uint8 pixels of the model's size.

    Gray models get HxW, colour models HxWx3 (RGB if ``spec.rgb``, else BGR). The face
    is resized with the spec's method, then contrast-equalised if the spec asks for it.
    """
    if face.dtype != np.uint8 or face.ndim not in (2, 3) or min(face.shape[:2]) < 1:
        raise ValueError(f"expected a uint8 gray or BGR image, got {face.dtype} {face.shape}")
    if spec.channels == 1:
        img = face if face.ndim == 2 else cv2.cvtColor(face, cv2.COLOR_BGR2GRAY)
    else:
        img = cv2.cvtColor(face, cv2.COLOR_GRAY2BGR) if face.ndim == 2 else face
    if img.shape[:2] != (spec.size, spec.size):
        img = cv2.resize(img, (spec.size, spec.size),
                         interpolation=RESIZE_METHODS[spec.resize])
    if spec.clahe:
        if spec.channels == 1:
            img = _equalise(img, spec)
        else:
            lab = cv2.cvtColor(img, cv2.COLOR_BGR2LAB)
            lab[..., 0] = _equalise(np.ascontiguousarray(lab[..., 0]), spec)
            img = cv2.cvtColor(lab, cv2.COLOR_LAB2BGR)
    if spec.channels == 3 and spec.rgb:
        img = cv2.cvtColor(img, cv2.COLOR_BGR2RGB)
    return img


def to_tensor(pixels: np.ndarray, spec: InputSpec) -> np.ndarray:
    """Prepared pixels (one HxW[xC] image or a batch NxHxW[xC]) as float32 NCHW input."""
    x = pixels.astype(np.float32) / 255.0
    if spec.channels == 1:
        x = x[..., None]
    if x.ndim == 3:
        x = x[None]
    mean = np.asarray(spec.mean, dtype=np.float32)
    std = np.asarray(spec.std, dtype=np.float32)
    x = (x - mean) / std
    return np.ascontiguousarray(x.transpose(0, 3, 1, 2))

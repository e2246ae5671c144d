"""Preprocessing shared by training and inference, and the alignment to FER-2013's framing."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from moodplayer.vision.align import align_face
from moodplayer.vision.preprocess import InputSpec, prepare_pixels, to_tensor

from .conftest import place


def test_gray_and_colour_faces_become_the_model_input():
    spec = InputSpec(size=48, mean=(0.5,), std=(0.25,))
    bgr = np.random.default_rng(0).integers(0, 255, (120, 100, 3), dtype=np.uint8)
    pixels = prepare_pixels(bgr, spec)
    assert pixels.shape == (48, 48) and pixels.dtype == np.uint8
    x = to_tensor(np.stack([pixels, pixels]), spec)
    assert x.shape == (2, 1, 48, 48) and x.dtype == np.float32
    colour = InputSpec(size=64, channels=3, clahe=False, mean=(0.5,), std=(0.5,), rgb=True)
    assert prepare_pixels(bgr[..., 0].copy(), colour).shape == (64, 64, 3)
    assert to_tensor(prepare_pixels(bgr, colour), colour).shape == (1, 3, 64, 64)


def test_contrast_equalisation_lifts_a_dark_face(fer_test: Path):
    face = cv2.imread(str(sorted((fer_test / "happy").glob("*.jpg"))[0]), cv2.IMREAD_GRAYSCALE)
    dark = (face * 0.15).astype(np.uint8)
    on = prepare_pixels(dark, InputSpec(clahe=True))
    off = prepare_pixels(dark, InputSpec(clahe=False))
    assert on.std() > 2 * off.std()


@pytest.mark.parametrize("bad", [
    np.zeros((0, 10), np.uint8), np.zeros((10, 10), np.float32), np.zeros((2, 2, 2, 2), np.uint8)])
def test_bad_images_are_refused_with_a_reason(bad):
    with pytest.raises(ValueError, match="expected a uint8"):
        prepare_pixels(bad, InputSpec())


def test_bad_specs_are_refused():
    with pytest.raises(ValueError, match="channels"):
        InputSpec(channels=2)
    with pytest.raises(ValueError, match="std"):
        InputSpec(std=(0.0,))


def test_alignment_undoes_position_scale_and_rotation(fer_test: Path, scrfd):
    """The same face, placed upright or turned, large or small, aligns to the same crop."""
    face = cv2.imread(str(sorted((fer_test / "neutral").glob("*.jpg"))[3]), cv2.IMREAD_GRAYSCALE)
    upright = place(face, side=200, centre=(320, 240))
    turned = cv2.warpAffine(place(face, side=260, centre=(300, 250)),
                            cv2.getRotationMatrix2D((300, 250), 15, 1.0), (640, 480),
                            borderMode=cv2.BORDER_REPLICATE)
    crops = []
    for frame in (upright, turned):
        faces = scrfd.detect(frame)
        assert faces, "the detector found no face"
        crops.append(prepare_pixels(align_face(frame, faces[0].landmarks, 48),
                                    InputSpec(clahe=False)).astype(float))
    unaligned = prepare_pixels(turned[100:400, 150:450], InputSpec(clahe=False)).astype(float)
    same = np.corrcoef(crops[0].ravel(), crops[1].ravel())[0, 1]
    naive = np.corrcoef(crops[0].ravel(), unaligned.ravel())[0, 1]
    assert same > 0.9 and same > naive + 0.2, (same, naive)

"""Batch augmentation on tensors: flips, shifts, rotations, scale, random erasing."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F  # noqa: N812


def augment(x: torch.Tensor, shift: float = 0.1, degrees: float = 12.0,
            scale: float = 0.1, erase_p: float = 0.5) -> torch.Tensor:
    """A randomly transformed copy of the normalised batch ``x`` (N x C x H x W).

    One random affine map per image (horizontal flip with p=0.5, shift up to ``shift``
    of the side, rotation up to ``degrees``, zoom up to ``scale``), edges reflected as
    in a crop from a padded image; then, with ``erase_p``, one rectangle (2-25 % of the
    area) set to the mean (zero).
    """
    n, _, h, w = x.shape
    dev = x.device
    angle = (torch.rand(n, device=dev) * 2 - 1) * math.radians(degrees)
    zoom = 1 + (torch.rand(n, device=dev) * 2 - 1) * scale
    flip = torch.where(torch.rand(n, device=dev) < 0.5, -1.0, 1.0)
    cos, sin = torch.cos(angle) / zoom, torch.sin(angle) / zoom
    theta = torch.zeros(n, 2, 3, device=dev)
    theta[:, 0, 0] = cos * flip
    theta[:, 0, 1] = -sin
    theta[:, 1, 0] = sin * flip
    theta[:, 1, 1] = cos
    theta[:, :, 2] = (torch.rand(n, 2, device=dev) * 2 - 1) * 2 * shift
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    out = F.grid_sample(x, grid, mode="bilinear", padding_mode="reflection",
                        align_corners=False)
    area = torch.empty(n, device=dev).uniform_(0.02, 0.25) * h * w
    ratio = torch.exp(torch.empty(n, device=dev).uniform_(math.log(0.3), math.log(3.3)))
    eh = torch.sqrt(area * ratio).clamp(1, h).long()
    ew = torch.sqrt(area / ratio).clamp(1, w).long()
    top = (torch.rand(n, device=dev) * (h - eh + 1)).long()
    left = (torch.rand(n, device=dev) * (w - ew + 1)).long()
    rows = torch.arange(h, device=dev)[None, :, None]
    cols = torch.arange(w, device=dev)[None, None, :]
    mask = ((rows >= top[:, None, None]) & (rows < (top + eh)[:, None, None])
            & (cols >= left[:, None, None]) & (cols < (left + ew)[:, None, None])
            & (torch.rand(n, device=dev) < erase_p)[:, None, None])
    return out.masked_fill(mask[:, None], 0.0)

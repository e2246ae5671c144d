"""The expression network: a small VGG-style CNN for 48x48 gray faces."""

from __future__ import annotations

import torch
from torch import nn


def _block(cin: int, cout: int, dropout: float) -> nn.Sequential:
    layers: list[nn.Module] = []
    for c in (cin, cout):
        layers += [nn.Conv2d(c, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout),
                   nn.ReLU(inplace=True)]
    layers += [nn.MaxPool2d(2), nn.Dropout2d(dropout)]
    return nn.Sequential(*layers)


class VGGFace(nn.Module):
    """Four double-conv blocks (BN, ReLU, max-pool, dropout), then two dense layers.

    With ``widths`` (32, 64, 128, 256) and 48x48 input: 1.8 M parameters, about
    0.12 GMAC per face.
    """

    def __init__(self, num_classes: int = 7, channels: int = 1, size: int = 48,
                 widths: tuple[int, ...] = (32, 64, 128, 256), hidden: int = 256,
                 dropout: float = 0.5) -> None:
        super().__init__()
        blocks, cin = [], channels
        for i, w in enumerate(widths):
            blocks.append(_block(cin, w, dropout=0.1 * (i + 1) / len(widths)))
            cin = w
        self.features = nn.Sequential(*blocks)
        side = size // 2 ** len(widths)
        self.head = nn.Sequential(
            nn.Flatten(), nn.Dropout(dropout),
            nn.Linear(cin * side * side, hidden, bias=False), nn.BatchNorm1d(hidden),
            nn.ReLU(inplace=True), nn.Dropout(dropout), nn.Linear(hidden, num_classes),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Class logits for a batch of N x C x H x W inputs."""
        return self.head(self.features(x))

"""``python -m moodplayer.vision.train fit|export ...``: train and export the FER model."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from moodplayer.vision.train import PRECISIONS


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the command line and run ``fit`` or ``export``; returns the exit status."""
    parser = argparse.ArgumentParser(prog="python -m moodplayer.vision.train")
    sub = parser.add_subparsers(dest="command", required=True)
    f = sub.add_parser("fit", help="train on DATA/train, choose on DATA/val")
    f.add_argument("--data", required=True, help="image-folder data set (train/, val/)")
    f.add_argument("--out", required=True, help="run folder for logs and checkpoints")
    f.add_argument("--epochs", type=int, default=60)
    f.add_argument("--minutes", type=float, default=0.0,
                   help="time budget: the LR schedule runs on time and stops within it")
    f.add_argument("--batch", type=int, default=64)
    f.add_argument("--lr", type=float, default=0.05)
    f.add_argument("--threads", type=int, default=2)
    f.add_argument("--seed", type=int, default=0)
    f.add_argument("--cache", default="", help="folder for the decoded-data cache (.npz)")
    f.add_argument("--precision", choices=tuple(PRECISIONS), default="bf16",
                   help="bf16: autocast with channels-last tensors (fast on AVX512-BF16/AMX)")
    f.add_argument("--resume", action="store_true", help="continue from OUT/last.pt")
    e = sub.add_parser("export", help="checkpoint to ONNX + model card")
    e.add_argument("checkpoint")
    e.add_argument("--data", required=True, help="image-folder data set with test/")
    e.add_argument("--onnx", required=True, help="output .onnx path")
    e.add_argument("--command", default="", help="the training command, for the card")
    e.add_argument("--float", action="store_true",
                   help="never ship the int8 model, even if it is as accurate on val")
    e.add_argument("--provisional", action="store_true",
                   help="mark the card as provisional (training still running)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    if args.command == "fit":
        from moodplayer.vision.train.fit import FitConfig, fit
        cfg = FitConfig(data=args.data, out=args.out, epochs=args.epochs, minutes=args.minutes,
                        batch=args.batch, lr=args.lr, threads=args.threads, seed=args.seed,
                        cache=args.cache, precision=args.precision,
                        resume=args.resume)
        print(fit(cfg))
        return 0
    from moodplayer.vision.train.export import export
    export(args.checkpoint, args.data, args.onnx, command=args.command,
           provisional=args.provisional, int8=not args.float)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The training loop: SGD with Nesterov momentum on a time- or epoch-based cosine schedule.

Each epoch is logged (a line on stdout and a JSON line in ``OUT/log.jsonl``);
``OUT/last.pt`` is rewritten after every epoch and ``OUT/best.pt`` whenever the
validation accuracy improves (of the raw weights or their exponential average).
"""

from __future__ import annotations

import copy
import json
import logging
import math
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F  # noqa: N812

from moodplayer.emotion import FER_CLASSES
from moodplayer.vision.preprocess import InputSpec
from moodplayer.vision.train import PRECISIONS
from moodplayer.vision.train.augment import augment
from moodplayer.vision.train.data import load_split
from moodplayer.vision.train.net import VGGFace

log = logging.getLogger(__name__)


@dataclass
class FitConfig:
    """Everything a training run depends on; stored in every checkpoint."""

    data: str
    out: str
    epochs: int = 60
    minutes: float = 0.0          # > 0: the schedule runs on time and stops in budget
    batch: int = 64
    lr: float = 0.05
    weight_decay: float = 5e-4
    smoothing: float = 0.1
    warmup: float = 0.03          # share of the schedule spent warming up
    ema_decay: float = 0.999
    widths: tuple[int, ...] = (32, 64, 128, 256)
    threads: int = 2
    seed: int = 0
    cache: str = ""
    precision: str = "bf16"       # "bf16": autocast on channels-last tensors; "fp32": plain
    resume: bool = False          # continue from OUT/last.pt (its epoch, step and clock)


def _lr_at(progress: float, cfg: FitConfig) -> float:
    if progress < cfg.warmup:
        return cfg.lr * max(progress / cfg.warmup, 0.02)
    p = min(1.0, (progress - cfg.warmup) / (1 - cfg.warmup))
    return cfg.lr * (0.01 + 0.99 * 0.5 * (1 + math.cos(math.pi * p)))


@torch.no_grad()
def evaluate(model: torch.nn.Module, x: torch.Tensor, y: torch.Tensor,
             batch: int = 512) -> tuple[float, float]:
    """Accuracy on (x, y) in float32: plain, and with horizontal-flip averaging."""
    model.eval()
    plain = flip = 0
    for i in range(0, len(x), batch):
        xb = x[i:i + batch].contiguous(memory_format=torch.channels_last)
        p = F.softmax(model(xb), 1)
        pf = (p + F.softmax(model(xb.flip(3)), 1)) / 2
        plain += int((p.argmax(1) == y[i:i + batch]).sum())
        flip += int((pf.argmax(1) == y[i:i + batch]).sum())
    return plain / len(x), flip / len(x)


def _normalised(pixels: np.ndarray, spec: InputSpec) -> torch.Tensor:
    x = torch.from_numpy(pixels).float().div_(255.0).unsqueeze(1)
    return (x - spec.mean[0]) / spec.std[0]


def fit(cfg: FitConfig) -> Path:
    """Train a VGGFace on ``cfg.data``/train, choosing on ``cfg.data``/val; returns best.pt."""
    torch.set_num_threads(cfg.threads)
    torch.manual_seed(cfg.seed)
    out = Path(cfg.out)
    out.mkdir(parents=True, exist_ok=True)
    cache = Path(cfg.cache) if cfg.cache else None
    spec = InputSpec()
    xtr, ytr = load_split(Path(cfg.data) / "train", FER_CLASSES, spec, cache)
    xva, yva = load_split(Path(cfg.data) / "val", FER_CLASSES, spec, cache)
    scaled = xtr.astype(np.float32) / 255.0
    spec = replace(spec, mean=(round(float(scaled.mean()), 4),),
                   std=(round(float(scaled.std()), 4),))
    del scaled
    log.info("train %d, val %d images; spec %s", len(xtr), len(xva), spec)
    xt, yt = _normalised(xtr, spec), torch.from_numpy(ytr)
    xv, yv = _normalised(xva, spec), torch.from_numpy(yva)

    if cfg.precision not in PRECISIONS:
        raise ValueError(f"precision: expected one of {', '.join(PRECISIONS)}, "
                         f"got {cfg.precision!r}")
    bf16 = cfg.precision == "bf16"
    # Channels-last bfloat16 convolutions are about 3x faster on CPUs with AVX512-BF16
    # or AMX (99 s -> 33 s per epoch on 2 Zen 4 cores); weights and updates stay float32.
    model = VGGFace(len(FER_CLASSES), widths=tuple(cfg.widths)).to(
        memory_format=torch.channels_last)
    ema = copy.deepcopy(model)
    decay, no_decay = [], []
    for name, p in model.named_parameters():
        (no_decay if p.ndim == 1 else decay).append(p)
        del name
    opt = torch.optim.SGD([{"params": decay, "weight_decay": cfg.weight_decay},
                           {"params": no_decay, "weight_decay": 0.0}],
                          lr=cfg.lr, momentum=0.9, nesterov=True)
    steps_per_epoch = len(xt) // cfg.batch
    total_steps = steps_per_epoch * cfg.epochs
    budget = cfg.minutes * 60.0
    meta = {"config": asdict(cfg), "spec": asdict(spec), "classes": list(FER_CLASSES),
            "params": sum(p.numel() for p in model.parameters())}
    best, step, start, epoch_time, first = -1.0, 0, time.monotonic(), 0.0, 1
    if cfg.resume and (out / "last.pt").is_file():
        state = torch.load(out / "last.pt", map_location="cpu", weights_only=False)
        model.load_state_dict(state["model"])
        ema.load_state_dict(state["ema"])
        opt.load_state_dict(state["optimizer"])
        record = state["record"]
        first, step, epoch_time = state["epoch"] + 1, record["step"], record["seconds"]
        start -= record["elapsed_min"] * 60
        kept = torch.load(out / "best.pt", map_location="cpu", weights_only=False)["record"]
        best = max(kept["val_raw"], kept["val_ema"])
        log.info("resumed after epoch %d (step %d)", state["epoch"], step)
    logf = (out / "log.jsonl").open("a")
    for epoch in range(first, cfg.epochs + 1):
        elapsed = time.monotonic() - start
        if budget and epoch > first and elapsed + epoch_time > budget * 1.01:
            break
        t0 = time.monotonic()
        model.train()
        perm = torch.randperm(len(xt))
        loss_sum = correct = seen = 0.0
        for i in range(steps_per_epoch):
            progress = ((time.monotonic() - start) / budget if budget
                        else step / total_steps)
            lr = _lr_at(progress, cfg)
            for g in opt.param_groups:
                g["lr"] = lr
            idx = perm[i * cfg.batch:(i + 1) * cfg.batch]
            xb, yb = augment(xt[idx]).contiguous(memory_format=torch.channels_last), yt[idx]
            with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
                logits = model(xb)
            loss = F.cross_entropy(logits.float(), yb, label_smoothing=cfg.smoothing)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            with torch.no_grad():
                d = min(cfg.ema_decay, (1 + step) / (10 + step))
                for pe, pm in zip(ema.state_dict().values(), model.state_dict().values(),
                                  strict=True):
                    if pe.dtype.is_floating_point:
                        pe.mul_(d).add_(pm, alpha=1 - d)
                    else:
                        pe.copy_(pm)
            step += 1
            loss_sum += float(loss.detach()) * len(yb)
            correct += int((logits.argmax(1) == yb).sum())
            seen += len(yb)
        epoch_time = time.monotonic() - t0
        raw, raw_flip = evaluate(model, xv, yv)
        avg, avg_flip = evaluate(ema, xv, yv)
        which, acc = ("ema", avg) if avg >= raw else ("raw", raw)
        record = {"epoch": epoch, "step": step, "lr": lr, "seconds": round(epoch_time, 1),
                  "elapsed_min": round((time.monotonic() - start) / 60, 2),
                  "train_loss": round(loss_sum / seen, 4), "train_acc": round(correct / seen, 4),
                  "val_raw": raw, "val_raw_flip": raw_flip, "val_ema": avg,
                  "val_ema_flip": avg_flip}
        state = {**meta, "epoch": epoch, "record": record, "model": model.state_dict(),
                 "ema": ema.state_dict(), "optimizer": opt.state_dict()}
        torch.save(state, out / "last.tmp")
        (out / "last.tmp").replace(out / "last.pt")
        if acc > best:
            best = acc
            chosen = {**meta, "epoch": epoch, "record": record, "weights": which,
                      "model": (ema if which == "ema" else model).state_dict()}
            torch.save(chosen, out / "best.tmp")
            (out / "best.tmp").replace(out / "best.pt")
        record["best_val"] = best
        logf.write(json.dumps(record) + "\n")
        logf.flush()
        print(f"epoch {epoch:3d} {epoch_time:6.1f}s lr {lr:.4f} loss {record['train_loss']:.4f} "
              f"train {record['train_acc']:.4f} val raw {raw:.4f}/{raw_flip:.4f} "
              f"ema {avg:.4f}/{avg_flip:.4f} best {best:.4f}", flush=True)
    logf.close()
    return out / "best.pt"

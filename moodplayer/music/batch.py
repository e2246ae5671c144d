"""Analyse many files, in parallel worker processes, yielding results as they finish.

Only paths and plain settings go to the workers; the caller stores results in its own
thread. Ctrl-C in the caller stops handing out work: finished results are kept, the
pending ones are cancelled, and KeyboardInterrupt propagates.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass

from moodplayer.exceptions import AnalysisError
from moodplayer.music.analyze import (
    Analysis,
    AnalysisSettings,
    NotAnalysableError,
    Unanalysable,
    analyze_file,
)


@dataclass(frozen=True, slots=True)
class Outcome:
    """The result for one path: an Analysis, or the one-line reason there is none.

    ``unanalysable`` is set (``too_short``, ``silent``) where the audio decodes but
    cannot be analysed; it is None for an analysis and for a failure.
    """

    path: str
    analysis: Analysis | None
    error: str | None
    unanalysable: Unanalysable | None = None


def _analyze(path: str, settings: AnalysisSettings, duration: float) -> Outcome:
    try:
        return Outcome(path, analyze_file(path, settings, duration), None)
    except NotAnalysableError as exc:
        return Outcome(path, None, str(exc), exc.kind)
    except AnalysisError as exc:
        return Outcome(path, None, str(exc))
    except Exception as exc:  # one bad file must not end the run
        return Outcome(path, None, f"{path}: unexpected {type(exc).__name__}: {exc}")


def _ignore_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def default_jobs() -> int:
    """The number of CPUs this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (
        os.cpu_count() or 1)


def analyze_many(
    paths: Sequence[str],
    settings: AnalysisSettings,
    jobs: int = 0,
    durations: Mapping[str, float] | None = None,
) -> Iterator[Outcome]:
    """Yield an Outcome per path in the order they finish; ``jobs`` 0 = CPU count.

    ``durations`` (path -> seconds, where known) spares probing those files.
    ``jobs == 1`` analyses in this process. At most ``2 * jobs`` files are in flight, so
    an interrupted run has not started work it will throw away.
    """
    jobs = jobs or default_jobs()
    known = durations or {}
    if jobs == 1 or len(paths) <= 1:
        for path in paths:
            yield _analyze(path, settings, known.get(path, 0.0))
        return
    ctx = multiprocessing.get_context("forkserver")
    pool = ProcessPoolExecutor(max_workers=min(jobs, len(paths)), mp_context=ctx,
                               initializer=_ignore_sigint)
    pending: set[Future[Outcome]] = set()
    todo = iter(paths)
    try:
        while True:
            while len(pending) < 2 * jobs and (path := next(todo, None)) is not None:
                pending.add(pool.submit(_analyze, path, settings, known.get(path, 0.0)))
            if not pending:
                break
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                yield future.result()
    finally:
        for future in pending:
            future.cancel()
        pool.shutdown(wait=True, cancel_futures=True)

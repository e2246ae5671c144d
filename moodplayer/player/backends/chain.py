"""Run asynchronous steps one after another, stopping at the first error."""

from __future__ import annotations

from collections.abc import Callable, Sequence

#: A step gets ``ok()`` and ``fail(message)`` and calls exactly one of them.
Step = Callable[[Callable[[], None], Callable[[str], None]], None]


def run_steps(steps: Sequence[Step], finished: Callable[[str | None], None]) -> None:
    """Run ``steps`` in order; ``finished(None)`` after the last, ``finished(msg)`` on an error."""
    remaining = list(steps)

    def advance() -> None:
        if not remaining:
            finished(None)
            return
        remaining.pop(0)(advance, finished)

    advance()

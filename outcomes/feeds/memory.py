"""A ceiling on the memory one feed import may take in a worker process.

The reading limits (``outcomes.feeds.reading``) stop every hostile file we know of long
before it costs much; this is the backstop for the one we do not know of yet. While an
import runs, the worker process's address space (``RLIMIT_AS``) is capped at what it
already uses plus a budget, so a runaway allocation raises ``MemoryError`` in that job,
which rejects the file, instead of the kernel killing the worker, or its neighbours.
The limit is put back when the job ends; a worker process runs one job at a time (the
prefork pool), so no other job shares the cap.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

try:
    import resource
except ImportError:  # pragma: no cover - not on Windows
    resource = None  # type: ignore[assignment]

_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def address_space_bytes() -> int | None:
    """This process's address space now (Linux's /proc/self/statm), or None elsewhere."""
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            return int(statm.read().split()[0]) * _PAGE
    except (OSError, ValueError, IndexError):
        return None


@contextlib.contextmanager
def memory_budget(budget_bytes: int) -> Iterator[bool]:
    """Cap the address space at its current size plus ``budget_bytes`` while the block
    runs; yields whether a cap is in force (not where the platform cannot measure or
    limit it, nor with a budget of 0, which means no cap)."""
    current = address_space_bytes()
    if budget_bytes <= 0 or resource is None or current is None:
        yield False
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    ceiling = current + budget_bytes
    if hard != resource.RLIM_INFINITY:
        ceiling = min(ceiling, hard)
    if soft != resource.RLIM_INFINITY and soft <= ceiling:
        yield False  # already capped lower by whoever started the worker
        return
    resource.setrlimit(resource.RLIMIT_AS, (ceiling, hard))
    try:
        yield True
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))

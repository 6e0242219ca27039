"""The gateway's notion of "now" for decisions that depend on the time of day (desk hours).

One function, so a test can put the desk at 04:15 on a Monday (`frozen`) while everything
else (timestamps, retention) keeps the real time.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import datetime, UTC

_frozen: datetime | None = None


def now() -> datetime:
    """The current moment, timezone-aware (UTC), unless a test froze it."""
    return _frozen or datetime.now(UTC)


@contextlib.contextmanager
def frozen(moment: datetime) -> Iterator[None]:
    """Within this block `now()` answers `moment` (must be timezone-aware)."""
    global _frozen
    if moment.tzinfo is None:
        raise ValueError("frozen() needs a timezone-aware moment")
    previous, _frozen = _frozen, moment
    try:
        yield
    finally:
        _frozen = previous

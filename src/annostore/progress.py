"""A tiny progress-bar helper: rich bars on stderr when enabled, a no-op otherwise.

Use it around any loop of known (or unknown) length::

    for batch in progress(batches, "scanning", enabled):
        ...

or with a total and explicit advances::

    with progress(n_sequences, "scanning", enabled) as bar:
        for batch in batches:
            ...
            bar.advance(len(batch))

``enabled=None`` means "only when stderr is a terminal". Bars never go to stdout.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from typing import Any


def _auto_enabled() -> bool:
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):  # closed or replaced stream
        return False


class ProgressBar:
    """One progress bar (or a silent stand-in); see :func:`progress`."""

    def __init__(self, iterable: Iterable | None, total: float | None, description: str, enabled: bool) -> None:
        self._iterable = iterable
        self.total = total
        self.description = description
        self.enabled = enabled
        self.completed = 0.0
        self._progress: Any = None
        self._task: Any = None

    # -- context manager -------------------------------------------------------------------
    def __enter__(self) -> "ProgressBar":
        if self.enabled and self._progress is None:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                SpinnerColumn,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )

            columns = [SpinnerColumn(), TextColumn("{task.description}"), BarColumn()]
            if self.total is not None:
                columns += [MofNCompleteColumn(), TimeRemainingColumn()]
            columns.append(TimeElapsedColumn())
            self._progress = Progress(*columns, console=Console(file=sys.stderr), transient=False)
            self._progress.start()
            self._task = self._progress.add_task(self.description, total=self.total)
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop the bar (idempotent)."""
        if self._progress is not None:
            self._progress.stop()
            self._progress = None

    # -- updates ------------------------------------------------------------------------
    def advance(self, n: float = 1) -> None:
        """Advance the bar by ``n`` units."""
        self.completed += n
        if self._progress is not None:
            self._progress.advance(self._task, n)

    def update(self, *, completed: float | None = None, description: str | None = None) -> None:
        """Set the completed amount and/or the description."""
        if completed is not None:
            self.completed = completed
        if description is not None:
            self.description = description
        if self._progress is not None:
            self._progress.update(self._task, completed=completed, description=description)

    # -- iteration ----------------------------------------------------------------------
    def __iter__(self) -> Iterator:
        if self._iterable is None:
            raise TypeError("this progress bar was made from a total, not an iterable; use advance()")
        with self:
            for item in self._iterable:
                yield item
                self.advance(1)


def progress(
    iterable_or_total: Iterable | int | float | None,
    description: str = "",
    enabled: bool | None = None,
    *,
    total: float | None = None,
) -> ProgressBar:
    """Wrap an iterable, or a total, in a rich progress bar on stderr.

    Parameters
    ----------
    iterable_or_total : iterable, int, float or None
        Items to iterate over (the bar advances by one per item), or the total amount of work
        (use the result as a context manager and call ``advance``). ``None``: unknown total.
    description : str
        Text shown left of the bar.
    enabled : bool or None
        ``True`` draws the bar, ``False`` makes everything a no-op, ``None`` (default) draws it
        only when stderr is a terminal.
    total : float, optional
        Total for an iterable without ``len()`` (or to override it).

    Returns
    -------
    ProgressBar
        Iterable (when made from an iterable) and a context manager with ``advance(n)``.

    Examples
    --------
    >>> from annostore.progress import progress
    >>> sum(x for x in progress(range(3), "adding", enabled=False))
    3
    >>> with progress(10, "work", enabled=False) as bar:
    ...     bar.advance(10)
    >>> bar.completed
    10.0
    """
    on = _auto_enabled() if enabled is None else bool(enabled)
    if iterable_or_total is None or isinstance(iterable_or_total, (int, float)):
        t = total if total is not None else iterable_or_total
        return ProgressBar(None, None if t is None else float(t), description, on)
    if total is None:
        try:
            total = float(len(iterable_or_total))  # type: ignore[arg-type]
        except TypeError:
            total = None
    return ProgressBar(iterable_or_total, total, description, on)

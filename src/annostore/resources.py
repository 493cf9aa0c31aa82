"""Where the packaged ``sql/`` and ``migrations/`` folders are.

In a built wheel they live inside the package (``annostore/sql``,
``annostore/migrations``); in a source checkout (editable install, tests) they
are the repository's top-level ``sql/`` and ``migrations/`` folders.
"""

from __future__ import annotations

import functools
from pathlib import Path

_PKG = Path(__file__).resolve().parent


def _find(name: str) -> Path:
    for candidate in (_PKG / name, _PKG.parent.parent / name):
        if candidate.is_dir():
            return candidate
    raise RuntimeError(f"annostore installation is incomplete: no '{name}/' folder found")


def sql_dir() -> Path:
    return _find("sql")


def migrations_dir() -> Path:
    return _find("migrations")


@functools.lru_cache(maxsize=None)
def sql(name: str) -> str:
    """Text of ``sql/<name>.sql`` (``name`` without the suffix)."""
    path = sql_dir() / f"{name}.sql"
    if not path.is_file():
        raise KeyError(f"no SQL file named {name!r} in {sql_dir()}")
    return path.read_text(encoding="utf-8")

"""Shared pytest fixtures."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
JASPAR_VERTEBRATES = REPO / "src" / "annostore" / "data" / "JASPAR2026_CORE_vertebrates_non-redundant.meme"

# numba: keep test runs reproducible and quiet
os.environ.setdefault("NUMBA_DISABLE_PERFORMANCE_WARNINGS", "1")


@pytest.fixture(scope="session")
def jaspar_path() -> Path:
    """The built-in JASPAR 2026 CORE vertebrates motif file (1,019 motifs)."""
    return JASPAR_VERTEBRATES


@pytest.fixture(scope="session")
def spark():
    """The one SparkSession of the test session (local[2], UI off, driver on 127.0.0.1)."""
    from annostore.engine import spark as spark_engine

    session = spark_engine.session("local[2]")
    yield session
    spark_engine.stop()

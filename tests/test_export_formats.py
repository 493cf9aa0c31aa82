"""write_table's text formats: the column-wise JSON lines writer against one ``json.dumps`` per
row (the reference), on random tables with every column kind a result can have."""

from __future__ import annotations

import io
import json
import math

import numpy as np
import pyarrow as pa
import pytest

from annostore.io.export import _jsonl_bytes, _jsonl_bytes_rows, write_table

ODD = ['a"b', "back\\slash", "tab\there", "new\nline", "cr\rx", "ünï", "", "ctrl\x01x", "{}", "x,y"]


def random_batch(rng, n, with_control=False):
    pool = ODD if with_control else [s for s in ODD if "\x01" not in s]
    floats = rng.choice([1.0, -0.0, 0.1, 1e-5, 1e300, 2.5e-310, 1 / 3, math.nan, math.inf, -math.inf], n)
    floats = np.where(rng.random(n) < 0.5, rng.standard_normal(n) * 10.0 ** rng.integers(-8, 9, n), floats)
    mask = rng.random(n) < 0.1
    names = [pool[i] for i in rng.integers(0, len(pool), n)]
    return pa.RecordBatch.from_pydict({
        "i": pa.array(rng.integers(-(2**62), 2**62, n), mask=mask),
        "f": pa.array(floats, mask=rng.random(n) < 0.1),
        "f32": pa.array(rng.random(n).astype(np.float32)),
        "s": pa.array(names, mask=rng.random(n) < 0.1),
        "d": pa.array(names).dictionary_encode(),
        "b": pa.array(rng.random(n) < 0.5, mask=rng.random(n) < 0.1),
        "u8": pa.array(rng.integers(0, 255, n).astype(np.uint8)),
        "na": pa.nulls(n),
    })


def parsed(data: bytes):
    return [json.loads(line) for line in data.decode().splitlines()]


def same(a, b):
    assert a.keys() == b.keys()
    for k in a:
        x, y = a[k], b[k]
        if isinstance(y, float):
            assert isinstance(x, float), (k, x, y)
        assert x == y, (k, x, y)


@pytest.mark.parametrize("seed", range(5))
def test_jsonl_columnwise_equals_rowwise(seed):
    rng = np.random.default_rng(seed)
    batch = random_batch(rng, 500)
    batch = batch.drop_columns(["f32"])  # float32 widens to double in the row path (0.1f -> 0.10000000149...)
    fast, ref = parsed(_jsonl_bytes(batch)), parsed(_jsonl_bytes_rows(batch))
    assert len(fast) == len(ref) == 500
    for a, b in zip(fast, ref):
        same(a, b)
    assert any(r["f"] is None for r in fast) and any(r["s"] and '"' in r["s"] for r in fast)


def test_jsonl_float32_shortest_text():
    out = parsed(_jsonl_bytes(pa.RecordBatch.from_pydict({"x": pa.array([0.1, 1.0, 2.5], pa.float32())})))
    assert [r["x"] for r in out] == [0.1, 1.0, 2.5] and all(isinstance(r["x"], float) for r in out)


def test_jsonl_falls_back_for_rare_types():
    rng = np.random.default_rng(9)
    batch = random_batch(rng, 50, with_control=True)  # \x01 needs \u0001: the row path writes it
    nested = pa.RecordBatch.from_pydict({"l": pa.array([[1, 2], None, []]), "t": pa.array([1, 2, 3], pa.timestamp("s"))})
    for b in (batch, nested):
        assert parsed(_jsonl_bytes(b)) == parsed(_jsonl_bytes_rows(b))
    assert any("\x01" in (r["s"] or "") for r in parsed(_jsonl_bytes(batch)))
    assert parsed(_jsonl_bytes(nested))[0] == {"l": [1, 2], "t": "1970-01-01 00:00:01"}


def test_write_table_jsonl_streams_batches():
    rng = np.random.default_rng(3)
    table = pa.Table.from_batches([random_batch(rng, 300).drop_columns(["f32"]) for _ in range(3)])
    buf = io.BytesIO()
    assert write_table(table, buf, "jsonl") == 900
    rows = parsed(buf.getvalue())
    assert len(rows) == 900 and rows[0].keys() == set(table.column_names)
    ref = [r for b in table.to_batches() for r in parsed(_jsonl_bytes_rows(b))]
    for a, b in zip(rows, ref, strict=True):
        same(a, b)


def test_write_table_cuts_big_batches(monkeypatch):
    """One big batch (a Result's table) is written in bounded slices, every format the same rows."""
    import annostore.io.export as ex

    sizes = []
    real = ex._jsonl_bytes
    monkeypatch.setattr(ex, "_jsonl_bytes", lambda b: sizes.append(b.num_rows) or real(b))
    rng = np.random.default_rng(5)
    batch = random_batch(rng, 200_000).drop_columns(["f32"])
    buf = io.BytesIO()
    assert write_table(pa.Table.from_batches([batch]).to_reader(), buf, "jsonl") == 200_000
    assert max(sizes) == 65536 and sum(sizes) == 200_000
    rows = parsed(buf.getvalue())
    assert rows[70_000] == parsed(_jsonl_bytes_rows(batch.slice(70_000, 1)))[0]

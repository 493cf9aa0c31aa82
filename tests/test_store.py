"""Store API: open/create, motifs, sequences, atomic runs, views, validation."""

from __future__ import annotations

import glob
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import annostore
from annostore.errors import AnnostoreError, BadInputError, MissingInputError
from annostore.io.motifs import read_motifs
from annostore.store import schema

MEME = """MEME version 5

ALPHABET= ACGT

strands: + -

Background letter frequencies
A 0.3 C 0.2 G 0.2 T 0.3

MOTIF M1 alpha
letter-probability matrix: alength= 4 w= 3 nsites= 10 E= 0
0.7 0.1 0.1 0.1
0.1 0.7 0.1 0.1
0.1 0.1 0.1 0.7

MOTIF M2 beta
letter-probability matrix: alength= 4 w= 2
0.25 0.25 0.25 0.25
0.0 0.0 1.0 0.0

MOTIF M3 beta
letter-probability matrix: alength= 4 w= 2
0.5 0.5 0.0 0.0
0.0 0.0 0.5 0.5
"""


@pytest.fixture
def meme(tmp_path: Path) -> Path:
    path = tmp_path / "m.meme"
    path.write_text(MEME)
    return path


@pytest.fixture
def store(tmp_path: Path, meme: Path):
    s = annostore.open(tmp_path / "s.store")
    s.add_motifs(meme)
    fasta = tmp_path / "x.fa"
    fasta.write_text(">a\nACGTACGTAC\n>b\nGGGGCCCCAAAATTTT\n>c\nNNACGT\n")
    s.add_sequences(fasta)
    yield s
    s.close()


def hits_table(**over):
    cols = {
        "example_idx": [0, 1, 1],
        "motif": ["M1", "M2", "M1 alpha"],
        "start": [0, 3, 10],
        "end": [3, 5, 13],
        "strand": ["+", "-", "+"],
        "score": [5.0, 2.0, 1.5],
        "p_value": [1e-4, 0.01, 0.5],
    }
    cols.update(over)
    return pa.table(cols)


def test_open_creates_store_with_empty_typed_views(tmp_path):
    with annostore.open(tmp_path / "new.store") as s:
        assert (tmp_path / "new.store" / "annostore.duckdb").is_file()
        assert s.schema_version >= 1
        for kind, sch in schema.FACT_TABLES.items():
            t = s.query(f"SELECT * FROM {kind}")
            assert t.num_rows == 0
            assert t.column_names == sch.names
            assert [f.type for f in t.schema] == [f.type for f in sch]


def test_read_only_missing_store(tmp_path):
    with pytest.raises(MissingInputError):
        annostore.open(tmp_path / "nope.store", read_only=True)
    assert not (tmp_path / "nope.store").exists()


def test_motifs_round_trip(store, meme):
    original = read_motifs(meme)
    back = store.motif_set()
    assert back.names == ["M1", "M2", "M3"]
    assert back.keys == original.keys
    for a, b in zip(original, back):
        np.testing.assert_array_equal(a.pwm, b.pwm)
        assert a.nsites == b.nsites and a.alt_name == b.alt_name
    np.testing.assert_allclose(back.background, [0.3, 0.2, 0.2, 0.3])
    sub = store.motif_set(["M3", "M1 alpha"])
    assert sub.names == ["M3", "M1"]


def test_duplicate_motifs_refused_and_store_unchanged(store, meme):
    with pytest.raises(BadInputError, match="already in the store"):
        store.add_motifs(meme)
    assert store.query("SELECT count(*) AS n FROM motifs")["n"][0].as_py() == 3
    # more motifs continue motif_idx
    store.add_motifs({"X1": np.full((4, 4), 0.25)})
    rows = store.query("SELECT motif_idx, name FROM motifs ORDER BY motif_idx").to_pylist()
    assert rows[-1] == {"motif_idx": 3, "name": "X1"}


def test_sequences_round_trip(store):
    seqs = store.sequences()
    assert seqs.names == ["a", "b", "c"]
    assert [seqs.text(i) for i in range(3)] == ["ACGTACGTAC", "GGGGCCCCAAAATTTT", "NNACGT"]
    np.testing.assert_array_equal(seqs.lengths, [10, 16, 6])
    lengths = store.query("SELECT length FROM regions ORDER BY example_idx")["length"].to_pylist()
    assert lengths == [10, 16, 6]


def test_run_commit_makes_rows_visible(store):
    with store.begin_run("hits", tool="unit", params={"thresh": 1e-4}) as run:
        assert store.query("SELECT count(*) AS n FROM hits")["n"][0].as_py() == 0
        run.write(hits_table())
    assert run.run_id == 1
    t = store.query("SELECT * FROM hits ORDER BY start")
    assert t["motif"].to_pylist() == ["M1", "M2", "M1"]
    assert t["motif_idx"].to_pylist() == [0, 1, 0]
    assert t["run_id"].to_pylist() == [1, 1, 1]
    assert t["q_value"].null_count == 3
    runs = store.runs().to_pylist()
    assert runs[0]["name"] == "hits-1" and runs[0]["n_rows"] == 3 and runs[0]["tool"] == "unit"
    # files are plain Parquet with the schema and provenance metadata
    files = glob.glob(str(store.path / "hits" / "run-1" / "*.parquet"))
    assert len(files) == 1
    pt = pq.read_table(files[0])
    assert pt.schema.remove_metadata() == schema.HITS
    md = pq.read_metadata(files[0]).metadata
    assert md[schema.COORDINATES_KEY] == schema.COORDINATES
    assert md[schema.SCHEMA_VERSION_KEY] == str(store.schema_version).encode()
    assert not list((store.path / ".tmp").glob("run-*"))


def test_run_discarded_on_exception(store):
    with pytest.raises(RuntimeError):
        with store.begin_run("hits") as run:
            run.write(hits_table())
            raise RuntimeError("boom")
    assert store.query("SELECT count(*) AS n FROM hits")["n"][0].as_py() == 0
    assert store.runs().num_rows == 0
    assert not (store.path / "hits").exists() or not list((store.path / "hits").iterdir())
    assert not list((store.path / ".tmp").glob("run-*"))
    # the next run still works
    with store.begin_run("hits", name="second") as run:
        run.write(hits_table())
    assert store.runs()["name"].to_pylist() == ["second"]


def test_duplicate_run_name(store):
    with store.begin_run("hits", name="x") as run:
        run.write(hits_table())
    with pytest.raises(BadInputError, match="already exists"):
        store.begin_run("hits", name="x")


@pytest.mark.parametrize(
    "over, message",
    [
        ({"p_value": [0.1, 1.5, 0.2]}, "p_value outside"),
        ({"p_value": [0.1, float("nan"), 0.2]}, "p_value outside"),
        ({"start": [0, 5, 10]}, "start >= end"),
        ({"start": [-1, 3, 10]}, "negative start"),
        ({"end": [3, 5, 99]}, "beyond the example's length"),
        ({"example_idx": [0, 7, 1]}, "not in the store's 3 examples"),
        ({"strand": ["+", "x", "+"]}, "strand"),
        ({"motif": ["M1", "NOPE", "M1"]}, "not in the store's 3 motifs"),
        ({"motif": ["M1", "beta", "M1"]}, "not in the store's 3 motifs"),  # ambiguous alt name
    ],
)
def test_validation_rejects_and_commits_nothing(store, over, message):
    with pytest.raises(BadInputError, match=message):
        with store.begin_run("hits") as run:
            run.write(hits_table(**over))
    assert store.runs().num_rows == 0
    assert store.query("SELECT count(*) AS n FROM hits")["n"][0].as_py() == 0


def test_validation_message_names_row(store):
    with pytest.raises(BadInputError, match=r"1 of 3 rows .*first at row 1"):
        with store.begin_run("hits") as run:
            run.write(hits_table(p_value=[0.1, -0.5, 0.2]))


def test_motif_idx_only_and_mismatch(store):
    t = hits_table()
    t = t.drop_columns(["motif"]).append_column("motif_idx", pa.array([2, 0, 1], pa.int32()))
    with store.begin_run("hits") as run:
        run.write(t)
    assert store.query("SELECT motif FROM hits ORDER BY start")["motif"].to_pylist() == ["M3", "M1", "M2"]
    bad = hits_table().append_column("motif_idx", pa.array([0, 0, 0], pa.int32()))
    with pytest.raises(BadInputError, match="disagree"):
        with store.begin_run("hits") as run:
            run.write(bad)


def test_seqlets_and_matches(store):
    seqlets = pa.table(
        {"example_idx": [0, 1, 2], "start": [0, 2, 1], "end": [4, 8, 5], "attribution": [1.5, -0.5, 0.2], "p_value": [0.01, 0.02, 0.03]}
    )
    sid = store.add_seqlets(seqlets, matches=(np.array([[0, 1], [2, 0], [1, 2]]), np.array([[1e-3, 1e-2], [0.1, 0.2], [0.3, 0.4]])))
    s = store.query("SELECT seqlet_id, sign FROM seqlets ORDER BY seqlet_id").to_pylist()
    assert s == [{"seqlet_id": 0, "sign": 1}, {"seqlet_id": 1, "sign": -1}, {"seqlet_id": 2, "sign": 1}]
    m = store.query("SELECT seqlet_run_id, seqlet_id, rank, motif FROM matches ORDER BY seqlet_id, rank").to_pylist()
    assert len(m) == 6 and m[0] == {"seqlet_run_id": sid, "seqlet_id": 0, "rank": 1, "motif": "M1"}
    assert m[3]["motif"] == "M1" and m[3]["rank"] == 2
    runs = store.runs().to_pylist()
    assert runs[1]["kind"] == "matches" and runs[1]["parent_run_id"] == sid
    with pytest.raises(BadInputError, match="3 seqlets"):
        store.add_matches((np.array([[0]]), np.array([[0.1]])), seqlet_run=sid)


def test_read_only_cannot_write_and_sees_runs(tmp_path, meme):
    with annostore.open(tmp_path / "r.store") as s:
        s.add_motifs(meme)
        with s.begin_run("hits") as run:
            run.write(hits_table(example_idx=[0, 1, 2]))
    before = sorted(p.name for p in (tmp_path / "r.store").rglob("*"))
    with annostore.open(tmp_path / "r.store", read_only=True) as r:
        assert r.query("SELECT count(*) AS n FROM hits")["n"][0].as_py() == 3
        with pytest.raises(AnnostoreError, match="read-only"):
            r.add_motifs(meme)
    assert sorted(p.name for p in (tmp_path / "r.store").rglob("*")) == before


def test_motif_names_are_data(tmp_path):
    weird = "x'); DROP TABLE motifs; --"
    with annostore.open(tmp_path / "w.store") as s:
        s.add_motifs({weird: np.full((4, 3), 0.25), "SELECT": np.full((4, 2), 0.25)})
        with s.begin_run("hits") as run:
            run.write(pa.table({"example_idx": [0, 0], "motif": [weird, "SELECT"], "start": [0, 1], "end": [3, 3], "strand": ["+", "-"]}))
        assert s.query("SELECT motif FROM hits ORDER BY start")["motif"].to_pylist() == [weird, "SELECT"]
        assert s.motif_set().names == [weird, "SELECT"]


def test_parallel_lanes_and_file_rolling(tmp_path, monkeypatch):
    from annostore.store import runs as store_mod

    monkeypatch.setattr(store_mod, "MIN_ROWS_PER_LANE", 10)
    monkeypatch.setattr(store_mod, "ROWS_PER_FILE", 30)
    n = 200
    with annostore.open(tmp_path / "p.store", threads=4) as s:
        with s.begin_run("seqlets") as run:
            for lo in (0, 100):
                ex = np.arange(lo, lo + 100, dtype=np.int64)
                run.write(pa.table({"example_idx": ex, "start": ex % 7, "end": ex % 7 + 5, "attribution": ex * 1.0}))
        files = s.runs()["files"].to_pylist()[0]
        assert len(files) >= 8  # 4 lanes, files rolled every 30 rows
        assert all(pq.read_metadata(s.path / f).num_rows <= 30 for f in files)
        t = s.query("SELECT seqlet_id, example_idx, attribution FROM seqlets ORDER BY seqlet_id")
        # ids follow write order whatever file a row landed in
        assert t["seqlet_id"].to_pylist() == list(range(n))
        assert t["example_idx"].to_pylist() == list(range(n))

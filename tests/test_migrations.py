"""Migration runner: fresh store, upgrade path, refusal of a newer schema, rollback of a failure."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

import annostore
from annostore import resources
from annostore.errors import SchemaError
from annostore.store import migrate
from annostore.store.db import connect

ADD_COLUMN = "ALTER TABLE motifs ADD COLUMN family VARCHAR;\nCREATE TABLE extra (x INTEGER);\n"


def _dir_with(tmp_path: Path, name: str, extra: dict[str, str]) -> Path:
    folder = tmp_path / name
    folder.mkdir()
    for m in migrate.available():
        shutil.copy(m.path, folder / m.path.name)
    for fname, text in extra.items():
        (folder / fname).write_text(text)
    return folder


def _columns(con, table):
    return [r[0] for r in con.execute("SELECT column_name FROM duckdb_columns() WHERE table_name = ?", [table]).fetchall()]


def test_fresh_store_records_every_migration(tmp_path):
    with annostore.open(tmp_path / "s.store") as s:
        rows = migrate.applied(s.con)
        files = migrate.available()
        assert [r["version"] for r in rows] == [m.version for m in files]
        assert [r["checksum"] for r in rows] == [m.checksum for m in files]
        assert s.schema_version == migrate.latest_version()
        tables = {r[0] for r in s.con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        assert {"motifs", "regions", "sequences", "runs", "schema_version"} <= tables
    # re-opening applies nothing
    with annostore.open(tmp_path / "s.store") as s:
        assert migrate.pending(s.con) == []


def test_upgrade_path(tmp_path, monkeypatch):
    latest = migrate.latest_version()
    with annostore.open(tmp_path / "s.store") as s:
        s.add_motifs({"M1": [[0.25] * 3] * 4})
    folder = _dir_with(tmp_path, "mig", {f"{latest + 1:04d}_add_family.sql": ADD_COLUMN})
    monkeypatch.setattr(resources, "migrations_dir", lambda: folder)
    # a reader cannot upgrade: it is told to migrate
    with pytest.raises(SchemaError, match="annostore migrate"):
        annostore.open(tmp_path / "s.store", read_only=True)
    with annostore.open(tmp_path / "s.store") as s:
        assert s.schema_version == latest + 1
        assert "family" in _columns(s.con, "motifs")
        assert s.motif_set().names == ["M1"]  # data kept
        assert migrate.applied(s.con)[-1]["name"] == f"{latest + 1:04d}_add_family"
    with annostore.open(tmp_path / "s.store", read_only=True) as r:
        assert r.schema_version == latest + 1


def test_newer_store_is_refused(tmp_path):
    with annostore.open(tmp_path / "s.store") as s:
        with s.transaction() as con:  # writes reach the file only inside a transaction
            con.execute(resources.sql("migrate_record"), {"version": 9999, "name": "9999_future", "checksum": "x"})
    for read_only in (False, True):
        with pytest.raises(SchemaError, match="newer than this annostore"):
            annostore.open(tmp_path / "s.store", read_only=read_only)


def test_changed_applied_migration_is_refused(tmp_path):
    folder = _dir_with(tmp_path, "mig", {})
    con = connect(tmp_path / "x.duckdb")
    migrate.migrate(con, folder)
    first = sorted(folder.glob("*.sql"))[0]
    first.write_text(first.read_text() + "\n-- edited\n")
    with pytest.raises(SchemaError, match="changed after it was applied"):
        migrate.migrate(con, folder)
    con.close()


def test_failing_migration_is_rolled_back(tmp_path):
    latest = migrate.latest_version()
    bad = f"{latest + 1:04d}_bad.sql"
    folder = _dir_with(tmp_path, "mig", {bad: ADD_COLUMN + "INSERT INTO no_such_table VALUES (1);\n"})
    con = connect(tmp_path / "x.duckdb")
    with pytest.raises(SchemaError, match="failed and was rolled back"):
        migrate.migrate(con, folder)
    # the earlier migrations stay, the failing one left nothing
    assert migrate.current_version(con) == latest
    assert "family" not in _columns(con, "motifs")
    assert "extra" not in {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    con.close()
    # also after a reopen (nothing half-applied in the WAL)
    con = duckdb.connect(str(tmp_path / "x.duckdb"))
    assert "family" not in _columns(con, "motifs")
    con.close()


def test_target_and_duplicate_versions(tmp_path):
    latest = migrate.latest_version()
    folder = _dir_with(tmp_path, "mig", {f"{latest + 1:04d}_add_family.sql": ADD_COLUMN})
    con = connect(tmp_path / "x.duckdb")
    assert [m.version for m in migrate.migrate(con, folder, target=latest)] == [m.version for m in migrate.available()]
    assert [m.version for m in migrate.pending(con, folder)] == [latest + 1]
    con.close()
    (folder / f"{latest + 1:04d}_again.sql").write_text("SELECT 1;")
    with pytest.raises(SchemaError, match="two migrations"):
        migrate.available(folder)

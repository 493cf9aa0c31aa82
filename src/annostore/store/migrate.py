"""Schema migrations: ``migrations/NNNN_name.sql`` applied in order.

Each file is applied in one transaction together with its row in the
``schema_version`` table, so a failing migration leaves the store exactly as it
was.  Applied files are append-only: their checksums are verified on every
open, and a store made by a newer annostore (a version this installation does
not know) is refused.  Migration files must not contain ``BEGIN``/``COMMIT``.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import duckdb

from annostore import resources
from annostore.errors import SchemaError

_FILE = re.compile(r"^(\d{4})_([A-Za-z0-9_\-]+)\.sql$")


@dataclass(frozen=True)
class Migration:
    """One migration file."""

    version: int
    name: str
    path: Path
    checksum: str

    @property
    def sql(self) -> str:
        """The file's SQL text."""
        return _text(self.path)


def _text(path: Path) -> str:
    return path.read_text(encoding="utf-8").replace("\r\n", "\n")


def available(directory: str | Path | None = None) -> list[Migration]:
    """The migration files in ``directory`` (default: the packaged ``migrations/``), by version.

    Raises
    ------
    SchemaError
        Two files share a version number.
    """
    folder = Path(directory) if directory is not None else resources.migrations_dir()
    found: dict[int, Migration] = {}
    for path in sorted(folder.glob("*.sql")):
        match = _FILE.match(path.name)
        if match is None:
            continue
        version = int(match.group(1))
        if version in found:
            raise SchemaError(f"two migrations with version {version:04d}: {found[version].path.name}, {path.name}")
        checksum = hashlib.sha256(_text(path).encode("utf-8")).hexdigest()
        found[version] = Migration(version, path.stem, path, checksum)
    return [found[v] for v in sorted(found)]


def latest_version(directory: str | Path | None = None) -> int:
    """Highest migration version this installation knows (0 when none)."""
    migrations = available(directory)
    return migrations[-1].version if migrations else 0


def applied(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """Rows of ``schema_version`` (version, name, checksum, applied_at), oldest first; [] for a new database."""
    if not con.execute(resources.sql("migrate_has_version_table")).fetchall()[0][0]:
        return []
    rows = con.execute(resources.sql("migrate_applied")).fetchall()
    return [dict(zip(("version", "name", "checksum", "applied_at"), row)) for row in rows]


def current_version(con: duckdb.DuckDBPyConnection) -> int:
    """The store's schema version (0 for an empty database)."""
    rows = applied(con)
    return rows[-1]["version"] if rows else 0


def pending(con: duckdb.DuckDBPyConnection, directory: str | Path | None = None) -> list[Migration]:
    """Migrations not yet applied, after verifying the applied ones.

    Raises
    ------
    SchemaError
        The store was made by a newer annostore, or an applied file changed.
    """
    known = {m.version: m for m in available(directory)}
    done = applied(con)
    newest = max(known, default=0)
    for row in done:
        if row["version"] > newest:
            raise SchemaError(
                f"this store has schema version {done[-1]['version']}, newer than this annostore "
                f"understands ({newest}); upgrade annostore to open it"
            )
        migration = known.get(row["version"])
        if migration is None:
            raise SchemaError(f"applied migration {row['version']:04d}_{row['name']} is not in this installation")
        if migration.checksum != row["checksum"]:
            raise SchemaError(
                f"migration {migration.path.name} changed after it was applied to this store "
                "(applied migrations are append-only)"
            )
    applied_versions = {row["version"] for row in done}
    return [m for v, m in sorted(known.items()) if v not in applied_versions]


def migrate(
    con: duckdb.DuckDBPyConnection,
    directory: str | Path | None = None,
    *,
    target: int | None = None,
) -> list[Migration]:
    """Apply pending migrations in order, each in one transaction with its ``schema_version`` row.

    Parameters
    ----------
    con : duckdb.DuckDBPyConnection
        A read-write connection.
    directory : str or Path, optional
        Folder of ``NNNN_name.sql`` files (default: the packaged ``migrations/``).
    target : int, optional
        Stop after this version (default: apply all).

    Returns
    -------
    list of Migration
        The migrations applied (empty when the store was up to date).

    Raises
    ------
    SchemaError
        A migration failed (it was rolled back; earlier ones stay applied), the store is
        newer than this installation, or an applied file changed.
    """
    todo = [m for m in pending(con, directory) if target is None or m.version <= target]
    if not todo:
        return []
    con.execute(resources.sql("migrate_version_table"))
    done: list[Migration] = []
    for migration in todo:
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(migration.sql)
            con.execute(
                resources.sql("migrate_record"),
                {"version": migration.version, "name": migration.name, "checksum": migration.checksum},
            )
            con.execute("COMMIT")
        except duckdb.Error as exc:
            con.execute("ROLLBACK")
            raise SchemaError(f"migration {migration.path.name} failed and was rolled back: {exc}") from None
        done.append(migration)
    con.execute("CHECKPOINT")
    return done

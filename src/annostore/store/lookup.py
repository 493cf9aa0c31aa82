"""Names to indices, in one place: which runs a user means (by id, by name, ``all``, or the
latest of a kind) and which motifs (by id, ``"id alt"`` key, unambiguous alt name, or index).

Every function takes a DuckDB connection (``store.con``) or a :class:`~annostore.Store`.
"""

from __future__ import annotations

from typing import Any, Iterable, Optional

import duckdb
import numpy as np

from annostore.errors import AnnostoreError, BadInputError
from annostore.resources import sql


def connection(store: Any) -> duckdb.DuckDBPyConnection:
    """The DuckDB connection of a Store (or the connection itself)."""
    con = getattr(store, "con", store)
    if con is None:
        raise AnnostoreError("the store is closed")
    if not isinstance(con, duckdb.DuckDBPyConnection):
        raise BadInputError(f"expected an annostore Store or a DuckDB connection, got {type(store).__name__}")
    return con


# -- runs ----------------------------------------------------------------------------------------


def _is_index(value: Any) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def latest_run(store: Any, kind: str, parent: Optional[int] = None) -> Optional[int]:
    """The newest committed run of ``kind`` (optionally a child of ``parent``), or None."""
    con = connection(store)
    if parent is None:
        rows = con.execute(sql("select_latest_run"), {"kind": kind}).fetchall()
    else:
        rows = con.execute(sql("select_latest_child_run"), {"kind": kind, "parent": int(parent)}).fetchall()
    return None if not rows or rows[0][0] is None else int(rows[0][0])


def run_id(store: Any, run: Any, kind: Optional[str] = None) -> int:
    """One run by id or name (``None``: the latest run of ``kind``); ``BadInputError`` when there is
    none, or when it is not of ``kind``."""
    con = connection(store)
    if run is None:
        if kind is None:
            raise BadInputError("which run? give its id or name")
        found = latest_run(con, kind)
        if found is None:
            raise BadInputError(f"the store has no {kind} run")
        return found
    if _is_index(run):
        rows = con.execute(sql("store_run_by_id"), {"run_id": int(run)}).fetchall()
    else:
        rows = con.execute(sql("store_run_by_name"), {"name": str(run)}).fetchall()
        if not rows and str(run).isdigit():
            rows = con.execute(sql("store_run_by_id"), {"run_id": int(run)}).fetchall()
    if not rows:
        raise BadInputError(f"no {kind + ' ' if kind else ''}run {run!r} in the store")
    found, actual = int(rows[0][0]), rows[0][1]
    if kind is not None:
        if actual != kind:
            raise BadInputError(f"run {run!r} is a {actual} run, not a {kind} run")
    return found


def run_ids(store: Any, kind: str, runs: Any = None) -> list[int]:
    """Runs of ``kind`` by id or name (repeatable), ``"all"``, or ``None`` for the latest one
    (an empty list when the store has no run of that kind)."""
    con = connection(store)
    known = con.execute(sql("select_runs_of_kind"), {"kind": kind}).fetchall()
    if not known:
        if runs is None or runs == "all":
            return []
        raise BadInputError(f"the store has no {kind} run")
    ids = {int(r): n for r, n, _p in known}
    names = {n: int(r) for r, n, _p in known}
    if runs is None:
        return [max(ids)]
    if isinstance(runs, str) and runs == "all":
        return sorted(ids)
    if isinstance(runs, (str, int, np.integer)):
        runs = [runs]
    out = []
    for r in runs:
        if _is_index(r):
            if int(r) not in ids:
                raise BadInputError(f"no {kind} run with id {r} in the store")
            out.append(int(r))
        elif str(r) in names:
            out.append(names[str(r)])
        elif str(r).isdigit() and int(r) in ids:
            out.append(int(r))
        else:
            raise BadInputError(f"no {kind} run named {r!r} in the store")
    return sorted(set(out))


def seqlet_and_match_runs(store: Any, runs: Any) -> tuple[list[int], Optional[list[int]]]:
    """Seqlets runs given by id/name; a matches run stands for its parent seqlets run and fixes
    the matches run used (the second list; None when no matches run was named)."""
    con = connection(store)
    if isinstance(runs, (str, int, np.integer)):
        runs = [runs]
    seqlet_runs = {int(r): n for r, n, _p in con.execute(sql("select_runs_of_kind"), {"kind": "seqlets"}).fetchall()}
    seqlet_names = {n: r for r, n in seqlet_runs.items()}
    match_runs = {int(r): (n, p) for r, n, p in con.execute(sql("select_runs_of_kind"), {"kind": "matches"}).fetchall()}
    match_names = {n: r for r, (n, _p) in match_runs.items()}
    out_s: set[int] = set()
    out_m: set[int] = set()
    for r in runs:
        key = int(r) if _is_index(r) or str(r).isdigit() else None
        if key is None and str(r) in seqlet_names:
            out_s.add(seqlet_names[str(r)])
        elif key is not None and key in seqlet_runs:
            out_s.add(key)
        else:
            m = match_names.get(str(r), key if key in match_runs else None)
            if m is None or match_runs[m][1] is None:
                raise BadInputError(f"no seqlets (or matches) run {r!r} in the store")
            out_m.add(m)
            out_s.add(int(match_runs[m][1]))
    if out_m:
        # seqlets runs named directly keep their latest matches run
        covered = {int(match_runs[m][1]) for m in out_m}
        rest = sorted(out_s - covered)
        if rest:
            rows = con.execute(sql("select_seqlet_matches_runs"), {"runs": rest}).fetchall()
            out_m.update(int(x[1]) for x in rows)
        return sorted(out_s), sorted(out_m)
    return sorted(out_s), None


# -- motifs --------------------------------------------------------------------------------------


def motif_rows(store: Any) -> list[tuple[int, str, Optional[str]]]:
    """``(motif_idx, motif id, alt name)`` of every stored motif, in ``motif_idx`` order."""
    return [(int(i), n, a) for i, n, a in connection(store).execute(sql("store_motif_names")).fetchall()]


def motif_names(store: Any) -> list[str]:
    """Motif ids of the store, indexed by ``motif_idx``."""
    return [name for _idx, name, _alt in motif_rows(store)]


def motif_keys(rows: list[tuple[int, str, Optional[str]]]) -> tuple[dict[str, int], dict[str, list[int]]]:
    """The resolver of motif names: ``{id or 'id alt' key or unambiguous alt: idx}`` (ids win over
    keys, keys over alt names), and every alt name's indices (to report ambiguity)."""
    lookup: dict[str, int] = {}
    alts: dict[str, list[int]] = {}
    for idx, name, alt in rows:
        if alt:
            lookup.setdefault(f"{name} {alt}", idx)
            alts.setdefault(alt, []).append(idx)
    for alt, idxs in alts.items():
        if len(idxs) == 1:
            lookup.setdefault(alt, idxs[0])
    for idx, name, _alt in rows:
        lookup[name] = idx
    return lookup, alts


def resolve_motifs(store: Any, motifs: Iterable[Any] | str | int | None) -> Optional[list[int]]:
    """Sorted ``motif_idx`` list for motifs named by id, ``"id alt"`` key, unambiguous alt name or
    index (None for None); ``BadInputError`` for an unknown or ambiguous name or an index outside
    the motif table."""
    if motifs is None:
        return None
    if isinstance(motifs, (str, int, np.integer)):
        motifs = [motifs]
    rows = motif_rows(store)
    lookup, alts = motif_keys(rows)
    n = len(rows)
    out: list[int] = []
    for m in motifs:
        if _is_index(m):
            if not 0 <= int(m) < n:
                raise BadInputError(f"motif index {m} is outside the store's {n} motifs")
            out.append(int(m))
            continue
        name = str(m)
        if name in lookup:
            out.append(lookup[name])
        elif name.isdigit() and name not in alts and 0 <= int(name) < n:
            out.append(int(name))
        elif name in alts:
            raise BadInputError(f"motif name {name!r} is ambiguous: it is the alt name of {len(alts[name])} motifs")
        else:
            raise BadInputError(f"no motif {name!r} in the store")
    return sorted(set(out))

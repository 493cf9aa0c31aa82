"""The store's motif table: adding motifs (deduplicated by content) and reading them back as a MotifSet."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterable

import numpy as np
import pyarrow as pa

from annostore import resources
from annostore.errors import BadInputError

if TYPE_CHECKING:
    from annostore.store.store import Store


def add_motifs(store: "Store", source: Any, format: str | None = None) -> "Any":
    """The work of :meth:`Store.add_motifs` (documented there)."""
    from annostore.io.motifs import read_motifs

    store._writable()
    motifs = read_motifs(source, format=format)
    if len(motifs) == 0:
        raise BadInputError(f"{getattr(motifs, 'source', None) or source}: no motifs found")
    existing = {row[1]: row[0] for row in store.con.execute(resources.sql("store_motif_names")).fetchall()}
    clash = [m.name for m in motifs if m.name in existing]
    if clash:
        shown = ", ".join(repr(n) for n in clash[:5])
        raise BadInputError(
            f"{len(clash)} motif id(s) already in the store: {shown}; nothing was added"
        )
    start = len(existing)
    background = None if motifs.background is None else [float(x) for x in np.asarray(motifs.background)]
    table = pa.table(
        {
            "motif_idx": pa.array(range(start, start + len(motifs)), pa.int32()),
            "name": pa.array([m.name for m in motifs], pa.string()),
            "alt_name": pa.array([m.alt_name for m in motifs], pa.string()),
            "width": pa.array([m.width for m in motifs], pa.int32()),
            "nsites": pa.array([m.nsites for m in motifs], pa.float64()),
            "url": pa.array([m.url for m in motifs], pa.string()),
            "consensus": pa.array([m.consensus for m in motifs], pa.string()),
            "pwm": pa.array(
                [np.asarray(m.pwm, dtype=np.float64).tolist() for m in motifs],
                pa.list_(pa.list_(pa.float64())),
            ),
            "background": pa.array([background] * len(motifs), pa.list_(pa.float64())),
            "source": pa.array([motifs.source] * len(motifs), pa.string()),
            "source_sha256": pa.array([motifs.sha256] * len(motifs), pa.string()),
        }
    )
    store._insert("_annostore_new_motifs", table, "store_insert_motifs")
    store._motif_cache = None
    return motifs


def motif_set(store: "Store", names: Iterable[str] | None = None) -> "Any":
    """The work of :meth:`Store.motif_set` (documented there)."""
    from annostore.core.motifs import Motif, MotifSet

    rows = store.con.execute(resources.sql("store_motifs")).fetchall()
    motifs = []
    backgrounds = set()
    sources = set()
    for _idx, name, alt, nsites, url, pwm, background, source, _sha in rows:
        motifs.append(Motif(name=name, pwm=np.asarray(pwm, dtype=np.float64), alt_name=alt, nsites=nsites, url=url))
        backgrounds.add(None if background is None else tuple(background))
        sources.add(source)
    background = None
    if len(backgrounds) == 1:
        only = next(iter(backgrounds))
        background = None if only is None else np.asarray(only, dtype=np.float64)
    source = next(iter(sources)) if len(sources) == 1 else str(store.path)
    result = MotifSet(motifs, background=background, source=source)
    if names is not None:
        if isinstance(names, str):
            names = [names]
        result = result.select(names)
    return result

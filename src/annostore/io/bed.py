"""BED (0-based half-open): ``chrom start end [name [score [strand]]]``, tab or space separated;
``#``, ``track`` and ``browser`` lines and a header line are skipped.  Row i becomes example i.
"""

from __future__ import annotations

from typing import Any, Optional

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from annostore.errors import BadInputError, located
from annostore.core.sequences import MAX_COORDINATE
from annostore.io.files import existing, read_text
from annostore.io.tables import _rename, _to_table


def read_bed(path: Any) -> pa.Table:
    """Read a BED file (3-6 columns used; 0-based half-open) as ``chrom, start, end, name, strand``."""
    path = existing(path)
    chrom: list[str] = []
    start: list[int] = []
    end: list[int] = []
    name: list[Optional[str]] = []
    strand: list[Optional[str]] = []
    text = read_text(path, "a BED file")
    seen_data = False
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith(("#", "track", "browser")):
            continue
        fields = line.split("\t") if "\t" in line else line.split()
        if len(fields) < 3:
            raise BadInputError(located(f"a BED line needs at least 3 fields, found {len(fields)}", path, lineno))
        try:
            s, e = int(fields[1]), int(fields[2])
        except ValueError:
            if not seen_data and not fields[1].lstrip("-").isdigit():
                continue  # a header line
            raise BadInputError(located(f"start/end must be integers: {fields[1]!r}, {fields[2]!r}", path, lineno)) from None
        seen_data = True
        if s < 0:
            raise BadInputError(located(f"negative start {s}", path, lineno))
        if e > MAX_COORDINATE:
            raise BadInputError(located(f"end {e} is beyond any genome (> 2^40)", path, lineno))
        if e <= s:
            raise BadInputError(located(f"end {e} is not after start {s}", path, lineno))
        st = fields[5].strip() if len(fields) > 5 else None
        if st is not None and st not in ("+", "-", "."):
            raise BadInputError(located(f"unknown strand {st!r} (expected +, - or .)", path, lineno))
        chrom.append(fields[0])
        start.append(s)
        end.append(e)
        name.append(fields[3] if len(fields) > 3 and fields[3] not in ("", ".") else None)
        strand.append(st)
    if not chrom:
        raise BadInputError(f"{path}: no regions found")
    return pa.table(
        {
            "chrom": pa.array(chrom, pa.string()),
            "start": pa.array(start, pa.int64()),
            "end": pa.array(end, pa.int64()),
            "name": pa.array(name, pa.string()),
            "strand": pa.array(strand, pa.string()),
        }
    )


def read_regions(source: Any) -> pa.Table:
    """Regions for :meth:`Store.add_regions`: ``example_idx, chrom, start, end, name, strand, length``."""
    table = _to_table(source)
    if table is None:
        table = read_bed(source)
    else:
        table = _rename(table)
        missing = [c for c in ("chrom", "start", "end") if c not in table.column_names]
        if missing:
            raise BadInputError(f"regions need columns chrom, start, end; missing {', '.join(missing)}")
    n = table.num_rows
    cols = {}
    try:
        cols["start"] = table["start"].cast(pa.int64())
        cols["end"] = table["end"].cast(pa.int64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        raise BadInputError("regions: start and end must be integers") from None
    if n and (pc.any(pc.less(cols["start"], 0)).as_py() or pc.any(pc.less_equal(cols["end"], cols["start"])).as_py()):
        raise BadInputError("regions: every region needs 0 <= start < end")
    strand = table["strand"].cast(pa.string()) if "strand" in table.column_names else pa.nulls(n, pa.string())
    if n and not pc.all(pc.or_(pc.is_null(strand), pc.is_in(strand, value_set=pa.array(["+", "-", "."])))).as_py():
        raise BadInputError("regions: strand must be +, - or .")
    return pa.table(
        {
            "example_idx": pa.array(np.arange(n, dtype=np.int64)),
            "chrom": table["chrom"].cast(pa.string()),
            "start": cols["start"],
            "end": cols["end"],
            "name": table["name"].cast(pa.string()) if "name" in table.column_names else pa.nulls(n, pa.string()),
            "strand": strand,
            "length": pc.subtract(cols["end"], cols["start"]),
        }
    )

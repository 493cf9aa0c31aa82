"""MEME ``fimo.tsv``: a ``#`` comment header, then ``motif_id motif_alt_id sequence_name start
stop strand score p-value q-value matched_sequence``.  Coordinates are 1-BASED INCLUSIVE, as
MEME writes them (converted from annostore's 0-based half-open); names ``chr:START-END`` give
genomic coordinates unless ``--no-pgc``.
"""

from __future__ import annotations

import re
from typing import Any, Optional

import numpy as np
import pyarrow as pa

FIMO_TSV_HEADER = "motif_id\tmotif_alt_id\tsequence_name\tstart\tstop\tstrand\tscore\tp-value\tq-value\tmatched_sequence"


_UCSC = re.compile(r"^(?P<name>[^:\s]+):(?P<start>\d+)-(?P<end>\d+)(?:\([+-]\))?$")


def genomic_name(name: str) -> tuple[str, int]:
    """MEME 5.5's default genomic-coordinate parsing of a sequence name.

    ``chr2:101-120`` (UCSC style, optionally followed by ``(+)``/``(-)``) becomes ``("chr2", 100)``:
    the name and the 0-based genomic position of the sequence's first letter; any other name is
    returned unchanged with offset 0.
    """
    m = _UCSC.match(name)
    if m is None:
        return name, 0
    return m.group("name"), int(m.group("start")) - 1


def write_fimo_tsv(
    table: pa.Table,
    out: Any,
    *,
    text: bool = False,
    qvalues: bool = True,
    parse_genomic_coord: bool = True,
    texts: Optional[dict] = None,
    command_line: Optional[str] = None,
) -> int:
    """Write hits as MEME's ``fimo.tsv`` (1-based inclusive coordinates, as MEME prints them).

    Parameters
    ----------
    table : pyarrow.Table
        A :func:`fimo` result (with or without ``matched_sequence``).
    out : file-like
        Text stream to write to.
    text : bool
        MEME ``--text``: rows in scan order (motif, sequence, position, '+' first), empty
        q-value column, no trailing comment lines.  Otherwise rows sorted by p-value and the
        trailing ``#`` lines MEME writes.
    qvalues : bool
        ``False`` (MEME ``--no-qvalue``): the q-value column prints 0.
    parse_genomic_coord : bool
        MEME 5.5's default: ``name:START-END`` sequence names print as ``name`` with genomic
        coordinates (``--no-pgc`` turns it off).
    texts : dict, optional
        Sequence texts by name as written in the input (keeps lower case in '+' matches).
    command_line : str, optional
        Recorded in the last comment line.

    Returns
    -------
    int
        Number of rows written.
    """
    import annostore

    n = table.num_rows
    cols = {c: table.column(c).to_pylist() for c in ("motif", "motif_alt", "sequence_name", "start", "end", "strand", "score", "p_value", "q_value")}
    matched = table.column("matched_sequence").to_pylist() if "matched_sequence" in table.schema.names else None
    if text:
        order = range(n)
    else:
        p = np.asarray(cols["p_value"], dtype=np.float64)
        order = np.argsort(p, kind="stable").tolist()
    out.write(FIMO_TSV_HEADER + "\n")
    names_cache: dict = {}
    for i in order:
        seq = cols["sequence_name"][i]
        if seq not in names_cache:
            names_cache[seq] = genomic_name(seq) if parse_genomic_coord else (seq, 0)
        shown, off = names_cache[seq]
        start, end = cols["start"][i], cols["end"][i]
        ms = ""
        if texts is not None and seq in texts:
            window = texts[seq][start:end]
            ms = window if cols["strand"][i] == "+" else window.upper()[::-1].translate(_RC_TRANS)
        elif matched is not None:
            ms = matched[i]
        if text:
            q = ""
        elif not qvalues or cols["q_value"][i] is None:
            q = "0"
        else:
            q = "%.3g" % cols["q_value"][i]
        out.write(
            f"{cols['motif'][i]}\t{cols['motif_alt'][i] or ''}\t{shown}\t{start + off + 1}\t{end + off}\t"
            f"{cols['strand'][i]}\t{'%g' % cols['score'][i]}\t{'%.3g' % cols['p_value'][i]}\t{q}\t{ms}\n"
        )
    if not text:
        out.write("\n")
        out.write(f"# annostore {annostore.__version__} fimo (MEME FIMO 5.5 compatible numbers)\n")
        out.write("# The format of this file is described at https://meme-suite.org/meme/doc/fimo-output-format.html.\n")
        out.write(f"# {command_line or 'annostore fimo'}\n")
    return n


_RC_TRANS = str.maketrans("ACGTN", "TGCAN")

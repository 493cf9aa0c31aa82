"""MEME ``tomtom.tsv``: ``Query_ID Target_ID Optimal_offset p-value E-value q-value Overlap
Query_consensus Target_consensus Orientation``, then ``#`` lines with the command line.
"""

from __future__ import annotations

import numpy as np

from annostore.core.tomtom import TOMTOM_COLUMNS


def write_tomtom_tsv(table, out, *, command: str = "annostore tomtom") -> None:
    """Write a :func:`tomtom` table in MEME's ``tomtom.tsv`` format.

    p, E and q are printed with ``%g`` after a float32 cast, like MEME; a blank
    line and ``#`` comment lines follow the rows.

    Parameters
    ----------
    table : pyarrow.Table
        The result of :func:`tomtom`.
    out : text file object
    command : str
        The command line, recorded in a trailing comment.
    """
    from annostore import __version__

    out.write("\t".join(TOMTOM_COLUMNS) + "\n")
    d = table.to_pydict()
    for i in range(table.num_rows):
        out.write(
            "%s\t%s\t%d\t%g\t%g\t%g\t%d\t%s\t%s\t%s\n"
            % (
                d["query"][i], d["target"][i], d["offset"][i],
                float(np.float32(d["p_value"][i])), float(np.float32(d["e_value"][i])),
                float(np.float32(d["q_value"][i])), d["overlap"][i],
                d["query_consensus"][i], d["target_consensus"][i], d["orientation"][i],
            )
        )
    out.write("\n")
    out.write(f"# Tomtom (Motif Comparison Tool): annostore {__version__} (MEME tomtom 5.5 arithmetic)\n")
    out.write("# The format of this file is described at https://meme-suite.org/meme/doc/tomtom-output-format.html.\n")
    out.write(f"# {command}\n")

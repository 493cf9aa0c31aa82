"""Shared matplotlib plumbing: new axes or the caller's, and saving a figure.
"""

from __future__ import annotations

import os
from pathlib import Path

from annostore.errors import BadInputError


# --------------------------------------------------------------------------------------------
# figure plumbing
# --------------------------------------------------------------------------------------------
def _new_axes(ax, figsize: tuple[float, float], dpi: int):
    if ax is not None:
        return ax
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize, dpi=dpi)
    FigureCanvasAgg(fig)
    return fig.add_subplot(111)


def _save(ax, output: str | os.PathLike | None, dpi: int) -> None:
    if output is None:
        return
    path = Path(output)
    if path.parent and not path.parent.exists():
        raise BadInputError(f"{path}: the folder {path.parent} does not exist")
    fig = ax.figure
    fig.tight_layout()
    fig.savefig(path, dpi=dpi, format="png")

"""Built-in data shipped inside the package.

``JASPAR2026_CORE_vertebrates_non-redundant.meme``: JASPAR 2026 CORE vertebrates (1,019 motifs,
CC BY 4.0; see ``LICENSE-JASPAR.md`` next to it), the default motif database whenever no motif
file is given.
"""

from __future__ import annotations

from pathlib import Path

DEFAULT_MOTIFS_FILE = "JASPAR2026_CORE_vertebrates_non-redundant.meme"
LICENSE_FILE = "LICENSE-JASPAR.md"

_HERE = Path(__file__).resolve().parent


def default_motifs_path() -> Path:
    """Path of the built-in motif database, JASPAR 2026 CORE vertebrates non-redundant.

    Returns
    -------
    pathlib.Path
        The MEME-format file inside the installed package (1,019 motifs). JASPAR data is
        CC BY 4.0: see :func:`license_path` for the notice and citation.

    Examples
    --------
    >>> import annostore
    >>> motifs = annostore.read_motifs(annostore.default_motifs_path())  # doctest: +SKIP
    >>> len(motifs)  # doctest: +SKIP
    1019
    """
    path = _HERE / DEFAULT_MOTIFS_FILE
    if not path.is_file():  # pragma: no cover - a broken installation
        raise RuntimeError(f"annostore installation is incomplete: {path} is missing")
    return path


def license_path() -> Path:
    """Path of the JASPAR licence (CC BY 4.0) and citation notice shipped with the motifs."""
    return _HERE / LICENSE_FILE


def resolve_motifs(source=None):
    """``source`` as given, or the built-in JASPAR path when ``source`` is None."""
    return default_motifs_path() if source is None else source

"""Motifs: reading and writing MEME and JASPAR files, backgrounds, pseudocounts.

A motif is a ``(4, w)`` float64 matrix of letter probabilities, rows A, C, G, T,
each column summing to 1.  Files are parsed strictly: anything malformed raises
:class:`~annostore.errors.BadInputError` naming the file and line.

Supported inputs of :func:`read_motifs`:

* MEME minimal motif format, versions 4 and 5 (``MEME version``, ``ALPHABET=``,
  ``strands:``, optional ``Background letter frequencies`` block, ``MOTIF id
  [alt]``, ``letter-probability matrix:`` with optional ``alength= w= nsites=
  E=``, ``URL``); CRLF line endings, ``#`` comments and blank lines are fine.
  Columns whose probabilities sum to within 0.1 of 1 are renormalised, as MEME
  does.
* JASPAR ``.jaspar`` (``>ID NAME`` then ``A [ counts ]`` rows) and raw ``.pfm``
  (optional ``>`` header, then four rows of counts A, C, G, T); counts become
  probabilities and ``nsites`` the column total.
* A dict ``{name: (4, w) array or tensor}`` (tangermeme style), a list of
  ``(4, w)`` arrays (named ``"0"``, ``"1"``, ...), or a :class:`MotifSet`.
"""

from __future__ import annotations

import collections.abc
from dataclasses import dataclass, field
from typing import Iterable, Iterator, Optional

import numpy as np

from annostore.core.alphabet import ALPHABET  # noqa: E402  (re-exported: io.meme, io.jaspar)
from annostore.errors import BadInputError, located

#: MEME's built-in non-redundant database (NRDB) DNA frequencies, A C G T.
NRDB = np.array([0.281774, 0.222020, 0.228876, 0.267330])


#: MEME's default motif site count when ``nsites`` is absent (DEFAULT_SITE_COUNT).
DEFAULT_NSITES = 20.0


_ROW_SUM_TOLERANCE = 0.1


@dataclass(frozen=True, eq=False)
class Motif:
    """One motif: a ``(4, w)`` letter-probability matrix plus its MEME metadata.

    Parameters
    ----------
    name : str
        The motif id (first word after ``MOTIF`` in a MEME file).
    pwm : numpy.ndarray
        ``(4, w)`` float64 probabilities, rows A, C, G, T, columns summing to 1.
        No pseudocount is applied (see :func:`pseudocounted`).
    alt_name : str, optional
        The alternate name (second word after ``MOTIF``).
    nsites : float, optional
        Number of sites from the matrix header; ``None`` when absent (MEME then
        uses 20 for its pseudocount).
    url : str, optional
        The ``URL`` line.
    """

    name: str
    pwm: np.ndarray
    alt_name: Optional[str] = None
    nsites: Optional[float] = None
    url: Optional[str] = None

    @property
    def width(self) -> int:
        return int(self.pwm.shape[1])

    @property
    def key(self) -> str:
        """``"id alt"`` (or ``"id"``): the dict key tangermeme/memelite ``read_meme`` give."""
        return f"{self.name} {self.alt_name}" if self.alt_name else self.name

    @property
    def consensus(self) -> str:
        """The most probable letter of each column (first letter on ties)."""
        return "".join(ALPHABET[i] for i in np.argmax(self.pwm, axis=0))

    def reverse_complement(self) -> "Motif":
        """The motif of the other strand (rows and columns reversed, valid for ACGT order)."""
        return Motif(self.name, np.ascontiguousarray(self.pwm[::-1, ::-1]), self.alt_name, self.nsites, self.url)

    def __repr__(self) -> str:
        return f"Motif({self.key!r}, width={self.width})"


@dataclass(eq=False)
class MotifSet(collections.abc.Sequence):
    """An ordered collection of motifs with the file's background and provenance.

    ``motif_set[i]`` is the i-th motif in file order; :meth:`index` resolves a
    name.  ``background`` is the file's ``Background letter frequencies`` block
    (``None`` when it has none).
    """

    motifs: list = field(default_factory=list)
    background: Optional[np.ndarray] = None
    source: Optional[str] = None
    sha256: Optional[str] = None

    def __post_init__(self) -> None:
        self._by_name: dict[str, int] = {}
        self._by_key: dict[str, int] = {}
        self._by_alt: dict[str, list[int]] = {}
        for i, motif in enumerate(self.motifs):
            if motif.name in self._by_name:
                raise BadInputError(located(f"duplicate motif id {motif.name!r}", self.source))
            self._by_name[motif.name] = i
            self._by_key.setdefault(motif.key, i)
            if motif.alt_name:
                self._by_alt.setdefault(motif.alt_name, []).append(i)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return MotifSet(self.motifs[i], self.background, self.source, self.sha256)
        return self.motifs[i]

    def __len__(self) -> int:
        return len(self.motifs)

    def __iter__(self) -> Iterator[Motif]:
        return iter(self.motifs)

    def __repr__(self) -> str:
        return f"MotifSet({len(self)} motifs, source={self.source!r})"

    @property
    def names(self) -> list[str]:
        return [m.name for m in self.motifs]

    @property
    def keys(self) -> list[str]:
        return [m.key for m in self.motifs]

    def index(self, name: str) -> int:  # type: ignore[override]
        """Position of a motif named by id, ``"id alt"`` key, or unambiguous alt name."""
        if name in self._by_name:
            return self._by_name[name]
        if name in self._by_key:
            return self._by_key[name]
        alts = self._by_alt.get(name, [])
        if len(alts) == 1:
            return alts[0]
        if len(alts) > 1:
            ids = ", ".join(self.motifs[i].name for i in alts[:5])
            raise BadInputError(f"motif name {name!r} is ambiguous: it is the alt name of {ids}; use the id")
        raise BadInputError(f"unknown motif {name!r} (not an id, 'id alt' key or alt name of {len(self)} motifs)")

    def select(self, names: Iterable[str]) -> "MotifSet":
        """A new set with the named motifs, in the order given."""
        return MotifSet([self.motifs[self.index(n)] for n in names], self.background, self.source, self.sha256)

    def to_dict(self) -> dict:
        """``{key: pwm}`` in file order, like ``tangermeme.io.read_meme``."""
        return {m.key: m.pwm for m in self.motifs}


def normalised_background(background) -> np.ndarray:
    """MEME's final background step: ``(b + 5e-7) / (sum(b) + 4 * 5e-7)``."""
    b = np.asarray(background, dtype=np.float64)
    return (b + 5e-7) / (b.sum() + 4 * 5e-7)


def symmetrised(background) -> np.ndarray:
    """Average complementary letters (A with T, C with G), then :func:`normalised_background`."""
    b = np.asarray(background, dtype=np.float64)
    at = (b[0] + b[3]) / 2.0
    cg = (b[1] + b[2]) / 2.0
    return normalised_background(np.array([at, cg, cg, at]))


def pseudocounted(motif: Motif, background, pseudocount: float = 0.1) -> np.ndarray:
    """MEME's motif pseudocount: ``(N p + c b) / (N + c)`` with ``N = nsites`` (20 if absent)."""
    if pseudocount == 0:
        return motif.pwm.copy()
    n = motif.nsites if motif.nsites and motif.nsites > 0 else DEFAULT_NSITES
    b = np.asarray(background, dtype=np.float64)[:, None]
    return (n * motif.pwm + pseudocount * b) / (n + pseudocount)

"""Reproducible random DNA with planted motif sites (for the demo, tests and benchmarks).

Everything is drawn from one seeded ``numpy.random.Generator``, so the same arguments give the
same sequences, sites and regions on every machine.

The default plan (:func:`make_example`) plants, into uniform random sequences of 1,000-2,000 bp:

* AP-1 sites (JASPAR ``MA0099.4`` FOS::JUN) in about a third of the sequences,
* ETS sites (``MA0062.4`` GABPA) in about a third,
* a spaced pair, CEBP (``MA0466.4`` CEBPB) then CTCF (``MA0139.2``), both on the + strand with
  exactly :data:`PAIR_GAP` bases between the end of the first and the start of the second, in a
  quarter,

and builds example 0 like the tangermeme annotation tutorial: 2,000 bp with two AP-1 sites
(``GTGACTCATC``) and one ETV6 site (``ACTTCCGCG``) in the middle, 25 bp apart.

The planted sites are the ground truth: by default (``clean_background``) the random background
is cleared of chance matches of the planted motifs (FIMO p < 1e-4 on a uniform background, not
overlapping a planted site) by mutating one base of each, so that, e.g., example 0 holds its
three sites and no stray perfect AP-1 core elsewhere.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Sequence

import numpy as np

from annostore.errors import BadInputError

__all__ = [
    "FAMILIES",
    "PAIR_GAP",
    "PairSpec",
    "PlantSpec",
    "SyntheticSet",
    "family_of",
    "make_example",
    "random_dna",
    "reverse_complement",
    "sample_site",
]

_ALPHABET = np.frombuffer(b"ACGT", dtype=np.uint8)
_COMPLEMENT = str.maketrans("ACGTacgtN", "TGCAtgcaN")

#: Motif families used to judge recovery: family -> regular expression on the motif's name
#: (JASPAR alt name, e.g. ``FOS::JUN``). JASPAR holds many near-identical matrices, so a planted
#: site is recovered when its family is, not necessarily its exact matrix.
FAMILIES: dict[str, str] = {
    "AP-1": r"FOS|JUN|BATF|ATF3|JDP2|BACH|NFE2",
    "ETS": r"ETV|ELK|ETS|GABPA|ELF|EHF|ERG|FLI1|FEV|ERF|SPI1|SPIB|SPIC|SPDEF",
    "CEBP": r"CEBP|DBP|HLF|TEF|NFIL3",
    "CTCF": r"CTCF",
}

#: Bases between the end of the pair's first site (CEBP) and the start of its second (CTCF).
PAIR_GAP = 15


def family_of(name: str | None) -> str | None:
    """The :data:`FAMILIES` family a motif name belongs to, or None.

    Parameters
    ----------
    name : str or None
        A motif name or key, e.g. ``"FOS::JUN"`` or ``"MA0099.4 FOS::JUN"``.

    Returns
    -------
    str or None
        ``"AP-1"``, ``"ETS"``, ``"CEBP"``, ``"CTCF"`` or None.

    Examples
    --------
    >>> family_of("MA0099.4 FOS::JUN"), family_of("ETV6"), family_of("Runx1")
    ('AP-1', 'ETS', None)
    """
    if not name:
        return None
    for family, pattern in FAMILIES.items():
        if re.search(pattern, name, flags=re.IGNORECASE):
            return family
    return None


@dataclass(frozen=True)
class PlantSpec:
    """Plant sites of one motif, alone, into a fraction of the sequences.

    Attributes
    ----------
    family : str
        Label used in the truth table (e.g. ``"AP-1"``).
    motif : str
        Motif id (or key / alt name) in the motif set, e.g. ``"MA0099.4"``.
    fraction : float
        Probability that a sequence receives sites of this motif.
    copies : tuple of int
        Inclusive range of the number of sites planted into a chosen sequence.
    """

    family: str
    motif: str
    fraction: float
    copies: tuple[int, int] = (1, 2)


@dataclass(frozen=True)
class PairSpec:
    """Plant two motifs at a fixed gap (``b.start - a.end == gap``), both on the + strand."""

    family_a: str
    motif_a: str
    family_b: str
    motif_b: str
    gap: int
    fraction: float


DEFAULT_SINGLES: tuple[PlantSpec, ...] = (
    PlantSpec("AP-1", "MA0099.4", 0.35, (1, 2)),
    PlantSpec("ETS", "MA0062.4", 0.35, (1, 2)),
)
DEFAULT_PAIR = PairSpec("CEBP", "MA0466.4", "CTCF", "MA0139.2", PAIR_GAP, 0.25)

#: The tutorial's example: two AP-1 sites and one ETV6 site, 25 bp apart, centred in 2,000 bp.
TUTORIAL_SITES: tuple[tuple[str, str, str], ...] = (
    ("AP-1", "MA0099.4", "GTGACTCATC"),
    ("AP-1", "MA0099.4", "GTGACTCATC"),
    ("ETS", "MA0645.2", "ACTTCCGCG"),
)
TUTORIAL_LENGTH = 2000
TUTORIAL_GAP = 25


def reverse_complement(sequence: str) -> str:
    """Reverse complement of a DNA string (A<->T, C<->G, other letters kept)."""
    return sequence.translate(_COMPLEMENT)[::-1]


def random_dna(length: int, rng: np.random.Generator, probs: Sequence[float] | None = None) -> str:
    """A random DNA string of ``length`` letters drawn i.i.d. (uniform unless ``probs`` A,C,G,T)."""
    if probs is None:
        codes = rng.integers(0, 4, size=int(length))
    else:
        codes = rng.choice(4, size=int(length), p=np.asarray(probs, dtype=float))
    return _ALPHABET[codes].tobytes().decode("ascii")


def _log_odds(pwm: np.ndarray) -> np.ndarray:
    return np.log2((pwm + 1e-3) / (1.0 + 4e-3) / 0.25)


def sample_site(
    pwm: np.ndarray,
    rng: np.random.Generator,
    *,
    sharpen: float = 3.0,
    min_score_fraction: float = 0.75,
    max_tries: int = 200,
) -> str:
    """Draw one binding site from a PWM, biased towards strong sites.

    Columns are sampled from ``pwm ** sharpen`` (renormalised); a draw whose log-odds score
    (uniform background) is below ``min_score_fraction`` of the best possible score is redrawn,
    and after ``max_tries`` the consensus is used.

    Parameters
    ----------
    pwm : numpy.ndarray
        ``(4, w)`` letter probabilities, rows A, C, G, T.
    rng : numpy.random.Generator
    sharpen : float
        Exponent applied to the probabilities before sampling (1 = sample the PWM as is).
    min_score_fraction : float
        Minimum score as a fraction of the maximal score.
    max_tries : int

    Returns
    -------
    str
        The site, ``w`` letters, on the motif's own strand.
    """
    pwm = np.asarray(pwm, dtype=float)
    if pwm.ndim != 2 or pwm.shape[0] != 4 or pwm.shape[1] == 0:
        raise BadInputError(f"a PWM must have shape (4, w), got {pwm.shape}")
    probs = np.maximum(pwm, 0.0) ** sharpen
    probs = probs / probs.sum(axis=0, keepdims=True)
    cumulative = np.cumsum(probs, axis=0)
    lo = _log_odds(pwm)
    best = lo.max(axis=0).sum()
    w = pwm.shape[1]
    for _ in range(max_tries):
        u = rng.random(w)
        codes = np.minimum((u[None, :] > cumulative).sum(axis=0), 3)
        if lo[codes, np.arange(w)].sum() >= min_score_fraction * best:
            return _ALPHABET[codes].tobytes().decode("ascii")
    return _ALPHABET[pwm.argmax(axis=0)].tobytes().decode("ascii")


@dataclass
class SyntheticSet:
    """Random sequences with planted sites, and the truth about what was planted.

    Attributes
    ----------
    names : list of str
        Sequence names (``seq00000``, ...).
    sequences : list of str
        Upper-case DNA.
    sites : pandas.DataFrame
        One row per planted site: ``example_idx, family, motif, start, end, strand, site``
        (0-based, half-open, sorted by example then start). ``motif`` is the motif id.
    pair : PairSpec or None
        The spaced pair that was planted.
    seed : int
    motif_names : dict
        Motif id -> alt name of every planted motif.
    """

    names: list[str]
    sequences: list[str]
    sites: Any
    pair: PairSpec | None
    seed: int
    motif_names: dict[str, str] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.sequences)

    @property
    def lengths(self) -> np.ndarray:
        """Lengths of the sequences (int64)."""
        return np.fromiter((len(s) for s in self.sequences), dtype=np.int64, count=len(self.sequences))

    def regions(self, chrom: str = "chrSynthetic", spacing: int = 1000):
        """Made-up genomic coordinates: the sequences laid end to end on one chromosome.

        Returns
        -------
        pandas.DataFrame
            ``example_idx, chrom, start, end, name, strand, length`` (0-based, half-open).
        """
        import pandas as pd

        lengths = self.lengths
        starts = np.concatenate([[0], np.cumsum(lengths + spacing)[:-1]]).astype(np.int64) + spacing
        return pd.DataFrame(
            {
                "example_idx": np.arange(len(self), dtype=np.int64),
                "chrom": chrom,
                "start": starts,
                "end": starts + lengths,
                "name": self.names,
                "strand": "+",
                "length": lengths,
            }
        )

    def write_fasta(self, path: str | Path, width: int = 80) -> Path:
        """Write the sequences as FASTA (``width`` letters a line); returns the path."""
        path = Path(path)
        with path.open("w", encoding="ascii") as out:
            for name, seq in zip(self.names, self.sequences):
                out.write(f">{name}\n")
                for i in range(0, len(seq), width):
                    out.write(seq[i : i + width] + "\n")
        return path

    def pair_distances(self):
        """Gap (``b.start - a.end``) of every planted pair, as an int64 array."""
        if self.pair is None or len(self.sites) == 0:
            return np.zeros(0, dtype=np.int64)
        s = self.sites
        a = s[(s["family"] == self.pair.family_a) & s["paired"]]
        b = s[(s["family"] == self.pair.family_b) & s["paired"]]
        merged = a.merge(b, on=["example_idx", "pair_id"], suffixes=("_a", "_b"))
        return (merged["start_b"] - merged["end_a"]).to_numpy(dtype=np.int64)


def _resolve_pwms(motifs: Any, wanted: Sequence[str]) -> tuple[dict[str, np.ndarray], dict[str, str]]:
    """Motif id -> PWM and id -> alt name for the ``wanted`` motifs."""
    if isinstance(motifs, Mapping):
        pwms = {}
        for name in wanted:
            if name not in motifs:
                raise BadInputError(f"motif {name!r} is not in the given motifs")
            pwms[name] = np.asarray(motifs[name], dtype=float)
        return pwms, {name: name for name in wanted}
    from annostore.io.motifs import read_motifs

    if motifs is None:
        from annostore.data import default_motifs_path

        motifs = default_motifs_path()
    mset = read_motifs(motifs)
    pwms, alts = {}, {}
    for name in wanted:
        m = mset[mset.index(name)]
        pwms[name] = np.asarray(m.pwm, dtype=float)
        alts[name] = m.alt_name or m.name
    return pwms, alts


def _clean_background(sequences: list, rows: list, pwms: dict,
                      threshold: float = 1e-4, rounds: int = 20) -> None:
    """Mutate away (in place) FIMO matches of ``pwms`` that overlap no planted site of their sequence.

    Each such match gets its most informative column (the motif's largest probability) set to
    that column's least likely base; rescans until no match is left.
    """
    import warnings

    from annostore.core.fimo import fimo
    from annostore.core.motifs import Motif, MotifSet

    mset = MotifSet([Motif(name, pwm) for name, pwm in pwms.items()])
    col = {name: int(np.argmax(pwm.max(axis=0))) for name, pwm in pwms.items()}  # most informative column
    worst = {name: int(np.argmin(pwm[:, col[name]])) for name, pwm in pwms.items()}  # its least likely base
    planted: dict = {}
    for r in rows:
        planted.setdefault(r["example_idx"], []).append((r["start"], r["end"]))
    todo = list(range(len(sequences)))
    for _ in range(rounds):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            hits = fimo(mset, [sequences[i] for i in todo], threshold, bfile="uniform", qvalues=False)
        ex = hits["example_idx"].to_numpy()
        st = hits["start"].to_numpy()
        en = hits["end"].to_numpy()
        names = hits["motif"].to_pylist()
        minus = (hits["strand"].to_numpy(zero_copy_only=False) == "-")
        changed = set()
        for k in np.lexsort((st, ex)):
            i = todo[int(ex[k])]
            a, b = int(st[k]), int(en[k])
            if any(a < e and s < b for s, e in planted.get(i, ())):
                continue
            seq = sequences[i]
            name = names[k]
            if minus[k]:  # the motif's column j sits at b - 1 - j, complemented
                at, base = b - 1 - col[name], "TGCA"[worst[name]]
            else:
                at, base = a + col[name], "ACGT"[worst[name]]
            sequences[i] = seq[:at] + base + seq[at + 1:]
            changed.add(i)
        if not changed:
            return
        todo = sorted(changed)


class _Occupancy:
    """Free-slot bookkeeping for one sequence: sites never overlap (and keep a margin)."""

    def __init__(self, length: int, margin: int = 5) -> None:
        self.length = length
        self.margin = margin
        self.taken: list[tuple[int, int]] = []

    def place(self, width: int, rng: np.random.Generator, tries: int = 100) -> int | None:
        if width + 2 * self.margin > self.length:
            return None
        for _ in range(tries):
            start = int(rng.integers(self.margin, self.length - width - self.margin + 1))
            end = start + width
            if all(end + self.margin <= s or start >= e + self.margin for s, e in self.taken):
                self.taken.append((start, end))
                return start
        return None


def make_example(
    n_sequences: int = 2000,
    seed: int = 0,
    *,
    min_length: int = 1000,
    max_length: int = 2000,
    motifs: Any = None,
    singles: Sequence[PlantSpec] = DEFAULT_SINGLES,
    pair: PairSpec | None = DEFAULT_PAIR,
    tutorial_example: bool = True,
    clean_background: bool = True,
) -> SyntheticSet:
    """Make a reproducible set of random sequences with planted motif sites.

    Parameters
    ----------
    n_sequences : int
        Number of sequences (at least 1).
    seed : int
        Seed of the ``numpy.random.Generator`` everything is drawn from.
    min_length, max_length : int
        Sequence lengths are uniform in ``[min_length, max_length]``.
    motifs : MotifSet, path, dict or None
        Where the planted motifs' PWMs come from (default: the built-in JASPAR file). A dict
        maps motif id -> ``(4, w)`` PWM.
    singles : sequence of PlantSpec
        Motifs planted alone.
    pair : PairSpec or None
        Motifs planted as a pair at a fixed gap, in fixed orientation.
    tutorial_example : bool
        Make example 0 like the tangermeme tutorial (2,000 bp; two AP-1 sites and one ETV6 site
        25 bp apart in the middle); no other site is planted into it.
    clean_background : bool
        Clear the background of chance matches of the planted motifs (FIMO p < 1e-4, uniform
        background, not overlapping a planted site of the sequence): the motif's most informative
        position in each gets its least likely base, until none is left.

    Returns
    -------
    SyntheticSet

    Examples
    --------
    >>> from annostore.example.synthetic import make_example
    >>> ex = make_example(20, seed=1)  # doctest: +SKIP
    >>> ex.sites.groupby("family").size()  # doctest: +SKIP
    """
    import pandas as pd

    n_sequences = int(n_sequences)
    if n_sequences < 1:
        raise BadInputError(f"n_sequences must be at least 1, got {n_sequences}")
    if not (0 < min_length <= max_length):
        raise BadInputError(f"need 0 < min_length <= max_length, got {min_length}, {max_length}")
    wanted = [s.motif for s in singles]
    if pair is not None:
        wanted += [pair.motif_a, pair.motif_b]
    if tutorial_example:
        wanted += [m for _, m, _ in TUTORIAL_SITES]
    wanted = list(dict.fromkeys(wanted))
    pwms, alts = _resolve_pwms(motifs, wanted)

    rng = np.random.default_rng(seed)
    lengths = rng.integers(min_length, max_length + 1, size=n_sequences)
    names = [f"seq{i:05d}" for i in range(n_sequences)]
    sequences: list[str] = []
    rows: list[dict] = []

    def add_row(i, family, motif, start, site, strand, paired=False, pair_id=-1):
        rows.append(
            dict(example_idx=i, family=family, motif=motif, motif_alt=alts.get(motif, motif), start=start,
                 end=start + len(site), strand=strand, site=site, paired=paired, pair_id=pair_id)
        )

    for i in range(n_sequences):
        if i == 0 and tutorial_example:
            length = TUTORIAL_LENGTH
            seq = list(random_dna(length, rng))
            widths = [len(s) for _, _, s in TUTORIAL_SITES]
            start = length // 2 - (TUTORIAL_GAP * (len(widths) - 1) + sum(widths)) // 2
            for family, motif, site in TUTORIAL_SITES:
                seq[start : start + len(site)] = site
                add_row(i, family, motif, start, site, "+")
                start += len(site) + TUTORIAL_GAP
            sequences.append("".join(seq))
            continue
        length = int(lengths[i])
        seq = list(random_dna(length, rng))
        occ = _Occupancy(length)
        if pair is not None and rng.random() < pair.fraction:
            site_a = sample_site(pwms[pair.motif_a], rng)
            site_b = sample_site(pwms[pair.motif_b], rng)
            width = len(site_a) + pair.gap + len(site_b)
            start = occ.place(width, rng)
            if start is not None:
                seq[start : start + len(site_a)] = site_a
                b_start = start + len(site_a) + pair.gap
                seq[b_start : b_start + len(site_b)] = site_b
                add_row(i, pair.family_a, pair.motif_a, start, site_a, "+", True, 0)
                add_row(i, pair.family_b, pair.motif_b, b_start, site_b, "+", True, 0)
        for spec in singles:
            if rng.random() >= spec.fraction:
                continue
            for _ in range(int(rng.integers(spec.copies[0], spec.copies[1] + 1))):
                site = sample_site(pwms[spec.motif], rng)
                strand = "+" if rng.random() < 0.5 else "-"
                if strand == "-":
                    site = reverse_complement(site)
                start = occ.place(len(site), rng)
                if start is None:
                    continue
                seq[start : start + len(site)] = site
                add_row(i, spec.family, spec.motif, start, site, strand)
        sequences.append("".join(seq))

    if clean_background and rows:
        _clean_background(sequences, rows, {m: pwms[m] for m in dict.fromkeys(r["motif"] for r in rows)})
    columns = ["example_idx", "family", "motif", "motif_alt", "start", "end", "strand", "site", "paired", "pair_id"]
    sites = pd.DataFrame(rows, columns=columns)
    if len(sites):
        sites = sites.sort_values(["example_idx", "start"], kind="stable").reset_index(drop=True)
    sites = sites.astype({"example_idx": "int64", "start": "int64", "end": "int64", "pair_id": "int64", "paired": bool})
    return SyntheticSet(names=names, sequences=sequences, sites=sites, pair=pair, seed=int(seed), motif_names=alts)

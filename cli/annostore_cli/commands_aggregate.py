"""Aggregation commands: count, pairs, spacing (thin over annostore.aggregate)."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from . import common

FORMAT_HELP = "Output format: tsv, csv, jsonl or parquet (default: from the -o suffix, else tsv)."
STORE_ARG = typer.Argument(..., metavar="STORE", help="The store folder (e.g. my.store).")


def _split(values: Optional[List[str]]) -> Optional[list]:
    """Repeated and comma-separated option values; digits become ints (ids/indices)."""
    if not values:
        return None
    out: list = []
    for v in values:
        for part in v.split(","):
            part = part.strip()
            if part:
                out.append(part)
    return out


def _examples(values: Optional[List[str]]):
    """Examples as a list of indices; 'A-B' is the half-open range [A, B)."""
    if not values:
        return None
    from annostore.errors import BadInputError

    items = _split(values) or []
    if len(items) == 1 and "-" in items[0]:
        lo, hi = items[0].split("-", 1)
        try:
            return range(int(lo), int(hi))
        except ValueError:
            raise BadInputError(f"--examples {items[0]!r}: expected A-B (half-open range)") from None
    try:
        return [int(x) for x in items]
    except ValueError:
        raise BadInputError("--examples takes example indices (0,1,5) or a range A-B") from None


def _runs(values: Optional[List[str]]):
    items = _split(values)
    if items is None:
        return None
    if items == ["all"]:
        return "all"
    return [int(x) if x.isdigit() else x for x in items]


def _filters(source, runs, matches_runs, top_k, motifs, max_p, min_attribution, examples) -> dict:
    return dict(
        source=source,
        runs=_runs(runs),
        matches_runs=_runs(matches_runs),
        top_k=top_k,
        motifs=_split(motifs),
        max_p=max_p,
        min_attribution=min_attribution,
        examples=_examples(examples),
    )


def _write(result, output: Optional[str], fmt: Optional[str]) -> None:
    from annostore.export import write_table

    n = write_table(result.to_reader(), output or "-", fmt)
    if output and output != "-":
        common.info(f"wrote {n} rows to {output}")


def _open(store: Path):
    import annostore

    return annostore.open(
        store, read_only=True, threads=common.settings.threads, memory_limit=common.settings.memory_limit
    )


# shared options (typer needs a fresh default object per parameter, so these are factories)
def _source():
    return typer.Option("hits", "--source", "-s", help="Annotations: hits (FIMO-style) or seqlets (best TOMTOM match).")


def _run_opt():
    return typer.Option(None, "--run", "-r", help="Run id or name (repeatable or comma-separated; 'all'). Default: latest.")


def _matches_opt():
    return typer.Option(None, "--matches-run", help="Seqlets: matches run(s) to use (default: latest per seqlets run).")


def _topk_opt():
    return typer.Option(1, "--top-k", min=1, help="Seqlets: use matches of rank <= K (1 = best only).")


def _motif_opt():
    return typer.Option(None, "--motif", "-m", help="Only these motifs (id, 'id alt', unambiguous alt name); repeatable.")


def _maxp_opt():
    return typer.Option(None, "--max-p", help="Keep p_value <= P (hits: FIMO p; seqlets: TOMTOM p).")


def _attr_opt():
    return typer.Option(None, "--min-attribution", help="Keep attribution >= A (inclusive).")


def _examples_opt():
    return typer.Option(None, "--examples", "-e", help="Example indices (0,3,7) or a half-open range A-B.")


def _format_opt():
    return typer.Option(None, "--format", "-f", help=FORMAT_HELP)


def _output_opt():
    return typer.Option(None, "--output", "-o", help="Output file (default: stdout).")


def register(app: typer.Typer) -> None:
    @app.command(
        "count",
        help="Count annotations per example and motif (long form: example_idx, motif_idx, motif, n), "
        "or per motif / per example with --by.\n\n"
        "Example:\n\n    annostore count my.store --source hits --min-attribution 0.5 --by motif",
    )
    @common.guard
    def count_cmd(
        store: Path = STORE_ARG,
        by: str = typer.Option("example_motif", "--by", help="example_motif, motif or example."),
        source: str = _source(),
        run: Optional[List[str]] = _run_opt(),
        matches_run: Optional[List[str]] = _matches_opt(),
        top_k: int = _topk_opt(),
        motif: Optional[List[str]] = _motif_opt(),
        max_p: Optional[float] = _maxp_opt(),
        min_attribution: Optional[float] = _attr_opt(),
        examples: Optional[List[str]] = _examples_opt(),
        fmt: Optional[str] = _format_opt(),
        output: Optional[str] = _output_opt(),
    ) -> None:
        from annostore import aggregate

        with _open(store) as s:
            filters = _filters(source, run, matches_run, top_k, motif, max_p, min_attribution, examples)
            _write(aggregate.count(s, by=by, **filters), output, fmt)

    @app.command(
        "pairs",
        help="Co-occurrence of motif pairs within examples (motif_idx_a, motif_a, motif_idx_b, motif_b, n). "
        "Default: each (example, motif) once, both orientations.\n\n"
        "Example:\n\n    annostore pairs my.store --source seqlets --ordered --all-instances",
    )
    @common.guard
    def pairs_cmd(
        store: Path = STORE_ARG,
        ordered: bool = typer.Option(False, "--ordered", help="Each pair once, left motif (by position) first."),
        all_instances: bool = typer.Option(False, "--all-instances", help="Count every pair of instances, not examples."),
        source: str = _source(),
        run: Optional[List[str]] = _run_opt(),
        matches_run: Optional[List[str]] = _matches_opt(),
        top_k: int = _topk_opt(),
        motif: Optional[List[str]] = _motif_opt(),
        max_p: Optional[float] = _maxp_opt(),
        min_attribution: Optional[float] = _attr_opt(),
        examples: Optional[List[str]] = _examples_opt(),
        fmt: Optional[str] = _format_opt(),
        output: Optional[str] = _output_opt(),
    ) -> None:
        from annostore import aggregate

        with _open(store) as s:
            filters = _filters(source, run, matches_run, top_k, motif, max_p, min_attribution, examples)
            _write(aggregate.pairs(s, unique=not all_instances, symmetric=not ordered, **filters), output, fmt)

    @app.command(
        "spacing",
        help="Motif pairs by spacing, distance = right.start - left.end (motif_idx_a, motif_a, motif_idx_b, "
        "motif_b, distance, n). Overlapping pairs are skipped unless --allow-overlaps.\n\n"
        "Example:\n\n    annostore spacing my.store --motif-a FOS --motif-b ETV6 --max-distance 150",
    )
    @common.guard
    def spacing_cmd(
        store: Path = STORE_ARG,
        motif_a: Optional[List[str]] = typer.Option(None, "--motif-a", help="Only rows with this first motif."),
        motif_b: Optional[List[str]] = typer.Option(None, "--motif-b", help="Only rows with this second motif."),
        max_distance: int = typer.Option(100, "--max-distance", min=1, help="Keep distance < D."),
        ordered: bool = typer.Option(False, "--ordered", help="motif_a is always the left annotation."),
        allow_overlaps: bool = typer.Option(False, "--allow-overlaps", help="Keep overlaps with negative distances."),
        source: str = _source(),
        run: Optional[List[str]] = _run_opt(),
        matches_run: Optional[List[str]] = _matches_opt(),
        top_k: int = _topk_opt(),
        motif: Optional[List[str]] = _motif_opt(),
        max_p: Optional[float] = _maxp_opt(),
        min_attribution: Optional[float] = _attr_opt(),
        examples: Optional[List[str]] = _examples_opt(),
        fmt: Optional[str] = _format_opt(),
        output: Optional[str] = _output_opt(),
    ) -> None:
        from annostore import aggregate

        with _open(store) as s:
            filters = _filters(source, run, matches_run, top_k, motif, max_p, min_attribution, examples)
            result = aggregate.spacing(
                s,
                max_distance=max_distance,
                symmetric=not ordered,
                allow_overlaps=allow_overlaps,
                motif_a=_split(motif_a),
                motif_b=_split(motif_b),
                **filters,
            )
            _write(result, output, fmt)

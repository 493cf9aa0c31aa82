"""What every command shares: global settings, the error-to-exit-code guard, opening a store,
and option groups added by decorators (in the manner of sqlite-utils).

Exit codes: 0 ok, 1 error, 2 usage, 65 bad input data, 66 missing or unreadable input file,
75 store locked by another writer (retry later).

Option groups are decorators that add parameters to a command's signature and hand the
command one value built from them:

* :func:`filter_options` adds ``--source --run --matches-run --top-k --motif --max-p
  --min-attribution --examples`` and passes ``filters`` (a dict for the analysis API);
* :func:`output_options` adds ``--format/-f`` and ``--output/-o`` and passes ``output``
  (an :class:`Output` whose ``write(result)`` streams a result);
* :func:`new_run_options` adds ``--name`` (the name of the run a command creates; the old
  spelling ``--run`` stays as a hidden alias for one release) and passes ``name``.

``--run`` always selects existing runs; ``--name`` always names a new one.
"""

from __future__ import annotations

import functools
import inspect
import shlex
import sys
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, List, Optional

import typer

EXIT_CODES_HELP = (
    "Exit codes: 0 ok, 1 error, 2 usage, 65 bad input data, 66 missing or unreadable input file, "
    "75 store locked by another writer (retry later)."
)


@dataclass
class Settings:
    """Global options given before the command (``annostore --threads 4 count ...``)."""

    threads: Optional[int] = None
    memory_limit: Optional[str] = None
    quiet: bool = False
    engine: Optional[str] = None
    spark_master: Optional[str] = None
    stores: tuple = ()  # the stores the running command opened: no output may go inside them
    console: bool = False  # run by the ``annostore`` console script (main()), not in-process


settings = Settings()


def err(message: str) -> None:
    """Write a message line to stderr (never stdout: stdout carries data)."""
    typer.echo(message, err=True)


def info(message: str) -> None:
    """A progress/info message on stderr, silenced by ``--quiet``."""
    if not settings.quiet:
        typer.echo(message, err=True)


def show_progress() -> bool:
    """Progress bars only when stderr is a terminal and not ``--quiet``."""
    return (not settings.quiet) and sys.stderr.isatty()


def one_line(message: object) -> str:
    """A message on one line: the first non-empty line, whitespace squeezed."""
    text = str(message).strip()
    first = next((ln.strip() for ln in text.splitlines() if ln.strip()), text)
    return " ".join(first.split())


def _release(exc: BaseException) -> None:
    """Drop the failed command's frames (and the store connections their locals hold): the
    exception chain outlives the command when the CLI runs in process (tests, notebooks)."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        nxt = exc.__context__
        exc.__traceback__ = None
        exc.__context__ = exc.__cause__ = None
        exc = nxt


def guard(fn: Callable) -> Callable:
    """Run a command, turning errors a user can cause into one line on stderr and an exit code."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        from annostore.errors import AnnostoreError

        settings.stores = ()
        try:
            return fn(*args, **kwargs)
        except AnnostoreError as exc:
            err(f"error: {one_line(exc)}")
            _release(exc)
            raise typer.Exit(exc.exit_code) from None
        except (FileNotFoundError, PermissionError, IsADirectoryError) as exc:
            err(f"error: {one_line(exc)}")
            raise typer.Exit(66) from None
        except KeyboardInterrupt:
            err("interrupted")
            raise typer.Exit(130) from None

    return wrapper


def pyarrow_without_pandas() -> None:
    """Spare a command pyarrow's import of pandas (1.5-2 s of start-up).

    The first time pyarrow converts a Python object (``pa.array(list)``, ``pa.scalar``, a compute
    function with a Python argument) it imports pandas, only to ask whether the object is a pandas
    one, and remembers the answer for the process.  A command that never hands pyarrow pandas
    objects nor asks it for any (all but ``plot`` and ``demo``, with the DuckDB engine) lets that
    check run once here with pandas hidden: pyarrow records its pandas integration as off, and
    pandas itself stays importable for anything else.  The console script only: a process that
    runs the CLI in-process (tests, notebooks) keeps pyarrow's pandas integration.
    """
    if "pandas" in sys.modules:
        return
    import pyarrow as pa

    blocker = _NoPandas()
    sys.meta_path.insert(0, blocker)
    try:
        pa.scalar(0)  # pyarrow's one-time check: ``import pandas`` raises ImportError
    finally:
        sys.meta_path.remove(blocker)


class _NoPandas:
    """An import finder that refuses pandas (while :func:`pyarrow_without_pandas` runs)."""

    def find_spec(self, name, path=None, target=None):
        if name == "pandas" or name.startswith("pandas."):
            raise ImportError("pandas hidden from pyarrow's one-time check", name=name)
        return None


def apply_threads() -> None:
    """Apply ``--threads`` to numba (DuckDB gets it through :func:`open_store`)."""
    if settings.threads:
        import numba

        numba.set_num_threads(min(settings.threads, numba.config.NUMBA_NUM_THREADS))


def open_store(path: Path | str, *, write: bool = False):
    """The one way a command opens a store: read-only unless it writes, with the global options."""
    import annostore

    settings.stores = (*settings.stores, Path(path))
    return annostore.open(
        path, read_only=not write, threads=settings.threads, memory_limit=settings.memory_limit,
        engine=settings.engine, spark_master=settings.spark_master,
    )


def command_line() -> str:
    """The command line as typed, global options included (recorded in outputs and run rows)."""
    return "annostore " + " ".join(shlex.quote(a) for a in sys.argv[1:])


def store_argument() -> Any:
    return typer.Argument(..., metavar="STORE", readable=False, help="The store folder (e.g. my.store).")


# -- parsing helpers shared by option groups ----------------------------------------------------


def split_values(values: Optional[List[str]]) -> Optional[list]:
    """Repeated and comma-separated option values."""
    if not values:
        return None
    out: list = []
    for v in values:
        out.extend(part.strip() for part in v.split(",") if part.strip())
    return out


def parse_runs(values: Optional[List[str]]):
    """``--run`` values: ids (digits) or names; ``all``."""
    items = split_values(values)
    if items is None:
        return None
    if items == ["all"]:
        return "all"
    return [int(x) if x.isdigit() else x for x in items]


def parse_examples(values: Optional[List[str]]):
    """Examples as a list of indices; ``A-B`` is the half-open range [A, B)."""
    if not values:
        return None
    from annostore.errors import BadInputError

    items = split_values(values) or []
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


# -- option groups --------------------------------------------------------------------------------


def _with_params(fn: Callable, added: list[inspect.Parameter], build: Callable[[dict], tuple[str, Any]]):
    """Wrap ``fn`` so its signature shows ``added`` (instead of the one parameter ``build`` fills)."""
    sig = inspect.signature(fn)
    names = [p.name for p in added]

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        given = {n: kwargs.pop(n) for n in names if n in kwargs}
        key, value = build(given)
        kwargs[key] = value
        return fn(*args, **kwargs)

    hints = typing.get_type_hints(fn)  # resolved in fn's module (string annotations)
    keep = [p.replace(annotation=hints.get(p.name, p.annotation))
            for p in sig.parameters.values() if p.name != build.target]  # type: ignore[attr-defined]
    params = [*keep, *added]
    wrapper.__signature__ = sig.replace(parameters=params)  # type: ignore[attr-defined]
    wrapper.__annotations__ = {p.name: p.annotation for p in params}
    del wrapper.__wrapped__  # typer must read the new signature, not the original's
    return wrapper


def _param(name: str, annotation: Any, default: Any) -> inspect.Parameter:
    return inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=annotation)


def _filter_params() -> list[inspect.Parameter]:
    return [
        _param("source", str, typer.Option(
            "hits", "--source", "-s", help="Annotations: hits (FIMO-style) or seqlets (best TOMTOM match).")),
        _param("run", Optional[List[str]], typer.Option(
            None, "--run", "-r", help="Run id or name (repeatable or comma-separated; 'all'). Default: latest.")),
        _param("matches_run", Optional[List[str]], typer.Option(
            None, "--matches-run", help="Seqlets: matches run(s) to use (default: latest per seqlets run).")),
        _param("top_k", int, typer.Option(1, "--top-k", min=1, help="Seqlets: use matches of rank <= K (1 = best only).")),
        _param("motif", Optional[List[str]], typer.Option(
            None, "--motif", "-m", help="Only these motifs (id, 'id alt', unambiguous alt name); repeatable.")),
        _param("max_p", Optional[float], typer.Option(None, "--max-p", help="Keep p_value <= P (hits: FIMO p; seqlets: TOMTOM p).")),
        _param("min_attribution", Optional[float], typer.Option(None, "--min-attribution", help="Keep attribution >= A (inclusive).")),
        _param("examples", Optional[List[str]], typer.Option(
            None, "--examples", "-e", help="Example indices (0,3,7) or a half-open range A-B.")),
    ]


def filter_options(fn: Callable) -> Callable:
    """Add the annotation filters; the command receives them as ``filters`` (a dict)."""

    def build(g: dict) -> tuple[str, Any]:
        return "filters", dict(
            source=g.get("source", "hits"),
            runs=parse_runs(g.get("run")),
            matches_runs=parse_runs(g.get("matches_run")),
            top_k=g.get("top_k", 1),
            motifs=split_values(g.get("motif")),
            max_p=g.get("max_p"),
            min_attribution=g.get("min_attribution"),
            examples=parse_examples(g.get("examples")),
        )

    build.target = "filters"  # type: ignore[attr-defined]
    return _with_params(fn, _filter_params(), build)


class Output:
    """Where a command's table goes: ``--output`` (default stdout) in ``--format``."""

    def __init__(self, path: Optional[str], format: Optional[str]) -> None:
        self.path = path
        self.format = format

    def write(self, result: Any) -> int:
        from annostore.io.export import write_table
        from annostore.store.sandbox import check_output_path

        for store in settings.stores:
            check_output_path(self.path, store)
        data = result.to_reader() if hasattr(result, "to_reader") else result
        n = write_table(data, self.path or "-", self.format)
        if self.path and self.path != "-":
            info(f"wrote {n} rows to {self.path}")
        return n


def output_options(fn: Callable) -> Callable:
    """Add ``--format/-f`` and ``--output/-o``; the command receives ``output`` (an :class:`Output`)."""
    params = [
        _param("fmt", Optional[str], typer.Option(
            None, "--format", "-f", help="Output format: tsv, csv, jsonl or parquet (default: from the -o suffix, else tsv).")),
        _param("output_path", Optional[str], typer.Option(None, "--output", "-o", help="Output file (default: stdout).")),
    ]

    def build(g: dict) -> tuple[str, Any]:
        return "output", Output(g.get("output_path"), g.get("fmt"))

    build.target = "output"  # type: ignore[attr-defined]
    return _with_params(fn, params, build)


def new_run_options(kind: str) -> Callable[[Callable], Callable]:
    """Add ``--name`` for the run a command creates (hidden alias ``--run``, kept for one release)."""

    def decorator(fn: Callable) -> Callable:
        params = [
            _param("name", Optional[str], typer.Option(None, "--name", help=f"Name of the new run (default {kind}-<id>).")),
            _param("run_alias", Optional[str], typer.Option(None, "--run", hidden=True, help="Old spelling of --name.")),
        ]

        def build(g: dict) -> tuple[str, Any]:
            name, alias = g.get("name"), g.get("run_alias")
            if alias is not None:
                from annostore.errors import BadInputError

                if name is not None and name != alias:
                    raise BadInputError("give the new run's name once, with --name")
                info("note: --run for a new run's name is now --name (the old spelling still works this release)")
            return "name", name if name is not None else alias

        build.target = "name"  # type: ignore[attr-defined]
        return _with_params(fn, params, build)

    return decorator

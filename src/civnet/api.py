"""civnet from Python: open a workspace, bring data in, choose a view, compute any catalog measure.

::

    import civnet

    ws = civnet.open("civnet.duckdb")          # created if missing
    ws.load("city-diplomacy")                   # an embedded dataset (once; again adds nothing)
    view = ws.view(from_=2016, to=2019, tracks=["subnational"])
    view.betweenness(top=10).to_pandas()        # a DataFrame, equal to the CLI's --format json
    view.scorecard(boot=200, seed=1).to_pandas()

Every measure of the catalog (:mod:`civnet.products.catalog`) is a method of :class:`View`
with the catalog's parameters, defaults and bounds: the same entry generates the CLI command
and the API endpoint, and every face computes through
:func:`civnet.products.runner.run_measure`, so a number is the same in a notebook, in the
terminal and in the dashboard (and a repeat is read from the workspace's result cache). A wrong
filter or parameter raises a :class:`~civnet.errors.UserError` whose message is the CLI's line.

The workspace is opened for each call and closed after it, so the CLI, ``civnet serve`` and
other notebooks can use the same file between calls.
"""

from __future__ import annotations

import datetime as dt
import inspect
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from civnet.errors import UnknownDataset
from civnet.importers.batch import IngestReport
from civnet.products.catalog import MEASURES, Measure
from civnet.store import Workspace
from civnet.views import Network, ViewSpec, build_network

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

Progress = Callable[[int, int], None]


def open(path: str | Path) -> Session:
    """The workspace file at ``path`` (a new, empty one is created when it does not exist)."""
    return Session(path)


class Session:
    """A civnet workspace file seen from Python: load or import data, then :meth:`view` it."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        with self._workspace(write=not self.path.exists()):
            pass  # a file that is not a workspace fails now, with the CLI's one line

    def __repr__(self) -> str:
        return f"civnet.open({str(self.path)!r})"

    @contextmanager
    def _workspace(self, *, write: bool = False) -> Iterator[Workspace]:
        ws = Workspace(self.path, read_only=not write)
        try:
            yield ws
        finally:
            ws.close()

    # -- data in ----------------------------------------------------------------------------------

    def load(self, *names: str, all: bool = False) -> list[IngestReport]:
        """Load embedded datasets (``civnet datasets`` lists them); a loaded one adds nothing.

        Returns one report per source read (rows read, ties and actors added, rejects).
        """
        from civnet.datasets import all_datasets, get

        if all:
            chosen = all_datasets()
        elif names:
            chosen = [get(n) for n in names]
        else:
            raise UnknownDataset(
                "name a dataset to load", fix='ws.load("city-diplomacy"), or ws.load(all=True)'
            )
        reports: list[IngestReport] = []
        with self._workspace(write=True) as ws:
            for ds in chosen:
                if not ds.already_loaded(ws):
                    reports.extend(ds.loader(ws, lambda message: None))
        return reports

    def import_table(
        self,
        actors: str | Path | None = None,
        ties: str | Path | None = None,
        *,
        mapping: Mapping[str, str] | None = None,
        skip_bad_rows: bool = False,
        fmt: str | None = None,
        encoding: str = "utf-8",
        delimiter: str | None = None,
    ) -> IngestReport:
        """Import an actor table and/or a tie table, as ``civnet import table`` does.

        ``mapping``: civnet field -> column of the file (``{"source": "From"}``). All or nothing:
        a bad row stops the import (nothing is written) unless ``skip_bad_rows``, which imports
        the good rows and writes the bad ones to ``FILE.rejects.csv``.
        """
        from civnet.importers.tables import import_tables

        with self._workspace(write=True) as ws:
            return import_tables(
                ws,
                actors=Path(actors) if actors is not None else None,
                ties=Path(ties) if ties is not None else None,
                mapping=dict(mapping or {}),
                skip_bad_rows=skip_bad_rows,
                fmt=fmt,
                encoding=encoding,
                delimiter=delimiter,
            )

    def counts(self) -> dict[str, int]:
        """Actors, ties and sources in the workspace."""
        with self._workspace() as ws:
            return dict(ws.counts())

    # -- views and measures -----------------------------------------------------------------------

    def view(
        self,
        *,
        from_: str | int | dt.date | None = None,
        to: str | int | dt.date | None = None,
        tracks: Iterable[str] = (),
        actor_types: Iterable[str] = (),
        countries: Iterable[str] = (),
        kinds: Iterable[str] = (),
        project: bool = False,
        level: str = "actor",
        all_actors: bool = False,
        include_timeless: bool = False,
    ) -> View:
        """A view of the workspace: the CLI's filters (``--from`` is ``from_``), validated now.

        A single string is one value (``tracks="education"``); see docs/views.md.
        """
        spec = ViewSpec.make(
            date_from=from_,
            date_to=to,
            tracks=_values(tracks),
            actor_types=_values(actor_types),
            countries=_values(countries),
            kinds=_values(kinds),
            project=project,
            level=level,
            all_actors=all_actors,
            include_timeless=include_timeless,
        )
        return View(self, spec)

    @staticmethod
    def measures() -> list[str]:
        """The names of the measures every :class:`View` has as methods."""
        return sorted(MEASURES)


def _values(v: Iterable[str]) -> tuple[str, ...]:
    return (v,) if isinstance(v, str) else tuple(v)


@dataclass(frozen=True)
class View:
    """A validated selection of a workspace; each catalog measure is a method of it.

    ``view.betweenness(top=10)``, ``view.scorecard(boot=200)``, ... (``dir(view)`` lists them,
    ``help(view.ei)`` shows the parameters with their defaults and bounds). Each returns a
    :class:`Result`.
    """

    session: Session
    spec: ViewSpec

    def __repr__(self) -> str:
        return f"<civnet view of {self.session.path.name}: {self.spec.describe()}>"

    def network(self) -> Network:
        """The view as a :class:`~civnet.views.Network` (igraph graph, actors, ties, notes)."""
        with self.session._workspace() as ws:
            return build_network(ws, self.spec)

    def compute(self, measure: str, progress: Progress | None = None, **params: Any) -> Result:
        """Catalog measure ``measure`` with ``params`` (the methods call this)."""
        from civnet.products.runner import measure_named, run_measure

        entry = measure_named(measure)
        resolved = entry.resolve(params)
        with self.session._workspace() as ws:
            data = run_measure(ws, entry.name, self.spec, resolved, progress)
        return Result(entry.name, resolved, data, self.spec)

    def __getattr__(self, name: str) -> Callable[..., Result]:
        measure = MEASURES.get(name)
        if measure is None or name.startswith("_"):
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        return _method(self, measure)

    def __dir__(self) -> list[str]:
        return sorted({*super().__dir__(), *MEASURES})


def _method(view: View, measure: Measure) -> Callable[..., Result]:
    """``view.<measure>(**params)``, with the catalog's parameters as its signature."""

    def method(**params: Any) -> Result:
        return view.compute(measure.name, **params)

    method.__name__ = measure.name
    method.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [
            inspect.Parameter(
                p.name,
                inspect.Parameter.KEYWORD_ONLY,
                default=inspect.Parameter.empty if p.required else p.default,
                annotation=p.type,
            )
            for p in measure.params
        ]
    )
    lines = [measure.summary, "", "Parameters (bounds enforced; None = the default):"]
    for p in measure.params:
        bounds = p.describe_bounds()
        lines.append(
            f"    {p.name}: {p.type.__name__} = {p.default!r} — {p.help}"
            + (f" [{bounds}]" if bounds else "")
        )
    method.__doc__ = "\n".join(lines)
    return method


@dataclass(frozen=True)
class Result:
    """A measure's result: ``data`` is exactly what ``civnet <measure> --format json`` prints
    for the view ``spec`` and the parameters ``params`` (all of them, defaults filled in).

    ``to_pandas()`` and ``to_arrow()`` give its main table (what ``--format csv`` prints), or
    with ``table`` another list in the result (``timeline``'s ``"countries"``).
    """

    measure: str
    params: dict[str, Any]
    data: Any = field(repr=False)
    spec: ViewSpec = field(default_factory=ViewSpec, repr=False)

    def __repr__(self) -> str:
        given = ", ".join(f"{k}={v!r}" for k, v in self.params.items() if v is not None)
        return f"<civnet {self.measure}({given}): {len(self.records())} rows>"

    @property
    def notes(self) -> list[str]:
        """What the view left out or reshaped (timeless ties, projection hubs, domestic ties at
        country level) and the measure's own notes: ``data["notes"]``."""
        notes = self.data.get("notes") if isinstance(self.data, dict) else None
        return list(notes) if isinstance(notes, list) else []

    def records(self, table: str | None = None) -> list[dict[str, Any]]:
        """The rows of the main table (or of ``data[table]``) as dictionaries."""
        return MEASURES[self.measure].records(self.data, table)

    def to_pandas(self, table: str | None = None) -> pd.DataFrame:
        """The main table (or ``data[table]``) as a pandas DataFrame."""
        import pandas as pd

        columns = MEASURES[self.measure].columns if table is None else None
        records = self.records(table)
        if not records:
            return pd.DataFrame(columns=list(columns or []))
        frame = pd.DataFrame.from_records(records)
        return frame[list(columns)] if columns else frame

    def to_arrow(self, table: str | None = None) -> pa.Table:
        """The main table (or ``data[table]``) as a pyarrow Table."""
        import pyarrow as pa

        return pa.Table.from_pandas(self.to_pandas(table), preserve_index=False)

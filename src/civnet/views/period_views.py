"""Many period views of one view, cut from its tables instead of queried one by one.

A period view (``--from A --to B``) keeps the view's dated ties active in [A, B]: started by B
and not ended before A (timeless ties left out unless ``--include-timeless``), and the actors at
their ends. Every other rule of the view (tracks, kinds, actor types and levels, countries) does
not depend on the period, so the ties of each period view are exactly the rows of the whole
view's tie table that pass the period's test, in the same ``tie_id`` order, and its actors the
whole view's actor rows at their ends: :func:`period_views` builds each from those with
:meth:`~civnet.views.network.Network.from_tables`, one workspace query in all instead of two
per period (the timeline of the embedded data has 84 years).

Views whose rows depend on the period in another way (a one-mode projection, the country level,
``--all-actors``) are built by :func:`~civnet.views.network.build_network` each, as before.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence

import pyarrow as pa
import pyarrow.compute as pc

from civnet.store.workspace import Workspace
from civnet.views.network import Network, build_network, timeless_notes
from civnet.views.spec import ViewSpec


def derivable(spec: ViewSpec) -> bool:
    """Whether the period views of ``spec`` are cuts of its whole view's rows (see the module)."""
    return not (spec.project or spec.level != "actor" or spec.all_actors)


def whole_view(ws: Workspace, spec: ViewSpec) -> Network:
    """``spec`` without its period: the view every period view of it is cut from."""
    return build_network(ws, dataclasses.replace(spec, date_from=None, date_to=None))


def period_views(
    ws: Workspace,
    spec: ViewSpec,
    spans: Sequence[tuple[dt.date, dt.date]],
    whole: Network | None = None,
) -> list[Network]:
    """``build_network(ws, spec --from A --to B)`` for each (A, B) of ``spans``: the same actors,
    ties, graph and notes (tests/test_report_speed.py compares them on workspaces with timeless,
    open-ended and undirected ties and every view filter).

    ``whole``: :func:`whole_view` of ``spec`` when already built. Views that are not cuts
    (:func:`derivable`) are built one by one.
    """
    if not derivable(spec):
        return [
            build_network(ws, dataclasses.replace(spec, date_from=a, date_to=b)) for a, b in spans
        ]
    base = whole if whole is not None else whole_view(ws, spec)
    notes: list[str] = []
    if not spec.include_timeless:
        notes.extend(timeless_notes(ws.con, spec))
    ties, actors = base.ties, base.actors
    start, end = ties.column("start_date"), ties.column("end_date")
    open_end = pc.is_null(end)
    timeless = pc.is_null(start)
    actor_ids = actors.column("id")
    out = []
    for lo, hi in spans:
        period = dataclasses.replace(spec, date_from=lo, date_to=hi)
        # the SQL of build_network: start_date <= hi AND (end_date IS NULL OR end_date >= lo),
        # with a null start kept only by --include-timeless
        # (Kleene logic: a null date is unknown, as in SQL)
        started = pc.less_equal(start, pa.scalar(hi, start.type))
        if spec.include_timeless:
            started = pc.or_kleene(timeless, started)
        alive = pc.or_kleene(open_end, pc.greater_equal(end, pa.scalar(lo, end.type)))
        keep = pc.and_kleene(started, alive).fill_null(False)
        out.append(cut_view(base, keep, period, notes, actor_ids))
    return out


def cut_view(
    base: Network,
    keep: pa.Array | pa.ChunkedArray,
    spec: ViewSpec,
    notes: Sequence[str] = (),
    actor_ids: pa.ChunkedArray | None = None,
) -> Network:
    """The view ``spec`` whose tie rows are those of ``base`` where ``keep`` is true and whose
    actors are ``base``'s actor rows at their ends: what ``build_network`` gives for a spec
    that narrows ``base``'s by a rule on tie rows alone (a period, a track) when ``base`` is
    :func:`derivable`."""
    cut = base.ties.filter(keep)
    ends = pa.chunked_array(
        cut.column("source").chunks + cut.column("target").chunks, type=pa.string()
    )
    ids = actor_ids if actor_ids is not None else base.actors.column("id")
    kept_actors = base.actors.filter(pc.is_in(ids, value_set=pc.unique(ends)))
    return Network.from_tables(kept_actors, cut, spec=spec, notes=list(notes))

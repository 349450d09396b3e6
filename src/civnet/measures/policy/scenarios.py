"""What if: a view changed by removing actors, dropping ties or adding ties; reach and distance.

A *scenario* (:class:`Changes`) is applied to a materialized view, never to the workspace:

- ``remove_actors`` / ``remove_types`` / ``remove_countries`` / ``remove_levels``: the actors with
  one of these ids, types, countries or levels leave the view with every tie they have;
- ``drop_tracks`` / ``drop_kinds``: the tie records of these tracks or kinds leave the view;
- ``add_ties``: tie records (the columns of a view's ties) are added; ``add_actors`` holds the
  actor rows of their ends that the view does not have yet.

Every other actor of the view stays, even when it loses its last tie: it is still there, only cut
off, so the changed view has ``n - removed + added`` actors and its isolates count as components
(a view built from the workspace has no isolates unless ``--all-actors``; a changed view may).

Reach (:func:`reach`) is the share of actor pairs that are connected, ``sum_c C(s_c, 2) / C(n, 2)``
over the (weak) components c of sizes s_c. Because it is a sum over components, removing actors
only changes the terms of the components that held them; :mod:`civnet.measures.policy.scenario_removals`
uses that to rank removals quickly.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from civnet.errors import BadFilter, UnknownActor
from civnet.views.network import Network


@dataclass(frozen=True)
class Changes:
    """A scenario: who leaves, which ties stop, which ties are added (see the module docstring).

    ``add_ties`` has at least ``source``, ``target``, ``weight``, ``directed``, ``track`` and
    ``kind``; ``add_actors`` the actor columns of a view (``id``, ``name``, ``type``,
    ``country``...) for ends of added ties outside the view.
    """

    remove_actors: tuple[str, ...] = ()
    remove_types: tuple[str, ...] = ()
    remove_countries: tuple[str, ...] = ()
    remove_levels: tuple[str, ...] = ()
    drop_tracks: tuple[str, ...] = ()
    drop_kinds: tuple[str, ...] = ()
    add_ties: pa.Table | None = None
    add_actors: pa.Table | None = None

    @property
    def empty(self) -> bool:
        """True when the scenario changes nothing."""
        removes = (
            self.remove_actors,
            self.remove_types,
            self.remove_countries,
            self.remove_levels,
            self.drop_tracks,
            self.drop_kinds,
        )
        return not any(removes) and not (self.add_ties is not None and self.add_ties.num_rows)

    def describe(self) -> list[str]:
        """One phrase per change, in the order they are applied."""
        out = []
        for what, vals in (
            ("remove actors", self.remove_actors),
            ("remove actor types", self.remove_types),
            ("remove countries", self.remove_countries),
            ("remove levels", self.remove_levels),
            ("drop tracks", self.drop_tracks),
            ("drop kinds", self.drop_kinds),
        ):
            if vals:
                out.append(f"{what} {', '.join(vals)}")
        if self.add_ties is not None and self.add_ties.num_rows:
            out.append(f"add {self.add_ties.num_rows} ties")
        return out


@dataclass(frozen=True)
class Applied:
    """A changed view and what the change did.

    ``removed``: ids of the actors removed; ``ties_of_removed``: tie records that left with
    them; ``dropped``: tie records dropped by track or kind (among those left);
    ``added``: tie records added; ``added_actors``: actors that came with the added ties.
    """

    net: Network
    removed: list[str]
    ties_of_removed: int
    dropped: int
    added: int
    added_actors: list[str]
    notes: list[str] = field(default_factory=list)


def removal_mask(net: Network, changes: Changes) -> np.ndarray:
    """Boolean mask over the view's actors (vertex order): the actors the scenario removes.

    An id not in the view is refused (:class:`~civnet.errors.UnknownActor`). Levels are
    :meth:`Network.levels` (the stored level, else the default from type and id).
    """
    ids = net.ids
    mask = np.zeros(len(ids), dtype=bool)
    if changes.remove_actors:
        index = {a: i for i, a in enumerate(ids)}
        for a in changes.remove_actors:
            if a not in index:
                raise UnknownActor(
                    f"--remove-actor {a!r} is not an actor of the view",
                    fix="check the id with `civnet actors` or widen the view filters",
                )
            mask[index[a]] = True
    for attr, values in (
        ("type", changes.remove_types),
        ("country", changes.remove_countries),
    ):
        if not values:
            continue
        if attr not in net.actors.column_names:
            raise BadFilter(
                f"--remove-{attr} needs actor {attr}s, and this view's actors have none",
                fix="remove actors by id",
            )
        column = _actor_column(net, attr)
        mask |= np.isin(np.asarray(column, dtype=object), np.asarray(values, dtype=object))
    if changes.remove_levels:
        levels = np.asarray(net.levels(), dtype=object)
        mask |= np.isin(levels, np.asarray(changes.remove_levels, dtype=object))
    return mask


def _actor_column(net: Network, attr: str) -> list[object]:
    """``attr`` of every actor, in vertex order (the actor table is sorted by id as the graph)."""
    if attr in net.graph.vs.attributes():
        return net.vertex_attr(attr)
    by_id = dict(
        zip(net.actors.column("id").to_pylist(), net.actors.column(attr).to_pylist(), strict=True)
    )
    return [by_id.get(a) for a in net.ids]


def apply_changes(net: Network, changes: Changes) -> Applied:
    """The view ``net`` with the scenario ``changes`` applied (a new Network; ``net`` unchanged).

    Order: actors are removed (with their ties), then ties of dropped tracks/kinds, then ties
    are added. Remaining actors all stay, isolated or not. Added ties whose ends are not in the
    view take their actor rows from ``changes.add_actors``; an end found in neither is refused.
    """
    mask = removal_mask(net, changes)
    removed = [a for a, m in zip(net.ids, mask, strict=True) if m]
    ties = net.ties
    notes: list[str] = []
    ties_of_removed = 0
    if removed:
        gone = pa.array(removed, pa.string())
        touches = pc.or_(
            pc.is_in(ties.column("source").cast(pa.string()), value_set=gone),
            pc.is_in(ties.column("target").cast(pa.string()), value_set=gone),
        )
        ties_of_removed = int(pc.sum(touches).as_py() or 0)
        ties = ties.filter(pc.invert(touches))
    before_drop = ties.num_rows
    for col, values in (("track", changes.drop_tracks), ("kind", changes.drop_kinds)):
        if values and ties.num_rows and col in ties.column_names:
            keep = pc.invert(
                pc.fill_null(
                    pc.is_in(ties.column(col), value_set=pa.array(values, pa.string())), False
                )
            )
            ties = ties.filter(keep)
    dropped = before_drop - ties.num_rows
    actors = net.actors
    if removed:
        actors = actors.filter(
            pc.invert(pc.is_in(actors.column("id"), value_set=pa.array(removed, pa.string())))
        )
    added_actors: list[str] = []
    added = 0
    if changes.add_ties is not None and changes.add_ties.num_rows:
        actors, extra = _with_actors(actors, changes)
        added_actors = extra
        ties = _concat_ties(ties, changes.add_ties)
        added = changes.add_ties.num_rows
    if not removed and (changes.remove_types or changes.remove_countries or changes.remove_levels):
        notes.append("no actor of the view matched the removal")
    changed = Network.from_tables(actors, ties, spec=net.spec, notes=list(net.notes) + notes)
    return Applied(changed, removed, ties_of_removed, dropped, added, added_actors, notes)


def _with_actors(actors: pa.Table, changes: Changes) -> tuple[pa.Table, list[str]]:
    """``actors`` plus the rows of added ties' ends that it lacks (from ``add_actors``)."""
    assert changes.add_ties is not None
    t = changes.add_ties
    ends = pc.unique(
        pa.chunked_array(
            [t.column("source").cast(pa.string()), t.column("target").cast(pa.string())]
        ).combine_chunks()
    )
    have = actors.column("id").cast(pa.string())
    missing = pc.filter(ends, pc.invert(pc.is_in(ends, value_set=have.combine_chunks())))
    if not len(missing):
        return actors, []
    pool = changes.add_actors
    found = (
        pool.filter(pc.is_in(pool.column("id"), value_set=missing))
        if pool is not None and pool.num_rows
        else None
    )
    found_ids = set(found.column("id").to_pylist()) if found is not None else set()
    absent = [a for a in missing.to_pylist() if a not in found_ids]
    if absent:
        raise UnknownActor(
            f"an added tie names actor {absent[0]!r}, which is not in the workspace",
            fix="declare the actor first (civnet import table --actors) or fix the id",
        )
    assert found is not None
    cols = [c for c in actors.column_names if c in found.column_names]
    extra = found.select(cols).cast(actors.select(cols).schema)
    merged = pa.concat_tables([actors.select(cols), extra])
    return merged, sorted(found_ids)


def _concat_ties(ties: pa.Table, added: pa.Table) -> pa.Table:
    """The view's ties and the added ties, on the view's columns (missing ones null)."""
    cols = []
    for name in ties.column_names:
        typ = ties.schema.field(name).type
        if name in added.column_names:
            cols.append(added.column(name).cast(typ))
        else:
            cols.append(pa.nulls(added.num_rows, typ))
    extra = pa.table(cols, names=ties.column_names)
    return pa.concat_tables([ties, extra])


# -- reach and distance ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Reach:
    """Connected pairs of actors: ``connected`` of ``possible = C(actors, 2)``, and the share."""

    actors: int
    connected: int
    possible: int
    components: int
    largest: int

    @property
    def share(self) -> float:
        """``connected / possible``; NaN with fewer than two actors."""
        return self.connected / self.possible if self.possible else float("nan")


def pairs(sizes: np.ndarray | list[int]) -> int:
    """``sum C(s, 2)``: the connected pairs of components of these sizes (exact integers).

    >>> pairs([3, 2, 1])
    4
    """
    s = np.asarray(sizes, dtype=np.int64)
    return int((s * (s - 1) // 2).sum())


def reach(net: Network) -> Reach:
    """Share of actor pairs connected by some path: ``sum_c C(s_c, 2) / C(n, 2)``.

    Components are weak in a directed view (a pair counts when a path joins it ignoring
    directions), so the share is the same as in the undirected view. Isolates are components
    of size 1 and lower the share. Fewer than two actors: share NaN, ``possible`` 0.

    Reference: the fragmentation of Borgatti (2006), *Identifying sets of key players in a
    social network*, Comput Math Organiz Theor 12: 21-34, doi:10.1007/s10588-006-7084-x, is
    ``1 - share``.

    >>> import networkx as nx
    >>> r = reach(Network.from_networkx(nx.Graph([(0, 1), (2, 3)])))
    >>> (r.connected, r.possible)
    (2, 6)
    """
    g = net.graph
    n = g.vcount()
    sizes = np.asarray(g.connected_components(mode="weak").sizes() if n else [], dtype=np.int64)
    return Reach(
        actors=n,
        connected=pairs(sizes),
        possible=n * (n - 1) // 2,
        components=len(sizes),
        largest=int(sizes.max()) if len(sizes) else 0,
    )


def giant_component(net: Network) -> list[int]:
    """Vertices of the largest (weak) component; the first of the largest size in vertex order."""
    g = net.graph
    if g.vcount() == 0:
        return []
    comps = g.connected_components(mode="weak")
    return list(comps[int(np.argmax(comps.sizes()))])


def giant_path_length(net: Network, sources: Sequence[str] | None = None) -> float:
    """Average shortest-path length (hops) between the actors of the largest component.

    Unweighted. Undirected: the mean over the ``C(s, 2)`` pairs of the largest component.
    Directed: the largest *weak* component, mean over the ordered pairs joined by a directed
    path. The largest component is the first of the largest size in vertex order
    (:func:`giant_component`). NaN when it has fewer than two actors.

    With ``sources`` (actor ids), the mean is estimated from breadth-first searches from those
    of them that are in the largest component only: the mean distance from the sources to every
    other actor they reach. Drawn uniformly, k sources estimate the mean within ``eps * D``
    (D the diameter) with probability ``1 - 2 exp(-2 k eps^2)`` by Hoeffding's inequality, the
    bound of Eppstein & Wang (2004) doi:10.7155/jgaa.00081. Passing the same sources before
    and after a change pairs the two estimates.

    Reference: Watts & Strogatz (1998) doi:10.1038/30918 (characteristic path length).

    >>> import networkx as nx
    >>> giant_path_length(Network.from_networkx(nx.path_graph(4)))
    1.6666666666666667
    """
    g = net.graph
    giant = giant_component(net)
    if len(giant) < 2:
        return float("nan")
    sub = g if len(giant) == g.vcount() else g.induced_subgraph(giant)
    directed = g.is_directed()
    if sources is None:
        return float(sub.average_path_length(directed=directed, unconn=True))
    names = sub.vs["name"]
    index = {a: i for i, a in enumerate(names)}
    chosen = sorted({index[a] for a in sources if a in index})
    if not chosen:
        return float("nan")
    d = np.asarray(sub.distances(source=chosen, mode="out" if directed else "all"), dtype=float)
    ok = np.isfinite(d) & (d > 0)
    return float(d[ok].mean()) if ok.any() else float("nan")

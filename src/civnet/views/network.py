"""Network: a view of the workspace materialized as an igraph graph plus its tables.

The graph is simple: parallel ties between two actors (several tracks, kinds or periods) become
one edge whose ``weight`` is the sum of the ties' weights and ``n_ties`` their number. The view is
directed when any selected tie is directed; an undirected tie then becomes two opposite arcs, so
that paths may walk it both ways (``n_directed`` on an arc counts the directed ties behind it).
Vertex ``name`` is the civnet actor id (igraph looks vertices up by it); ``label`` is the
readable name. Vertices are ordered by id, so the same view gives the same graph.

Counting (docs/views.md, "What a view counts"): the graph's edges are *not* the view's size in a
mixed view. A view counts its actors, its **connected pairs** (unordered pairs of distinct actors
joined by at least one tie of any direction: the edges of ``nx.Graph`` of the view), its **arcs**
(ordered pairs (u, v) joined by at least one *directed* tie u -> v; undirected ties give none) and
its **tie records**. An actor's partners are the distinct actors it shares a tie with; its out- and
in-partners those reached by its directed ties only. :attr:`Network.pair_count`,
:attr:`Network.arc_count` and :meth:`Network.partner_counts` give them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import duckdb
import igraph as ig
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from civnet.sql import fetch_one
from civnet.store.workspace import Workspace
from civnet.views.arrays import numeric, written_edges
from civnet.views.spec import ViewSpec

if TYPE_CHECKING:
    import networkx as nx
from civnet.vocab import (
    AFFILIATION_KINDS,
    AFFILIATION_TYPES,
    CO_MEMBERSHIP_KIND,
    RANKED_LEVELS,
    actor_level,
)

VERTEX_ATTRS = ("label", "type", "country", "city", "lat", "lon", "level")

_ACTOR_COLUMNS = "id, name, type, country, city, lat, lon, level"

_VIEW_TIE_COLUMNS = "tie_id, source, target, track, kind, start_date, end_date, weight, directed, len(refs) AS n_refs"

_GRAPH_TIE_COLUMNS = "tie_id, source, target, weight, directed"
"""The ties' columns a view's graph is made of (:func:`_simple_edges`, in ``tie_id`` order)."""


@dataclass
class Network:
    """A materialized view: ``graph`` for the measures, ``actors``/``ties`` for tables."""

    graph: ig.Graph
    actors: pa.Table
    ties: pa.Table
    spec: ViewSpec = field(default_factory=ViewSpec)
    notes: list[str] = field(default_factory=list)
    _cache: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def directed(self) -> bool:
        """True when the view holds a directed tie (its graph then walks undirected ties both ways)."""
        return bool(self.graph.is_directed())

    def without_ties(self) -> Network:
        """This view without its tie table's rows (the columns kept): the same graph, actors,
        notes and derived counts, for a computation that reads only the graph (betweenness).
        The table of a million ties is about 70 MB of Arrow; the graph holds what paths need."""
        return Network(
            graph=self.graph,
            actors=self.actors,
            ties=pa.Table.from_batches([], schema=self.ties.schema),  # (empty_table imports pandas)
            spec=self.spec,
            notes=list(self.notes),
            _cache=self._cache,
        )

    # -- what the view counts -------------------------------------------------------------------
    def pair_edges(self) -> np.ndarray:
        """Connected pairs as an (m, 2) array of vertex indices ``u < v``, sorted.

        The unordered pairs of distinct actors joined by at least one tie, whatever its
        direction: the edges of ``nx.Graph`` of the view. A self-loop (only bootstrap
        replicates hold them) is no pair.
        """
        if "pairs" not in self._cache:
            el = self._edge_array(by_id=False)
            lo, hi = np.minimum(el[:, 0], el[:, 1]), np.maximum(el[:, 0], el[:, 1])
            keep = lo != hi
            n = max(self.graph.vcount(), 1)
            key = np.unique(lo[keep] * n + hi[keep])
            self._cache["pairs"] = np.column_stack([key // n, key % n]).astype(np.int64)
        return self._cache["pairs"]

    def arc_edges(self) -> np.ndarray:
        """Arcs as an (m, 2) array (u, v): ordered pairs with at least one directed tie u -> v.

        Undirected ties give no arc; a view without directed ties has none.
        """
        if "arcs" not in self._cache:
            g = self.graph
            # an undirected view has no arcs: its edge list is not read
            el = self._edge_array() if g.is_directed() else np.zeros((0, 2), np.int64)
            if not len(el):
                arcs = np.zeros((0, 2), np.int64)
            elif "n_directed" in g.es.attributes():
                arcs = el[np.asarray(g.es["n_directed"], dtype=np.int64) > 0]
            else:  # a graph built without tie records (interop): every arc is a directed tie
                arcs = el
            self._cache["arcs"] = arcs[(arcs[:, 0] != arcs[:, 1])] if len(arcs) else arcs
        return self._cache["arcs"]

    @property
    def pair_count(self) -> int:
        """Number of connected pairs (unordered; see :meth:`pair_edges`)."""
        return len(self.pair_edges())

    @property
    def arc_count(self) -> int:
        """Number of arcs (directed ties counted once per direction; see :meth:`arc_edges`)."""
        return len(self.arc_edges())

    def partner_counts(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per vertex: distinct partners, out-partners and in-partners (by directed ties).

        ``partners`` is the degree of ``nx.Graph`` of the view; ``out``/``in`` are the out- and
        in-degree of the ``nx.DiGraph`` of the view's directed ties alone (0 in a view without
        directed ties).
        """
        g = self.graph
        n = g.vcount()
        ae = self.arc_edges()
        if "pairs" in self._cache or not n:
            pe = self.pair_edges()
            partners = np.bincount(pe.ravel(), minlength=n) if len(pe) else np.zeros(n, np.int64)
        else:  # each vertex's distinct neighbours by any direction, itself left out: no pair list
            # (a 1M-edge view's pairs and their transients were about 50 MB)
            sizes = g.neighborhood_size(order=1, mode="all")
            partners = np.fromiter(sizes, dtype=np.int64, count=n) - 1
        out = np.bincount(ae[:, 0], minlength=n) if len(ae) else np.zeros(n, np.int64)
        into = np.bincount(ae[:, 1], minlength=n) if len(ae) else np.zeros(n, np.int64)
        return partners, out, into

    # -- actor levels ---------------------------------------------------------------------------
    def levels(self) -> list[str]:
        """Level of each vertex (:data:`civnet.vocab.ACTOR_LEVELS`), in vertex order.

        The actor's stored ``level``; where none is known (a graph from NetworkX, a workspace
        made before levels), the default of :func:`civnet.vocab.actor_level` from type and id.
        """
        if "levels" not in self._cache:
            g = self.graph
            attrs = set(g.vs.attributes()) if g.vcount() else set()
            stored = self.vertex_attr("level") if "level" in attrs else [None] * g.vcount()
            types = self.vertex_attr("type") if "type" in attrs else [None] * g.vcount()
            self._cache["levels"] = [
                lv or actor_level(t, i) for lv, t, i in zip(stored, types, self.ids, strict=True)
            ]
        return list(self._cache["levels"])

    def ranked(self, levels: tuple[str, ...] | None = RANKED_LEVELS) -> np.ndarray:
        """Boolean mask of the vertices a ranking lists: those whose level is in ``levels``
        (default organisations and cities; ``None``: every vertex)."""
        if levels is None:
            return np.ones(self.graph.vcount(), dtype=bool)
        return np.asarray([lv in levels for lv in self.levels()], dtype=bool)

    def _edge_array(self, by_id: bool = True) -> np.ndarray:
        """The graph's edges as an (m, 2) int64 array: in edge-id order (beside per-edge
        attributes), or with ``by_id=False`` in any order, which large graphs give without a
        Python tuple per edge (:func:`civnet.views.arrays.written_edges`)."""
        g = self.graph
        if not g.ecount():
            return np.zeros((0, 2), np.int64)
        if not by_id and g.ecount() > GRAPH_VIA_FILE:
            return written_edges(g)
        return np.asarray(g.get_edgelist(), dtype=np.int64)

    @property
    def ids(self) -> list[str]:
        return list(self.graph.vs["name"]) if self.graph.vcount() else []

    def vertex_attr(self, name: str) -> list[Any]:
        """Values of a vertex attribute in vertex order (``id`` is the actor id)."""
        if name == "id":
            return self.ids
        if self.graph.vcount() == 0:
            return []
        if name not in self.graph.vs.attributes():
            raise KeyError(name)
        return list(self.graph.vs[name])

    # -- construction -------------------------------------------------------------------------
    @classmethod
    def from_tables(
        cls,
        actors: pa.Table,
        ties: pa.Table,
        *,
        spec: ViewSpec | None = None,
        notes: list[str] | None = None,
    ) -> Network:
        """Build from an actor table (``id``, ``name``, ``type``, ``country``...) and ties.

        ``ties`` needs ``source``, ``target``, ``weight`` and ``directed``; actors are the nodes
        in the order of their ids. The edges are computed with Arrow and numpy and handed to
        igraph as one buffer: no Python object is made per tie or per edge (edge attributes are
        lists of references to the distinct values, :func:`_shared_values`).
        """
        actors, id_array = _in_id_order(actors)
        directed = _any_directed(ties)
        parts = _simple_edges(id_array, ties, directed) if ties.num_rows else None
        g = _edge_graph(len(id_array), parts, directed)
        del parts
        _name_vertices(g, actors, id_array)
        return cls(graph=g, actors=actors, ties=ties, spec=spec or ViewSpec(), notes=notes or [])

    @classmethod
    def from_networkx(cls, graph: nx.Graph, **node_defaults: Any) -> Network:
        """Build from a NetworkX graph (tests and interop); node keys become string ids.

        Node attributes ``type``, ``country``, ``name``, ``level`` are used when present; edge
        ``weight`` defaults to 1.
        """
        nodes = list(graph.nodes(data=True))
        actors = pa.table(
            {
                "id": [str(n) for n, _ in nodes],
                "name": [str(d.get("name", n)) for n, d in nodes],
                "type": [d.get("type", node_defaults.get("type", "cso")) for _, d in nodes],
                "country": [d.get("country", node_defaults.get("country")) for _, d in nodes],
                "level": pa.array(
                    [d.get("level", node_defaults.get("level")) for _, d in nodes], pa.string()
                ),
            }
        )
        edges = list(graph.edges(data=True))
        ties = pa.table(
            {
                "source": [str(u) for u, _, _ in edges],
                "target": [str(v) for _, v, _ in edges],
                "weight": pa.array(
                    [float(d.get("weight", 1.0)) for _, _, d in edges], pa.float64()
                ),
                "directed": pa.array([graph.is_directed()] * len(edges), pa.bool_()),
                "track": [d.get("track", "general") for _, _, d in edges],
                "kind": [d.get("kind", "other") for _, _, d in edges],
            }
        )
        net = cls.from_tables(actors, ties)
        if graph.is_directed() and not net.directed:
            net.graph.to_directed(mode="mutual")
        return net

    def to_networkx(self) -> nx.Graph:
        """The simple graph as NetworkX (node keys are actor ids; attributes kept)."""
        g = self.graph
        import networkx as nx

        out: nx.Graph = nx.DiGraph() if self.directed else nx.Graph()
        attrs = [a for a in g.vs.attributes() if a != "name"]
        for v in g.vs:
            out.add_node(v["name"], **{a: v[a] for a in attrs if v[a] is not None})
        names = self.ids
        for e in g.es:
            out.add_edge(names[e.source], names[e.target], weight=e["weight"], n_ties=e["n_ties"])
        return out


def _in_id_order(actors: pa.Table) -> tuple[pa.Table, pa.Array]:
    """The actors sorted by id (the vertices' order), and their ids as one array."""
    actors = actors.sort_by("id") if actors.num_rows else actors
    ids = actors.column("id").combine_chunks() if actors.num_rows else pa.nulls(0, pa.string())
    return actors, ids


def _any_directed(ties: pa.Table) -> bool:
    """Whether the view is directed: one directed tie makes it so (docs/views.md)."""
    return bool(ties.num_rows and pc.any(ties.column("directed")).as_py())


def _tie_arrays(
    ids: pa.Array, ties: pa.Table
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Each tie's ends as vertex indices (int32), its weight and whether it is directed: what
    the graph is made of, about half the bytes of the ties' Arrow columns."""
    src = _positions(ties.column("source"), ids)
    dst = _positions(ties.column("target"), ids)
    w = numeric(ties.column("weight")).astype(float)
    tie_directed = numeric(ties.column("directed")).astype(bool)
    return src, dst, w, tie_directed


def _simple_edges(
    ids: pa.Array, ties: pa.Table, directed: bool, *, tie_counts: bool = True
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, np.ndarray | None]:
    """:func:`_collapse` of the ties' :func:`_tie_arrays`."""
    return _collapse(*_tie_arrays(ids, ties), len(ids), directed, tie_counts=tie_counts)


def _collapse(
    src: np.ndarray,
    dst: np.ndarray,
    w: np.ndarray,
    tie_directed: np.ndarray,
    n_vertices: int,
    directed: bool,
    *,
    tie_counts: bool = True,
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, np.ndarray | None]:
    """Collapse ties into simple edges, in a stable order (sorted by endpoint indices).

    Returns the edges as an (m, 2) int32 array of vertex indices, the sum of their ties'
    weights, the number of ties (``tie_counts``, else None) and, in a directed view, the number
    of those that are directed (an undirected tie in a directed view gives one arc each way;
    None in an undirected view), all numpy arrays.
    """
    if directed:
        back = ~tie_directed
        src, dst, w = (
            np.concatenate([src, dst[back]]),
            np.concatenate([dst, src[back]]),
            np.concatenate([w, w[back]]),
        )
        is_arc = np.concatenate([tie_directed, np.zeros(int(back.sum()), dtype=bool)])
    else:
        src, dst = np.minimum(src, dst), np.maximum(src, dst)
        is_arc = None
    n = max(n_vertices, 1)
    key = np.multiply(src, n, dtype=np.int64)
    key += dst
    del src, dst
    uniq, inverse = np.unique(key, return_inverse=True)
    del key
    weights = np.bincount(inverse, weights=w, minlength=len(uniq))
    counts = np.bincount(inverse, minlength=len(uniq)) if tie_counts else None
    n_directed = (
        np.bincount(inverse[is_arc], minlength=len(uniq)).astype(np.int64)
        if is_arc is not None
        else None
    )
    del inverse
    edges = np.empty((len(uniq), 2), dtype=np.int32)
    np.floor_divide(uniq, n, out=edges[:, 0], casting="unsafe")
    np.remainder(uniq, n, out=edges[:, 1], casting="unsafe")
    return edges, weights, counts, n_directed


def _edge_graph(
    n: int,
    parts: tuple[np.ndarray, np.ndarray, np.ndarray | None, np.ndarray | None] | None,
    directed: bool,
) -> ig.Graph:
    """The view's igraph graph on ``n`` vertices from :func:`_collapse`'s ``parts`` (None: no
    ties): edge attributes ``weight``, ``n_ties`` (when counted) and, directed, ``n_directed``."""
    if parts is None:
        return ig.Graph(n=n, directed=directed)
    edges, weights, counts, n_directed = parts
    g = _graph(n, edges, directed)
    del edges
    g.es["weight"] = _shared_values(weights)
    if counts is not None:
        g.es["n_ties"] = counts.tolist()  # small integers: CPython shares them
    if n_directed is not None:
        g.es["n_directed"] = n_directed.tolist()
    return g


def _name_vertices(g: ig.Graph, actors: pa.Table, ids: pa.Array) -> None:
    """The vertices' ``name`` (the actor ids) and the actors' attributes of
    :data:`~civnet.vocab.VERTEX_ATTRS` (``label`` from the actors' names)."""
    if not len(ids):
        return
    names = ids.to_pylist()
    g.vs["name"] = names
    cols = set(actors.column_names)
    for attr in VERTEX_ATTRS:
        src = "name" if attr == "label" else attr
        if src in cols:
            column = actors.column(src)
            g.vs[attr] = _labels(column, ids, names) if attr == "label" else _shared_column(column)


GRAPH_VIA_FILE = 100_000
"""Views with more edges than this hand them to igraph through a temporary edge-list file
(:func:`_graph`)."""


def _graph(n: int, edges: np.ndarray, directed: bool) -> ig.Graph:
    """The igraph graph on ``n`` vertices with ``edges`` (an (m, 2) integer array), edge ids in
    the array's order.

    igraph copies an edge buffer through a path that holds about 160 bytes an edge at once (160
    MB at a million edges, more than the finished graph's 45 MB); read from a text edge list it
    holds about 60 MB. Large views write their edges with numpy (in C) into a temporary file
    and read it with :meth:`igraph.Graph.Read_Edgelist`: the same graph, the same edge ids.
    """
    if len(edges) <= GRAPH_VIA_FILE:
        return ig.Graph(n=n, edges=edges, directed=directed)
    import tempfile

    with tempfile.TemporaryFile("w+b") as f:
        np.ascontiguousarray(edges).tofile(f, sep=" ", format="%d")
        f.flush()
        f.seek(0)
        g = ig.Graph.Read_Edgelist(f, directed=directed)
    if g.vcount() < n:
        g.add_vertices(n - g.vcount())
    return g


def _shared_values(values: np.ndarray) -> list[Any]:
    """``values`` as a list whose equal entries are one Python object.

    igraph keeps an edge attribute as a Python list; filled from ``tolist()`` it would hold one
    float object per edge (24 bytes each beside the 8-byte reference). Weights are mostly a few
    distinct numbers (counts of ties), so the list references one object per distinct value.
    """
    uniq, inverse = np.unique(values, return_inverse=True)
    shared = np.empty(len(uniq), dtype=object)
    shared[:] = uniq.tolist()
    return list(shared[inverse].tolist())


def _labels(column: pa.ChunkedArray, ids: pa.Array, names: list[str]) -> list[Any]:
    """The actors' readable names, in vertex order; a name equal to the actor's id is the id's
    own string object (actors without a name of their own, as from NetworkX: one string per
    actor instead of two)."""
    if column.type != ids.type:
        return column.to_pylist()
    same = pc.equal(column, ids)
    match = numeric(pc.and_kleene(same, pc.is_valid(same)))  # a missing name is no match
    if match.all():
        return list(names)
    labels = column.to_pylist()
    for i in np.flatnonzero(match).tolist():
        labels[i] = names[i]
    return labels


def _shared_column(column: pa.ChunkedArray) -> list[Any]:
    """An Arrow column as a list whose equal entries are one Python object (as
    :func:`_shared_values`): a million actors share a few types, levels and countries."""
    encoded = pc.dictionary_encode(column.combine_chunks())
    shared = np.empty(len(encoded.dictionary) + 1, dtype=object)
    shared[:-1] = encoded.dictionary.to_pylist()
    shared[-1] = None
    index = numeric(encoded.indices, null=len(encoded.dictionary))
    return list(shared[index].tolist())


def _positions(column: pa.ChunkedArray, ids: pa.Array) -> np.ndarray:
    """Vertex index of each value of ``column`` in ``ids`` (vectorized with Arrow), int32."""
    if column.type != pa.string():
        column = column.cast(pa.string())
    pos = pc.index_in(column, value_set=ids)
    if pos.null_count:
        missing = pc.filter(column, pc.is_null(pos))[0]
        raise KeyError(f"tie endpoint {missing} is not an actor of the view")
    return numeric(pos).astype(np.int32)


# -- building a view from the workspace ---------------------------------------------------------


def timeless_notes(con: Any, spec: ViewSpec) -> list[str]:
    """The note a period view carries when ties without a start date (which no period holds)
    were left out: how many of the ties passing the view's other filters have none."""
    other_where, other_params = _attribute_filters(spec)
    row = fetch_one(
        con,
        "SELECT count(*) FROM ties WHERE " + " AND ".join(["start_date IS NULL", *other_where]),
        other_params,
    )
    n_timeless = int(row[0]) if row else 0
    if not n_timeless:
        return []
    return [
        f"{n_timeless:,} timeless ties (no start date) left out of the period; "
        "--include-timeless keeps them"
    ]


def build_network(
    ws: Workspace, spec: ViewSpec | None = None, *, graph_only: bool = False, close: bool = False
) -> Network:
    """Select, reshape and materialize a view of the workspace (see :mod:`civnet.views.spec`).

    ``graph_only``: for a computation that reads only the graph (betweenness), the view reads
    only the ties' columns the graph is made of (a million ties' kinds, tracks, dates and
    references were about 50 MB of Arrow while the graph was built) and keeps no rows in its
    actor and tie tables, nor the per-edge tie counts (``n_ties``): the same graph, vertex
    attributes, edge weights and notes (200k actors / 1M ties: about 30 MB less held).

    ``close``: the caller is done with ``ws``: it is closed as soon as its tables are read, so
    that DuckDB's memory is given back before the graph's is taken (about 40 MB at 1M ties).
    """
    spec = spec or ViewSpec()
    con = ws.con
    notes: list[str] = []
    period_where, period_params = _period_filter(spec)
    other_where, other_params = _attribute_filters(spec)
    where, params = period_where + other_where, period_params + other_params

    if spec.has_period and not spec.include_timeless:
        notes.extend(timeless_notes(con, spec))

    lean = graph_only and not spec.project and spec.level != "country"
    sql = f"SELECT {_GRAPH_TIE_COLUMNS if lean else _VIEW_TIE_COLUMNS} FROM ties"
    if where:
        sql += " WHERE " + " AND ".join(where)
    if spec.project:
        con.execute(f"CREATE OR REPLACE TEMP TABLE _v_ties0 AS {sql}", params)
        _project(con, notes)
        tie_source, tparams = "_v_ties1", []
    else:  # read straight from the store: no copy of the selected ties
        tie_source, tparams = f"({sql})", params

    actor_src = _actor_source(ws)
    actor_where = []
    aparams: list[Any] = []
    if spec.actor_types:
        actor_where.append(f"type IN ({_ph(spec.actor_types)})")
        aparams.extend(spec.actor_types)
    if spec.actor_levels:
        actor_where.append(f"level IN ({_ph(spec.actor_levels)})")
        aparams.extend(spec.actor_levels)
    view_actors = actor_src
    tie_sql = f"SELECT t.* FROM {tie_source} t WHERE true"
    if actor_where:  # without an actor filter every tie's ends are actors (the store checks)
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE _v_actors AS SELECT * FROM {actor_src} WHERE "
            + " AND ".join(actor_where),
            aparams,
        )
        view_actors = "_v_actors"
        tie_sql += (
            " AND t.source IN (SELECT id FROM _v_actors) AND t.target IN (SELECT id FROM _v_actors)"
        )
    cparams: list[Any] = []
    if spec.countries:
        tie_sql += (
            f" AND (t.source IN (SELECT id FROM actors WHERE country IN ({_ph(spec.countries)}))"
            f" OR t.target IN (SELECT id FROM actors WHERE country IN ({_ph(spec.countries)})))"
        )
        cparams = list(spec.countries) * 2
    ties = _by_tie_id(con.sql(tie_sql, params=tparams + cparams).to_arrow_table())

    # the actors at the ties' ends, found with Arrow (DuckDB would copy every tie to scan them)
    ends = pc.unique(
        pa.chunked_array(
            ties.column("source").chunks + ties.column("target").chunks, type=pa.string()
        )
    )
    con.register("_sel", pa.table({"id": ends}))
    try:
        actor_sql = f"SELECT {_ACTOR_COLUMNS} FROM {actor_src} WHERE id IN (SELECT id FROM _sel)"
        acp: list[Any] = []
        if spec.all_actors:
            kept = f"SELECT {_ACTOR_COLUMNS} FROM {view_actors}"
            if spec.countries:
                kept += f" WHERE country IN ({_ph(spec.countries)})"
                acp = list(spec.countries)
            actor_sql = f"{kept} UNION {actor_sql}"
        actors = con.sql(actor_sql + " ORDER BY id", params=acp).to_arrow_table()
    finally:
        con.unregister("_sel")
    for temp in ("_v_ties0", "_v_ties1", "_v_aff", "_v_actors"):
        con.execute(f"DROP TABLE IF EXISTS {temp}")

    if spec.level == "country":
        actors, ties = _country_level(con, actors, ties, notes)
    if close:
        ws.close()
    if not graph_only:
        return Network.from_tables(actors, ties, spec=spec, notes=notes)
    # the graph alone: the ties' Arrow columns are let go once their arrays are read, and the
    # arrays once collapsed into edges, before igraph builds the graph (its peak)
    actors, ids = _in_id_order(actors)
    directed = _any_directed(ties)
    tie_schema = ties.schema
    arrays = _tie_arrays(ids, ties) if ties.num_rows else None
    del ties
    parts = _collapse(*arrays, len(ids), directed, tie_counts=False) if arrays else None
    del arrays
    g = _edge_graph(len(ids), parts, directed)
    del parts
    _name_vertices(g, actors, ids)
    return Network(
        graph=g,
        actors=pa.Table.from_batches([], schema=actors.schema),  # the graph holds them
        ties=pa.Table.from_batches([], schema=tie_schema),  # (empty_table imports pandas)
        spec=spec,
        notes=notes,
    )


def _by_tie_id(ties: pa.Table) -> pa.Table:
    """``ties`` ordered by ``tie_id`` (nulls last).

    The store numbers ties in the order it inserts them, so a scan usually reads them in order:
    they are sorted here only when not, instead of by DuckDB (whose sort of ten million ties
    would hold them twice).
    """
    ids = ties.column("tie_id")
    if ties.num_rows < 2:
        return ties
    arr = numeric(ids) if not ids.null_count else None
    if arr is not None and bool(np.all(arr[1:] >= arr[:-1])):
        return ties
    return ties.sort_by([("tie_id", "ascending")])


def _actor_source(ws: Workspace) -> str:
    """The table to read actors from: ``actors``, or for a read-only workspace made before
    actor levels a temp copy with each actor's default level (:func:`civnet.vocab.actor_level`)
    where none is stored."""
    if ws.has_actor_levels():
        return "actors"
    con = ws.con
    ids_types = con.sql(
        "SELECT id, type FROM actors" + (" WHERE level IS NULL" if ws.has_level_column() else "")
    ).to_arrow_table()
    levels = [
        actor_level(t, i)
        for i, t in zip(
            ids_types.column("id").to_pylist(), ids_types.column("type").to_pylist(), strict=True
        )
    ]
    con.register("_lv", ids_types.append_column("level", pa.array(levels, pa.string())))
    try:
        if ws.has_level_column():
            con.execute(
                """CREATE OR REPLACE TEMP TABLE _v_actor_src AS
                   SELECT a.* REPLACE (coalesce(a.level, l.level) AS level)
                   FROM actors a LEFT JOIN _lv l ON l.id = a.id"""
            )
        else:
            con.execute(
                """CREATE OR REPLACE TEMP TABLE _v_actor_src AS
                   SELECT a.*, l.level FROM actors a JOIN _lv l ON l.id = a.id"""
            )
    finally:
        con.unregister("_lv")
    return "_v_actor_src"


def _ph(values: tuple[str, ...] | list[str]) -> str:
    return ", ".join("?" for _ in values)


def _period_filter(spec: ViewSpec) -> tuple[list[str], list[Any]]:
    if not spec.has_period:
        return [], []
    lo = spec.date_from or dt.date(1, 1, 1)
    hi = spec.date_to or dt.date(9999, 12, 31)
    started = (
        "(start_date IS NULL OR start_date <= ?)" if spec.include_timeless else "start_date <= ?"
    )
    return [started, "(end_date IS NULL OR end_date >= ?)"], [hi, lo]


def _attribute_filters(spec: ViewSpec) -> tuple[list[str], list[Any]]:
    where: list[str] = []
    params: list[Any] = []
    if spec.tracks:
        where.append(f"track IN ({_ph(spec.tracks)})")
        params.extend(spec.tracks)
    if spec.kinds:
        where.append(f"kind IN ({_ph(spec.kinds)})")
        params.extend(spec.kinds)
    return where, params


def _project(con: duckdb.DuckDBPyConnection, notes: list[str]) -> None:
    """Replace affiliation ties by co-membership ties between the members (one-mode projection).

    Two members a, b of the same network/igo/forum get one undirected tie whose weight is the
    number of affiliations they share; its track is the affiliations' track when they agree,
    else ``general``. Affiliation hubs leave the view with their other ties.
    """
    hub_types = ", ".join(f"'{t}'" for t in AFFILIATION_TYPES)
    aff_kinds = ", ".join(f"'{k}'" for k in AFFILIATION_KINDS)
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE _v_aff AS
            SELECT DISTINCT
              CASE WHEN a.type IN ({hub_types}) THEN t.target ELSE t.source END AS member,
              CASE WHEN a.type IN ({hub_types}) THEN t.source ELSE t.target END AS hub,
              t.track
            FROM _v_ties0 t JOIN actors a ON a.id = t.source JOIN actors b ON b.id = t.target
            WHERE t.kind IN ({aff_kinds})
              AND (a.type IN ({hub_types}) OR b.type IN ({hub_types}))"""
    )
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE _v_ties1 AS
            SELECT t.* FROM _v_ties0 t
            WHERE t.source NOT IN (SELECT hub FROM _v_aff)
              AND t.target NOT IN (SELECT hub FROM _v_aff)
            UNION ALL
            SELECT NULL::BIGINT AS tie_id, x.member AS source, y.member AS target,
                   CASE WHEN count(DISTINCT x.track) = 1 THEN any_value(x.track)
                        ELSE 'general' END AS track,
                   '{CO_MEMBERSHIP_KIND}' AS kind, NULL::DATE AS start_date,
                   NULL::DATE AS end_date, count(DISTINCT x.hub)::DOUBLE AS weight,
                   false AS directed, count(DISTINCT x.hub)::BIGINT AS n_refs
            FROM _v_aff x JOIN _v_aff y ON x.hub = y.hub AND x.member < y.member
            GROUP BY x.member, y.member"""
    )
    row = fetch_one(con, "SELECT count(DISTINCT hub) FROM _v_aff")
    notes.append(f"co-membership projection over {int(row[0]) if row else 0:,} affiliation hubs")


def _country_level(
    con: duckdb.DuckDBPyConnection, actors: pa.Table, ties: pa.Table, notes: list[str]
) -> tuple[pa.Table, pa.Table]:
    """Aggregate actors into countries: weight = number of ties between two countries."""
    from civnet.countries import country_name

    con.register("_ca", actors)
    con.register("_ct", ties)
    try:
        agg = con.sql(
            """WITH c AS (
                 SELECT a.country AS s, b.country AS t, x.directed
                 FROM _ct x JOIN _ca a ON a.id = x.source JOIN _ca b ON b.id = x.target)
               SELECT
                 CASE WHEN NOT directed AND t < s THEN t ELSE s END AS source,
                 CASE WHEN NOT directed AND t < s THEN s ELSE t END AS target,
                 directed, count(*)::DOUBLE AS weight,
                 'general' AS track, 'aggregate' AS kind
               FROM c WHERE s IS NOT NULL AND t IS NOT NULL AND s <> t
               GROUP BY ALL ORDER BY source, target"""
        ).to_arrow_table()
        row = fetch_one(
            con,
            """SELECT count(*) FILTER (WHERE a.country = b.country),
                      count(*) FILTER (WHERE a.country IS NULL OR b.country IS NULL)
               FROM _ct x JOIN _ca a ON a.id = x.source JOIN _ca b ON b.id = x.target""",
        )
        codes = con.execute(
            "SELECT DISTINCT country FROM _ca WHERE country IS NOT NULL ORDER BY country"
        ).fetchall()
    finally:
        con.unregister("_ca")
        con.unregister("_ct")
    domestic, unknown = (int(row[0] or 0), int(row[1] or 0)) if row else (0, 0)
    notes.append(
        f"country level: {domestic:,} domestic ties left out"
        + (f", {unknown:,} ties with an actor of unknown country left out" if unknown else "")
    )
    ids = [c[0] for c in codes]
    country_actors = pa.table(
        {
            "id": ids,
            "name": [country_name(c) for c in ids],
            "type": ["country"] * len(ids),
            "country": ids,
            "level": ["country"] * len(ids),
        }
    )
    return country_actors, agg

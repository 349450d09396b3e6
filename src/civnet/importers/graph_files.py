"""Import GraphML and GEXF files (read through NetworkX, validated like tables).

Nodes become actors: the node id is the actor id; attributes ``type`` and ``country`` are
required (``default_type``/``default_country`` fill them when a file has none, e.g. from Gephi),
``label``/``name``, ``city``, ``lat``, ``lon`` are used and other attributes kept. Edges become
ties: ``weight``, ``track``, ``kind``, ``start``/``end`` (GEXF spells too) are read; ``directed``
comes from the graph (GEXF edges may override it). Node and edge rows in messages are 1-based in
file order.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import duckdb
import networkx as nx
import pyarrow as pa

from civnet.errors import InputFileError
from civnet.importers.batch import ACTOR_SCHEMA, TIE_SCHEMA, Batch, IngestReport, Sink, file_sha256
from civnet.importers.reading import (
    bounded_memory,
    check_file,
    check_no_nul,
    clean_column_names,
    fail_on_rejects,
    settle_rejects,
)
from civnet.importers.tables import (
    drop_staged,
    fatal_reasons,
    prefix_rows,
    set_known_actors,
    validate_actors,
    validate_ties,
)

READERS = {"graphml": nx.read_graphml, "gexf": nx.read_gexf}


def _text(v: Any) -> str | None:
    if v is None:
        return None
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def _open(v: Any) -> Any:
    """NetworkX reads an open GEXF bound as None or the string 'None'; both mean open."""
    return None if v is None or (isinstance(v, str) and v.strip() in ("", "None")) else v


def _spell(d: Mapping[str, Any]) -> tuple[Any, Any]:
    """Start and end of a GEXF edge: its own attributes, else the hull of its spells.

    With several spells the tie spans from the earliest start to the latest end (open when any
    spell is open-ended): civnet keeps one tie per edge of a graph file.
    """
    start, end = _open(d.get("start")), _open(d.get("end"))
    spells = d.get("spells")
    if start is None and end is None and spells:
        starts = [_open(a) for a, _ in spells]
        ends = [_open(b) for _, b in spells]
        start = None if any(x is None for x in starts) else min(starts, key=str)
        end = None if any(x is None for x in ends) else max(ends, key=str)
    return start, end


def _temp_table(con: duckdb.DuckDBPyConnection, name: str, table: pa.Table, where: Path) -> None:
    """Temp table ``name`` from ``table``'s text columns, ``_row`` as an integer (as load_table)."""
    con.register(f"{name}_arrow", table)
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {name} AS "
        f"SELECT * EXCLUDE (_row), CAST(_row AS BIGINT) AS _row FROM {name}_arrow"
    )
    con.unregister(f"{name}_arrow")
    check_no_nul(con, name, [c for c in table.column_names if c != "_row"], where)


def read_graph_file(
    ws: Sink,
    path: str | Path,
    fmt: str,
    *,
    default_type: str | None = None,
    default_country: str | None = None,
    skip_bad_rows: bool = False,
) -> Batch:
    p = check_file(path)
    try:
        g = READERS[fmt](p)
    except Exception as exc:  # the readers raise many kinds of parse errors
        raise InputFileError(
            f"cannot be read as {fmt}: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}",
            where=str(p),
            fix=f"check that the file is valid {fmt.upper()}",
        ) from None
    if g.number_of_nodes() == 0:
        raise InputFileError("the graph has no nodes", where=str(p), fix="export a non-empty graph")
    con = ws.con
    nodes = list(g.nodes(data=True))
    keys = sorted({k for _, d in nodes for k in d} - {"id"})
    clean = clean_column_names(["id", *keys], p, "node attribute")
    node_cols: dict[str, list[str | None]] = {"id": [str(n) for n, _ in nodes]}
    for k, name in zip(keys, clean[1:], strict=True):
        node_cols[name] = [_text(d.get(k)) for _, d in nodes]
    if "name" not in node_cols and "label" in node_cols:
        node_cols["name"] = node_cols.pop("label")
    if "type" not in node_cols or default_type:
        node_cols["type"] = [x or default_type for x in node_cols.get("type", [None] * len(nodes))]
    if "country" not in node_cols or default_country:
        node_cols["country"] = [
            x or default_country for x in node_cols.get("country", [None] * len(nodes))
        ]
    node_cols["_row"] = [str(i + 1) for i in range(len(nodes))]
    _temp_table(con, "_ia", pa.table(node_cols), p)
    actors, arj = validate_actors(con, p, [c for c in node_cols if c != "_row"], {})
    if not skip_bad_rows:
        fail_on_rejects(arj, p)
    set_known_actors(con, actors)

    edges = list(g.edges(data=True))
    directed = g.is_directed()
    ekeys = sorted(
        {k for _, _, d in edges for k in d} - {"id", "spells", "start", "end", "directed", "label"}
    )
    ecols: dict[str, list[str | None]] = {
        "source": [str(u) for u, _, _ in edges],
        "target": [str(v) for _, v, _ in edges],
        "directed": [_text(d.get("directed", directed)) for _, _, d in edges],
        "start": [_text(_spell(d)[0]) for _, _, d in edges],
        "end": [_text(_spell(d)[1]) for _, _, d in edges],
    }
    eclean = clean_column_names([*ecols, *ekeys], p, "edge attribute")[len(ecols) :]
    for k, name in zip(ekeys, eclean, strict=True):
        ecols[name] = [_text(d.get(k)) for _, _, d in edges]
    ecols["_row"] = [str(i + 1) for i in range(len(edges))]
    schema = pa.schema([(k, pa.string()) for k in ecols])
    _temp_table(con, "_it", pa.table(ecols, schema=schema), p)
    ties, trj = validate_ties(con, p, [c for c in ecols if c != "_row"], {})
    rejects = pa.concat_tables([prefix_rows(arj, "node"), prefix_rows(trj, "edge")])
    settle_rejects(rejects, p, skip_bad_rows=skip_bad_rows, fatal_reasons=fatal_reasons(rejects))
    return Batch(
        name=p.name,
        path=str(p),
        sha256=file_sha256(p),
        importer=fmt,
        actors=ACTOR_SCHEMA.empty_table(),
        ties=TIE_SCHEMA.empty_table(),
        rows_read=len(nodes) + len(edges),
        rejects=rejects,
        actors_sql=actors,
        ties_sql=ties,
        release=lambda: drop_staged(con),
    )


def import_graph_file(ws: Sink, path: str | Path, fmt: str, **options: Any) -> IngestReport:
    """Validate and store a GraphML or GEXF file; all-or-nothing."""
    with bounded_memory(ws.con):
        try:
            return ws.ingest([read_graph_file(ws, path, fmt, **options)])[0]
        finally:
            drop_staged(ws.con)

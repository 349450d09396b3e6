"""Write a view to GraphML, GEXF or CSV, atomically (a temp file renamed into place).

Node ids in every file are the civnet actor ids that the measures report; edges are the view's
simple edges with ``weight`` (sum of tie weights) and ``n_ties``. The files open in NetworkX,
igraph and Gephi.
"""

from __future__ import annotations

import csv
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import networkx as nx

from civnet.errors import BadFilter, UserError
from civnet.views.network import Network

EXPORT_FORMATS = ("graphml", "gexf", "csv")


@contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """Yield a temp path beside ``path``; rename it onto ``path`` only if the block succeeds."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _write_graphml(g: nx.Graph, p: Path) -> None:
    nx.write_graphml(g, p, named_key_ids=True)


def _write_gexf(g: nx.Graph, p: Path) -> None:
    nx.write_gexf(g, p)


WRITERS: dict[str, Callable[[nx.Graph, Path], None]] = {
    "graphml": _write_graphml,
    "gexf": _write_gexf,
}


def export_network(net: Network, fmt: str, path: str | Path) -> list[Path]:
    """Write ``net`` as ``fmt``; return the files written."""
    fmt = fmt.lower()
    if fmt not in EXPORT_FORMATS:
        raise BadFilter(
            f"unknown export format {fmt!r}", fix=f"use one of: {', '.join(EXPORT_FORMATS)}"
        )
    path = Path(path)
    if path.is_dir():
        raise UserError("is a folder", where=str(path), fix="give a file name")
    if fmt == "csv":
        return _export_csv(net, path)
    g = net.to_networkx()
    with atomic_path(path) as tmp:
        WRITERS[fmt](g, tmp)
    return [path]


def _export_csv(net: Network, path: Path) -> list[Path]:
    stem = path.with_suffix("") if path.suffix.lower() == ".csv" else path
    nodes_p = stem.with_name(stem.name + ".nodes.csv")
    edges_p = stem.with_name(stem.name + ".edges.csv")
    g = net.graph
    attrs = [a for a in g.vs.attributes() if a != "name"]
    with atomic_path(nodes_p) as tmp, open(tmp, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["id", *attrs])
        for v in g.vs:
            w.writerow([v["name"], *(v[a] for a in attrs)])
    ids = net.ids
    with atomic_path(edges_p) as tmp, open(tmp, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["source", "target", "weight", "n_ties", "directed"])
        for e in g.es:
            w.writerow([ids[e.source], ids[e.target], e["weight"], e["n_ties"], net.directed])
    return [nodes_p, edges_p]

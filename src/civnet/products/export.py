"""Write a view to GEXF 1.3 (dynamic), GraphML, node-link JSON or CSV, atomically.

Every format carries the same content:

- nodes: the civnet actor id (always a string, never re-typed), ``label`` and the actor
  attributes ``type``, ``country``, ``city`` (strings), ``lat``, ``lon`` (doubles);
- edges: the view's simple edges (parallel ties merged, as the measures see them) with
  ``weight`` (double, sum of tie weights), ``n_ties`` (integer), ``tracks`` and ``kinds``
  (strings, the distinct values joined by ``;``), ``start`` and ``end`` (ISO dates of the earliest
  start and the latest end; empty when unknown or ongoing) and the edge's *spells*: the union of
  its ties' periods, one interval per run of overlapping ties.

A tie without a start date is timeless: an edge with such a tie is present at every time and has
no spell. A tie without an end is ongoing: its spell has a start and no end. A node's spells are
the union of its edges' spells (none when one of its edges is timeless), so Gephi's timeline shows
an actor from its first tie on.

Defects users meet with other tools' files, which these writers avoid (each pinned by a test in
``tests/test_export.py``):

- dynamic GEXF that readers refuse: we write GEXF 1.3 with ``mode="dynamic"``,
  ``timeformat="date"``, ``timerepresentation="interval"`` and ``<spells>``, checked by parsing it
  back with NetworkX (NetworkX itself writes only 1.2draft);
- one GraphML key with several types (an attribute int on some nodes, float on others) that
  igraph refuses: every key has one declared type, from the schema above, whatever the values;
- ids turned into numbers or re-typed strings ("007" read back as 7): ids are written as given and
  declared as strings.

Files are written atomically (a temp file beside the target, renamed into place), and only over
a regular file: a folder, FIFO, device node or symbolic link at the path is refused.

Text from input is made safe for the programs that open these files (docs/security.md):

- CSV: a text cell beginning with ``=``, ``+``, ``-``, ``@``, tab or carriage return is written with
  a leading ``'`` so that a spreadsheet shows it instead of running it as a formula (on by default;
  ``spreadsheet_safe=False``, ``civnet export --no-spreadsheet-safe``, writes cells as they are);
  numeric columns (weight, lat, lon, n_ties) are numbers and never changed;
- GEXF/GraphML: characters XML 1.0 cannot hold (NUL and the other control characters but tab,
  newline and carriage return; U+FFFE, U+FFFF; lone surrogates) are written as U+FFFD, so the file
  is always well-formed;
- JSON: a weight, latitude or longitude that is not finite is written as ``null``; the file never
  contains ``NaN`` or ``Infinity``, which JSON does not have.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import math
import os
import re
import stat
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from civnet import __version__
from civnet.errors import BadFilter, UserError
from civnet.products.results.node_measures import NODE_MEASURES, node_measures
from civnet.views.network import Network

EXPORT_FORMATS = ("gexf", "graphml", "json", "csv")

GEXF_NS = "http://gexf.net/1.3"
GEXF_VIZ_NS = "http://gexf.net/1.3/viz"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
GRAPHML_NS = "http://graphml.graphdrawing.org/xmlns"

# attribute name -> (GEXF type, GraphML type)
NODE_ATTRS: dict[str, tuple[str, str]] = {
    "type": ("string", "string"),
    "country": ("string", "string"),
    "city": ("string", "string"),
    "lat": ("double", "double"),
    "lon": ("double", "double"),
    **NODE_MEASURES,
}
EDGE_ATTRS: dict[str, tuple[str, str]] = {
    "n_ties": ("integer", "int"),
    "tracks": ("string", "string"),
    "kinds": ("string", "string"),
    "start": ("string", "string"),
    "end": ("string", "string"),
}

Spell = tuple[str, str | None]

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet read a CSV cell as a formula (OWASP, "CSV
Injection")."""

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def spreadsheet_cell(text: str) -> str:
    r"""A CSV text cell a spreadsheet shows as text: ``'`` before a formula's first character.

    >>> spreadsheet_cell("=HYPERLINK(\"http://x\")"), spreadsheet_cell("Paris")
    ('\'=HYPERLINK("http://x")', 'Paris')
    """
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def xml_text(text: str) -> str:
    r"""``text`` with each character XML 1.0 cannot hold replaced by U+FFFD.

    >>> xml_text("a\x00b")
    'a\ufffdb'
    """
    return _NOT_XML.sub("\ufffd", text)


def _finite(x: Any) -> Any:
    """A float that is not finite as None (JSON null); anything else unchanged."""
    return None if isinstance(x, float) and not math.isfinite(x) else x


def check_replaceable(path: Path) -> None:
    """:class:`UserError` unless ``path`` is absent or a regular file (not a link, folder, FIFO
    or device): an export replaces a regular file and nothing else."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return
    if stat.S_ISREG(st.st_mode):
        return
    kind = (
        "a symbolic link"
        if stat.S_ISLNK(st.st_mode)
        else "a folder"
        if stat.S_ISDIR(st.st_mode)
        else "a FIFO"
        if stat.S_ISFIFO(st.st_mode)
        else "a device"
        if stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode)
        else "a socket"
        if stat.S_ISSOCK(st.st_mode)
        else "not a regular file"
    )
    raise UserError(
        f"is {kind}; an export only creates or replaces regular files",
        where=str(path),
        fix="give the name of a new or regular file",
    )


@contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """Yield a temp path beside ``path``; rename it onto ``path`` only if the block succeeds.

    The file gets the permissions of any new file (0666 less the umask), not the 0600 of a
    temp file.
    """
    check_replaceable(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# -- the content every format shares --------------------------------------------------------------


@dataclass
class ExportNode:
    id: str
    label: str
    attrs: dict[str, Any]
    spells: list[Spell] | None = None  # None: present at every time


@dataclass
class ExportEdge:
    source: str
    target: str
    weight: float
    n_ties: int
    tracks: list[str] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)
    spells: list[Spell] | None = None  # None: present at every time (a timeless tie)

    @property
    def start(self) -> str:
        return self.spells[0][0] if self.spells else ""

    @property
    def end(self) -> str:
        if not self.spells or self.spells[-1][1] is None:
            return ""
        return self.spells[-1][1] or ""

    def attrs(self) -> dict[str, Any]:
        return {
            "n_ties": self.n_ties,
            "tracks": ";".join(self.tracks),
            "kinds": ";".join(self.kinds),
            "start": self.start,
            "end": self.end,
        }


@dataclass
class ExportGraph:
    directed: bool
    view: str
    nodes: list[ExportNode]
    edges: list[ExportEdge]

    @property
    def dynamic(self) -> bool:
        return any(e.spells for e in self.edges)


def _iso(d: Any) -> str | None:
    if d is None:
        return None
    return d.isoformat() if isinstance(d, dt.date) else str(d)


def merge_spells(intervals: list[tuple[str, str | None]]) -> list[Spell]:
    """Union of closed intervals (ISO dates; end None = ongoing), sorted and merged.

    >>> merge_spells([("2001-01-01", "2003-12-31"), ("2002-05-01", None), ("1990-01-01", "1991-01-01")])
    [('1990-01-01', '1991-01-01'), ('2001-01-01', None)]
    """
    out: list[list[Any]] = []
    for start, end in sorted(intervals, key=lambda x: x[0]):
        if out and (out[-1][1] is None or start <= out[-1][1]):
            if out[-1][1] is not None and (end is None or end > out[-1][1]):
                out[-1][1] = end
            continue
        out.append([start, end])
    return [(s, e) for s, e in out]


def export_graph(net: Network, *, measures: bool = False) -> ExportGraph:
    """The view's nodes and simple edges with attributes and spells (see the module docstring).

    With ``measures`` every node also carries its measures
    (:mod:`civnet.products.results.node_measures`: partners, betweenness, PageRank, k-core...).
    """
    g = net.graph
    ids = net.ids
    vattrs = set(g.vs.attributes())
    directed = net.directed
    per_edge: dict[tuple[str, str], dict[str, Any]] = {}
    ties = net.ties
    cols = set(ties.column_names)
    n = ties.num_rows

    def col(name: str) -> list[Any]:
        return ties.column(name).to_pylist() if name in cols else [None] * n

    for s, t, tie_dir, track, kind, start, end in zip(
        col("source"),
        col("target"),
        col("directed"),
        col("track"),
        col("kind"),
        col("start_date"),
        col("end_date"),
        strict=True,
    ):
        if directed:
            keys = [(s, t)] if tie_dir else [(s, t), (t, s)]
        else:
            keys = [(s, t) if s <= t else (t, s)]
        for key in keys:
            rec = per_edge.setdefault(
                key, {"tracks": set(), "kinds": set(), "spans": [], "timeless": False}
            )
            if track:
                rec["tracks"].add(track)
            if kind:
                rec["kinds"].add(kind)
            if start is None:
                rec["timeless"] = True
            else:
                rec["spans"].append((_iso(start), _iso(end)))
    edges: list[ExportEdge] = []
    node_spans: dict[str, list[Spell]] = {}
    node_timeless: set[str] = set()
    for e in g.es:
        s, t = ids[e.source], ids[e.target]
        rec = per_edge.get((s, t)) or per_edge.get((t, s)) or {}
        timeless = rec.get("timeless", True) or not rec.get("spans")
        spells = None if timeless else merge_spells(rec["spans"])
        edges.append(
            ExportEdge(
                source=s,
                target=t,
                weight=float(e["weight"]),
                n_ties=int(e["n_ties"]),
                tracks=sorted(rec.get("tracks", ())),
                kinds=sorted(rec.get("kinds", ())),
                spells=spells,
            )
        )
        for a in (s, t):
            if spells is None:
                node_timeless.add(a)
            else:
                node_spans.setdefault(a, []).extend(spells)
    nodes = []
    extra = node_measures(net) if measures else [{} for _ in range(g.vcount())]
    for v in g.vs:
        vid = v["name"]
        attrs = {a: v[a] for a in NODE_ATTRS if a in vattrs and v[a] is not None}
        attrs.update(extra[v.index])
        spells = None
        if vid not in node_timeless and vid in node_spans:
            spells = merge_spells(node_spans[vid])
        label = v["label"] if "label" in vattrs and v["label"] else vid
        nodes.append(ExportNode(id=vid, label=str(label), attrs=attrs, spells=spells))
    return ExportGraph(directed=directed, view=net.spec.describe(), nodes=nodes, edges=edges)


# -- writers --------------------------------------------------------------------------------------


def _typed(value: Any, kind: str) -> str:
    if kind in ("double", "float"):
        return repr(float(value))
    if kind in ("integer", "int", "long"):
        return str(int(value))
    if kind == "boolean":
        return "true" if value else "false"
    return xml_text(str(value))


def write_gexf(eg: ExportGraph, path: Path) -> None:
    """GEXF 1.3; ``mode="dynamic"`` with date spells when any edge has a period."""
    ET.register_namespace("", GEXF_NS)
    ET.register_namespace("viz", GEXF_VIZ_NS)
    ET.register_namespace("xsi", XSI_NS)
    root = ET.Element(
        f"{{{GEXF_NS}}}gexf",
        {
            "version": "1.3",
            f"{{{XSI_NS}}}schemaLocation": f"{GEXF_NS} {GEXF_NS}/gexf.xsd",
        },
    )
    meta = ET.SubElement(
        root, f"{{{GEXF_NS}}}meta", {"lastmodifieddate": dt.date.today().isoformat()}
    )
    ET.SubElement(meta, f"{{{GEXF_NS}}}creator").text = f"civnet {__version__}"
    ET.SubElement(meta, f"{{{GEXF_NS}}}description").text = xml_text(f"civnet view: {eg.view}")
    gattrs = {"defaultedgetype": "directed" if eg.directed else "undirected"}
    if eg.dynamic:
        gattrs.update(mode="dynamic", timeformat="date", timerepresentation="interval")
    else:
        gattrs["mode"] = "static"
    graph = ET.SubElement(root, f"{{{GEXF_NS}}}graph", gattrs)
    for cls, schema in (("node", NODE_ATTRS), ("edge", EDGE_ATTRS)):
        block = ET.SubElement(graph, f"{{{GEXF_NS}}}attributes", {"class": cls, "mode": "static"})
        for name, (gexf_type, _) in schema.items():
            ET.SubElement(
                block, f"{{{GEXF_NS}}}attribute", {"id": name, "title": name, "type": gexf_type}
            )

    def spells(parent: ET.Element, items: list[Spell] | None) -> None:
        if not items:
            return
        el = ET.SubElement(parent, f"{{{GEXF_NS}}}spells")
        for start, end in items:
            a = {"start": start}
            if end is not None:
                a["end"] = end
            ET.SubElement(el, f"{{{GEXF_NS}}}spell", a)

    nodes_el = ET.SubElement(graph, f"{{{GEXF_NS}}}nodes")
    for node in eg.nodes:
        el = ET.SubElement(
            nodes_el,
            f"{{{GEXF_NS}}}node",
            {"id": xml_text(node.id), "label": xml_text(node.label)},
        )
        if node.attrs:
            av = ET.SubElement(el, f"{{{GEXF_NS}}}attvalues")
            for k, v in node.attrs.items():
                ET.SubElement(
                    av, f"{{{GEXF_NS}}}attvalue", {"for": k, "value": _typed(v, NODE_ATTRS[k][0])}
                )
        spells(el, node.spells)
    edges_el = ET.SubElement(graph, f"{{{GEXF_NS}}}edges")
    for i, edge in enumerate(eg.edges):
        el = ET.SubElement(
            edges_el,
            f"{{{GEXF_NS}}}edge",
            {
                "id": str(i),
                "source": xml_text(edge.source),
                "target": xml_text(edge.target),
                "weight": repr(edge.weight),
            },
        )
        av = ET.SubElement(el, f"{{{GEXF_NS}}}attvalues")
        for k, v in edge.attrs().items():
            if v == "":
                continue
            ET.SubElement(
                av, f"{{{GEXF_NS}}}attvalue", {"for": k, "value": _typed(v, EDGE_ATTRS[k][0])}
            )
        spells(el, edge.spells)
    tree = ET.ElementTree(root)
    ET.indent(tree)
    tree.write(path, encoding="utf-8", xml_declaration=True)


def write_graphml(eg: ExportGraph, path: Path) -> None:
    """GraphML with one declared type per key (``label`` string, ``weight`` double...)."""
    ET.register_namespace("", GRAPHML_NS)
    root = ET.Element(f"{{{GRAPHML_NS}}}graphml")
    keys: list[tuple[str, str, str]] = [("node", "label", "string")]
    keys += [("node", k, t) for k, (_, t) in NODE_ATTRS.items()]
    keys += [("edge", "weight", "double")]
    keys += [("edge", k, t) for k, (_, t) in EDGE_ATTRS.items()]
    for scope, name, typ in keys:
        ET.SubElement(
            root,
            f"{{{GRAPHML_NS}}}key",
            {"id": f"{scope[0]}_{name}", "for": scope, "attr.name": name, "attr.type": typ},
        )
    graph = ET.SubElement(
        root,
        f"{{{GRAPHML_NS}}}graph",
        {"id": "civnet", "edgedefault": "directed" if eg.directed else "undirected"},
    )

    def data(parent: ET.Element, key: str, value: str) -> None:
        ET.SubElement(parent, f"{{{GRAPHML_NS}}}data", {"key": key}).text = value

    for node in eg.nodes:
        el = ET.SubElement(graph, f"{{{GRAPHML_NS}}}node", {"id": xml_text(node.id)})
        data(el, "n_label", xml_text(node.label))
        for k, v in node.attrs.items():
            data(el, f"n_{k}", _typed(v, NODE_ATTRS[k][1]))
    for edge in eg.edges:
        el = ET.SubElement(
            graph,
            f"{{{GRAPHML_NS}}}edge",
            {"source": xml_text(edge.source), "target": xml_text(edge.target)},
        )
        data(el, "e_weight", repr(edge.weight))
        for k, v in edge.attrs().items():
            if v == "":
                continue
            data(el, f"e_{k}", _typed(v, EDGE_ATTRS[k][1]))
    tree = ET.ElementTree(root)
    ET.indent(tree)
    tree.write(path, encoding="utf-8", xml_declaration=True)


def node_link(eg: ExportGraph) -> dict[str, Any]:
    """NetworkX's node-link layout (``edges`` key): ``nx.node_link_graph(d, edges="edges")``."""
    return {
        "directed": eg.directed,
        "multigraph": False,
        "graph": {"creator": f"civnet {__version__}", "view": eg.view},
        "nodes": [
            {
                "id": n.id,
                "label": n.label,
                **{k: _finite(v) for k, v in n.attrs.items()},
                "spells": n.spells,
            }
            for n in eg.nodes
        ],
        "edges": [
            {
                "source": e.source,
                "target": e.target,
                "weight": _finite(e.weight),
                **e.attrs(),
                "spells": e.spells,
            }
            for e in eg.edges
        ],
    }


def write_json(eg: ExportGraph, path: Path) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(node_link(eg), fh, ensure_ascii=False, indent=1, allow_nan=False)


def _spells_text(spells: list[Spell] | None) -> str:
    if not spells:
        return ""
    return ";".join(f"{s}/{e or ''}" for s, e in spells)


def write_csv(
    eg: ExportGraph, nodes_path: Path, edges_path: Path, *, spreadsheet_safe: bool = True
) -> None:
    """Nodes and edges as two CSV files; text cells made spreadsheet-safe unless asked not to."""
    cell = spreadsheet_cell if spreadsheet_safe else str
    with (
        atomic_path(nodes_path) as tmp,
        open(tmp, "w", newline="", encoding="utf-8") as fh,
    ):
        w = csv.writer(fh)
        w.writerow(["id", "label", *NODE_ATTRS, "spells"])
        for n in eg.nodes:
            attrs = [
                cell(str(v)) if NODE_ATTRS[a][0] == "string" else v
                for a in NODE_ATTRS
                for v in [n.attrs.get(a, "")]
            ]
            w.writerow([cell(n.id), cell(n.label), *attrs, _spells_text(n.spells)])
    with (
        atomic_path(edges_path) as tmp,
        open(tmp, "w", newline="", encoding="utf-8") as fh,
    ):
        w = csv.writer(fh)
        w.writerow(["source", "target", "weight", *EDGE_ATTRS, "directed", "spells"])
        for e in eg.edges:
            a = e.attrs()
            w.writerow(
                [
                    cell(e.source),
                    cell(e.target),
                    e.weight,
                    *(cell(a[k]) if EDGE_ATTRS[k][0] == "string" else a[k] for k in EDGE_ATTRS),
                    "true" if eg.directed else "false",
                    _spells_text(e.spells),
                ]
            )


def export_network(
    net: Network,
    fmt: str,
    path: str | Path,
    *,
    measures: bool = True,
    spreadsheet_safe: bool = True,
) -> list[Path]:
    """Write ``net`` as ``fmt`` (gexf, graphml, json or csv); return the files written.

    ``measures``: attach each actor's measures as node attributes (see :func:`export_graph`).

    csv writes two files, ``STEM.nodes.csv`` and ``STEM.edges.csv`` (``STEM`` is ``path`` without
    a ``.csv`` suffix); ``spreadsheet_safe`` neutralises formula-like text cells in them (see
    the module docstring). Nothing is written unless every target is absent or a regular file.
    """
    fmt = fmt.lower()
    if fmt not in EXPORT_FORMATS:
        raise BadFilter(
            f"unknown export format {fmt!r}", fix=f"use one of: {', '.join(EXPORT_FORMATS)}"
        )
    path = Path(path)
    check_replaceable(path)
    eg = export_graph(net, measures=measures)
    if fmt == "csv":
        stem = path.with_suffix("") if path.suffix.lower() == ".csv" else path
        nodes_p = stem.with_name(stem.name + ".nodes.csv")
        edges_p = stem.with_name(stem.name + ".edges.csv")
        for target in (nodes_p, edges_p):
            check_replaceable(target)
        write_csv(eg, nodes_p, edges_p, spreadsheet_safe=spreadsheet_safe)
        return [nodes_p, edges_p]
    writer = {"gexf": write_gexf, "graphml": write_graphml, "json": write_json}[fmt]
    with atomic_path(path) as tmp:
        writer(eg, tmp)
    return [path]

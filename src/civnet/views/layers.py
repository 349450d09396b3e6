"""Layers: named selections of ties that inference relates to each other.

A layer is written ``[NAME:]key=value[|value...],key=value...`` with keys

- ``track``, ``kind``, ``type`` (both ends' actor types): civnet's vocabulary, as in view filters;
- ``source``: a dataset (``confucius-institutes``), a source file name, or a source id (``s6``);
- ``value``: ``weight`` (sum of tie weights, the default) or ``count`` (number of ties);
- ``event``: ``formed`` (a tie counts in its start year, the default), ``ended`` or ``active``.

Example: ``visits:source=china-public-diplomacy,track=governance,kind=exchange``. A layer is read
from the workspace within the analysis' view (its period and country filters apply); its own
track/kind/type replace the view's.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc

from civnet.errors import BadFilter
from civnet.sql import fetch_arrow, fetch_one
from civnet.store.workspace import Workspace
from civnet.views.network import Network, build_network
from civnet.views.spec import ViewSpec

MAX_LAYER_TEXT = 500
"""Longest layer description accepted (characters)."""
LAYER_KEYS = ("track", "kind", "type", "source", "value", "event")
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,39}$")


@dataclass(frozen=True)
class LayerSpec:
    """A validated layer (module docstring for the syntax)."""

    name: str
    tracks: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    actor_types: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    value: str = "weight"
    event: str = "formed"

    @classmethod
    def parse(cls, text: str, *, default_name: str) -> LayerSpec:
        """Parse and validate a layer description.

        >>> LayerSpec.parse("ci:source=confucius-institutes,kind=membership", default_name="x")
        LayerSpec(name='ci', tracks=(), kinds=('membership',), actor_types=(), sources=('confucius-institutes',), value='weight', event='formed')
        """
        raw = str(text).strip()
        if len(raw) > MAX_LAYER_TEXT:
            raise BadFilter(
                f"layer description of {len(raw)} characters",
                fix=f"use at most {MAX_LAYER_TEXT}",
            )
        name = default_name
        head, sep, rest = raw.partition(":")
        if sep and "=" not in head:
            name, raw = head.strip(), rest
        if not _NAME.match(name):
            raise BadFilter(
                f"layer name {name!r} is not a plain name",
                fix="start with a letter; letters, digits and _ only, at most 40",
            )
        fields: dict[str, list[str]] = {}
        for part in raw.split(","):
            if not part.strip():
                continue
            key, eq, vals = part.partition("=")
            key = key.strip().lower()
            if not eq or key not in LAYER_KEYS:
                raise BadFilter(
                    f"layer {name}: cannot read {part.strip()!r}",
                    fix=f"write key=value with keys {', '.join(LAYER_KEYS)}",
                )
            fields.setdefault(key, []).extend(v.strip() for v in vals.split("|") if v.strip())
        spec = ViewSpec.make(
            tracks=fields.get("track", ()),
            kinds=fields.get("kind", ()),
            actor_types=fields.get("type", ()),
        )
        value = _one(fields, "value", ("weight", "count"), "weight", name)
        event = _one(fields, "event", ("formed", "ended", "active"), "formed", name)
        return cls(
            name=name,
            tracks=spec.tracks,
            kinds=spec.kinds,
            actor_types=spec.actor_types,
            sources=tuple(dict.fromkeys(fields.get("source", ()))),
            value=value,
            event=event,
        )

    def describe(self) -> str:
        """The layer as it can be typed again."""
        parts = [
            f"{k}={'|'.join(v)}"
            for k, v in (
                ("track", self.tracks),
                ("kind", self.kinds),
                ("type", self.actor_types),
                ("source", self.sources),
            )
            if v
        ]
        parts += [f"value={self.value}", f"event={self.event}"]
        return f"{self.name}:" + ",".join(parts)


def _one(
    fields: dict[str, list[str]], key: str, valid: tuple[str, ...], default: str, name: str
) -> str:
    vals = fields.get(key, [])
    if not vals:
        return default
    if len(vals) > 1 or vals[0] not in valid:
        raise BadFilter(
            f"layer {name}: {key}={'|'.join(vals)}", fix=f"use one of: {', '.join(valid)}"
        )
    return vals[0]


@dataclass(frozen=True)
class Layer:
    """A layer's ties within the view, with the source ids it was read from."""

    spec: LayerSpec
    network: Network
    source_ids: tuple[int, ...]


def source_ids(ws: Workspace, names: tuple[str, ...]) -> tuple[int, ...]:
    """Workspace source ids matching dataset names, file names or ``sN`` ids; one line if none."""
    out: list[int] = []
    for name in names:
        m = re.fullmatch(r"s(\d+)", name)
        if m:
            row = fetch_one(ws.con, "SELECT id FROM sources WHERE id = ?", [int(m.group(1))])
            ids = [int(row[0])] if row else []
        else:
            rows = ws.con.execute(
                """SELECT id FROM sources
                   WHERE name = ? OR starts_with(name, ? || '/') OR importer = 'dataset:' || ?
                      OR name LIKE '%/' || ? ORDER BY id""",
                [name, name, name, name],
            ).fetchall()
            ids = [int(r[0]) for r in rows]
        if not ids:
            known = ws.con.execute("SELECT DISTINCT importer FROM sources ORDER BY 1").fetchall()
            raise BadFilter(
                f"no source in the workspace matches {name!r}",
                fix="name a dataset ("
                + ", ".join(str(k[0]).removeprefix("dataset:") for k in known)
                + "), a source file name or an id such as s3",
            )
        out.extend(ids)
    return tuple(dict.fromkeys(out))


def read_layer(ws: Workspace, layer: LayerSpec, view: ViewSpec) -> Layer:
    """The ties of ``layer`` within ``view`` (period and countries from the view)."""
    spec = dataclasses.replace(
        view,
        tracks=layer.tracks or view.tracks,
        kinds=layer.kinds or view.kinds,
        actor_types=layer.actor_types or view.actor_types,
        level="actor",
        project=False,
    )
    net = build_network(ws, spec)
    ids: tuple[int, ...] = ()
    if layer.sources:
        ids = source_ids(ws, layer.sources)
        keep = fetch_arrow(
            ws.con,
            """SELECT tie_id FROM ties
               WHERE list_has_any(list_transform(refs, lambda r: split_part(r, ':', 1)), ?)""",
            [[f"s{i}" for i in ids]],
        )
        tie_ids = keep.column("tie_id") if keep.num_rows else pa.array([], pa.int64())
        ties = net.ties.filter(pc.is_in(net.ties.column("tie_id"), value_set=tie_ids))
        net = Network.from_tables(net.actors, ties, spec=spec, notes=net.notes)
    return Layer(layer, net, ids)

"""Import a membership roster: who belonged to a network (an alliance such as C40) and when.

A roster has the columns ``actor`` and ``country`` and optionally ``since``, ``until`` (a year,
``YYYY-MM`` or a date; empty: open), ``type`` (actor type, default ``city`` or ``--type``),
``track`` (default ``general`` or ``--track``), ``lat`` and ``lon``. ``--map field=column``
renames other columns.

The import makes one actor of type ``network`` (id ``network:<slug of NAME>``, name NAME) and,
per row, a ``membership`` tie from the member to the network, starting on ``since`` (1 January of
a year) and ending on ``until`` (31 December of a year). Membership ties are stored undirected
(``directed`` false): the measures treat a membership as a shared affiliation, and the
``network`` actor type already says which end is the alliance (the store keeps undirected ties
with the smaller id as ``source``, so a ``university:`` member appears as the target). City members are resolved to
``city:<ISO3>:<name>`` actors by the rules of :mod:`civnet.importers.sister_cities`, so they meet
the same cities imported from sister-city tables; other members get ``<type>:<ISO3>:<slug>``.

Rejected rows go to ``FILE.rejects.csv``. An unknown country and an empty actor name are counted
and never stop an import (real rosters contain them); an unknown type or track, a malformed date,
or ``until`` before ``since`` stops it unless ``skip_bad_rows`` is set.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import date
from pathlib import Path

import pyarrow as pa

from civnet.errors import UserError
from civnet.importers.batch import Batch, IngestReport, Sink, file_sha256
from civnet.importers.city_identity import (
    CityResolver,
    parse_country,
    slug,
)
from civnet.importers.reading import (
    apply_mapping,
    load_table,
    require_columns,
    settle_rejects,
)
from civnet.importers.sister_cities import (
    UNKNOWN_COUNTRY,
    parse_coord,
    parse_year,
    reject_table,
)
from civnet.vocab import ACTOR_TYPES, TRACKS, check_value, normalize_term

EMPTY_ACTOR = "empty actor name"
BAD_DATE = "malformed date; write 2016, 2016-05 or 2016-05-03 (empty: open)"
UNTIL_BEFORE_SINCE = "until is before since"
BAD_TYPE = "unknown actor type; valid: " + ", ".join(ACTOR_TYPES)
BAD_TRACK = "unknown track; valid: " + ", ".join(TRACKS)
FATAL_REASONS = (BAD_DATE, UNTIL_BEFORE_SINCE, BAD_TYPE, BAD_TRACK)


def network_id(name: str) -> str:
    """Actor id of a network named ``name``: ``"C40 Cities"`` -> ``"network:c40-cities"``."""
    s = slug(name)
    if not s:
        raise UserError(
            f"network name {name!r} has no letters or digits", fix="pass --network with a name"
        )
    return f"network:{s}"


def read_roster(
    ws: Sink,
    path: str | Path,
    network: str,
    *,
    track: str = "general",
    actor_type: str = "city",
    mapping: Mapping[str, str] | None = None,
    skip_bad_rows: bool = False,
    **read: object,
) -> Batch:
    """Read and validate a membership roster into a :class:`Batch` (rules in the module doc)."""
    default_track = check_value(track, TRACKS, "track", "--track")
    default_type = check_value(actor_type, ACTOR_TYPES, "actor type", "--type")
    net_id = network_id(network)
    con = ws.con
    p, cols, n = load_table(con, path, "_iro", **read)  # type: ignore[arg-type]
    cols = apply_mapping(con, "_iro", cols, dict(mapping or {}))
    require_columns(p, cols, ["actor", "country"])
    t = con.sql("SELECT * FROM _iro ORDER BY _row").to_arrow_table()

    def col(name: str) -> list[str | None]:
        return t.column(name).to_pylist() if name in cols else [None] * t.num_rows

    resolver = CityResolver()
    rejects: list[tuple[str, str, str, str]] = []
    kept: list[tuple[int, str, str | int, date | None, date | None]] = []
    names: dict[str, tuple[str, str, str]] = {}
    for row, actor, country, since, until, typ, trk, lat, lon in zip(
        t.column("_row").to_pylist(),
        col("actor"),
        col("country"),
        col("since"),
        col("until"),
        col("type"),
        col("track"),
        col("lat"),
        col("lon"),
        strict=True,
    ):
        r = str(row)
        bad = []
        kind = normalize_term(typ) if (typ or "").strip() else default_type
        if kind not in ACTOR_TYPES:
            bad.append((r, "type", BAD_TYPE, typ or ""))
        field_track = normalize_term(trk) if (trk or "").strip() else default_track
        if field_track not in TRACKS:
            bad.append((r, "track", BAD_TRACK, trk or ""))
        start, ok_s = parse_year(since)
        end, ok_u = parse_year(until, end=True)
        if not ok_s:
            bad.append((r, "since", BAD_DATE, since or ""))
        if not ok_u:
            bad.append((r, "until", BAD_DATE, until or ""))
        if start and end and end < start:
            bad.append((r, "until", UNTIL_BEFORE_SINCE, until or ""))
        if not (actor or "").strip():
            bad.append((r, "actor", EMPTY_ACTOR, actor or ""))
        iso3, qual = parse_country(country)
        if iso3 is None:
            bad.append((r, "country", UNKNOWN_COUNTRY, country or ""))
        if bad:
            rejects.extend(bad)
            continue
        name = (actor or "").strip()
        member: str | int
        if kind == "city":
            la, _ = parse_coord(lat, 90)
            lo, _ = parse_coord(lon, 180)
            member = resolver.add(name, iso3, qual, la, lo, (country or "").strip())  # type: ignore[arg-type]
        else:
            member = f"{kind}:{iso3}:{slug(name) or 'unnamed'}"
            names.setdefault(member, (name, kind, iso3))  # type: ignore[arg-type]
        kept.append((int(row), field_track, member, start, end))
    city_ids = resolver.resolve()
    sources = [m if isinstance(m, str) else city_ids[m] for _, _, m, _, _ in kept]
    n_ties = len(kept)
    ties = pa.table(
        {
            "source": pa.array(sources, pa.string()),
            "target": pa.array([net_id] * n_ties, pa.string()),
            "track": pa.array([k[1] for k in kept], pa.string()),
            "kind": pa.array(["membership"] * n_ties, pa.string()),
            "start_date": pa.array([k[3] for k in kept], pa.date32()),
            "end_date": pa.array([k[4] for k in kept], pa.date32()),
            "weight": pa.array([1.0] * n_ties, pa.float64()),
            "directed": pa.array([False] * n_ties, pa.bool_()),
            "ref": pa.array([f"row {k[0]}" for k in kept], pa.string()),
        }
    )
    cities = resolver.actors(sorted({s for s in sources if s.startswith("city:")}))
    others = sorted(names)
    actors = pa.concat_tables(
        [
            cities,
            pa.table(
                {
                    "id": [net_id, *others],
                    "name": [network.strip(), *(names[i][0] for i in others)],
                    "type": ["network", *(names[i][1] for i in others)],
                    "country": [None, *(names[i][2] for i in others)],
                    "city": pa.nulls(len(others) + 1, pa.string()),
                    "lat": pa.nulls(len(others) + 1, pa.float64()),
                    "lon": pa.nulls(len(others) + 1, pa.float64()),
                    # members' levels follow from their types (civnet.vocab.actor_level)
                    "level": pa.array(["network"] + [None] * len(others), pa.string()),
                },
                schema=cities.schema,
            ),
        ]
    )
    reject_tab = reject_table(rejects)
    settle_rejects(reject_tab, p, skip_bad_rows=skip_bad_rows, fatal_reasons=FATAL_REASONS)
    return Batch(
        name=p.name,
        path=str(p),
        sha256=hashlib.sha256(f"{file_sha256(p)}|{net_id}".encode()).hexdigest(),
        importer="roster",
        actors=actors,
        ties=ties,
        rows_read=n,
        rejects=reject_tab,
        description=f"membership roster of {network.strip()}",
    )


def import_roster(ws: Sink, path: str | Path, network: str, **options: object) -> IngestReport:
    """Validate and store a membership roster; all-or-nothing."""
    return ws.ingest([read_roster(ws, path, network, **options)])[0]  # type: ignore[arg-type]

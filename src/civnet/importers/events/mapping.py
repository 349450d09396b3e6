"""The rules that turn GDELT events into civil-diplomacy ties, as options and as DuckDB SQL.

An event becomes part of a tie when (each rule can be changed, see :class:`GdeltOptions`):

1. its line is valid: the right number of fields, a YYYYMMDD date, numbers that parse, and known
   CAMEO codes (country, actor type, event code, QuadClass 1-4); otherwise it is *rejected*;
2. it is cooperative (QuadClass 1 or 2) unless ``include_conflict``;
3. both actors have a CAMEO type (``ActorNType1Code``) whose role in the type map is ``civil`` or
   ``official`` (``excluded`` types, such as rebels or criminals, drop the event). An actor coded
   with a country alone takes ``untyped_as`` when it is set (e.g. ``GOV``); else, in mode
   ``civil-any``, it is that country's country-level actor (type code
   :data:`civnet.vocab.COUNTRY_SECTOR`, role ``official``, track ``general``: ``CHN/COUNTRY``),
   and in mode ``civil-civil`` it drops the event;
4. both actors have a country: ``ActorNCountryCode`` mapped to ISO3, or, when it is empty,
   ``ActorNGeo_CountryCode`` (FIPS 10-4) mapped to ISO3 (counted as a geo fallback); regions
   such as ``AFR`` have none;
5. the two countries differ;
6. mode ``civil-any``: at least one actor is civil; mode ``civil-civil``: both are.

Events 2-6 drop are *filtered* (counted by reason, not rejected). The tie's track is the track of
the first actor's type, or of the second's when the first's is ``general``.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa

from civnet.errors import InputFileError, UnknownVocabulary
from civnet.importers.events.cameo import codebook, data_path
from civnet.importers.events.formats import EXTRA, GdeltFormat
from civnet.sql import quote_ident, quote_literal
from civnet.vocab import COUNTRY_SECTOR, TRACKS

MODES = ("civil-any", "civil-civil")
PERIODS = ("day", "month", "year")
ROLES = ("civil", "official", "excluded")

WRONG_COLUMNS = "wrong column count"
BAD_DATE = "unparsable date"
BAD_NUMBER = "unparsable number"
UNKNOWN_CODE = "unknown code"
UNDECODABLE = "undecodable line (not UTF-8)"
REJECT_REASONS = (WRONG_COLUMNS, BAD_DATE, BAD_NUMBER, UNKNOWN_CODE, UNDECODABLE)

PARTIAL_SCHEMA = pa.schema(
    [
        ("src_iso", pa.string()),
        ("src_type", pa.string()),
        ("src_name", pa.string()),
        ("tgt_iso", pa.string()),
        ("tgt_type", pa.string()),
        ("tgt_name", pa.string()),
        ("track", pa.string()),
        ("start_date", pa.date32()),
        ("end_date", pa.date32()),
        ("events", pa.int64()),
        ("mentions", pa.int64()),
        ("goldstein_sum", pa.decimal128(38, 1)),
        ("tone_sum", pa.decimal128(38, 12)),
        ("tone_events", pa.int64()),
        ("geo_fallbacks", pa.int64()),
        ("file", pa.string()),
    ]
)
"""One file's ties before merging: sums, so that merging files (or Dask workers) is exact."""


@dataclass(frozen=True)
class TypeRule:
    role: str
    track: str


@dataclass
class GdeltOptions:
    """How events become ties; the defaults are civnet's documented rules (docs/events.md)."""

    mode: str = "civil-any"
    period: str = "month"
    include_conflict: bool = False
    named_actors: bool = False
    geo_fallback: bool = True
    untyped_as: str | None = None
    type_map: dict[str, TypeRule] = field(default_factory=lambda: default_type_map())

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise UnknownVocabulary(f"unknown mode {self.mode!r}", fix=f"use {' or '.join(MODES)}")
        if self.period not in PERIODS:
            raise UnknownVocabulary(
                f"unknown period {self.period!r}", fix=f"use one of: {', '.join(PERIODS)}"
            )
        if self.untyped_as is not None:
            self.untyped_as = self.untyped_as.strip().upper()
            if self.untyped_as not in codebook().actor_types:
                raise UnknownVocabulary(
                    f"--untyped-as {self.untyped_as!r} is not a CAMEO actor type",
                    fix="give a type code such as GOV (see civnet cameo CODE)",
                )

    @property
    def untyped(self) -> str | None:
        """The type an actor coded with a country alone takes: ``untyped_as``, else in mode
        ``civil-any`` :data:`civnet.vocab.COUNTRY_SECTOR` (the country as one actor), else
        none (the event is left out)."""
        if self.untyped_as:
            return self.untyped_as
        return COUNTRY_SECTOR if self.mode == "civil-any" else None

    def describe(self) -> str:
        parts = [self.mode, f"per {self.period}"]
        if self.include_conflict:
            parts.append("conflict included")
        if self.named_actors:
            parts.append("named actors")
        if not self.geo_fallback:
            parts.append("no geo fallback")
        if self.untyped_as:
            parts.append(f"untyped as {self.untyped_as}")
        elif self.untyped:
            parts.append("untyped actors as their country")
        return ", ".join(parts)

    def key(self) -> str:
        """Text that differs when the options would give different ties."""
        rules = ";".join(f"{c}={r.role}/{r.track}" for c, r in sorted(self.type_map.items()))
        return (
            f"{self.mode}|{self.period}|{self.include_conflict}|{self.named_actors}|"
            f"{self.geo_fallback}|{self.untyped}|{rules}"
        )


COUNTRY_RULE = TypeRule("official", "general")
"""Role and track of a country-level actor (an actor coded with a country and no type)."""


def default_type_map() -> dict[str, TypeRule]:
    """civnet's default role and track of each CAMEO actor type (``gdelt_actor_types.csv``)."""
    with data_path("gdelt_actor_types.csv").open(encoding="utf-8", newline="") as fh:
        return {r["code"]: TypeRule(r["role"], r["track"]) for r in csv.DictReader(fh)}


def read_track_map(path: str | Path) -> dict[str, TypeRule]:
    """A user's type map: CSV with columns ``code`` and ``track``, optionally ``role``.

    It replaces the default table: a CAMEO type absent from the file keeps its default role and
    gets the track ``general``.
    """
    p = Path(path)
    if not p.is_file():
        raise InputFileError("file not found", where=str(p), fix="give a CSV with code,track")
    defaults = default_type_map()
    known = codebook().actor_types
    with open(p, encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        cols = [c.strip().lower() for c in reader.fieldnames or []]
        if "code" not in cols or "track" not in cols:
            raise InputFileError(
                f"the track map needs columns code and track (found: {', '.join(cols)})",
                where=str(p),
                fix="write a header row: code,track[,role]",
            )
        out = {c: TypeRule(r.role, "general") for c, r in defaults.items()}
        for i, row in enumerate(reader, start=2):
            rec = {k.strip().lower(): (v or "").strip() for k, v in row.items() if k}
            code, track = rec["code"].upper(), rec["track"].lower()
            role = rec.get("role", "").lower() or defaults.get(code, TypeRule("excluded", "")).role
            where = f"{p}, line {i}"
            if code not in known:
                raise UnknownVocabulary(
                    f"{code!r} is not a CAMEO actor type", where=where, fix="see civnet cameo CODE"
                )
            if track not in TRACKS:
                raise UnknownVocabulary(
                    f"unknown track {track!r}", where=where, fix=f"use one of: {', '.join(TRACKS)}"
                )
            if role not in ROLES:
                raise UnknownVocabulary(
                    f"unknown role {role!r}", where=where, fix=f"use one of: {', '.join(ROLES)}"
                )
            out[code] = TypeRule(role, track)
    return out


def register_lookups(con: duckdb.DuckDBPyConnection, options: GdeltOptions) -> None:
    """Create the small lookup tables the event SQL joins: countries, FIPS, types, events."""
    cb = codebook()
    tables = {
        "_cty": pa.table(
            {"code": list(cb.country_iso3), "iso3": list(cb.country_iso3.values())},
            schema=pa.schema([("code", pa.string()), ("iso3", pa.string())]),
        ),
        "_fips": pa.table(
            {"code": list(cb.fips_iso3), "iso3": list(cb.fips_iso3.values())},
            schema=pa.schema([("code", pa.string()), ("iso3", pa.string())]),
        ),
        "_types": pa.table(
            {
                "code": [*cb.actor_types, COUNTRY_SECTOR],
                "role": [
                    options.type_map.get(c, TypeRule("excluded", "general")).role
                    for c in cb.actor_types
                ]
                + [COUNTRY_RULE.role],
                "track": [
                    options.type_map.get(c, TypeRule("excluded", "general")).track
                    for c in cb.actor_types
                ]
                + [COUNTRY_RULE.track],
            }
        ),
        "_events": pa.table({"code": list(cb.events)}),
    }
    for name, table in tables.items():
        con.register(f"{name}_arrow", table)
        con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT * FROM {name}_arrow")
        con.unregister(f"{name}_arrow")


_q = quote_ident


def _reduced_actor(col: str) -> tuple[str, str]:
    """SQL of (country code, type code) parsed from a composite actor code column."""
    cb = codebook()
    countries = ", ".join(f"'{c}'" for c in cb.countries)
    types = ", ".join(f"'{t}'" for t in cb.actor_types)
    code = f"upper(trim({_q(col)}))"
    cc = f"CASE WHEN substr({code}, 1, 3) IN ({countries}) THEN substr({code}, 1, 3) ELSE '' END"
    rest = f"CASE WHEN substr({code}, 1, 3) IN ({countries}) THEN substr({code}, 4) ELSE {code} END"
    chunks = " ".join(
        f"WHEN substr(({rest}), {i}, 3) IN ({types}) THEN substr(({rest}), {i}, 3)"
        for i in (1, 4, 7, 10)
    )
    return cc, f"CASE {chunks} ELSE '' END"


def _normalized_sql(fmt: GdeltFormat, reader: str) -> str:
    """One row per line with the fields the rules use, under format-independent names."""
    last_required = _q(fmt.columns[fmt.min_fields - 1])
    common = f"""_line,
        CASE WHEN {_q(EXTRA)} IS NOT NULL OR {last_required} IS NULL THEN true ELSE false END
          AS bad_cols"""
    if fmt.name == "reduced":
        c1, t1 = _reduced_actor("Source")
        c2, t2 = _reduced_actor("Target")
        return f"""SELECT {common},
            "Date" AS d_raw, upper(trim("Source")) AS a1_code, upper(trim("Source")) AS a1_name,
            {c1} AS a1_cc, {t1} AS a1_t, '' AS a1_geo,
            upper(trim("Target")) AS a2_code, upper(trim("Target")) AS a2_name,
            {c2} AS a2_cc, {t2} AS a2_t, '' AS a2_geo,
            "CAMEOCode" AS ev, "QuadClass" AS q_raw, "Goldstein" AS g_raw, "NumArts" AS m_raw,
            NULL::VARCHAR AS t_raw, "NumEvents" AS n_raw
          FROM ({reader})"""
    return f"""SELECT {common},
        SQLDATE AS d_raw, Actor1Code AS a1_code, Actor1Name AS a1_name,
        Actor1CountryCode AS a1_cc, Actor1Type1Code AS a1_t, Actor1Geo_CountryCode AS a1_geo,
        Actor2Code AS a2_code, Actor2Name AS a2_name,
        Actor2CountryCode AS a2_cc, Actor2Type1Code AS a2_t, Actor2Geo_CountryCode AS a2_geo,
        EventCode AS ev, QuadClass AS q_raw, GoldsteinScale AS g_raw, NumMentions AS m_raw,
        AvgTone AS t_raw, '1' AS n_raw
      FROM ({reader})"""


def _period_sql(period: str) -> tuple[str, str]:
    if period == "day":
        return "d", "d"
    if period == "month":
        return "date_trunc('month', d)::DATE", "last_day(d)"
    return "make_date(year(d), 1, 1)", "make_date(year(d), 12, 31)"


def aggregate_sql(fmt: GdeltFormat, reader: str, options: GdeltOptions, file_name: str) -> str:
    """One query over a file: its rejects (one row per line), filtered counts, tie partials.

    Columns: status ('reject', 'filter', 'tie'), reason, line (row number + header lines),
    field, rows, then
    :data:`PARTIAL_SCHEMA`'s columns (NULL except for ties).
    """
    has_tone = "true" if fmt.name != "reduced" else "false"
    start, end = _period_sql(options.period)
    fb = "true" if options.geo_fallback else "false"
    roles_ok = "IN ('civil', 'official')"
    if options.mode == "civil-any":
        civil_rule = ("NOT (r1 = 'civil' OR r2 = 'civil')", "no civil actor")
    else:
        civil_rule = ("NOT (r1 = 'civil' AND r2 = 'civil')", "not both actors civil")
    conflict = "false" if options.include_conflict else "q > 2"
    name1 = "a1_name" if options.named_actors else "NULL::VARCHAR"
    name2 = "a2_name" if options.named_actors else "NULL::VARCHAR"
    fname = quote_literal(file_name)
    untyped1, untyped2 = "a1_t", "a2_t"
    if options.untyped:
        u = quote_literal(options.untyped)
        untyped1 = f"CASE WHEN a1_t = '' AND coalesce(a1_cc, '') <> '' THEN {u} ELSE a1_t END"
        untyped2 = f"CASE WHEN a2_t = '' AND coalesce(a2_cc, '') <> '' THEN {u} ELSE a2_t END"
    return f"""
    WITH ev0 AS ({_normalized_sql(fmt, reader)}),
    ev AS (SELECT * REPLACE ({untyped1} AS a1_t, {untyped2} AS a2_t) FROM ev0),
    typed AS (
      SELECT ev.*,
        try_strptime(d_raw, '%Y%m%d')::DATE AS d,
        try_cast(q_raw AS INTEGER) AS q,
        try_cast(g_raw AS DECIMAL(6, 1)) AS g,
        try_cast(m_raw AS BIGINT) AS m,
        try_cast(t_raw AS DECIMAL(18, 12)) AS t,
        try_cast(n_raw AS BIGINT) AS n,
        c1.code IS NOT NULL AS a1_cc_known, c2.code IS NOT NULL AS a2_cc_known,
        c1.iso3 AS a1_iso_cc, c2.iso3 AS a2_iso_cc, f1.iso3 AS a1_iso_geo, f2.iso3 AS a2_iso_geo,
        t1.role AS r1, t2.role AS r2, t1.track AS tr1, t2.track AS tr2,
        e.code IS NOT NULL AS ev_known
      FROM ev
        LEFT JOIN _cty c1 ON c1.code = ev.a1_cc
        LEFT JOIN _cty c2 ON c2.code = ev.a2_cc
        LEFT JOIN _fips f1 ON f1.code = ev.a1_geo
        LEFT JOIN _fips f2 ON f2.code = ev.a2_geo
        LEFT JOIN _types t1 ON t1.code = ev.a1_t
        LEFT JOIN _types t2 ON t2.code = ev.a2_t
        LEFT JOIN _events e ON e.code = ev.ev
    ),
    checked AS (
      SELECT *,
        CASE
          WHEN bad_cols THEN '{WRONG_COLUMNS}'
          WHEN d IS NULL THEN '{BAD_DATE}'
          WHEN q IS NULL OR g IS NULL OR m IS NULL OR n IS NULL
               OR ({has_tone} AND t IS NULL) THEN '{BAD_NUMBER}'
          WHEN q NOT BETWEEN 1 AND 4 OR NOT ev_known
               OR (a1_cc <> '' AND NOT a1_cc_known) OR (a2_cc <> '' AND NOT a2_cc_known)
               OR (a1_t <> '' AND r1 IS NULL) OR (a2_t <> '' AND r2 IS NULL)
            THEN '{UNKNOWN_CODE}'
        END AS reject,
        CASE
          WHEN bad_cols THEN 'columns'
          WHEN d IS NULL THEN 'date'
          WHEN q IS NULL THEN 'QuadClass'
          WHEN g IS NULL THEN 'Goldstein'
          WHEN m IS NULL THEN 'mentions'
          WHEN n IS NULL THEN 'NumEvents'
          WHEN {has_tone} AND t IS NULL THEN 'AvgTone'
          WHEN q NOT BETWEEN 1 AND 4 THEN 'QuadClass'
          WHEN NOT ev_known THEN 'event code'
          WHEN a1_cc <> '' AND NOT a1_cc_known THEN 'actor 1 country'
          WHEN a2_cc <> '' AND NOT a2_cc_known THEN 'actor 2 country'
          WHEN a1_t <> '' AND r1 IS NULL THEN 'actor 1 type'
          WHEN a2_t <> '' AND r2 IS NULL THEN 'actor 2 type'
        END AS field,
        CASE WHEN a1_cc <> '' THEN a1_iso_cc WHEN {fb} AND a1_t <> '' THEN a1_iso_geo END AS iso1,
        CASE WHEN a2_cc <> '' THEN a2_iso_cc WHEN {fb} AND a2_t <> '' THEN a2_iso_geo END AS iso2,
        ({fb} AND a1_cc = '' AND a1_t <> '' AND a1_iso_geo IS NOT NULL)::INTEGER
          + ({fb} AND a2_cc = '' AND a2_t <> '' AND a2_iso_geo IS NOT NULL)::INTEGER AS fallbacks
      FROM typed
    ),
    classified AS (
      SELECT *,
        CASE
          WHEN reject IS NOT NULL THEN NULL
          WHEN {conflict} THEN 'conflict event (QuadClass 3-4)'
          WHEN a1_t = '' OR a2_t = '' THEN 'actor without a CAMEO type'
          WHEN NOT (r1 {roles_ok} AND r2 {roles_ok}) THEN 'actor type excluded by the type map'
          WHEN iso1 IS NULL OR iso2 IS NULL THEN 'actor without a country'
          WHEN iso1 = iso2 THEN 'both actors in one country'
          WHEN {civil_rule[0]} THEN '{civil_rule[1]}'
        END AS filtered
      FROM checked
    ),
    keyed AS (
      SELECT *,
        CASE WHEN reject IS NOT NULL THEN 'reject' WHEN filtered IS NOT NULL THEN 'filter'
             ELSE 'tie' END AS status
      FROM classified
    )
    SELECT status, coalesce(reject, filtered) AS reason,
      CASE WHEN status = 'reject' THEN _line END AS line,
      any_value(CASE WHEN status = 'reject' THEN field END) AS field,
      count(*) AS "rows",
      CASE WHEN status = 'tie' THEN iso1 END AS src_iso,
      CASE WHEN status = 'tie' THEN a1_t END AS src_type,
      CASE WHEN status = 'tie' THEN {name1} END AS src_name,
      CASE WHEN status = 'tie' THEN iso2 END AS tgt_iso,
      CASE WHEN status = 'tie' THEN a2_t END AS tgt_type,
      CASE WHEN status = 'tie' THEN {name2} END AS tgt_name,
      CASE WHEN status <> 'tie' THEN NULL WHEN tr1 <> 'general' THEN tr1
           WHEN tr2 <> 'general' THEN tr2 ELSE 'general' END AS track,
      CASE WHEN status = 'tie' THEN {start} END AS start_date,
      CASE WHEN status = 'tie' THEN {end} END AS end_date,
      sum(CASE WHEN status = 'tie' THEN n END)::BIGINT AS events,
      sum(CASE WHEN status = 'tie' THEN m END)::BIGINT AS mentions,
      sum(CASE WHEN status = 'tie' THEN g * n END)::DECIMAL(38, 1) AS goldstein_sum,
      sum(CASE WHEN status = 'tie' THEN t * n END)::DECIMAL(38, 12) AS tone_sum,
      coalesce(sum(CASE WHEN status = 'tie' AND t IS NOT NULL THEN n END), 0)::BIGINT
        AS tone_events,
      sum(CASE WHEN status = 'tie' THEN fallbacks END)::BIGINT AS geo_fallbacks,
      {fname} AS file
    FROM keyed
    GROUP BY ALL
    """

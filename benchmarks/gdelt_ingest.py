"""Benchmark: civnet's GDELT import against a raw DuckDB query doing the same work.

Writes N synthetic GDELT 2.0 rows (61 columns, seeded, with code frequencies shaped like a real
export: most actors carry a country alone, a few percent a civil type; QuadClass 1 in about 60%
of events), then runs, each in its own process so that peak memory is its own:

- ``civnet``: ``import_gdelt`` into a new workspace file (hashing, validation, rejects, line
  numbers, aggregation, ingest);
- ``raw``: one DuckDB query over the same file with typed columns doing the same filtering and
  aggregation (country and FIPS lookups, civil-any, QuadClass 1-2, monthly groups), no validation.

Prints civnet / raw time (target <= 1.5), rows per second, and peak RSS of the import (target under
4 GB at 10 million rows). Usage: ``python benchmarks/gdelt_ingest.py --rows 1000000``.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

COUNTRIES = [("USA", 160), ("GBR", 50), ("CHN", 45), ("RUS", 40), ("IND", 30), ("FRA", 25)]
COUNTRIES += [("DEU", 25), ("ISR", 20), ("IRN", 20), ("AUS", 18), ("JPN", 15), ("CAN", 15)]
COUNTRIES += [("PAK", 14), ("TUR", 12), ("SYR", 12), ("NGA", 10), ("ZAF", 10), ("BRA", 10)]
COUNTRIES += [("KOR", 8), ("MEX", 8), ("EGY", 8), ("AFR", 5), ("EUR", 5), ("", 420)]
TYPES = [("", 700), ("GOV", 90), ("MIL", 20), ("COP", 25), ("JUD", 15), ("LEG", 10)]
TYPES += [("BUS", 25), ("EDU", 15), ("MED", 15), ("CVL", 20), ("NGO", 8), ("HLH", 8)]
TYPES += [("ELI", 8), ("LAB", 4), ("REF", 5), ("ENV", 3), ("HRI", 3), ("CRM", 12), ("REB", 5)]
TYPES += [("IGO", 5), ("MNC", 2), ("AGR", 2), ("DEV", 2), ("NGM", 1)]
FIPS = [("US", 300), ("UK", 80), ("CH", 50), ("RS", 40), ("IN", 40), ("FR", 30), ("", 460)]
EVENTS = [("010", 1, "0.0", 150), ("020", 1, "3.0", 60), ("036", 1, "4.0", 50)]
EVENTS += [("042", 1, "1.9", 120), ("043", 1, "2.8", 100), ("051", 1, "3.4", 90)]
EVENTS += [("057", 1, "8.0", 30), ("061", 2, "6.4", 30), ("071", 2, "7.4", 30)]
EVENTS += [("073", 2, "7.4", 20), ("112", 3, "-2.0", 80), ("120", 3, "-4.0", 40)]
EVENTS += [("173", 4, "-5.0", 60), ("190", 4, "-10.0", 50), ("193", 4, "-10.0", 40)]
EVENTS += [("080", 2, "5.0", 50)]


def _pick(pairs: list[tuple[str, int]], salt: int, seed: int) -> str:
    """SQL choosing a value with the given weights, from a seeded hash of the row number."""
    expanded = [v for v, w in pairs for _ in range(w)]
    lit = "[" + ", ".join(f"'{v}'" for v in expanded) + "]"
    return f"{lit}[1 + (hash(i, {seed}, {salt}) % {len(expanded)})::BIGINT]"


def write_rows(path: Path, n: int, seed: int) -> None:
    """Write ``n`` synthetic GDELT 2.0 rows to ``path`` (tab-separated, no header), seeded."""
    ev = [(f"{c}|{q}|{g}", w) for c, q, g, w in EVENTS]
    after_country = "'', '', '', '', ''"  # ADM1 ADM2 Lat Long FeatureID
    sql = f"""
    COPY (
      WITH base AS (
        SELECT i,
          DATE '2016-01-01' + ((hash(i, {seed}, 1) % 366)::INTEGER) AS d,
          {_pick(COUNTRIES, 2, seed)} AS c1, {_pick(TYPES, 3, seed)} AS t1,
          {_pick(COUNTRIES, 4, seed)} AS c2, {_pick(TYPES, 5, seed)} AS t2,
          {_pick(FIPS, 6, seed)} AS g1, {_pick(FIPS, 7, seed)} AS g2,
          string_split({_pick(ev, 8, seed)}, '|') AS e,
          1 + (hash(i, {seed}, 9) % 20)::INTEGER AS m,
          round(((hash(i, {seed}, 10) % 2000)::DOUBLE - 1000) / 100.0, 10) AS tone
        FROM range({n}) t(i)
      )
      SELECT 400000000 + i, strftime(d, '%Y%m%d'), strftime(d, '%Y%m'), year(d),
        round(year(d) + dayofyear(d) / 365.0, 4),
        c1 || t1, CASE WHEN c1 || t1 <> '' THEN 'NAME' || (hash(i, 11) % 50) ELSE '' END, c1,
        '', '', '', '', t1, '', '',
        c2 || t2, CASE WHEN c2 || t2 <> '' THEN 'NAME' || (hash(i, 12) % 50) ELSE '' END, c2,
        '', '', '', '', t2, '', '',
        1, e[1], e[1], left(e[1], 2), e[2], e[3], m, 1, m, tone,
        CASE WHEN g1 = '' THEN 0 ELSE 1 END, '', g1, {after_country},
        CASE WHEN g2 = '' THEN 0 ELSE 1 END, '', g2, {after_country},
        0, '', '', '', '', '', '', '',
        strftime(d, '%Y%m%d') || '000000', 'http://example.org/' || i
      FROM base
    ) TO '{path}' (DELIMITER '\t', HEADER false, QUOTE '', ESCAPE '')
    """
    duckdb.connect().execute(sql)


RAW_SQL = """
WITH ev AS (
  SELECT SQLDATE, Actor1CountryCode AS c1, Actor1Type1Code AS t1, Actor1Geo_CountryCode AS g1,
         Actor2CountryCode AS c2, Actor2Type1Code AS t2, Actor2Geo_CountryCode AS g2,
         QuadClass, GoldsteinScale, NumMentions, AvgTone
  FROM read_csv('{path}', delim='\t', header=false, quote='', escape='', auto_detect=false,
                columns={columns})
  WHERE QuadClass IN (1, 2)
),
m AS (
  SELECT ev.*, r1.role AS r1, r2.role AS r2, r1.track AS tr1, r2.track AS tr2,
         CASE WHEN coalesce(c1, '') <> '' THEN k1.iso3 ELSE f1.iso3 END AS iso1,
         CASE WHEN coalesce(c2, '') <> '' THEN k2.iso3 ELSE f2.iso3 END AS iso2
  FROM ev
    JOIN _types r1 ON r1.code = ev.t1 JOIN _types r2 ON r2.code = ev.t2
    LEFT JOIN _cty k1 ON k1.code = ev.c1 LEFT JOIN _cty k2 ON k2.code = ev.c2
    LEFT JOIN _fips f1 ON f1.code = ev.g1 LEFT JOIN _fips f2 ON f2.code = ev.g2
)
SELECT iso1, t1, iso2, t2,
       CASE WHEN tr1 <> 'general' THEN tr1 WHEN tr2 <> 'general' THEN tr2 ELSE 'general' END,
       date_trunc('month', SQLDATE)::DATE AS start_date, last_day(SQLDATE) AS end_date,
       count(*), sum(NumMentions), avg(GoldsteinScale), avg(AvgTone)
FROM m
WHERE r1 IN ('civil', 'official') AND r2 IN ('civil', 'official')
  AND iso1 IS NOT NULL AND iso2 IS NOT NULL AND iso1 <> iso2
  AND (r1 = 'civil' OR r2 = 'civil')
GROUP BY ALL
"""


def run_civnet(path: Path) -> dict[str, float]:
    from civnet.importers.events.gdelt import import_gdelt
    from civnet.store import Workspace

    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        with Workspace(Path(tmp) / "bench.duckdb") as ws:
            result = import_gdelt(ws, [path])
        seconds = time.perf_counter() - t0
    return {"seconds": seconds, "ties": result.ties, "rejected": result.files[0].rejects.num_rows}


def run_raw(path: Path) -> dict[str, float]:
    from civnet.importers.events.formats import GDELT2_COLUMNS
    from civnet.importers.events.mapping import GdeltOptions, register_lookups

    types = {
        "SQLDATE": "DATE",
        "QuadClass": "INTEGER",
        "GoldsteinScale": "DOUBLE",
        "NumMentions": "BIGINT",
        "AvgTone": "DOUBLE",
    }
    columns = "{" + ", ".join(f"'{c}': '{types.get(c, 'VARCHAR')}'" for c in GDELT2_COLUMNS) + "}"
    con = duckdb.connect()
    register_lookups(con, GdeltOptions())
    t0 = time.perf_counter()
    sql = RAW_SQL.format(path=path, columns=columns).replace(
        "auto_detect=false,", "auto_detect=false, dateformat='%Y%m%d',"
    )
    rows = con.sql(sql).fetchall()
    return {"seconds": time.perf_counter() - t0, "ties": len(rows)}


def _child(phase: str, path: Path) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, __file__, "--phase", phase, "--file", str(path)],
        check=True,
        capture_output=True,
        text=True,
    )
    res = json.loads(out.stdout.strip().splitlines()[-1])
    return res


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=10_000_000)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--keep", type=Path, help="Write the synthetic file here and keep it.")
    ap.add_argument("--phase", choices=["civnet", "raw"], help=argparse.SUPPRESS)
    ap.add_argument("--file", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.phase:
        res = run_civnet(args.file) if args.phase == "civnet" else run_raw(args.file)
        res["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps(res))
        return
    with tempfile.TemporaryDirectory() as tmp:
        path = args.keep or Path(tmp) / "synthetic.export.CSV"
        t0 = time.perf_counter()
        write_rows(path, args.rows, args.seed)
        size = path.stat().st_size / 1e6
        print(
            f"wrote {args.rows:,} GDELT 2.0 rows ({size:,.0f} MB) in {time.perf_counter() - t0:.1f} s"
        )
        raw = _child("raw", path)
        civ = _child("civnet", path)
    ratio = civ["seconds"] / raw["seconds"]
    print(
        f"raw DuckDB query : {raw['seconds']:.2f} s, {raw['ties']:,} ties, peak RSS {raw['peak_rss_mb']:,.0f} MB"
    )
    print(
        f"civnet import    : {civ['seconds']:.2f} s, {civ['ties']:,} ties, peak RSS {civ['peak_rss_mb']:,.0f} MB, {civ['rejected']:,} rejected"
    )
    print(f"civnet / raw     : {ratio:.2f} (target <= 1.5)")
    print(f"rows per second  : {args.rows / civ['seconds']:,.0f}")
    print(f"peak memory      : {civ['peak_rss_mb'] / 1024:.2f} GB (target < 4 GB at 10M rows)")
    if raw["ties"] != civ["ties"]:
        print(f"WARNING: tie counts differ (raw {raw['ties']}, civnet {civ['ties']})")


if __name__ == "__main__":
    main()

"""Scale benchmark: import, memory and betweenness at 200,000 actors and 1,000,000 ties.

Prints, from one run, each figure with its comparator measured in the same run (each in a fresh
process, peak memory from the process's ``VmHWM``; inputs generated here, seeded):
- import (issue 12 item 7): ``civnet import table`` of 200,000 actors and 1,000,000 tie rows
  (CSV) against a plain DuckDB script doing the same validation and merge; time of the work
  (and with start-up), peak memory of each process, and whether both stored the same;
- view: the peak memory of building the whole view of a workspace of 10,000,000 ties among
  1,000,000 actors, and the Python objects it keeps (``sys.getallocatedblocks``) per edge;
- memory: exact civnet betweenness against igraph's Brandes (from K sources: its memory does
  not depend on how many) on a civil-diplomacy-like graph (a BA core with pendant trees),
  process peak and memory added by the measure;
- the exact run's estimated cost (civnet.measures.intermediation.betweenness_approx.exact_cost), and raw igraph
  timed on K sources and scaled by n/K (its exact run would take hours);
- civnet's budgeted betweenness (what ``civnet betweenness`` does: past the 60 s budget it
  switches to KADABRA with eps 0.01, delta 0.1) against raw NetworKit KADABRA with the same
  (eps, delta): time, peak memory, and how many of KADABRA's top 10 civnet finds;
- civnet --approx's top 10 against NetworKit's exact top-10 mode (KADABRA with k = 10);
- civnet's certified top 10 (``certify_top=10``: Clopper-Pearson on fresh paths until the first
  ten are separated from every other candidate) against the same.

Usage: python benchmarks/scale.py [--parts import,view,memory,approx] [--import-actors 200000]
       [--import-ties 1000000] [--view-actors 1000000] [--view-ties 10000000]
       [--civil-core 20000] [--civil-pendants 180000] [--civil-m 3] [--civnet-kernels auto]
       [--actors 200000] [--m 5]
       [--eps 0.01]
       [--igraph-sources 20]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
# benchmarks/coverage.py would shadow the coverage package that numba probes for on import
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]


def graph(tmp: Path, n: int, m: int) -> tuple[int, np.ndarray]:
    path = tmp / "ba.npz"
    if not path.exists():
        import random

        import igraph as ig

        random.seed(1)  # igraph draws from Python's generator: the same graph every run
        g = ig.Graph.Barabasi(n, m, directed=False)
        g.simplify()
        np.savez(path, n=g.vcount(), edges=np.asarray(g.get_edgelist(), dtype=np.int64))
    d = np.load(path)
    return int(d["n"]), d["edges"]


def child(which: str, tmp: Path, args: argparse.Namespace) -> None:
    n, e = graph(tmp, args.actors, args.m)
    out: dict = {}  # type: ignore[type-arg]
    t = time.perf_counter()
    if which == "igraph":
        import igraph as ig

        g = ig.Graph(n=n, edges=e.tolist())
        k = args.igraph_sources
        t = time.perf_counter()
        g.betweenness(directed=False, sources=list(range(0, n, n // k))[:k])
        out["seconds_scaled"] = (time.perf_counter() - t) * n / k
    elif which in ("kadabra", "topk"):
        import networkit as nk

        nk.setSeed(1, True)
        G = nk.Graph(n, weighted=False, directed=False)
        G.addEdges((e[:, 0].astype(np.uint64), e[:, 1].astype(np.uint64)))
        t = time.perf_counter()
        if which == "kadabra":
            algo = nk.centrality.KadabraBetweenness(G, args.eps, 0.1, True)
            algo.run()
            top = np.argsort(-np.asarray(algo.scores()), kind="stable")[:10]
        else:
            algo = nk.centrality.KadabraBetweenness(G, args.eps, 0.1, False, 10)
            algo.run()
            top = np.asarray(algo.topkNodesList()[:10])
        out["top"] = top.tolist()
        out["samples"] = algo.getNumberOfIterations()
    else:  # civnet as the command runs it (the budget's choice), or with a certified top 10
        from civnet._lean import lean_imports

        lean_imports()  # as the civnet command starts

        from civnet.measures import betweenness
        from civnet.measures.intermediation.betweenness_approx import exact_cost
        from civnet.products.analyze import budgeted_betweenness
        from civnet.views import Network

        actors, ties = _arrow_tables(n, e)  # from buffers, as DuckDB hands them over
        del e
        net = Network.from_tables(actors, ties)
        del actors, ties
        t = time.perf_counter()
        if which == "civnet":
            cost = exact_cost(net)
            out["estimate_s"] = cost.seconds  # at the present load
            out["estimate_idle_s"] = cost.idle_seconds  # what the budget weighs
            out["estimate_took"] = time.perf_counter() - t
            b = budgeted_betweenness(net, seed=1)
        else:
            b = betweenness(net, approx=args.eps, delta=0.1, seed=1, certify_top=10)
        order = np.argsort(-b.values, kind="stable")[:10]
        # vertex ids are "a<i>", sorted as strings by the view: map back to BA numbering
        out["top"] = [int(net.ids[i][1:]) for i in order]
        out["method"] = "; ".join([b.method, *b.notes])
        out["samples"] = b.n_samples
    out["seconds"] = time.perf_counter() - t
    out["peak_mb"] = peak_mb()
    print(json.dumps(out))


def run(which: str, tmp: Path, args: argparse.Namespace) -> dict:  # type: ignore[type-arg]
    cmd = [sys.executable, __file__, "--child", which, "--tmp", str(tmp)]
    cmd += ["--actors", str(args.actors), "--m", str(args.m), "--eps", str(args.eps)]
    cmd += ["--igraph-sources", str(args.igraph_sources)]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])  # type: ignore[no-any-return]


def peak_mb() -> float:
    """This process's peak resident memory in MB (``VmHWM``).

    Not ``getrusage``: Linux carries ``ru_maxrss`` over ``execve`` from the process that
    spawned the child, so a child of a large parent would report the parent's peak.
    """
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# -- import (issue 12 item 7): civnet import table against a plain DuckDB script -------------

COUNTRY_NAMES = {
    "FRA": "FRA", "DEU": "DEU", "CHN": "CHN", "USA": "USA", "BRA": "BRA", "KEN": "KEN",
    "IND": "IND", "JPN": "JPN", "France": "FRA", "Viet Nam": "VNM", "Germany": "DEU",
}  # fmt: skip
"""The country column's values and their ISO3 codes (the plain script's lookup table)."""


def import_inputs(folder: Path, n_actors: int, n_ties: int, seed: int = 12) -> tuple[Path, Path]:
    """Seeded actor and tie CSV files: every value valid, a tenth of the countries written as
    English names, a fifth of the ties directed, dates as years, extra actor column ``sector``."""
    import pyarrow as pa
    import pyarrow.csv as pcsv

    actors, ties = folder / "actors.csv", folder / "ties.csv"
    if actors.exists() and ties.exists():
        return actors, ties
    rng = np.random.default_rng(seed)
    ids = np.char.add("org:", np.arange(n_actors).astype(str))
    types = np.array(["cso", "university", "city", "think_tank", "media", "Youth-Org"])
    names = np.array(list(COUNTRY_NAMES))
    sector = np.array(["public", "private", ""])
    pcsv.write_csv(
        pa.table(
            {
                "id": ids,
                "name": np.char.add("Organisation ", np.arange(n_actors).astype(str)),
                "type": types[rng.integers(0, len(types), n_actors)],
                "country": names[rng.integers(0, len(names), n_actors)],
                "lat": np.round(rng.uniform(-60, 70, n_actors), 4),
                "lon": np.round(rng.uniform(-170, 170, n_actors), 4),
                "sector": sector[rng.integers(0, len(sector), n_actors)],
            }
        ),
        actors,
    )
    u = rng.integers(0, n_actors, n_ties)
    v = (u + rng.integers(1, n_actors, n_ties)) % n_actors
    tracks = np.array(["culture", "education", "health", "general", "Economy trade"])
    kinds = np.array(["exchange", "agreement", "joint_project", "membership"])
    start = rng.integers(1990, 2020, n_ties)
    pcsv.write_csv(
        pa.table(
            {
                "source": ids[u],
                "target": ids[v],
                "track": tracks[rng.integers(0, len(tracks), n_ties)],
                "kind": kinds[rng.integers(0, len(kinds), n_ties)],
                "start": start.astype(str),
                "end": (start + rng.integers(0, 5, n_ties)).astype(str),
                "weight": rng.integers(1, 5, n_ties).astype(float),
                "directed": rng.random(n_ties) < 0.2,
            }
        ),
        ties,
    )
    return actors, ties


def _plain_sql(folder: Path) -> list[str]:
    """The plain DuckDB script: the checks of ``civnet import table`` written directly (read as
    text, NUL bytes, ids, duplicates, vocabularies, country names, coordinates, known
    endpoints, weights, directions, dates, date order, self-loops), then the merge: one tie per
    (source, target, track, kind, dates, direction), undirected ties oriented, references
    listed, new ties numbered and inserted."""
    types = "'cso','youth_org','think_tank','university','enterprise','business_assoc','media',"
    types += "'religious','labor','individual','city','state','igo','network','forum'"
    tracks = "'culture','education','science_technology','environment','health',"
    tracks += "'economy_trade','social_development','governance','general'"
    kinds = "'sister_city','membership','participation','exchange','agreement',"
    kinds += "'joint_project','funding','event','other'"
    yes = "'true','t','yes','y','1','directed'"
    no = "'false','f','no','n','0','undirected',''"
    blank = r"[\s\p{Z}\x{200B}\x{FEFF}]*"

    def norm(c: str) -> str:
        return f"replace(replace(lower(trim({c})), '-', '_'), ' ', '_')"

    def date(c: str, end: bool) -> str:
        return rf"""CASE WHEN trim(coalesce({c}, '')) = '' THEN NULL
            WHEN regexp_full_match(trim({c}), '\d{{4}}') AND trim({c}) <> '0000' THEN
              make_date(trim({c})::INT, {"12, 31" if end else "1, 1"})
            WHEN regexp_full_match(trim({c}), '\d{{4}}-\d{{1,2}}') THEN
              {"last_day" if end else ""}(try_cast(trim({c}) || '-01' AS DATE))
            WHEN year(try_cast(trim({c}) AS DATE)) BETWEEN 1 AND 9999
              THEN try_cast(trim({c}) AS DATE) END"""

    iso = ", ".join(f"('{k}', '{v}')" for k, v in COUNTRY_NAMES.items())
    a, t = folder / "actors.csv", folder / "ties.csv"
    return [
        """CREATE TABLE actors (id VARCHAR PRIMARY KEY, name VARCHAR, type VARCHAR NOT NULL,
             country VARCHAR, city VARCHAR, lat DOUBLE, lon DOUBLE, attrs JSON,
             source_id INTEGER, level VARCHAR)""",
        """CREATE TABLE ties (tie_id BIGINT NOT NULL, source VARCHAR NOT NULL,
             target VARCHAR NOT NULL, track VARCHAR NOT NULL, kind VARCHAR NOT NULL,
             start_date DATE, end_date DATE, weight DOUBLE NOT NULL, directed BOOLEAN NOT NULL,
             refs VARCHAR[] NOT NULL, attrs JSON)""",
        """CREATE TABLE rejects (source_id INTEGER, "row" VARCHAR, field VARCHAR,
             reason VARCHAR, raw VARCHAR)""",
        f"""CREATE TEMP TABLE ia AS SELECT *, row_number() OVER () AS _row
            FROM read_csv('{a}', all_varchar = true, header = true)""",
        f"CREATE TEMP TABLE iso AS SELECT * FROM (VALUES {iso}) v(name, iso3)",
        f"""CREATE TEMP TABLE va AS SELECT *, e_id OR e_dup OR e_type OR e_country OR e_lat
              OR e_lon OR e_nul AS bad FROM (
            SELECT ia._row, trim(id) AS id, coalesce(nullif(trim(ia.name), ''), trim(id)) AS name,
              {norm("type")} AS type, iso.iso3 AS country, try_cast(lat AS DOUBLE) AS lat,
              try_cast(lon AS DOUBLE) AS lon,
              CASE WHEN sector <> '' THEN '{{"sector": ' || to_json(sector) || '}}' END AS attrs,
              regexp_full_match(coalesce(id, ''), '{blank}') AS e_id,
              ia._row <> min(ia._row) OVER (PARTITION BY trim(id)) AS e_dup,
              coalesce({norm("type")} NOT IN ({types}), true) AS e_type,
              iso.iso3 IS NULL AS e_country,
              trim(coalesce(lat, '')) <> ''
                AND coalesce(abs(try_cast(lat AS DOUBLE)) > 90, true) AS e_lat,
              trim(coalesce(lon, '')) <> ''
                AND coalesce(abs(try_cast(lon AS DOUBLE)) > 180, true) AS e_lon,
              contains(concat(id, ia.name, type, ia.country, lat, lon, sector), chr(0)) AS e_nul
            FROM ia LEFT JOIN iso ON iso.name = trim(ia.country))""",
        """CREATE TEMP TABLE known AS SELECT id FROM actors
           UNION SELECT id FROM va WHERE NOT bad""",
        f"""CREATE TEMP TABLE it AS SELECT *, row_number() OVER () AS _row
            FROM read_csv('{t}', all_varchar = true, header = true)""",
        f"""CREATE TEMP TABLE vt AS SELECT *, e_src OR e_tgt OR e_track OR e_kind OR e_weight
              OR e_directed OR (has_start AND start_date IS NULL)
              OR (has_end AND end_date IS NULL) OR coalesce(start_date > end_date, false)
              OR e_loop OR e_nul AS bad FROM (
            SELECT it._row, trim(source) AS source, trim(target) AS target,
              coalesce(nullif({norm("track")}, ''), 'general') AS track,
              coalesce(nullif({norm("kind")}, ''), 'other') AS kind,
              {date('"start"', False)} AS start_date, {date('"end"', True)} AS end_date,
              coalesce(try_cast(nullif(trim(weight), '') AS DOUBLE), 1.0) AS weight,
              lower(trim(coalesce(directed, ''))) IN ({yes}) AS directed,
              regexp_full_match(coalesce(it.source, ''), '{blank}')
                OR regexp_full_match(coalesce(it.target, ''), '{blank}')
                OR ks.id IS NULL AS e_src,
              kt.id IS NULL AS e_tgt,
              trim(coalesce(track, '')) <> '' AND {norm("track")} NOT IN ({tracks}) AS e_track,
              trim(coalesce(kind, '')) <> '' AND {norm("kind")} NOT IN ({kinds}) AS e_kind,
              trim(coalesce(weight, '')) <> ''
                AND coalesce(NOT (try_cast(weight AS DOUBLE) BETWEEN 0 AND 1e12), true)
                AS e_weight,
              lower(trim(coalesce(directed, ''))) NOT IN ({yes}, {no}) AS e_directed,
              trim(coalesce("start", '')) <> '' AS has_start,
              trim(coalesce("end", '')) <> '' AS has_end,
              trim(source) = trim(target) AS e_loop,
              contains(concat(source, target, track, kind, "start", "end", weight, directed),
                       chr(0)) AS e_nul
            FROM it LEFT JOIN known ks ON ks.id = trim(it.source)
              LEFT JOIN known kt ON kt.id = trim(it.target))""",
        "BEGIN TRANSACTION",
        """INSERT INTO actors SELECT id, name, type, country, NULL, lat, lon, attrs::JSON, 1,
              CASE WHEN type IN ('network', 'igo', 'forum') THEN 'network'
                   WHEN type = 'city' THEN 'city' ELSE 'organisation' END
            FROM va WHERE NOT bad AND id NOT IN (SELECT id FROM actors)""",
        """INSERT INTO rejects SELECT 1, _row, '', 'bad actor', '' FROM va WHERE bad
           UNION ALL SELECT 1, _row, '', 'bad tie', '' FROM vt WHERE bad""",
        """CREATE TEMP TABLE nt AS
           WITH o AS (
             SELECT CASE WHEN NOT directed AND target < source THEN target ELSE source END
                      AS source,
                    CASE WHEN NOT directed AND target < source THEN source ELSE target END
                      AS target,
                    track, kind, start_date, end_date, weight, directed,
                    's1:row ' || _row AS ref
             FROM vt WHERE NOT bad)
           SELECT source, target, track, kind, directed, start_date, end_date,
                  max(weight) AS weight, list(ref ORDER BY ref) AS refs
           FROM o GROUP BY ALL""",
        """INSERT INTO ties
           SELECT (SELECT coalesce(max(tie_id), 0) FROM ties)
                    + row_number() OVER (ORDER BY source, target, kind, track, start_date,
                                                  end_date),
                  n.source, n.target, n.track, n.kind, n.start_date, n.end_date, n.weight,
                  n.directed, n.refs, NULL
           FROM nt n WHERE NOT EXISTS (
             SELECT 1 FROM ties t WHERE t.source = n.source AND t.target = n.target
               AND t.track = n.track AND t.kind = n.kind AND t.directed = n.directed
               AND t.start_date IS NOT DISTINCT FROM n.start_date
               AND t.end_date IS NOT DISTINCT FROM n.end_date)""",
        "COMMIT",
    ]


def _stored(db: Path) -> dict[str, float]:
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    row = con.execute(
        """SELECT (SELECT count(*) FROM actors), count(*), sum(weight), sum(len(refs)),
                  count(DISTINCT track), (SELECT count(*) FROM rejects)
           FROM ties"""
    ).fetchone()
    con.close()
    assert row is not None
    keys = ("actors", "ties", "weight", "refs", "tracks", "rejects")
    return dict(zip(keys, (float(x) for x in row), strict=True))


def import_child(which: str, folder: Path, db: Path) -> None:
    """One side of the import comparison, in this (fresh) process."""
    t0 = time.perf_counter()
    if which == "import-civnet":
        from civnet.cli import main as civnet_main

        loaded = time.perf_counter()
        sys.argv = ["civnet", "--workspace", str(db), "import", "table"]
        sys.argv += ["--actors", str(folder / "actors.csv"), "--ties", str(folder / "ties.csv")]
        try:
            civnet_main()
        except SystemExit as exc:
            if exc.code:
                raise
    else:
        import duckdb

        loaded = time.perf_counter()
        con = duckdb.connect(str(db))
        for sql in _plain_sql(folder):
            con.execute(sql)
        con.close()
    done = time.perf_counter()
    out = {"seconds": done - loaded, "startup": loaded - t0, "peak_mb": peak_mb()}
    print(json.dumps({**out, **_stored(db)}))


def bench_import(tmp: Path, args: argparse.Namespace) -> None:
    folder = tmp / "import"
    folder.mkdir(exist_ok=True)
    import_inputs(folder, args.import_actors, args.import_ties)
    side = {}
    for which in ("import-duckdb", "import-civnet"):
        db = tmp / f"{which}.duckdb"
        cmd = [sys.executable, __file__, "--child", which, "--tmp", str(folder), "--db", str(db)]
        out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
        side[which] = json.loads(out.strip().splitlines()[-1])
        db.unlink()
    civ, raw = side["import-civnet"], side["import-duckdb"]
    same = all(civ[k] == raw[k] for k in ("actors", "ties", "weight", "refs", "rejects"))
    print(
        f"\nimport {args.import_ties:,} tie rows and {args.import_actors:,} actors (CSV, "
        f"validated, merged, stored; same result: {same}, {civ['ties']:,.0f} ties):\n"
        f"  civnet import table {civ['seconds']:.1f} s, peak {civ['peak_mb']:.0f} MB "
        f"(+{civ['startup']:.1f} s loading civnet) | plain DuckDB script {raw['seconds']:.1f} s, "
        f"peak {raw['peak_mb']:.0f} MB (+{raw['startup']:.1f} s loading duckdb)\n"
        f"  civnet / DuckDB script: time {civ['seconds'] / raw['seconds']:.2f} (target 1.5), "
        f"with start-up {(civ['seconds'] + civ['startup']) / (raw['seconds'] + raw['startup']):.2f}; "
        f"civnet peak {civ['peak_mb'] / 1024:.2f} GB (target 0.6); load {os.getloadavg()[0]:.2f}"
    )


# -- a view of ten million ties (issue 12 item 7) ----------------------------------------------


def view_workspace(path: Path, n_actors: int, n_ties: int, seed: int = 10) -> None:
    """A seeded workspace of ``n_actors`` actors and ``n_ties`` undirected dated ties, written
    straight into the store's tables in chunks (its import is measured separately)."""
    import pyarrow as pa

    from civnet.store import Workspace

    rng = np.random.default_rng(seed)
    ids = np.char.add("org:", np.arange(n_actors).astype(str)).astype(object)
    types = np.array(["cso", "university", "city", "think_tank", "media"], dtype=object)
    countries = np.array(["FRA", "DEU", "CHN", "USA", "BRA", "KEN", "IND", "JPN"], dtype=object)
    tracks = np.array(["culture", "education", "health", "general"], dtype=object)
    kinds = np.array(["exchange", "agreement", "joint_project", "membership"], dtype=object)
    with Workspace(path) as ws:
        con = ws.con
        con.execute("SET enable_progress_bar_print = false")
        actors = pa.table(
            {
                "id": ids,
                "type": types[rng.integers(0, len(types), n_actors)],
                "country": countries[rng.integers(0, len(countries), n_actors)],
            }
        )
        con.register("_a", actors)
        con.execute(
            """INSERT INTO actors (id, name, type, country, source_id, level)
               SELECT id, id, type, country, 1,
                      CASE WHEN type = 'city' THEN 'city' ELSE 'organisation' END FROM _a"""
        )
        con.unregister("_a")
        done, chunk = 0, 1_000_000
        while done < n_ties:
            k = min(chunk, n_ties - done)
            u = rng.integers(0, n_actors, k)
            v = (u + rng.integers(1, n_actors, k)) % n_actors
            part = pa.table(
                {
                    "tie_id": np.arange(done + 1, done + k + 1),
                    "source": ids[np.minimum(u, v)],
                    "target": ids[np.maximum(u, v)],
                    "track": tracks[rng.integers(0, len(tracks), k)],
                    "kind": kinds[rng.integers(0, len(kinds), k)],
                    "year": rng.integers(1990, 2020, k),
                    "weight": rng.integers(1, 4, k).astype(float),
                }
            )
            con.register("_t", part)
            con.execute(
                """INSERT INTO ties SELECT tie_id, source, target, track, kind,
                          make_date(year, 1, 1), NULL, weight, false, ['s1:row ' || tie_id], NULL
                   FROM _t"""
            )
            con.unregister("_t")
            done += k
        con.execute(
            "INSERT INTO sources (id, name, sha256, importer) VALUES (1, 'synthetic', 'x', 'bench')"
        )


def view_child(db: Path) -> None:
    """Build the whole view of workspace ``db`` in this fresh process."""
    from civnet.store import Workspace
    from civnet.views import build_network

    ws = Workspace(db, read_only=True)
    base, blocks = peak_mb(), sys.getallocatedblocks()
    t = time.perf_counter()
    net = build_network(ws)
    secs = time.perf_counter() - t
    out = {
        "seconds": secs,
        "base_mb": base,
        "peak_mb": peak_mb(),
        "held_mb": _rss_mb(),
        "ties_mb": net.ties.nbytes / 2**20,
        "actors": net.graph.vcount(),
        "edges": net.graph.ecount(),
        "tie_rows": net.ties.num_rows,
        "blocks": sys.getallocatedblocks() - blocks,
    }
    print(json.dumps(out))


def _rss_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def bench_view(tmp: Path, args: argparse.Namespace) -> None:
    db = tmp / "view.duckdb"
    t = time.perf_counter()
    view_workspace(db, args.view_actors, args.view_ties)
    made = time.perf_counter() - t
    cmd = [sys.executable, __file__, "--child", "view", "--db", str(db)]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    r = json.loads(out.strip().splitlines()[-1])
    print(
        f"\nview of {r['tie_rows']:,} ties ({r['actors']:,} actors, {r['edges']:,} edges; "
        f"workspace written in {made:.0f} s): build_network {r['seconds']:.1f} s, peak "
        f"{r['peak_mb'] / 1024:.2f} GB (interpreter before it {r['base_mb']:.0f} MB), held after "
        f"{r['held_mb'] / 1024:.2f} GB of which the tie table {r['ties_mb']:.0f} MB (Arrow); "
        f"Python objects made and kept: {r['blocks']:,} = {r['blocks'] / r['actors']:.1f} per "
        f"actor, {r['blocks'] / r['edges']:.3f} per edge; load {os.getloadavg()[0]:.2f}"
    )


# -- betweenness memory per process against igraph (issue 12 item 7) ------------------------


def civil_graph(n_core: int, m: int, n_pendant: int, seed: int = 3) -> tuple[int, np.ndarray]:
    """A civil-diplomacy-like graph: a Barabasi-Albert core of ``n_core`` actors (``m`` ties
    each) and ``n_pendant`` actors hanging off it in small trees, as partner organisations hang
    off city hubs (edges as an (m, 2) array)."""
    import random

    import igraph as ig

    random.seed(seed)  # igraph draws from Python's random module
    rng = np.random.default_rng(seed)
    core = ig.Graph.Barabasi(n_core, m, directed=False)
    core.simplify()
    ends = np.empty(n_pendant, dtype=np.int64)
    for i in range(n_pendant):  # each pendant hangs off the core or an earlier pendant
        ends[i] = rng.integers(0, n_core + i) if i and rng.random() < 0.2 else rng.integers(n_core)
    pend = np.column_stack([np.arange(n_core, n_core + n_pendant), ends])
    return n_core + n_pendant, np.vstack([np.asarray(core.get_edgelist(), np.int64), pend])


def memory_child(which: str, args: argparse.Namespace) -> None:
    """Betweenness in this fresh process: peak memory and what the measure added.

    ``bt-civnet`` starts as the ``civnet`` command does (:func:`civnet._lean.lean_imports`:
    igraph without matplotlib); ``bt-igraph`` is raw python-igraph as a user imports it (with
    the matplotlib its drawing imports), ``bt-igraph-lean`` the same without matplotlib.
    """
    if which in ("bt-civnet", "bt-igraph-lean"):
        from civnet._lean import lean_imports

        lean_imports()
    n, e = civil_graph(args.civil_core, args.civil_m, args.civil_pendants)
    if which in ("bt-igraph", "bt-igraph-lean"):
        import igraph as ig

        g = ig.Graph(n=n, edges=e, directed=False)
        before = _rss_mb()
        t = time.perf_counter()
        k = args.igraph_sources
        g.betweenness(directed=False, sources=np.linspace(0, n - 1, k).astype(int).tolist())
        method = f"igraph Brandes from {k} sources"
    else:
        from civnet.measures import betweenness
        from civnet.views import Network

        actors, ties = _arrow_tables(n, e)
        net = Network.from_tables(actors, ties)
        del actors, ties
        from civnet.measures.intermediation.brandes import aot_module, kernel_in_use

        numba_from = _rss_mb()
        kernel = kernel_in_use()  # the compiled module (no numba) when built, else numba's JIT
        if kernel == "aot":
            aot_module()
        else:
            import civnet.measures.intermediation.brandes_kernel  # noqa: F401  (numba, cached kernel)
        kernel_mb = _rss_mb() - numba_from
        before = _rss_mb()
        t = time.perf_counter()
        method = betweenness(net, normalized=False).method
    out = {"seconds": time.perf_counter() - t, "peak_mb": peak_mb(), "before_mb": before}
    if which == "bt-civnet":
        out["kernel_mb"] = kernel_mb
        out["view_from_mb"] = numba_from
        out["kernel"] = kernel
        out["numba_loaded"] = "numba" in sys.modules
        out["pandas_loaded"] = "pandas" in sys.modules
    print(json.dumps({**out, "method": method}))


def _arrow_tables(n: int, e: np.ndarray) -> tuple[object, object]:
    """The actor and tie tables of ``n`` actors ``a0``, ``a1``, ... and the edges ``e``, built
    from Arrow buffers: converting a Python or numpy sequence (``pa.array``, ``pa.table`` of
    arrays) makes pyarrow import pandas (about 60 MB), which a ``civnet`` process building
    its view from the workspace does not (DuckDB hands Arrow over directly)."""
    import pyarrow as pa

    def strings(s: np.ndarray) -> pa.Array:
        raw = np.char.encode(s, "ascii")
        width = raw.dtype.itemsize
        lengths = np.char.str_len(s)
        offsets = np.zeros(len(s) + 1, dtype=np.int32)
        np.cumsum(lengths, out=offsets[1:])
        data = raw.view(np.uint8).reshape(len(s), width)[np.arange(width) < lengths[:, None]]
        bufs = [None, pa.py_buffer(offsets), pa.py_buffer(data.tobytes())]
        return pa.Array.from_buffers(pa.string(), len(s), bufs)

    ids = np.char.add("a", np.arange(n).astype(str))
    ones = np.ones(len(e))
    no = np.packbits(np.zeros(len(e), dtype=bool), bitorder="little")
    actors = pa.table(
        {"id": strings(ids), "name": strings(ids), "type": strings(np.full(n, "cso"))}
    )
    ties = pa.table(
        {
            "source": strings(ids[e[:, 0]]),
            "target": strings(ids[e[:, 1]]),
            "weight": pa.Array.from_buffers(pa.float64(), len(e), [None, pa.py_buffer(ones)]),
            "directed": pa.Array.from_buffers(pa.bool_(), len(e), [None, pa.py_buffer(no)]),
        }
    )
    return actors, ties


def bench_memory(args: argparse.Namespace) -> None:
    n, e = civil_graph(args.civil_core, args.civil_m, args.civil_pendants)
    side = {}
    kernels = [k.strip() for k in args.civnet_kernels.split(",") if k.strip()]
    runs = [("bt-igraph", ""), ("bt-igraph-lean", "")] + [("bt-civnet", k) for k in kernels]
    for which, kernel in runs:
        cmd = [sys.executable, __file__, "--child", which]
        cmd += ["--civil-core", str(args.civil_core), "--civil-pendants", str(args.civil_pendants)]
        cmd += ["--civil-m", str(args.civil_m), "--igraph-sources", str(args.igraph_sources)]
        env = {k: v for k, v in os.environ.items() if k != "CIVNET_BRANDES"}
        if kernel and kernel != "auto":
            env["CIVNET_BRANDES"] = kernel
        out = subprocess.run(cmd, check=True, capture_output=True, text=True, env=env).stdout
        side[which + kernel] = json.loads(out.strip().splitlines()[-1])
    raw, lean = side["bt-igraph"], side["bt-igraph-lean"]
    added_i = raw["peak_mb"] - raw["before_mb"]
    print(
        f"\nbetweenness memory, civil-like graph of {n:,} actors and {len(e):,} ties (BA core "
        f"{args.civil_core:,}, m={args.civil_m}): {raw['method']} {raw['seconds']:.1f} s, "
        f"process peak {raw['peak_mb']:.0f} MB, {added_i:.0f} MB added; igraph imported "
        f"without matplotlib (as civnet does): process peak {lean['peak_mb']:.0f} MB"
    )
    for kernel in kernels:
        civ = side["bt-civnet" + kernel]
        added_c = civ["peak_mb"] - civ["before_mb"] + civ["kernel_mb"]
        print(
            f"  civnet exact, kernel {kernel} ({_kernel_words(civ)}; {civ['method']}) "
            f"{civ['seconds']:.1f} s, process peak {civ['peak_mb']:.0f} MB, {added_c:.0f} MB added "
            f"by the measure (loading the kernel {civ['kernel_mb']:.0f} MB; the process held "
            f"{civ['view_from_mb']:.0f} MB with civnet imported and the view built, igraph's "
            f"{raw['before_mb']:.0f} MB with its graph)\n"
            f"    civnet / igraph memory: process peak {civ['peak_mb'] / raw['peak_mb']:.2f} "
            f"(target 2), added by the measure {max(added_c, 1) / max(added_i, 1):.2f}; civnet / "
            f"igraph without matplotlib {civ['peak_mb'] / lean['peak_mb']:.2f}; load "
            f"{os.getloadavg()[0]:.2f}"
        )


def _kernel_words(civ: dict) -> str:  # type: ignore[type-arg]
    """Which Brandes kernel the civnet child ran, and whether numba was loaded at the end."""
    kind = "compiled ahead of time" if civ["kernel"] == "aot" else "numba JIT"
    pandas = "loaded" if civ["pandas_loaded"] else "never imported"
    return f"{kind}, numba {'loaded' if civ['numba_loaded'] else 'never imported'}, pandas {pandas}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--actors", type=int, default=200_000)
    ap.add_argument("--m", type=int, default=5)
    ap.add_argument("--eps", type=float, default=0.01)
    ap.add_argument("--igraph-sources", type=int, default=20)
    ap.add_argument("--import-actors", type=int, default=200_000)
    ap.add_argument("--import-ties", type=int, default=1_000_000)
    ap.add_argument("--view-actors", type=int, default=1_000_000)
    ap.add_argument("--view-ties", type=int, default=10_000_000)
    ap.add_argument("--civil-core", type=int, default=20_000)
    ap.add_argument("--civil-pendants", type=int, default=180_000)
    ap.add_argument("--civil-m", type=int, default=3)
    ap.add_argument(
        "--civnet-kernels",
        default="auto",
        help="memory part: comma-separated Brandes kernels for civnet's runs, each in its own "
        "process: auto (the compiled module when built), aot, jit (numba)",
    )
    ap.add_argument(
        "--parts",
        default="import,view,memory,approx",
        help="comma-separated: import (civnet import table vs a plain DuckDB script), view "
        "(peak of a view of --view-ties ties), memory (betweenness memory vs igraph), approx "
        "(budgeted betweenness vs KADABRA)",
    )
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--tmp", help=argparse.SUPPRESS)
    ap.add_argument("--db", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child and args.child.startswith("import-"):
        import_child(args.child, Path(args.tmp), Path(args.db))
        return
    if args.child == "view":
        view_child(Path(args.db))
        return
    if args.child and args.child.startswith("bt-"):
        memory_child(args.child, args)
        return
    if args.child:
        child(args.child, Path(args.tmp), args)
        return
    parts = set(args.parts.split(","))
    print(f"cores {os.cpu_count()}, load {os.getloadavg()}")
    if "import" in parts:
        with tempfile.TemporaryDirectory() as tmp:
            bench_import(Path(tmp), args)
    if "view" in parts:
        with tempfile.TemporaryDirectory() as tmp:
            bench_view(Path(tmp), args)
    if "memory" in parts:
        bench_memory(args)
    if "approx" not in parts:
        return
    with tempfile.TemporaryDirectory() as tmp:
        n, e = graph(Path(tmp), args.actors, args.m)
        print(
            f"BA graph: {n:,} actors, {len(e):,} ties; cores {os.cpu_count()}, load {os.getloadavg()}"
        )
        ig_run = run("igraph", Path(tmp), args)
        kad = run("kadabra", Path(tmp), args)
        civ = run("civnet", Path(tmp), args)
        cert = run("civnet-top", Path(tmp), args)
        topk = run("topk", Path(tmp), args)
    print(f"civnet: {civ['method']}")
    print(
        f"exact cost estimated by civnet: {civ['estimate_s'] / 3600:.1f} h "
        f"(found in {civ['estimate_took']:.1f} s); raw igraph exact, scaled from "
        f"{args.igraph_sources} sources: {ig_run['seconds_scaled'] / 3600:.1f} h"
    )
    print(
        f"civnet budgeted {civ['seconds']:.1f} s, {civ['peak_mb']:.0f} MB peak | raw KADABRA "
        f"(eps {args.eps}, delta 0.1, {kad['samples']:,} samples) {kad['seconds']:.1f} s, "
        f"{kad['peak_mb']:.0f} MB peak"
    )
    print(
        f"civnet / KADABRA: time {civ['seconds'] / kad['seconds']:.2f}, peak memory "
        f"{civ['peak_mb'] / kad['peak_mb']:.2f}"
    )
    exact_top = set(topk["top"])
    print(
        f"top 10: civnet finds {len(set(civ['top']) & exact_top)} of KADABRA top-k's 10 "
        f"({topk['seconds']:.1f} s), raw KADABRA finds {len(set(kad['top']) & exact_top)}"
    )
    said = cert["method"].rsplit("; ", 1)[-1]
    print(
        f"civnet --certify-top 10: {cert['seconds']:.1f} s ({cert['seconds'] / kad['seconds']:.2f} "
        f"of KADABRA's), {cert['peak_mb']:.0f} MB peak ({cert['peak_mb'] / kad['peak_mb']:.2f}), "
        f"{cert['samples']:,} paths; {said}; its 10 = KADABRA top-k's 10: "
        f"{set(cert['top']) == exact_top}; the same 10 as the budgeted run's: "
        f"{set(cert['top']) == set(civ['top'])}; load after {os.getloadavg()[0]:.2f}"
    )


if __name__ == "__main__":
    main()

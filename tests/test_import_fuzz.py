"""Property-based fuzzing of every importer through the CLI (issue 11, "keep it that way").

For any generated file each import either succeeds (exit 0) or stops with one line (exit 2): never
a traceback, never another exit code, and on exit 2 the workspace holds exactly what it held
before. Examples are derandomized and few, so each test runs in seconds and the same on every
run; the generators favour the inputs that broke civnet before (quotes in names, ragged rows, NUL
bytes, odd years and weights, case-colliding columns).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import shutil
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import networkx as nx
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from civnet.cli import app
from civnet.importers.tables import import_tables
from civnet.store import Workspace

FUZZ = settings(
    max_examples=8,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

SEED_ACTORS = "id,type,country\na,cso,FRA\nb,city,DEU\n"

# Pieces of text that broke civnet before, mixed with arbitrary Unicode.
NASTY = st.sampled_from(
    ['"', "'", ",", ";", "\t", "\n", "\r", "\x00", "\x01", " ", "\u00a0", "\ufeff", "=", "-",
     "--", "/*", "[/]", "0000", "-0044", "99999", "1e400", "nan", "inf", "1.7e308", "Type",
     "type", "_row", "id", "'); DELETE FROM ties; --", 'x" FROM _ia; DROP TABLE ties; --']
)  # fmt: skip
TEXT = st.one_of(
    NASTY,
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=8),
    st.lists(NASTY, max_size=3).map("".join),
)
IDS = st.sampled_from(["a", "b", "c", " a ", "", "\t"])
VALUES: dict[str, st.SearchStrategy[str]] = {
    "id": IDS,
    "source": IDS,
    "target": IDS,
    "type": st.sampled_from(["cso", "city", "university", "CSO", "", "ngo"]),
    "country": st.sampled_from(["FRA", "Germany", "DEU", "", "Narnia"]),
    "weight": st.sampled_from(["1", "2.5", "0", "-1", "nan", "inf", "1e400", "1.7e308", "x", ""]),
    "start": st.sampled_from(["2016", "2016-05", "2016-05-03", "0000", "-0044", "99999", ""]),
    "end": st.sampled_from(["2019", "2015", "", "2016-13-45"]),
    "year": st.sampled_from(["1994", "0", "", "0000", "abc", "1994.0"]),
}
COLUMNS = st.sampled_from(
    ["id", "type", "country", "name", "source", "target", "weight", "start", "end", "track",
     "kind", "directed", "Type", "city1", "country1", "city2", "country2", "year", "actor",
     "since", "until"]
)  # fmt: skip


@st.composite
def tables(draw: st.DrawFn, required: list[str]) -> list[list[str]]:
    """A header (the required columns, some others, perhaps a hostile name) and rows whose
    values are mostly plausible and sometimes anything; rows may be ragged."""
    extra = draw(st.lists(st.one_of(COLUMNS, TEXT), max_size=3))
    header = required + extra
    rows = []
    for _ in range(draw(st.integers(0, 4))):
        row = [draw(st.one_of(VALUES.get(c.strip().lower(), TEXT), TEXT)) for c in header]
        if draw(st.integers(0, 9)) == 0:  # a ragged row now and then
            row = row[:-1] if draw(st.booleans()) else [*row, "extra"]
        rows.append(row)
    return [header, *rows]


def csv_bytes(table: list[list[str]], raw: bool) -> bytes:
    """CSV text, quoted properly or (``raw``) joined as is, so that quotes can break rows."""
    if raw:
        return "".join(",".join(r) + "\n" for r in table).encode("utf-8", "surrogatepass")
    out = io.StringIO()
    csv.writer(out).writerows(table)
    return out.getvalue().encode("utf-8", "surrogatepass")


def _digest(path: Path) -> str:
    """A digest of every civnet table's rows (what a reader can see), or 'absent'."""
    if not path.exists():
        return "absent"
    con = duckdb.connect(str(path), read_only=True)
    try:
        h = hashlib.sha256()
        for table in ("meta", "actors", "ties", "sources", "rejects"):
            for row in con.execute(f"SELECT * FROM {table} ORDER BY ALL").fetchall():
                h.update(repr(row).encode())
        return h.hexdigest()
    finally:
        con.close()


_TEMPLATE: list[Path] = []


@pytest.fixture(scope="module", autouse=True)
def _remove_template() -> Iterator[None]:
    """The template's folder goes when the module's tests end (it was left in the temp dir)."""
    yield
    while _TEMPLATE:
        shutil.rmtree(_TEMPLATE.pop().parent, ignore_errors=True)


def _template() -> Path:
    """A workspace holding actors a (cso, FRA) and b (city, DEU), made once per session."""
    if not _TEMPLATE:
        folder = Path(tempfile.mkdtemp(prefix="civnet-fuzz-template-"))
        (folder / "seed.csv").write_text(SEED_ACTORS)
        with Workspace(folder / "w.duckdb") as w:
            import_tables(w, actors=folder / "seed.csv")
        _TEMPLATE.append(folder / "w.duckdb")
    return _TEMPLATE[0]


@contextmanager
def seeded_workspace() -> Iterator[Path]:
    """A fresh folder with a copy of the template workspace."""
    folder = Path(tempfile.mkdtemp(prefix="civnet-fuzz-"))
    try:
        shutil.copy(_template(), folder / "w.duckdb")
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def run_import(folder: Path, args: list[str]) -> None:
    """Run ``civnet import ARGS``; assert exit 0, or exit 2 with one line and no change."""
    ws = folder / "w.duckdb"
    before = _digest(ws)
    result = CliRunner().invoke(app, ["--workspace", str(ws), "import", *args])
    assert result.exit_code in (0, 2), (result.exit_code, result.output, result.exception)
    if result.exception is not None:
        assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    if result.exit_code == 2:
        lines = result.output.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: "), result.output
        assert _digest(ws) == before


def fuzz_file(folder: Path, name: str, data: bytes) -> Path:
    p = folder / name
    p.write_bytes(data)
    return p


@FUZZ
@given(table=tables(["id", "type", "country"]), raw=st.booleans())
def test_fuzz_actor_csv(table: list[list[str]], raw: bool) -> None:
    with seeded_workspace() as folder:
        p = fuzz_file(folder, "actors.csv", csv_bytes(table, raw))
        run_import(folder, ["table", "--actors", str(p)])


@FUZZ
@given(table=tables(["source", "target"]), raw=st.booleans())
def test_fuzz_tie_csv(table: list[list[str]], raw: bool) -> None:
    with seeded_workspace() as folder:
        p = fuzz_file(folder, "ties.csv", csv_bytes(table, raw))
        run_import(folder, ["table", "--ties", str(p)])


@FUZZ
@given(
    rows=st.lists(
        st.dictionaries(
            st.one_of(COLUMNS, TEXT),
            st.one_of(
                IDS,
                TEXT,
                st.integers(),
                st.floats(),
                st.none(),
                st.lists(st.integers(), max_size=2),
            ),
            max_size=5,
        ),
        max_size=4,
    ),
    base=st.sampled_from([{}, {"source": "a", "target": "b"}]),
)
def test_fuzz_tie_jsonl(rows: list[dict[str, object]], base: dict[str, str]) -> None:
    with seeded_workspace() as folder:
        text = "".join(json.dumps({**base, **r}) + "\n" for r in rows)
        p = fuzz_file(folder, "ties.jsonl", text.encode("utf-8", "surrogatepass"))
        run_import(folder, ["table", "--ties", str(p)])


@FUZZ
@given(table=tables(["source", "target"]))
def test_fuzz_tie_parquet(table: list[list[str]]) -> None:
    header, *rows = table
    names = list(dict.fromkeys(header))  # Parquet needs distinct names
    cols = {n: [r[i] if i < len(r) else None for r in rows] for i, n in enumerate(names)}
    with seeded_workspace() as folder:
        p = folder / "ties.parquet"
        pq.write_table(pa.table({n: pa.array(v, pa.string()) for n, v in cols.items()}), p)
        run_import(folder, ["table", "--ties", str(p)])


@st.composite
def graphs(draw: st.DrawFn) -> nx.Graph:
    g = nx.DiGraph() if draw(st.booleans()) else nx.Graph()
    ids = draw(st.lists(st.one_of(IDS, TEXT), min_size=1, max_size=4, unique=True))
    for n in ids:
        attrs = draw(
            st.dictionaries(st.one_of(COLUMNS, TEXT), st.one_of(TEXT, st.floats()), max_size=3)
        )
        g.add_node(n, **attrs)
    for _ in range(draw(st.integers(0, 4))):
        u, v = draw(st.sampled_from(ids)), draw(st.sampled_from(ids))
        attrs = draw(
            st.dictionaries(st.one_of(COLUMNS, TEXT), st.one_of(TEXT, st.floats()), max_size=3)
        )
        g.add_edge(u, v, **attrs)
    return g


@FUZZ
@given(
    g=graphs(),
    fmt=st.sampled_from(["graphml", "gexf"]),
    tail=st.sampled_from([b"", b"<x", b"\x00"]),
)
def test_fuzz_graph_files(g: nx.Graph, fmt: str, tail: bytes) -> None:
    with seeded_workspace() as folder:
        p = folder / f"g.{fmt}"
        try:
            (nx.write_graphml if fmt == "graphml" else nx.write_gexf)(g, p)
        except (ValueError, TypeError, nx.NetworkXError):
            return  # a graph NetworkX itself cannot write is not a file anyone has
        if tail:
            p.write_bytes(p.read_bytes() + tail)
        run_import(folder, [fmt, str(p), "--default-type", "cso", "--default-country", "FRA"])


@FUZZ
@given(table=tables(["city1", "country1", "city2", "country2"]), raw=st.booleans())
def test_fuzz_sister_cities(table: list[list[str]], raw: bool) -> None:
    with seeded_workspace() as folder:
        p = fuzz_file(folder, "pairs.csv", csv_bytes(table, raw))
        run_import(folder, ["sister-cities", str(p)])


@FUZZ
@given(table=tables(["actor", "country"]), raw=st.booleans(), network=TEXT)
def test_fuzz_roster(table: list[list[str]], raw: bool, network: str) -> None:
    with seeded_workspace() as folder:
        p = fuzz_file(folder, "roster.csv", csv_bytes(table, raw))
        run_import(folder, ["roster", str(p), "--network", network or "C40"])


GDELT_ROW = (
    "1\t20160728\t201607\t2016\t2016.5699\tFRAEDU\tFRANCE\tFRA\t\t\t\t\tEDU\t\t\tDEUEDU\tGERMANY\tDEU"
    "\t\t\t\t\tEDU\t\t\t1\t043\t043\t04\t1\t2.8\t10\t1\t10\t3.5\t1\tParis\tFR\tFR00\t48.8\t2.3\t-1"
    "\t1\tBerlin\tGM\tGM16\t52.5\t13.4\t-1\t1\tParis\tFR\tFR00\t48.8\t2.3\t-1\t20160728"
)


@st.composite
def gdelt_files(draw: st.DrawFn) -> bytes:
    """Lines of a GDELT 1.0 export, some with fields replaced, dropped or added."""
    lines = []
    for _ in range(draw(st.integers(1, 4))):
        fields = GDELT_ROW.split("\t")
        for _ in range(draw(st.integers(0, 3))):
            i = draw(st.integers(0, len(fields) - 1))
            fields[i] = draw(TEXT).replace("\t", " ").replace("\n", " ")
        if draw(st.integers(0, 5)) == 0:
            fields = fields[:-3] if draw(st.booleans()) else [*fields, "x"]
        lines.append("\t".join(fields))
    return ("\n".join(lines) + "\n").encode("utf-8", "surrogatepass")


@FUZZ
@given(data=gdelt_files(), zipped=st.booleans())
def test_fuzz_gdelt(data: bytes, zipped: bool) -> None:
    with seeded_workspace() as folder:
        if zipped:
            p = folder / "20160728.export.CSV.zip"
            with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as zf:
                zf.writestr("20160728.export.CSV", data)
        else:
            p = fuzz_file(folder, "20160728.export.CSV", data)
        run_import(folder, ["gdelt", str(p)])

"""User text is never read as Rich markup: a value or path with ``[/...]`` prints as typed."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console

from civnet.products.render import records_table
from civnet.store import Workspace

MARKUP = "[/x]"
"""Closing tag with nothing open: Rich raises MarkupError if it reads this as markup."""

DATA = Path(__file__).parent / "data" / "products"


def test_error_line_with_markup_is_one_line(cli) -> None:  # type: ignore[no-untyped-def]
    from civnet.importers.tables import import_tables

    with Workspace(cli.workspace) as ws:
        import_tables(ws, actors=DATA / "actors.csv", ties=DATA / "ties.csv")
    out = cli("describe", "--country", f"Atlantis{MARKUP}[bold]", code=2).output
    assert f"unknown country 'Atlantis{MARKUP}[bold]'" in out
    assert "Traceback" not in out and len(out.strip().splitlines()) == 1
    out = cli("describe", "--from", MARKUP, code=2).output
    assert MARKUP in out and "Traceback" not in out


def _markup_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "[" / "x]"  # files below it have paths reading .../[/x]/...
    folder.mkdir(parents=True)
    return folder


def test_sister_cities_path_with_markup_prints_after_commit(  # type: ignore[no-untyped-def]
    cli, tmp_path: Path
) -> None:
    src = _markup_folder(tmp_path) / "pairs[bold].csv"
    src.write_text(
        "city1,country1,city2,country2\nParis,France,Rome,Italy\nLyon,Atlantis,Turin,Italy\n",
        encoding="utf-8",
    )
    res = cli("import", "sister-cities", str(src), "--skip-bad-rows")
    out = res.output.replace("\n", "")
    assert "pairs[bold].csv: 2 rows read, 1 ties added" in out
    assert f"{MARKUP}/pairs[bold].csv.rejects.csv" in out
    with Workspace(cli.workspace, read_only=True) as ws:
        assert ws.counts()["ties"] == 1


def test_roster_path_and_network_with_markup(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    src = _markup_folder(tmp_path) / "roster[bold].csv"
    src.write_text("actor,country\nParis,France\nLondon,United Kingdom\n", encoding="utf-8")
    out = cli("import", "roster", str(src), "--network", f"Net{MARKUP}").output
    assert "roster[bold].csv" in out and "2 ties added" in out
    again = cli("import", "roster", str(src), "--network", f"Net{MARKUP}").output
    assert "already in the workspace" in again


def test_table_cells_titles_and_headers_are_text() -> None:
    console = Console(width=200, record=True, force_terminal=False)
    console.print(
        records_table([{f"col{MARKUP}": f"v{MARKUP}"}], title=f"t{MARKUP}", caption=f"c{MARKUP}")
    )
    text = console.export_text()
    assert text.count(MARKUP) == 4

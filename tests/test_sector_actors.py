"""One (country, sector) is one actor whether it comes from GDELT or from a country panel."""

from __future__ import annotations

from pathlib import Path

from civnet.store import Workspace
from civnet.vocab import sector_actor_id, sector_actor_type

FIXTURE = Path(__file__).parent / "data" / "gdelt" / "gdelt2_fixture.tsv"


def chn_pak_education_event(tmp_path: Path) -> Path:
    """A real GDELT 2.0 row recoded as a cooperative event between Chinese and Pakistani
    education actors (61 tab-separated columns)."""
    fields = FIXTURE.read_text().splitlines()[0].split("\t")
    assert len(fields) == 61
    values = {
        6: "CHNEDU", 7: "CHINA", 8: "CHN", 13: "EDU",
        16: "PAKEDU", 17: "PAKISTAN", 18: "PAK", 23: "EDU",
        27: "042", 28: "042", 29: "04", 30: "1",
    }  # fmt: skip
    for col, value in values.items():
        fields[col - 1] = value
    path = tmp_path / "chn_pak.export.CSV"
    path.write_text("\t".join(fields) + "\n")
    return path


def test_gdelt_and_aidata_share_sector_actors(cli, tmp_path: Path, ws_path: Path) -> None:  # type: ignore[no-untyped-def]
    cli("import", "gdelt", str(chn_pak_education_event(tmp_path)))
    with Workspace(ws_path, read_only=True) as w:
        gdelt_ties = w.con.execute(
            "SELECT source, target, track, kind FROM ties WHERE kind = 'event'"
        ).fetchall()
    assert gdelt_ties == [("CHN/EDU", "PAK/EDU", "education", "event")]
    cli("load", "china-public-diplomacy")
    with Workspace(ws_path, read_only=True) as w:
        actors = w.con.execute(
            "SELECT id, type FROM actors WHERE id IN ('CHN/EDU', 'PAK/EDU') ORDER BY id"
        ).fetchall()
        kinds = w.con.execute(
            "SELECT DISTINCT kind FROM ties WHERE source = 'CHN/EDU' AND target = 'PAK/EDU' "
            "ORDER BY kind"
        ).fetchall()
    assert actors == [
        (sector_actor_id("CHN", "EDU"), sector_actor_type("EDU")),
        (sector_actor_id("PAK", "EDU"), sector_actor_type("EDU")),
    ]
    assert actors[0][1] == "university"
    # the same two actors carry the event tie and the panel's education ties
    assert ("event",) in kinds and len(kinds) >= 2

"""A view's notes (timeless ties left out of a period, domestic ties left out at country level)
reach every face: each measure's JSON carries them, the Python result exposes them and the
generated table prints them once after the table. Also the summaries the tables draw from the
JSON: "top K of N" with the full N, diversity's multiplexity line, brokerage's Bernoulli density.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

import civnet

# Two countries of four actors each: a ring inside each country, two cross-border ties, and two
# ties without a start date (one domestic, one cross-border).
ACTORS = [(f"a{i}", f"Actor {i}", "cso", "FRA" if i < 4 else "ITA") for i in range(8)]
DATED = [("a0", "a1"), ("a1", "a2"), ("a2", "a3"), ("a3", "a0"), ("a4", "a5"), ("a5", "a6")]
DATED += [("a6", "a7"), ("a7", "a4"), ("a0", "a4"), ("a2", "a6")]
TIMELESS = [("a1", "a3"), ("a1", "a5")]
TIMELESS_NOTE = "2 timeless ties (no start date) left out of the period"
# at country level the domestic ties are left out: the two rings (8) and the timeless a1-a3
DOMESTIC_NOTE = "country level: 9 domestic ties left out"
PERIOD = ("--from", "2000", "--to", "2010")


@pytest.fixture
def notes_ws(cli, tmp_path: Path):  # type: ignore[no-untyped-def]
    actors, ties = tmp_path / "actors.csv", tmp_path / "ties.csv"
    with open(actors, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "name", "type", "country"])
        w.writerows(ACTORS)
    with open(ties, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["source", "target", "track", "start"])
        for i, (u, v) in enumerate(DATED):
            w.writerow([u, v, "culture" if i % 2 else "education", 2001 + i % 5])
        for u, v in TIMELESS:
            w.writerow([u, v, "culture", ""])
    cli("import", "table", "--actors", str(actors), "--ties", str(ties))
    return cli


def _notes(output: str) -> list[str]:
    return [line.strip() for line in output.splitlines() if line.strip().startswith("note:")]


PERIOD_COMMANDS = [
    ["holes"],
    ["ei", "--permutations", "10"],
    ["communities"],
    ["mixing"],
    ["density"],
    ["density", "--by", "country"],
    ["betweenness", "--group", "country"],
    ["brokerage"],
    ["diversity"],
    ["degree"],
    ["closeness"],
    ["pagerank"],
    ["kcore"],
    ["ego-density"],
    ["eigenvector"],
    ["betweenness"],
    ["betweenness", "--boot", "5"],
    ["brokers", "--boot", "5"],
    ["scorecard", "--boot", "5"],
    ["timeline"],
    ["whatif", "--drop-track", "culture", "--boot", "0"],
    ["recommend", "--actor", "a0", "--k", "2"],
]


@pytest.mark.parametrize("command", PERIOD_COMMANDS, ids=" ".join)
def test_timeless_ties_note_is_in_the_json_and_printed_once_after_the_table(
    notes_ws, command: list[str]
) -> None:  # type: ignore[no-untyped-def]
    data = json.loads(notes_ws(*command, *PERIOD, "--format", "json").output)
    assert TIMELESS_NOTE in " ".join(data["notes"])
    out = notes_ws(*command, *PERIOD).output
    timeless = [n for n in _notes(out) if "timeless ties" in n]
    assert len(timeless) == 1, out
    assert timeless[0].startswith("note: " + TIMELESS_NOTE)
    # printed after the tables: nothing but notes follow it
    tail = out[out.index(timeless[0]) :].strip().splitlines()
    assert all(line.startswith("note:") for line in tail), out


@pytest.mark.parametrize(
    "command", [["holes"], ["ei", "--permutations", "10"], ["mixing"], ["density"], ["degree"]]
)
def test_country_level_note_counts_the_domestic_ties_left_out(notes_ws, command) -> None:  # type: ignore[no-untyped-def]
    data = json.loads(notes_ws(*command, "--level", "country", "-f", "json").output)
    assert data["notes"] == [DOMESTIC_NOTE]
    assert _notes(notes_ws(*command, "--level", "country").output) == ["note: " + DOMESTIC_NOTE]


def test_no_notes_when_the_view_leaves_nothing_out(notes_ws) -> None:  # type: ignore[no-untyped-def]
    data = json.loads(notes_ws("holes", "-f", "json").output)
    assert data["notes"] == []
    assert _notes(notes_ws("holes").output) == []


def test_csv_holds_only_the_records(notes_ws) -> None:  # type: ignore[no-untyped-def]
    out = notes_ws("holes", *PERIOD, "-f", "csv").output
    rows = list(csv.DictReader(out.splitlines()))
    assert len(rows) == 8 and "note" not in out


def test_api_and_python_carry_the_notes(notes_ws) -> None:  # type: ignore[no-untyped-def]
    from fastapi.testclient import TestClient

    from civnet.products.serving.server import create_app

    view = civnet.open(notes_ws.workspace).view(level="country")
    result = view.holes()
    assert result.notes == [DOMESTIC_NOTE]
    assert len(result.to_pandas()) == 2
    client = TestClient(create_app(notes_ws.workspace))
    got = client.get("/api/ei", params={"level": "country", "permutations": 0}).json()
    assert got["notes"] == [DOMESTIC_NOTE]
    assert got == json.loads(
        notes_ws("ei", "--level", "country", "--permutations", "0", "-f", "json").output
    )


@pytest.mark.parametrize(
    ("command", "title"),
    [
        (["holes"], "top 3 of 8 actors"),
        (["ei", "--permutations", "0", "--by", "id"], "E-I index by group (top 3 of 8"),
        (["diversity"], "(top 1 of 2 countries"),
        (["communities"], "top 1 of "),
        (["degree"], "(top 3 of 8 actors)"),
        (["brokerage", "--by", "id"], "top 3 of 8 brokers"),
        (["brokerage", "--by", "id"], "top 3 of 8 groups"),
    ],
)
def test_top_titles_count_all_rows(notes_ws, command: list[str], title: str) -> None:  # type: ignore[no-untyped-def]
    top = "1" if command[0] in ("diversity", "communities") else "3"
    out = notes_ws(*command, "--top", top).output
    assert title in out, out


def test_diversity_prints_the_multiplexity_of_the_whole_view(notes_ws) -> None:  # type: ignore[no-untyped-def]
    data = json.loads(notes_ws("diversity", "-f", "json").output)
    # 12 tie records on 12 distinct actor dyads, each on one track
    assert data["multiplexity"] == {
        "actor_dyads": 12,
        "mean_tracks": 1.0,
        "multi_track_share": 0.0,
    }
    out = notes_ws("diversity").output
    assert "actor dyads: 12; mean distinct tracks 1.0000; multi-track share 0.0000" in out


def test_brokerage_caption_states_the_bernoulli_density(notes_ws) -> None:  # type: ignore[no-untyped-def]
    data = json.loads(notes_ws("brokerage", "-f", "json").output)
    # 12 ties among 8 actors: 12 / 28 pairs; sna's Bernoulli null uses the arc density
    (run,) = data["runs"]
    assert run["density"] == pytest.approx(12 / 28)
    assert "Bernoulli graph with density 0.4286" in notes_ws("brokerage").output


def test_counts_in_notes_have_thousands_separators(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A note's count reads like every other count: ``1,200 timeless ties``, not ``1200``."""
    actors, ties = tmp_path / "actors.csv", tmp_path / "ties.csv"
    with open(actors, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "name", "type", "country"])
        w.writerows([(f"b{i}", f"B {i}", "cso", "FRA") for i in range(2500)])
        w.writerow(["x", "X", "cso", "ITA"])
    with open(ties, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["source", "target", "track", "start"])
        w.writerow(["b0", "x", "culture", 2005])
        for i in range(1200):  # 1,200 distinct timeless domestic ties
            w.writerow([f"b{i}", f"b{i + 1250}", "culture", ""])
    cli("import", "table", "--actors", str(actors), "--ties", str(ties))
    out = json.loads(cli("density", *PERIOD, "-f", "json").output)
    assert any(n.startswith("1,200 timeless ties") for n in out["notes"]), out["notes"]
    out = json.loads(cli("density", "--level", "country", "-f", "json").output)
    assert any(n.startswith("country level: 1,200 domestic ties") for n in out["notes"])

"""The Python API (civnet.open, Session, View, Result) and validation in one place (ViewSpec)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

import civnet
from civnet.errors import BadFilter, WorkspaceError

DATA = Path(__file__).parent / "data" / "products"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"tracks": ("educaton",)}, "unknown track 'educaton'"),
        ({"tracks": "education"}, "tracks must be a tuple of values"),
        ({"actor_types": ("university", "universty")}, "unknown actor type 'universty'"),
        ({"kinds": ("twinning",)}, "unknown tie kind 'twinning'"),
        ({"countries": ("Germany",)}, "unknown country code 'Germany'"),
        ({"level": "city"}, "unknown --level 'city'"),
        ({"date_from": "2016"}, "date_from must be a date"),
        (
            {"date_from": dt.date(2020, 1, 1), "date_to": dt.date(2019, 1, 1)},
            "--from 2020-01-01 is after --to 2019-01-01",
        ),
    ],
)
def test_a_viewspec_built_directly_is_validated(fields: dict, message: str) -> None:
    with pytest.raises(BadFilter, match=message):
        civnet.ViewSpec(**fields)


def test_a_valid_viewspec_built_directly_equals_the_parsed_one() -> None:
    direct = civnet.ViewSpec(tracks=["education"], countries=("DEU",))  # a list is made a tuple
    parsed = civnet.ViewSpec.make(tracks=["Education"], countries=["Germany"])
    assert direct == parsed and hash(direct) == hash(parsed)


@pytest.fixture
def session(tmp_path: Path) -> civnet.Session:
    s = civnet.open(tmp_path / "api.duckdb")
    s.import_table(actors=DATA / "actors.csv", ties=DATA / "ties.csv")
    return s


def test_view_filters_and_methods(session: civnet.Session) -> None:
    assert session.counts()["actors"] == 50
    view = session.view(tracks="education", countries=["Germany"])
    assert view.spec == civnet.ViewSpec.make(tracks=["education"], countries=["DEU"])
    assert set(session.measures()) <= set(dir(view))
    result = view.holes(top=3)
    frame = result.to_pandas()
    assert list(frame["id"]) == [r["id"] for r in result.data["records"]] and len(frame) <= 3
    assert result.notes == result.data["notes"] == view.network().notes
    assert result.params == {"weighted": False, "top": 3}
    with pytest.raises(AttributeError, match="no attribute 'nonsense'"):
        view.nonsense  # noqa: B018
    with pytest.raises(BadFilter, match="holes takes no parameter 'topp'"):
        view.holes(topp=3)
    with pytest.raises(BadFilter, match="timeline has no table 'nope'; use one of: periods"):
        view.timeline().to_pandas("nope")


def test_an_empty_result_is_an_empty_frame_with_the_columns() -> None:
    empty = civnet.Result("diversity", {"top": None}, {"countries": [], "notices": []})
    assert empty.to_pandas().empty
    assert list(empty.to_pandas().columns) == list(civnet.api.MEASURES["diversity"].columns)


def test_open_refuses_a_file_that_is_not_a_workspace(tmp_path: Path) -> None:
    junk = tmp_path / "notes.duckdb"
    junk.write_text("not a database")
    with pytest.raises(WorkspaceError):
        civnet.open(junk)

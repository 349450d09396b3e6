"""Every catalog parameter declares bounds, and ``Measure.resolve`` refuses values outside them."""

from __future__ import annotations

import math
import typing
from pathlib import Path

import pytest

from civnet.errors import BadFilter
from civnet.products.catalog import MEASURES, Param

ALL_PARAMS = [(m.name, p) for m in MEASURES.values() for p in m.params]


@pytest.mark.parametrize(
    ("measure", "param"), ALL_PARAMS, ids=[f"{m}.{p.name}" for m, p in ALL_PARAMS]
)
def test_every_parameter_is_bounded(measure: str, param: Param) -> None:
    """Numbers have a minimum and a maximum; texts a list of choices or a longest length."""
    if param.type is int:
        assert param.ge is not None and param.le is not None
    elif param.type is float:
        assert (param.ge is not None or param.gt is not None) and param.le is not None
    elif param.type in (str, Path) or typing.get_origin(param.type) is list:
        assert param.choices is not None or param.max_length is not None
    else:
        assert param.type is bool
    if param.default is not None:
        assert param.check(param.default) == param.default, "the default is out of its bounds"


@pytest.mark.parametrize(
    ("measure", "given", "message"),
    [
        ("betweenness", {"top": 0}, "betweenness top must be >= 1 and <= 1e+06, got 0"),
        ("holes", {"top": -3}, "holes top must be >= 1"),
        ("brokers", {"top": 0}, "brokers top must be >= 1"),
        ("group_betweenness", {"samples": 0}, "group_betweenness samples must be >= 1"),
        ("group_betweenness", {"seed": -1}, "group_betweenness seed must be >= 0"),
        ("ei", {"seed": 2**32}, "ei seed must be >= 0 and <= 4.29497e+09"),
        ("ei", {"permutations": -1}, "ei permutations must be >= 0"),
        ("brokerage", {"permutations": 10**6}, "brokerage permutations must be >= 0 and <= 100000"),
        ("compare", {"before": "2016:2019", "after": "2020:2023", "boot": 0}, "boot must be >= 1"),
        ("scorecard", {"boot": 100_001}, "scorecard boot must be >= 1 and <= 100000"),
        ("communities", {"resolution": 0.0}, "communities resolution must be > 0"),
        ("communities", {"resolution": -1}, "communities resolution must be > 0"),
        ("communities", {"resolution": math.inf}, "communities resolution must be a finite"),
        ("communities", {"resolution": math.nan}, "communities resolution must be a finite"),
        ("timeline", {"every": "week"}, "timeline every must be one of: year, month; got 'week'"),
        ("timeline", {"window": 0}, "timeline window must be >= 1"),
        (
            "brokers",
            {"resample": "edges"},
            "brokers resample must be one of: actors, ties, sources",
        ),
        ("mixing", {"by": "x" * 65}, "mixing by must be at most 64 characters, got 65"),
        ("scorecard", {"period": "2" * 100}, "scorecard period must be at most 64 characters"),
        ("betweenness", {"top": "10"}, "betweenness top must be an integer, got '10'"),
        ("betweenness", {"top": True}, "betweenness top must be an integer, got True"),
        ("betweenness", {"raw": "yes"}, "betweenness raw must be true or false"),
        ("density", {"by": 3}, "density by must be a text, got 3"),
    ],
)
def test_resolve_refuses_out_of_bounds(measure: str, given: dict, message: str) -> None:
    with pytest.raises(BadFilter) as err:
        MEASURES[measure].resolve(given)
    line = err.value.line()
    assert message in line
    assert "\n" not in line


def test_resolve_accepts_the_bounds_themselves_and_converts_ints_to_floats() -> None:
    got = MEASURES["communities"].resolve({"resolution": 1, "top": 1, "seed": 2**32 - 1})
    assert got["resolution"] == 1.0 and isinstance(got["resolution"], float)
    assert (got["top"], got["seed"]) == (1, 2**32 - 1)
    assert MEASURES["brokerage"].resolve({"permutations": 0})["permutations"] == 0


def test_bounds_are_the_keywords_fastapi_takes() -> None:
    top = next(p for p in MEASURES["betweenness"].params if p.name == "top")
    assert top.bounds() == {"ge": 1, "le": 1_000_000}
    every = next(p for p in MEASURES["timeline"].params if p.name == "every")
    assert every.bounds() == {} and every.choices == ("year", "month")
    # an entry written without bounds (as before they existed) still works, unbounded
    legacy = Param("k", int, 3, "a legacy parameter")
    assert legacy.bounds() == {} and legacy.check(-5) == -5

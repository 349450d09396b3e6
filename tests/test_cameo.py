"""The shipped CAMEO codebooks, their country tables and `civnet cameo CODE`."""

from __future__ import annotations

import json

import pytest

from civnet.errors import UnknownVocabulary
from civnet.importers.events.cameo import codebook, describe, quad_class_of_root, split_actor_code


def test_codebook_sizes_match_provenance() -> None:
    cb = codebook()
    assert len(cb.actor_types) == 39  # 40 rows, UIS listed twice
    assert len(cb.events) == 310
    assert len(cb.goldstein) == 310
    assert len(cb.countries) == 283  # 261 CAMEO codes + 22 ISO3 codes CAMEO lacks
    assert len(cb.fips_iso3) == 249


@pytest.mark.parametrize(
    ("cameo", "iso3"),
    [("CHN", "CHN"), ("ROM", "ROU"), ("TMP", "TLS"), ("WSB", "PSE"), ("SSD", "SSD"),
     ("AFR", None), ("WST", None), ("ANT", None)],
)  # fmt: skip
def test_cameo_country_to_iso3(cameo: str, iso3: str | None) -> None:
    assert codebook().country_iso3[cameo] == iso3


@pytest.mark.parametrize(
    ("fips", "iso3"),
    [("CH", "CHN"), ("UK", "GBR"), ("GM", "DEU"), ("SF", "ZAF"), ("IN", "IND"), ("KV", "XKX"),
     ("YI", None)],
)  # fmt: skip
def test_fips_to_iso3(fips: str, iso3: str | None) -> None:
    assert codebook().fips_iso3[fips] == iso3


def test_quad_class_of_root() -> None:
    assert [quad_class_of_root(f"{r:02d}") for r in range(1, 21)] == [1] * 5 + [2] * 3 + [3] * 5 + [
        4
    ] * 7
    with pytest.raises(ValueError):
        quad_class_of_root("21")


def test_split_actor_code() -> None:
    assert split_actor_code("USAEDU") == ("USA", "EDU")
    assert split_actor_code("IGOUNODEVWBK") == (None, "IGO")
    assert split_actor_code("CHN") == ("CHN", None)


def test_describe_event_code() -> None:
    (rec,) = describe("043")
    assert rec == {
        "code": "043",
        "kind": "event code",
        "label": "Host a visit",
        "root": "04 CONSULT",
        "quad_class": 1,
        "quad_class_label": "Verbal Cooperation",
        "goldstein": 2.8,
    }


def test_describe_several_meanings() -> None:
    kinds = {r["kind"] for r in describe("EDU")}
    assert kinds == {"actor type"}
    assert describe("2") == [{"code": "2", "kind": "QuadClass", "label": "Material Cooperation"}]
    assert describe("rom")[0]["iso3"] == "ROU"
    with pytest.raises(UnknownVocabulary, match="not a CAMEO code"):
        describe("ZZZZZ")


def test_cli_cameo(cli) -> None:  # type: ignore[no-untyped-def]
    out = cli("cameo", "EDU").output
    assert "Education" in out
    recs = json.loads(cli("cameo", "190", "--format", "json").output)
    assert recs[0]["quad_class"] == 4 and recs[0]["goldstein"] == -10.0
    res = cli("cameo", "QQQQ", code=2)
    assert "not a CAMEO code" in res.output

"""Subject and field diversification per country, and dyad multiplexity, against hand counts."""

from __future__ import annotations

import json
import math

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from civnet.measures.structure.diversity import blau, country_diversity, multiplexity, shannon
from civnet.views import Network
from tests.structure_data import florentine_workspace

ACTORS = [
    ("a", "city", "CHN"),
    ("b", "university", "CHN"),
    ("c", "cso", "FRA"),
    ("d", "city", "FRA"),
    ("e", "media", "DEU"),
    ("f", "cso", None),  # unknown country: its ties are not cross-border
    ("g", "media", "CHN"),  # only a domestic tie
]
TIES = [
    ("a", "c", "culture"),
    ("a", "c", "education"),  # same actor dyad, second track
    ("b", "d", "culture"),
    ("a", "b", "culture"),  # domestic
    ("c", "e", "health"),
    ("b", "e", "culture"),
    ("f", "a", "health"),  # unknown country
    ("g", "a", "economy_trade"),  # domestic
]


def build(actors=ACTORS, ties=TIES) -> Network:  # type: ignore[no-untyped-def]
    a = pa.table(
        {
            "id": [x[0] for x in actors],
            "name": [x[0] for x in actors],
            "type": [x[1] for x in actors],
            "country": [x[2] for x in actors],
        }
    )
    t = pa.table(
        {
            "source": [x[0] for x in ties],
            "target": [x[1] for x in ties],
            "track": [x[2] for x in ties],
            "kind": ["other"] * len(ties),
            "weight": [1.0] * len(ties),
            "directed": [False] * len(ties),
        }
    )
    return Network.from_tables(a, t)


def test_indices_by_hand() -> None:
    assert shannon(np.array([3, 1])) == pytest.approx(
        -(0.75 * math.log(0.75) + 0.25 * math.log(0.25))
    )
    assert blau(np.array([3, 1])) == pytest.approx(1 - 0.75**2 - 0.25**2)
    assert shannon(np.array([5])) == 0.0 and blau(np.array([5])) == 0.0
    assert math.isnan(shannon(np.array([0, 0]))) and math.isnan(blau(np.array([])))
    assert shannon(np.array([1, 1, 1, 1])) == pytest.approx(math.log(4))
    assert blau(np.array([1, 1, 1, 1])) == pytest.approx(0.75)


def test_country_diversity_by_hand() -> None:
    d = country_diversity(build())
    assert d.countries == ["CHN", "DEU", "FRA"]
    # CHN: cross-border ties a-c culture, a-c education, b-d culture, b-e culture
    # holders a (city), b (university)
    i = 0
    assert d.actor_types[i] == {"city": 1, "university": 1}
    assert d.subject_entropy[i] == pytest.approx(math.log(2))
    assert d.subject_blau[i] == pytest.approx(0.5)
    assert d.tracks[i] == {"culture": 3, "education": 1}
    assert d.ties[i] == 4
    assert d.field_entropy[i] == pytest.approx(-(0.75 * math.log(0.75) + 0.25 * math.log(0.25)))
    assert d.field_blau[i] == pytest.approx(0.375)
    # partners: FRA (culture, education: 2 tracks), DEU (culture: 1)
    assert d.partners[i] == 2
    assert d.partner_mean_tracks[i] == pytest.approx(1.5)
    assert d.partner_multi_share[i] == pytest.approx(0.5)
    # actor dyads a-c (2 tracks), b-d (1), b-e (1)
    assert d.actor_dyads[i] == 3
    assert d.actor_dyad_multi_share[i] == pytest.approx(1 / 3)
    # DEU: e (media) with c (health) and b (culture)
    j = 1
    assert d.actor_types[j] == {"media": 1} and d.subject_entropy[j] == 0.0
    assert d.tracks[j] == {"culture": 1, "health": 1} and d.field_blau[j] == pytest.approx(0.5)
    assert d.partners[j] == 2 and d.partner_mean_tracks[j] == 1.0
    # FRA: c (cso), d (city); ties a-c x2, b-d, c-e: culture 2, education 1, health 1
    k = 2
    assert d.actor_types[k] == {"city": 1, "cso": 1}
    assert d.tracks[k] == {"culture": 2, "education": 1, "health": 1}
    assert d.field_blau[k] == pytest.approx(1 - 0.25 - 0.0625 - 0.0625)


def test_multiplexity_levels() -> None:
    actor = multiplexity(build(), level="actor")
    want = {
        ("a", "b"): (1, 1),
        ("a", "c"): (2, 2),
        ("a", "f"): (1, 1),
        ("a", "g"): (1, 1),
        ("b", "d"): (1, 1),
        ("b", "e"): (1, 1),
        ("c", "e"): (1, 1),
    }
    got = {
        dy: (int(n), int(t)) for dy, n, t in zip(actor.dyads, actor.ties, actor.tracks, strict=True)
    }
    assert got == want
    assert actor.mean_tracks == pytest.approx(8 / 7)
    assert actor.multi_track_share == pytest.approx(1 / 7)
    country = multiplexity(build(), level="country")
    got = {dy: int(t) for dy, t in zip(country.dyads, country.tracks, strict=True)}
    assert got == {("CHN", "DEU"): 1, ("CHN", "FRA"): 2, ("DEU", "FRA"): 1}
    assert country.ties.tolist() == [1, 3, 1]


def test_no_cross_border_ties() -> None:
    d = country_diversity(build(ties=[("a", "b", "culture")]))
    assert d.countries == []
    m = multiplexity(build(ties=[("a", "b", "culture")]), level="country")
    assert m.dyads == [] and math.isnan(m.mean_tracks)


@settings(max_examples=25, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from("abcdeg"),
            st.sampled_from("abcdeg"),
            st.sampled_from(["culture", "health", "education"]),
        ).filter(lambda t: t[0] != t[1]),
        min_size=1,
        max_size=20,
    )
)
def test_isolate_and_country_swap_invariance(ties) -> None:  # type: ignore[no-untyped-def]
    base = country_diversity(build(ties=ties))
    with_isolate = country_diversity(build(actors=[*ACTORS, ("z", "cso", "CHN")], ties=ties))
    assert with_isolate.countries == base.countries
    np.testing.assert_array_equal(with_isolate.field_blau, base.field_blau)
    np.testing.assert_array_equal(with_isolate.subject_blau, base.subject_blau)
    swap = {"CHN": "FRA", "FRA": "CHN"}
    swapped = country_diversity(
        build(actors=[(a, t, swap.get(c, c) if c else c) for a, t, c in ACTORS], ties=ties)
    )
    for i, c in enumerate(base.countries):
        j = swapped.countries.index(swap.get(c, c))
        assert swapped.tracks[j] == base.tracks[i]
        assert swapped.actor_types[j] == base.actor_types[i]
        assert swapped.partners[j] == base.partners[i]


def test_cli_diversity(cli, tmp_path) -> None:  # type: ignore[no-untyped-def]
    florentine_workspace(cli, tmp_path)
    rows = json.loads(cli("diversity", "-f", "json").output)["countries"]
    assert {r["country"] for r in rows} == {"FRA", "ITA"}
    for r in rows:
        n = sum(r["tracks"].values())
        p = np.array(list(r["tracks"].values())) / n
        assert r["ties"] == n
        assert r["field_blau"] == pytest.approx(1 - (p**2).sum())
        assert r["partners"] == 1
    out = cli("diversity", "--level", "country").output
    assert "diversification" in out and "--level country ignored" in out
    assert cli("diversity", "-f", "csv").output.startswith("country,actors,subject_entropy")

"""Recommendations as products show them: new ties for an actor or a country, with why.

``RecommendResult.json()`` is what ``civnet recommend --format json`` prints and
``GET /api/recommend`` returns; the computation is :func:`civnet.measures.policy.scenario_recommend.
recommend` on the view.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from civnet.countries import to_iso3
from civnet.errors import BadFilter
from civnet.measures.intermediation.betweenness import Progress
from civnet.measures.policy.scenario_recommend import Recommendation, recommend
from civnet.views import Network, ViewSpec
from civnet.vocab import ACTOR_LEVELS, RANKED_LEVELS

CANDIDATE_KEYS = ("type", "country", "level")


def parse_candidates(
    text: str | None,
) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...] | None]:
    """``type=university,cso,country=DEU`` as (types, countries, levels), validated as view
    filters; levels default to organisations and cities (``level=all``: every level).

    Items are separated by commas; an item without ``=`` adds a value to the key before it.

    >>> parse_candidates("type=university,cso,country=DEU")
    (('cso', 'university'), ('DEU',), ('organisation', 'city'))
    """
    if not text or not text.strip():
        return (), (), RANKED_LEVELS
    values: dict[str, list[str]] = {k: [] for k in CANDIDATE_KEYS}
    key = None
    for item in text.split(","):
        item = item.strip()
        if not item:
            continue
        if "=" in item:
            key, _, value = item.partition("=")
            key = key.strip().lower()
            if key not in CANDIDATE_KEYS:
                raise BadFilter(
                    f"--candidates: unknown key {key!r}",
                    fix="write e.g. type=university,country=DEU (keys: type, country)",
                )
            item = value.strip()
        if key is None:
            raise BadFilter(
                f"--candidates: {item!r} has no key", fix="write e.g. type=university,country=DEU"
            )
        if item:
            values[key].append(item)
    checked = ViewSpec.make(actor_types=values["type"], countries=values["country"])
    return checked.actor_types, checked.countries, _levels(values["level"])


def _levels(values: list[str]) -> tuple[str, ...] | None:
    if not values:
        return RANKED_LEVELS
    if [v.lower() for v in values] == ["all"]:
        return None
    bad = [v for v in values if v.lower() not in ACTOR_LEVELS]
    if bad:
        raise BadFilter(
            f"--candidates: unknown level {bad[0]!r}",
            fix=f"use one of: {', '.join(ACTOR_LEVELS)}, or level=all",
        )
    return tuple(sorted({v.lower() for v in values}))


@dataclass(frozen=True)
class RecommendResult:
    rec: Recommendation
    names: dict[str, Any]
    countries: dict[str, Any]
    top: int

    def _num(self, x: float) -> float | int:
        """Reach and brokerage count actors or pairs: shown as integers."""
        return round(x) if self.rec.goal in ("reach", "brokerage") else x

    def records(self) -> list[dict[str, Any]]:
        """The suggested ties, in the order greedy selection added them."""
        return [
            {
                "step": s.step,
                "source": s.source,
                "target": s.target,
                "name": self.names.get(s.target),
                "country": self.countries.get(s.target),
                "gain": self._num(s.gain),
                "value": self._num(s.value),
                "distance": s.distance,
                "component": s.component,
                "bridges": s.countries,
                "why": s.why,
            }
            for s in self.rec.suggestions
        ]

    def json(self) -> dict[str, Any]:
        r = self.rec
        return {
            "goal": r.goal,
            "focal": r.focal if len(r.focal) <= 20 else f"{len(r.focal)} actors",
            "tie_maker": r.tie_maker,
            "baseline": self._num(r.baseline),
            "suggestions": self.records(),
            "ranking": [
                {
                    "target": t,
                    "name": self.names.get(t),
                    "country": self.countries.get(t),
                    "gain": self._num(gain),
                }
                for t, gain in r.ranking[: self.top]
            ],
            "eligible": r.eligible,
            "evaluated": r.pool,
            "guarantee": r.guarantee,
            "notes": r.notes,
        }


def recommend_result(
    net: Network,
    progress: Progress,
    actor: str | None = None,
    focal_country: str | None = None,
    goal: str = "reach",
    k: int = 10,
    candidates: str | None = None,
    pool: int = 200,
) -> RecommendResult:
    """``civnet recommend --actor ID | --country ISO3 [--k 10] [--goal G] [--candidates ...]``.

    ``focal_country`` is the command's ``--country`` (the country that makes the ties; the view
    is not filtered by it).
    """
    types, countries, levels = parse_candidates(candidates)
    code = None
    if focal_country is not None:
        code = to_iso3(focal_country)
        if code is None:
            raise BadFilter(
                f"unknown country {focal_country!r}", fix="use an ISO3 code such as DEU"
            )
    rec = recommend(
        net,
        actor=actor,
        country=code,
        goal=goal,
        k=k,
        types=types,
        countries=countries,
        levels=levels,
        pool=pool,
        progress=progress,
    )
    ids = net.ids
    attrs = net.graph.vs.attributes()
    labels = net.vertex_attr("label") if "label" in attrs else ids
    ctry = net.vertex_attr("country") if "country" in attrs else [None] * len(ids)
    return RecommendResult(
        rec, dict(zip(ids, labels, strict=True)), dict(zip(ids, ctry, strict=True)), max(k, 10)
    )

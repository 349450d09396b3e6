"""City identity: country labels, name keys and places, one actor per city.

A pair table has the columns ``city1``, ``country1``, ``city2``, ``country2`` and optionally
``year`` (``--year-column`` and ``--map field=column`` name others) and ``lat1``, ``lon1``,
``lat2``, ``lon2``. Each row becomes a tie of kind ``sister_city``, track ``general``,
undirected, starting on 1 January of the year (year ``0`` or empty: timeless; a full date
``YYYY-MM-DD`` or ``YYYY-MM`` is also accepted). Each city becomes an actor of type ``city``.

Countries. A country label becomes an ISO3 code through :func:`civnet.countries.to_iso3`. A label
``"<region>, <country>"`` (``"Ohio, United States"``, ``"Azores, Portugal"``) gives the country of
its tail and keeps the head as a sub-national *qualifier*, unless the head is a different country
and the whole label matches one (``"China, Hong Kong Special Administrative Region"`` is HKG).
Territories listed under their sovereign (``"Réunion, France"``, ``"Åland Islands, Finland"``)
therefore take the sovereign's code, as Wikidata gives them; the UK nations (``England``, ``Scotland``, ``Wales``,
``Northern Ireland``, alone or followed by ``", United Kingdom"``) map to GBR and are kept as
qualifiers too. A label that cannot be matched rejects the row with reason ``unknown country``;
it is never guessed.

City names. The matching key of a city name is computed by :func:`city_key`:

1. a trailing ``"(...)"`` or the text after the first comma is split off as the name's qualifier
   (``"Frankfurt (Oder)"``, ``"Porcia, Friuli-Venezia Giulia"``, ``"Washington, D.C."``); a
   qualifier that only repeats the country (``"Peñafiel, Spain"``) is dropped;
2. the name is folded: letters that Unicode does not decompose are spelt out (ß ss, ø o, æ ae,
   œ oe, ł l, đ/ð d, þ th, ı i, ħ h), the NFKD decomposition drops accents, case is folded,
   apostrophes and full stops are deleted, every other run of non-alphanumerics is one space;
3. the tokens ``st`` and ``sankt`` read ``saint``, ``ste`` reads ``sainte``;
4. administrative affixes are removed: a leading ``municipality of`` and a trailing
   ``municipality`` (``"Gothenburg Municipality"`` is Gothenburg; ``"Vilnius District
   Municipality"`` stays ``vilnius district``, a different unit from Vilnius), and a leading
   ``city of`` except in the United Kingdom, where ``City of London`` and ``City of
   Westminster`` name units distinct from London and Westminster. A trailing ``city`` is never
   removed: ``Jilin City``/``Jilin`` (province), ``Quezon City``/``Quezon`` and ``Kansas City``
   name different places.

Identity. Mentions with the same (ISO3, key) are one city unless the data say otherwise
(:func:`resolve_places`): two different qualifiers name two places (Springfield, Ohio and
Springfield, Illinois), and so do two sets of coordinates more than
:data:`SAME_PLACE_KM` apart. A mention without coordinates and without a qualifier goes to the
most-mentioned place of its name. Actor ids are ``city:<ISO3>:<key with hyphens>``; when one name
holds several places, the places with a qualifier get ``~<qualifier>`` (``city:USA:springfield~ohio``),
the most-mentioned unqualified one keeps the plain id and any other gets ``~<lat>_<lon>`` (one
decimal). Places are resolved over the rows of one import (the embedded dataset resolves all of
its files together), so a later import of a file that names only one Springfield links to the
plain id. The actor's name is the most frequent original spelling (ties: not all capitals,
more non-ASCII letters, shorter, then alphabetical) and its coordinates those of its most frequent located
mention.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import pyarrow as pa

from civnet.countries import to_iso3

SAME_PLACE_KM = 50.0
"""Two mentions of one name in one country farther apart than this are two places."""

UK_NATIONS = frozenset({"england", "scotland", "wales", "northern ireland"})

_LETTERS = str.maketrans(
    {
        "ß": "ss",
        "ø": "o",
        "Ø": "o",
        "æ": "ae",
        "Æ": "ae",
        "œ": "oe",
        "Œ": "oe",
        "ł": "l",
        "Ł": "l",
        "đ": "d",
        "Đ": "d",
        "ð": "d",
        "Ð": "d",
        "þ": "th",
        "Þ": "th",
        "ı": "i",
        "ħ": "h",
    }
)
_DELETE = re.compile(r"[’'`ʼ.]")
_SEPARATORS = re.compile(r"[^0-9a-z]+")
_PAREN = re.compile(r"^(.*?)\s*\(([^()]*)\)\s*$")
_TOKENS = {"st": "saint", "sankt": "saint", "ste": "sainte"}


# -- names --------------------------------------------------------------------------------------
@lru_cache(maxsize=262144)
def fold(text: str) -> str:
    """Case-, accent- and punctuation-folded text: space-separated lower-case ASCII tokens.

    >>> fold("Sankt Pölten"), fold("L'Hôpital"), fold("Bielsko-Biała")
    ('sankt polten', 'lhopital', 'bielsko biala')
    """
    t = unicodedata.normalize("NFKD", text.translate(_LETTERS))
    t = "".join(ch for ch in t if not unicodedata.combining(ch)).casefold()
    t = _DELETE.sub("", t)
    return " ".join(_SEPARATORS.sub(" ", t).split())


def split_city_label(label: str) -> tuple[str, str | None]:
    """A city label's name and its qualifier: ``"Frankfurt (Oder)"`` -> ``("Frankfurt", "Oder")``.

    >>> split_city_label("Porcia, Friuli-Venezia Giulia")
    ('Porcia', 'Friuli-Venezia Giulia')
    """
    text = label.strip()
    m = _PAREN.match(text)
    if m and m.group(1).strip():
        return m.group(1).strip(), m.group(2).strip() or None
    if "," in text:
        head, tail = text.split(",", 1)
        if head.strip():
            return head.strip(), tail.strip() or None
    return text, None


def _strip_affixes(key: str, iso3: str | None) -> str:
    out = key
    for prefix in ("municipality of ",) + (("city of ",) if iso3 != "GBR" else ()):
        if out.startswith(prefix):
            out = out[len(prefix) :]
    if out.endswith(" municipality"):
        out = out[: -len(" municipality")]
    return out or key


@lru_cache(maxsize=262144)
def city_key(
    label: str, iso3: str | None = None, country_label: str | None = None
) -> tuple[str, str | None]:
    """Matching key and qualifier of a city label (rules in the module docstring).

    ``iso3`` is the city's country: it decides the ``city of`` rule; a qualifier that repeats
    ``iso3`` or the row's ``country_label`` is dropped.

    >>> city_key("St. Pölten", "AUT"), city_key("Malmö Municipality", "SWE")
    (('saint polten', None), ('malmo', None))
    >>> city_key("Springfield (Ohio)", "USA"), city_key("Peñafiel, Spain", "ESP", "Spain")
    (('springfield', 'ohio'), ('penafiel', None))
    """
    name, qualifier = split_city_label(label)
    tokens = [_TOKENS.get(t, t) for t in fold(name).split()]
    key = _strip_affixes(" ".join(tokens), iso3)
    qual = fold(qualifier) if qualifier else None
    if qual and qual in (fold(iso3 or ""), fold(country_label or "")):
        qual = None
    return key, qual or None


@lru_cache(maxsize=4096)
def parse_country(label: str | None) -> tuple[str | None, str | None]:
    """ISO3 code and sub-national qualifier of a country label (``None`` code: unknown).

    >>> parse_country("Ohio, United States"), parse_country("Wales"), parse_country("Atlantis")
    (('USA', 'ohio'), ('GBR', 'wales'), (None, None))
    """
    if label is None or not label.strip():
        return None, None
    text = label.strip()
    if "," in text:
        head, tail = (p.strip() for p in text.rsplit(",", 1))
        iso_tail, iso_head = to_iso3(tail), to_iso3(head)
        if iso_tail and (iso_head is None or iso_head == iso_tail):
            return iso_tail, fold(head) or None
        whole = to_iso3(text)
        if whole or not iso_tail:
            return whole, None
        return iso_tail, fold(head) or None
    iso = to_iso3(text)
    qual = fold(text) if iso == "GBR" and fold(text) in UK_NATIONS else None
    return iso, qual


def slug(text: str) -> str:
    """Folded text with hyphens between tokens (``"C40 Cities"`` -> ``"c40-cities"``)."""
    return fold(text).replace(" ", "-")


# -- places -------------------------------------------------------------------------------------
@dataclass
class _Label:
    """Mentions of one (key, qualifier, coordinates) within a name group."""

    qualifier: str | None
    lat: float | None
    lon: float | None
    count: int = 0
    spellings: Counter[str] = field(default_factory=Counter)


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km on a sphere of radius 6371 km."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(a)))


def resolve_places(labels: Sequence[_Label]) -> list[int]:
    """Place number of each label of one (country, key) group.

    Labels with the same qualifier are one place; labels with coordinates within
    :data:`SAME_PLACE_KM` are one place unless that would join two qualifiers. A qualified label
    without coordinates joins the only compatible place if there is exactly one. A label with
    neither joins the most-mentioned place.
    """
    n = len(labels)
    parent = list(range(n))
    quals: list[set[str]] = [{lb.qualifier} if lb.qualifier else set() for lb in labels]

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(i: int, j: int) -> bool:
        a, b = find(i), find(j)
        if a == b:
            return True
        if len(quals[a] | quals[b]) > 1:
            return False
        parent[b] = a
        quals[a] |= quals[b]
        return True

    by_qual: dict[str, int] = {}
    for i, lb in enumerate(labels):
        if lb.qualifier:
            if lb.qualifier in by_qual:
                union(by_qual[lb.qualifier], i)
            else:
                by_qual[lb.qualifier] = i
    located = [i for i, lb in enumerate(labels) if lb.lat is not None and lb.lon is not None]
    for x, i in enumerate(located):
        for j in located[x + 1 :]:
            a, b = labels[i], labels[j]
            if haversine_km(a.lat, a.lon, b.lat, b.lon) <= SAME_PLACE_KM:  # type: ignore[arg-type]
                union(i, j)

    def groups() -> dict[int, list[int]]:
        out: dict[int, list[int]] = defaultdict(list)
        for i in range(n):
            out[find(i)].append(i)
        return out

    comps = groups()
    located_roots = {find(i) for i in located}
    for root in comps:
        if root in located_roots or not quals[root]:
            continue
        candidates = [r for r in located_roots if len(quals[r] | quals[root]) <= 1]
        if len(candidates) == 1:
            union(candidates[0], root)
    comps = groups()
    floating = [r for r in comps if not quals[r] and r not in located_roots]
    anchored = [r for r in comps if r not in floating]
    target = None
    if anchored:
        weight = {r: sum(labels[i].count for i in comps[r]) for r in anchored}
        target = max(anchored, key=lambda r: (weight[r], -r))
    elif floating:
        target = floating[0]
    for r in floating:
        if r != target:
            parent[r] = target  # type: ignore[assignment]
    roots = sorted({find(i) for i in range(n)})
    number = {r: k for k, r in enumerate(roots)}
    return [number[find(i)] for i in range(n)]


def _best_spelling(spellings: Counter[str]) -> str:
    return max(
        spellings,
        key=lambda s: (
            spellings[s],
            not s.isupper(),
            sum(ord(c) > 127 for c in s),
            -len(s),
            [-ord(c) for c in s],
        ),
    )


class CityResolver:
    """Collect city mentions, then give each an actor id (rules in the module docstring)."""

    def __init__(self) -> None:
        self._groups: dict[
            tuple[str, str], dict[tuple[str | None, float | None, float | None], _Label]
        ]
        self._groups = defaultdict(dict)
        self._mentions: list[tuple[tuple[str, str], tuple[str | None, float | None, float | None]]]
        self._mentions = []
        self._ids: list[str] | None = None
        self._actors: dict[str, dict[str, object]] = {}

    def add(
        self,
        label: str,
        iso3: str,
        country_qualifier: str | None = None,
        lat: float | None = None,
        lon: float | None = None,
        country_label: str | None = None,
    ) -> int:
        """Register a mention; return its number (used to look up its id after :meth:`resolve`)."""
        key, qual = city_key(label, iso3, country_label)
        qual = qual or country_qualifier
        if lat is not None and lon is not None:
            lat, lon = round(lat, 4), round(lon, 4)
        else:
            lat = lon = None
        lkey = (qual, lat, lon)
        group = self._groups[(iso3, key)]
        lb = group.get(lkey)
        if lb is None:
            lb = group[lkey] = _Label(qual, lat, lon)
        lb.count += 1
        lb.spellings[label.strip()] += 1
        self._mentions.append(((iso3, key), lkey))
        self._ids = None
        return len(self._mentions) - 1

    def resolve(self) -> list[str]:
        """Actor id of every mention, in the order they were added."""
        label_ids: dict[tuple[tuple[str, str], tuple[str | None, float | None, float | None]], str]
        label_ids = {}
        self._actors = {}
        for (iso3, key), group in self._groups.items():
            lkeys = list(group)
            labels = [group[k] for k in lkeys]
            places = resolve_places(labels)
            members: dict[int, list[int]] = defaultdict(list)
            for i, p in enumerate(places):
                members[p].append(i)
            names = self._place_ids(iso3, key, labels, members)
            for p, idxs in members.items():
                spellings: Counter[str] = Counter()
                for i in idxs:
                    spellings.update(labels[i].spellings)
                    label_ids[((iso3, key), lkeys[i])] = names[p]
                located = [labels[i] for i in idxs if labels[i].lat is not None]
                where = max(located, key=lambda lb: lb.count) if located else None
                self._actors[names[p]] = {
                    "id": names[p],
                    "name": _best_spelling(spellings),
                    "type": "city",
                    "country": iso3,
                    "city": _best_spelling(spellings),
                    "lat": where.lat if where else None,
                    "lon": where.lon if where else None,
                }
        self._ids = [label_ids[m] for m in self._mentions]
        return self._ids

    @staticmethod
    def _place_ids(
        iso3: str, key: str, labels: Sequence[_Label], members: Mapping[int, list[int]]
    ) -> dict[int, str]:
        base = f"city:{iso3}:{key.replace(' ', '-')}"
        if len(members) == 1:
            return {p: base for p in members}
        out: dict[int, str] = {}
        unqualified = []
        for p, idxs in members.items():
            qual = next((labels[i].qualifier for i in idxs if labels[i].qualifier), None)
            if qual:
                out[p] = f"{base}~{qual.replace(' ', '-')}"
            else:
                unqualified.append(p)
        unqualified.sort(key=lambda p: -sum(labels[i].count for i in members[p]))
        for rank, p in enumerate(unqualified):
            if rank == 0:
                out[p] = base
                continue
            located = [labels[i] for i in members[p] if labels[i].lat is not None]
            lb = max(located, key=lambda x: x.count)
            out[p] = f"{base}~{lb.lat:.1f}_{lb.lon:.1f}"
        return out

    def actors(self, ids: Sequence[str] | None = None) -> pa.Table:
        """Actor rows (ACTOR_SCHEMA columns) of the given ids, or of all, after :meth:`resolve`."""
        chosen = sorted(set(ids)) if ids is not None else sorted(self._actors)
        rows = [self._actors[i] for i in chosen]
        return pa.table(
            {
                "id": pa.array([r["id"] for r in rows], pa.string()),
                "name": pa.array([r["name"] for r in rows], pa.string()),
                "type": pa.array([r["type"] for r in rows], pa.string()),
                "country": pa.array([r["country"] for r in rows], pa.string()),
                "city": pa.array([r["city"] for r in rows], pa.string()),
                "lat": pa.array([r["lat"] for r in rows], pa.float64()),
                "lon": pa.array([r["lon"] for r in rows], pa.float64()),
                "level": pa.array(["city"] * len(rows), pa.string()),
            }
        )

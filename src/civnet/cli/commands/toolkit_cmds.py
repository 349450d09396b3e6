"""Tables of the standard toolkit: degree, closeness, eigenvector, pagerank, kcore, ego-density.

The commands are generated from the catalog (:mod:`civnet.cli.generate`), so their options, the
API endpoints and the Python methods share one declaration; the renderers here draw
``--format table`` from the JSON result. A table shows the first 20 rows unless ``--top`` says
otherwise and says of how many; CSV and JSON hold every row unless ``--top`` is given.
"""

from collections.abc import Callable
from typing import Any

from civnet.cli.generate import print_records, renders, top_of
from civnet.products.catalog import MEASURES
from civnet.views import ViewSpec

TABLE_ROWS = 20

TITLES: dict[str, Callable[[dict[str, Any]], str]] = {
    "degree": lambda p: "degree: distinct partners",
    "closeness": lambda p: "harmonic closeness (normalized by n - 1)",
    "eigenvector": lambda p: "eigenvector centrality" + (", weighted" if p["weighted"] else ""),
    "pagerank": lambda p: (
        f"PageRank (damping {p['damping']}" + (", weighted)" if p["weighted"] else ")")
    ),
    "kcore": lambda p: "k-core numbers",
    "ego_density": lambda p: (
        f"ego-network density by {p['by']}" if p["by"] else "ego-network density (ego left out)"
    ),
}
"""The title of each toolkit table, from the parameters."""


def _table(name: str) -> Callable[..., None]:
    """The renderer of toolkit measure ``name``: its ranking, first 20 rows unless ``--top``."""

    def render(data: dict[str, Any], params: dict[str, Any], fmt: str, spec: ViewSpec) -> None:
        measure = MEASURES[name]
        top = params["top"]
        shown = len(measure.records(data)[: top if top is not None else TABLE_ROWS])
        total = data.get("n_actors", data.get("n_groups"))
        what = "groups" if "n_groups" in data else "actors"
        print_records(
            measure,
            data,
            fmt,
            shown=shown,
            title=f"{TITLES[name](params)} ({top_of(shown, total)} {what})",
        )

    render.__name__ = f"{name}_table"
    render.__doc__ = f"The {name} of each actor (or group), highest first."
    return render


for _name in TITLES:
    renders(_name)(_table(_name))

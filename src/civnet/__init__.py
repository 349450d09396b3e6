"""civnet: map and measure civil diplomacy as networks.

The package flows one way (see docs/architecture.md):
importers -> store -> views -> measures -> products, with the CLI and the Python API
(:mod:`civnet.api`, docs/python-api.md) on top::

    import civnet

    ws = civnet.open("civnet.duckdb")
    ws.load("city-diplomacy")
    ws.view(tracks=["subnational"]).betweenness(top=10).to_pandas()
"""

__version__ = "0.1.0"

from typing import TYPE_CHECKING

from civnet._lazy import lazy_exports
from civnet.errors import CivnetError, UserError

if TYPE_CHECKING:
    from civnet.api import Result, Session, View, open
    from civnet.store import Workspace
    from civnet.views import Network, ViewSpec, build_network

__all__ = [
    "CivnetError",
    "Network",
    "Result",
    "Session",
    "UserError",
    "View",
    "ViewSpec",
    "Workspace",
    "__version__",
    "build_network",
    "open",
]

# imported on first use: ``import civnet`` loads no measure, igraph, DuckDB or Arrow
__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        **dict.fromkeys(("Result", "Session", "View", "open"), "civnet.api"),
        "Workspace": "civnet.store.workspace",
        **dict.fromkeys(("Network", "build_network"), "civnet.views.network"),
        "ViewSpec": "civnet.views.spec",
    },
)

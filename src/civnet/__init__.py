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

from civnet.api import Result, Session, View, open
from civnet.errors import CivnetError, UserError
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

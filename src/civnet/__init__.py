"""civnet: map and measure civil diplomacy as networks.

The package flows one way (see docs/architecture.md):
importers -> store -> views -> measures -> products, with the CLI on top.
"""

__version__ = "0.1.0"

from civnet.errors import CivnetError, UserError
from civnet.store import Workspace
from civnet.views import Network, ViewSpec, build_network

__all__ = [
    "CivnetError",
    "Network",
    "UserError",
    "ViewSpec",
    "Workspace",
    "__version__",
    "build_network",
]

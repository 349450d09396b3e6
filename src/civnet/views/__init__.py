"""Views: select and reshape the workspace (period, tracks, types, countries, projection, level)."""

from civnet.views.network import Network, build_network
from civnet.views.spec import ViewSpec, parse_bound

__all__ = ["Network", "ViewSpec", "build_network", "parse_bound"]

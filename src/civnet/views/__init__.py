"""Views: select and reshape the workspace (period, tracks, types, countries, projection, level)."""

from typing import TYPE_CHECKING

from civnet._lazy import lazy_exports

if TYPE_CHECKING:
    from civnet.views.network import Network, build_network
    from civnet.views.spec import ViewSpec, parse_bound

__all__ = ["Network", "ViewSpec", "build_network", "parse_bound"]

__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "Network": "civnet.views.network",
        "build_network": "civnet.views.network",
        "ViewSpec": "civnet.views.spec",
        "parse_bound": "civnet.views.spec",
    },
)

"""Leaner processes: igraph without matplotlib.

``import igraph`` imports matplotlib and its pyplot for igraph's drawing, which civnet never
calls: about 55 MB and 1.5 s of every process that builds a view. :func:`lean_imports` makes a
process import igraph with matplotlib hidden: igraph's drawing then falls back to its stubs, as
when matplotlib is not installed; matplotlib itself can still be imported afterwards.

Only processes civnet starts call it (the ``civnet`` command and the server's workers): in a
notebook, ``import civnet`` leaves igraph's matplotlib drawing as it is.

(pyarrow imports pandas, about 60 MB, on its first conversion of any array, from its C++
side, whether or not pandas is used: that one cannot be skipped from here.)
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import importlib.util
import sys
import types
from collections.abc import Sequence
from typing import Any

_installed = False


class _IgraphWithoutMatplotlib(importlib.abc.MetaPathFinder):
    """Imports igraph, the first time it is imported, with matplotlib hidden (then steps aside)."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None = None, target: Any = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname != "igraph":
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(fullname)
        if spec is None or spec.loader is None or not hasattr(spec.loader, "exec_module"):
            return spec
        exec_module = spec.loader.exec_module

        def without_matplotlib(module: types.ModuleType) -> None:
            if "matplotlib" in sys.modules:  # imported meanwhile: nothing to save
                exec_module(module)
                return
            sys.modules["matplotlib"] = None  # type: ignore[assignment]  # import -> ImportError
            try:
                exec_module(module)
            finally:
                if sys.modules.get("matplotlib", 0) is None:
                    del sys.modules["matplotlib"]

        spec.loader.exec_module = without_matplotlib  # type: ignore[method-assign]
        return spec


def lean_imports() -> None:
    """From now on in this process, igraph imports without matplotlib (see the module's
    docstring). Once per process; an igraph or matplotlib already imported stays as it is."""
    global _installed
    if _installed:
        return
    _installed = True
    if "igraph" not in sys.modules and "matplotlib" not in sys.modules:
        sys.meta_path.insert(0, _IgraphWithoutMatplotlib())

"""Names of a package imported on first use, so that importing the package costs nothing.

``import civnet`` and ``civnet --help`` need none of the measures, and the measures pull in
igraph, numpy, scipy, pandas and numba (about 230 MB and seconds of start-up together). A
package whose ``__init__`` lists its public names with :func:`lazy_exports` imports the module
defining a name only when the name is first read; a name read once is kept on the package.

A submodule named like one of the package's exports (``civnet.measures.intermediation.betweenness``, the module
of the function ``betweenness``) does not replace the export when it is imported: the package
keeps giving the function, as it did when its ``__init__`` imported everything.
"""

from __future__ import annotations

import importlib
import sys
import types
from collections.abc import Callable, Mapping
from typing import Any


class _LazyPackage(types.ModuleType):
    """A package with lazily imported exports (see :func:`lazy_exports`)."""

    _lazy_exports: Mapping[str, str]

    def __setattr__(self, name: str, value: Any) -> None:
        # the import system sets a submodule on its package once imported; an export of the
        # same name wins (it is resolved by __getattr__ on first use)
        if isinstance(value, types.ModuleType) and name in self.__dict__.get("_lazy_exports", {}):
            return
        super().__setattr__(name, value)


def lazy_exports(
    package: str, exports: Mapping[str, str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``__getattr__`` and ``__dir__`` for ``package``: each name of ``exports`` (name -> the
    module defining it) is imported from its module when first read, then kept on the package.

    Call it at the end of the package's ``__init__``::

        __getattr__, __dir__ = lazy_exports(__name__, {"Network": "civnet.views.network"})
    """
    module = sys.modules[package]
    module.__dict__["_lazy_exports"] = dict(exports)
    module.__class__ = _LazyPackage

    def __getattr__(name: str) -> Any:
        where = exports.get(name)
        if where is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(where), name)
        module.__dict__[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted(set(module.__dict__) | set(exports))

    return __getattr__, __dir__

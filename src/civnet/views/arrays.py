"""Arrow columns as numpy arrays without pandas.

pyarrow imports pandas (about 60 MB and 0.5 s) the first time it converts anything between
Python or numpy and Arrow: ``Array.to_numpy()``, ``pa.array(...)``, ``pa.scalar(...)`` and the
functions that build a scalar from a Python value (``fill_null(0)``). Nothing of civnet's view
or betweenness needs pandas, so the view reads its numeric columns through their Arrow buffers
(:func:`numeric`), which pyarrow hands over without that import; a process that only builds
views and ranks brokers never loads pandas (``tests/test_view_memory.py``).
"""

from __future__ import annotations

import igraph as ig
import numpy as np
import pyarrow as pa

__all__ = ["numeric", "written_edges"]


def _dtype(t: pa.DataType) -> np.dtype | None:
    """The numpy dtype holding an Arrow fixed-width number type as is (None: not one)."""
    if pa.types.is_integer(t) or pa.types.is_floating(t):
        return np.dtype(t.to_pandas_dtype())  # a numpy type for these: no pandas import
    return None


def numeric(column: pa.Array | pa.ChunkedArray, *, null: int | None = None) -> np.ndarray:
    """An integer, floating or boolean Arrow column as a numpy array, values as ``to_numpy()``
    gives them: the same dtype, a boolean column as ``bool``; nulls of a floating column as NaN.
    ``null`` given: an integer column's nulls become that value (its dtype kept).

    Read straight from the column's data buffer (a read-only view for a single chunk of
    numbers; booleans are unpacked from their bits). Columns of other types, and integer or
    boolean columns with nulls (``to_numpy`` gives floats or objects for them), go through
    ``to_numpy(zero_copy_only=False)`` as before.
    """
    arr = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    t = arr.type
    dtype = _dtype(t)
    n = len(arr)
    if dtype is not None:
        if arr.null_count and not pa.types.is_floating(t) and null is None:
            return arr.to_numpy(zero_copy_only=False)
        if not n:
            return np.empty(0, dtype=dtype)
        data = arr.buffers()[1]
        out = np.frombuffer(data, dtype=dtype, count=n, offset=arr.offset * dtype.itemsize)
        if arr.null_count:
            out = out.copy()
            out[_nulls(arr)] = np.nan if null is None else null
        return out
    if pa.types.is_boolean(t) and not arr.null_count:
        if not n:
            return np.empty(0, dtype=bool)
        return _bits(arr.buffers()[1], arr.offset, n)
    return arr.to_numpy(zero_copy_only=False)


def _bits(buffer: pa.Buffer, offset: int, n: int) -> np.ndarray:
    """``n`` bits of an Arrow bitmap (least significant bit first) from bit ``offset``."""
    bits = np.unpackbits(np.frombuffer(buffer, dtype=np.uint8), count=offset + n, bitorder="little")
    return bits[offset:].astype(bool)


def _nulls(arr: pa.Array) -> np.ndarray:
    """Boolean mask of the null entries of ``arr`` (from its validity bitmap)."""
    valid = arr.buffers()[0]
    if valid is None:
        return np.zeros(len(arr), dtype=bool)
    return ~_bits(valid, arr.offset, len(arr))


def written_edges(g: ig.Graph) -> np.ndarray:
    """The graph's edges as an ``(m, 2)`` int64 array in the order igraph writes them (by
    source vertex, not by edge id), without a Python object per edge: igraph gives its edge
    list only as Python tuples (about 110 bytes an edge, all alive at once), so the edges go
    through igraph's own ``write_edgelist`` into a temporary file, parsed by numpy straight into
    an array of the known size (no Python string of the text, no growing buffer)."""
    import tempfile

    m = g.ecount()
    with tempfile.TemporaryFile(mode="w+", encoding="ascii") as f:
        g.write_edgelist(f)
        f.flush()
        f.seek(0)
        out = np.fromfile(f, dtype=np.int64, count=2 * m, sep=" ")
    if len(out) != 2 * m:  # pragma: no cover - igraph wrote fewer numbers than edges
        raise RuntimeError(f"igraph's edge list gave {len(out)} numbers for {m} edges")
    return out.reshape(-1, 2)

"""Records held by column: a large ranking without a Python dict per row.

A measure that ranks every actor (``civnet betweenness`` on a 200,000-actor view) returns its
records as :class:`ColumnarRecords`: one column per field, each a numpy array (integers, floats,
booleans), a list of strings (``None`` allowed: the view's own string objects, shared), an Arrow
array (read back from the result cache) or a :class:`Const` (one value for every row: the
``method`` and bound of an approximation). Rows are made as dicts only when asked for, a chunk at
a time (:meth:`ColumnarRecords.chunks`), so JSON and CSV are written in pieces.

Every row has every column, in the columns' order: exactly the dicts a list of records held, so
``list(records)`` (or :meth:`ColumnarRecords.to_list`) is the JSON of before, value for value
(floats are the same doubles; integers and strings as they were).

:func:`to_bytes` and :func:`from_bytes` carry them into and out of the result cache
(:mod:`civnet.store.cache`) as one Arrow table (:func:`to_arrow`) in Arrow's IPC stream format,
built from buffers: pyarrow imports pandas on its first conversion of a Python or numpy value,
and a civnet command never needs pandas.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeAlias, overload

import numpy as np

if TYPE_CHECKING:
    import pyarrow as pa

CHUNK = 4096
"""Rows made as dicts at once when records are walked (output, comparison)."""


@dataclass(frozen=True)
class Const:
    """A column holding one JSON value on every row."""

    value: Any


Column: TypeAlias = "np.ndarray | list[Any] | pa.Array | pa.ChunkedArray | Const"
"""A column: numbers, strings (or ``None``), an Arrow array, or a constant. pyarrow is imported
only to write or read the cache (``civnet --help`` loads no heavy library)."""


def _check(name: str, col: Column, n: int) -> Column:
    if isinstance(col, Const):
        return col
    if len(col) != n:
        raise ValueError(f"column {name!r} has {len(col)} rows, not {n}")
    if isinstance(col, np.ndarray):
        if col.dtype.kind not in "fiub":
            raise ValueError(f"column {name!r}: numpy dtype {col.dtype} is not a JSON column")
        if col.dtype.kind == "f" and not np.isfinite(col).all():  # JSON's null, as to_jsonable
            return [v if math.isfinite(v) else None for v in col.tolist()]
    return col


def _values(col: Column, start: int, stop: int) -> list[Any]:
    """Plain Python values of rows ``start`` to ``stop`` of one column."""
    if isinstance(col, Const):
        return [col.value] * (stop - start)
    if isinstance(col, np.ndarray):
        return col[start:stop].tolist()
    if isinstance(col, list):
        return col[start:stop]
    return col.slice(start, stop - start).to_pylist()


class ColumnarRecords(Sequence[dict[str, Any]]):
    """A list of records (dicts with the same keys, in one order) held by column.

    A sequence of dicts: ``len``, indexing (a row as a new dict), slicing (a view, no copy of
    the rows), iteration (made a chunk at a time) and ``==`` with a list of dicts. Its values are
    JSON-ready: numbers, strings, ``None``, and constants.
    """

    def __init__(
        self, columns: Mapping[str, Column], n: int, *, start: int = 0, stop: int | None = None
    ) -> None:
        self._columns = {name: _check(name, col, n) for name, col in columns.items()}
        self._n = n
        self._start = start
        self._stop = n if stop is None else stop

    @property
    def columns(self) -> list[str]:
        """The records' keys, in order."""
        return list(self._columns)

    def with_consts(self, values: Mapping[str, Any]) -> ColumnarRecords:
        """These records with a constant column per entry of ``values`` (one already there
        keeps its place, as ``rec[key] = value`` on each dict would)."""
        columns = dict(self._columns)
        columns.update({name: Const(v) for name, v in values.items()})
        return ColumnarRecords(columns, self._n, start=self._start, stop=self._stop)

    def column(self, name: str) -> list[Any]:
        """Every value of column ``name``, in row order."""
        return _values(self._columns[name], self._start, self._stop)

    def __len__(self) -> int:
        return self._stop - self._start

    @overload
    def __getitem__(self, i: int) -> dict[str, Any]: ...

    @overload
    def __getitem__(self, i: slice) -> ColumnarRecords: ...

    def __getitem__(self, i: int | slice) -> dict[str, Any] | ColumnarRecords:
        if isinstance(i, slice):
            start, stop, step = i.indices(len(self))
            if step != 1:
                picked = {name: values[i] for name, values in self._plain_columns().items()}
                return ColumnarRecords(picked, len(range(start, stop, step)))
            stop = max(start, stop)
            return ColumnarRecords(
                self._columns, self._n, start=self._start + start, stop=self._start + stop
            )
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError("record index out of range")
        at = self._start + i
        return {name: _values(col, at, at + 1)[0] for name, col in self._columns.items()}

    def _plain_columns(self) -> dict[str, list[Any]]:
        return {name: self.column(name) for name in self._columns}

    def column_chunks(self, size: int = CHUNK) -> Iterator[list[list[Any]]]:
        """The rows, at most ``size`` at a time, as one list of plain values per column."""
        for a in range(self._start, self._stop, size):
            b = min(a + size, self._stop)
            yield [_values(col, a, b) for col in self._columns.values()]

    def chunks(self, size: int = CHUNK) -> Iterator[list[dict[str, Any]]]:
        """The rows as lists of at most ``size`` new dicts, in order."""
        names = list(self._columns)
        for cols in self.column_chunks(size):
            yield [dict(zip(names, row, strict=True)) for row in zip(*cols, strict=True)]

    def __iter__(self) -> Iterator[dict[str, Any]]:
        for chunk in self.chunks():
            yield from chunk

    def to_list(self) -> list[dict[str, Any]]:
        """The records as a plain list of dicts (what the JSON result held before)."""
        return list(self)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, ColumnarRecords | list | tuple):
            if len(other) != len(self):
                return False
            return all(a == b for a, b in zip(self, other, strict=True))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"ColumnarRecords({len(self):,} rows: {', '.join(self._columns)})"

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled (for a worker process) as its plain columns: Arrow arrays as lists."""
        cols = {
            name: (col if isinstance(col, Const | np.ndarray | list) else self.column(name))
            for name, col in self._columns.items()
        }
        if self._start or self._stop != self._n:
            cols = {
                name: col if isinstance(col, Const) else _values(col, self._start, self._stop)
                for name, col in cols.items()
            }
        return (ColumnarRecords, (cols, len(self)))


def plain(result: Any) -> Any:
    """``result`` with its :class:`ColumnarRecords` (the result itself, or a value of a dict
    result) made plain lists of dicts: the JSON as it was before records were held by column."""
    if isinstance(result, ColumnarRecords):
        return result.to_list()
    if isinstance(result, dict) and any(isinstance(v, ColumnarRecords) for v in result.values()):
        return {k: v.to_list() if isinstance(v, ColumnarRecords) else v for k, v in result.items()}
    return result


def columnar_part(result: Any) -> tuple[str | None, ColumnarRecords] | None:
    """Where ``result`` holds records by column: ``(None, records)`` for the result itself,
    ``(key, records)`` for one value of a dict; ``None`` when it holds none (or several)."""
    if isinstance(result, ColumnarRecords):
        return None, result
    if isinstance(result, dict):
        found = [(k, v) for k, v in result.items() if isinstance(v, ColumnarRecords)]
        if len(found) == 1:
            return found[0]
    return None


# -- Arrow, for the result cache ------------------------------------------------------------------

_META = b"civnet.columns"


def _arrow_strings(values: list[Any]) -> pa.Array:
    """A string array of ``values`` (``str`` or ``None``), built from buffers."""
    import pyarrow as pa

    n = len(values)
    null = np.fromiter((v is None for v in values), dtype=bool, count=n)
    encoded = [b"" if v is None else v.encode() for v in values]
    offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.fromiter(map(len, encoded), dtype=np.int64, count=n), out=offsets[1:])
    data = b"".join(encoded)
    del encoded
    nulls = int(null.sum())
    validity = pa.py_buffer(np.packbits(~null, bitorder="little")) if nulls else None
    return pa.LargeStringArray.from_buffers(
        n, pa.py_buffer(offsets), pa.py_buffer(data), validity, nulls
    )


def _arrow_numbers(values: np.ndarray) -> pa.Array:
    import pyarrow as pa

    if values.dtype.kind == "b":
        bits = np.packbits(values, bitorder="little")
        return pa.Array.from_buffers(pa.bool_(), len(values), [None, pa.py_buffer(bits)])
    dtype = np.dtype(np.float64 if values.dtype.kind == "f" else np.int64)
    values = np.ascontiguousarray(values, dtype=dtype)
    kind = pa.float64() if dtype.kind == "f" else pa.int64()
    return pa.Array.from_buffers(kind, len(values), [None, pa.py_buffer(values)])


def to_arrow(records: ColumnarRecords) -> pa.Table:
    """``records`` as one Arrow table: a column per non-constant column; the constants and the
    order of all columns in the schema's metadata (JSON)."""
    import pyarrow as pa

    arrays: dict[str, pa.Array] = {}
    consts: dict[str, Any] = {}
    for name, col in records._columns.items():
        if isinstance(col, Const):
            consts[name] = col.value
            continue
        if isinstance(col, pa.Array | pa.ChunkedArray) and (
            records._start or len(records) != len(col)
        ):
            col = col.slice(records._start, len(records))
        elif not isinstance(col, pa.Array | pa.ChunkedArray):
            col = col[records._start : records._stop]
        if isinstance(col, np.ndarray):
            arrays[name] = _arrow_numbers(col)
        elif isinstance(col, list):
            if any(v is not None and not isinstance(v, str) for v in col):
                raise TypeError(f"column {name!r}: a list column holds strings or None")
            arrays[name] = _arrow_strings(col)
        else:
            arrays[name] = col
    meta = {"columns": records.columns, "consts": consts, "rows": len(records)}
    text = json.dumps(meta, ensure_ascii=False, allow_nan=False)
    table = pa.table(arrays) if arrays else pa.table({})
    return table.replace_schema_metadata({_META: text.encode()})


def from_arrow(table: pa.Table) -> ColumnarRecords:
    """The records :func:`to_arrow` wrote (``ValueError`` when ``table`` is not such a table)."""
    raw = (table.schema.metadata or {}).get(_META)
    if raw is None:
        raise ValueError("not a table of records")
    meta = json.loads(raw)
    consts = meta["consts"]
    columns: dict[str, Column] = {}
    for name in meta["columns"]:
        columns[name] = Const(consts[name]) if name in consts else table.column(name)
    return ColumnarRecords(columns, int(meta["rows"]))


def to_bytes(records: ColumnarRecords) -> bytes:
    """``records`` as Arrow IPC stream bytes (:func:`to_arrow`, compressed with LZ4)."""
    import pyarrow as pa

    table = to_arrow(records)
    sink = pa.BufferOutputStream()
    options = pa.ipc.IpcWriteOptions(compression="lz4")
    with pa.ipc.new_stream(sink, table.schema, options=options) as writer:
        writer.write_table(table)
    del table
    return sink.getvalue().to_pybytes()


def from_bytes(data: bytes) -> ColumnarRecords:
    """The records :func:`to_bytes` wrote (``ValueError`` on anything else). Arrow's IPC reader
    only reads data: bytes from a stranger's workspace can hold wrong values, never run code."""
    import pyarrow as pa

    try:
        table = pa.ipc.open_stream(pa.py_buffer(data)).read_all()
    except (pa.ArrowInvalid, OSError) as exc:
        raise ValueError(f"not an Arrow stream: {exc}") from None
    try:
        return from_arrow(table)
    except (KeyError, TypeError, AttributeError, json.JSONDecodeError) as exc:
        raise ValueError(f"not a table of records: {exc}") from None

"""Render records as a rich table, JSON or CSV: the one place output formats are decided."""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Mapping, Sequence
from json.encoder import encode_basestring
from typing import IO, Any

import numpy as np
from rich.console import Console
from rich.table import Table
from rich.text import Text

from civnet.store.columnar import ColumnarRecords


def to_jsonable(value: Any) -> Any:
    """Numpy scalars and arrays, dates and NaN made JSON-safe (NaN -> null)."""
    kind = type(value)  # the plain types first, by exact type (a result has ~10^5 values)
    if kind is str or kind is int or kind is bool or value is None:
        return value
    if kind is float:
        return None if math.isnan(value) or math.isinf(value) else value
    if kind is dict:
        return {k if type(k) is str else str(k): to_jsonable(v) for k, v in value.items()}
    if kind is list:
        return [to_jsonable(v) for v in value]
    if kind is ColumnarRecords:
        return value  # JSON-ready by construction; made plain where it must be (columnar.plain)
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return [to_jsonable(v) for v in value.tolist()]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def dumps(value: Any) -> str:
    return json.dumps(to_jsonable(value), indent=2, ensure_ascii=False)


def write_json(value: Any, out: IO[str]) -> None:
    """Write ``print(dumps(value))`` to ``out``, the same characters, with records held by
    column (the value itself, or a value of a dict) written a chunk of rows at a time: no dict
    per row kept, no whole text in memory."""
    if isinstance(value, ColumnarRecords):
        _write_records(value, out, "")
    elif isinstance(value, dict) and any(isinstance(v, ColumnarRecords) for v in value.values()):
        out.write("{")
        for n, (key, v) in enumerate(value.items()):
            out.write((",\n  " if n else "\n  ") + _json_key(key) + ": ")
            if isinstance(v, ColumnarRecords):
                _write_records(v, out, "  ")
            else:
                out.write(dumps(v).replace("\n", "\n  "))
        out.write("\n}")
    else:
        out.write(dumps(value))
    out.write("\n")


def _json_key(key: Any) -> str:
    return json.dumps(key if isinstance(key, str) else str(to_jsonable(key)), ensure_ascii=False)


def _json_scalars(values: list[Any]) -> list[str]:
    """Each value as ``json.dumps`` writes it inside ``dumps`` (a str, int, float, bool or None;
    a NaN or infinity as ``null``, as :func:`to_jsonable` makes it); ``TypeError`` otherwise."""
    out = []
    for v in values:
        kind = type(v)
        if kind is str:
            out.append(encode_basestring(v))
        elif kind is float:
            out.append(float.__repr__(v) if math.isfinite(v) else "null")
        elif kind is bool:
            out.append("true" if v else "false")
        elif kind is int:
            out.append(int.__repr__(v))
        elif v is None:
            out.append("null")
        else:
            raise TypeError(type(v).__name__)
    return out


def _write_records(records: ColumnarRecords, out: IO[str], indent: str) -> None:
    """``records`` as ``dumps`` writes a list of flat dicts, nested at ``indent``."""
    if not len(records):
        out.write("[]")
        return
    inner, field = indent + "  ", indent + "    "
    keys = [field + _json_key(name) + ": " for name in records.columns]
    close = "\n" + inner + "}"
    first = True
    names = records.columns
    for values in records.column_chunks():
        try:
            cells = [_json_scalars(column) for column in values]
            rows = [
                "{\n" + ",\n".join(k + c for k, c in zip(keys, row, strict=True)) + close
                for row in zip(*cells, strict=True)
            ]
        except TypeError:  # a constant that is a list or a mapping: each row by dumps
            rows = [
                dumps(dict(zip(names, row, strict=True))).replace("\n", "\n" + inner)
                for row in zip(*values, strict=True)
            ]
        out.write(("[\n" if first else ",\n") + inner + (",\n" + inner).join(rows))
        first = False
    out.write("\n" + indent + "]")


def records_csv(records: Sequence[Mapping[str, Any]], columns: Sequence[str] | None = None) -> str:
    """CSV text of a list of records (columns: given, else the first record's keys)."""
    buf = io.StringIO()
    cols = list(columns or (records[0].keys() if records else []))
    w = csv.DictWriter(buf, fieldnames=cols, extrasaction="ignore", lineterminator="\n")
    w.writeheader()
    for r in records:
        w.writerow({k: _cell(to_jsonable(r.get(k))) for k in cols})
    return buf.getvalue()


def write_csv(
    records: Sequence[Mapping[str, Any]], columns: Sequence[str] | None, out: IO[str]
) -> None:
    """Write ``records_csv(records, columns)`` to ``out``; records held by column are written
    a chunk of rows at a time."""
    if not isinstance(records, ColumnarRecords):
        out.write(records_csv(records, columns))
        return
    cols = list(columns or records.columns)
    have = records.columns
    w = csv.writer(out, lineterminator="\n")
    w.writerow(cols)
    at = [have.index(c) if c in have else None for c in cols]
    for values in records.column_chunks():
        n = len(values[0]) if values else 0
        cells = [[None] * n if i is None else _cells(values[i]) for i in at]
        w.writerows(zip(*cells, strict=True))


def _cells(values: list[Any]) -> list[Any]:
    """One column's CSV cells (:func:`_cell` of :func:`to_jsonable`): plain values as they are."""
    if all(type(v) in (str, int, float, bool) or v is None for v in values):
        return values  # JSON-ready (records by column hold no NaN: null instead)
    return [_cell(to_jsonable(v)) for v in values]


def _cell(v: Any) -> Any:
    if isinstance(v, list | dict):
        return json.dumps(v, ensure_ascii=False)
    return v


YEAR_COLUMNS = frozenset({"year", "since", "until", "coverage_from", "coverage_to", "break"})
"""Column names whose integers are calendar years (besides ``*_year`` and ``year_*``)."""


def is_year_column(name: str) -> bool:
    """Whether column ``name`` holds calendar years, printed without a thousands separator.

    >>> [is_year_column(c) for c in ("year", "first_year", "year_from", "coverage_to", "ties")]
    [True, True, True, True, False]
    """
    c = name.lower()
    return c in YEAR_COLUMNS or c.endswith("_year") or c.startswith("year_")


def fmt_cell(column: str, v: Any) -> str:
    """A table cell: a year as ``2014`` (never ``2,014``), anything else by :func:`fmt_number`."""
    if is_year_column(column) and isinstance(v, int | np.integer) and not isinstance(v, bool):
        return str(int(v))
    return fmt_number(v)


def fmt_number(v: Any, digits: int = 4) -> str:
    if v is None:
        return "—"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, int | np.integer):
        return f"{int(v):,}"
    if isinstance(v, float | np.floating):
        if math.isnan(float(v)):
            return "—"
        return (
            f"{float(v):.{digits}g}"
            if abs(float(v)) < 1e-3 and v != 0
            else f"{float(v):,.{digits}f}"
        )
    return str(v)


def fmt_scaled(v: float | None) -> str:
    """A small share written for its scale: 0.123 above 1 %, per mille down to 0.1 ‰, then
    scientific.

    >>> [fmt_scaled(x) for x in (0.25, 0.0138, 0.00138, 0.0000138, 0.0)]
    ['0.250', '0.014', '1.4‰', '1.4e-05', '0']
    """
    if v is None or math.isnan(v):
        return "—"
    if v == 0:
        return "0"
    a = abs(v)
    if a >= 0.01:
        return f"{v:.3f}"
    if a >= 1e-4:
        return f"{v * 1000:.2g}‰"
    return f"{v:.1e}"


def fmt_ratio(r: float | None) -> str:
    """A ratio to a reference, as ``12×``, ``2.4×`` or ``0.35×`` (``0`` when zero).

    >>> [fmt_ratio(x) for x in (123.4, 2.44, 0.351, 0.0)]
    ['123×', '2.4×', '0.35×', '0']
    """
    if r is None or math.isnan(r):
        return "—"
    if r == 0:
        return "0"
    if r >= 10:
        return f"{r:,.0f}×"
    if r >= 1:
        return f"{r:.1f}×"
    return f"{r:.2g}×"


def records_table(
    records: Sequence[Mapping[str, Any]],
    columns: Sequence[str] | None = None,
    *,
    title: str | None = None,
    caption: str | None = None,
) -> Table:
    """A rich table of ``records``; every cell, header, title and caption is plain text.

    Values come from the data (names, countries, reasons), so they are never read as Rich
    markup: ``[/x]`` in a name prints as ``[/x]``.
    """
    cols = list(columns or (records[0].keys() if records else []))
    table = Table(
        title=None if title is None else Text(title),
        caption=None if caption is None else Text(caption),
        title_justify="left",
        caption_justify="left",
    )
    for c in cols:
        numeric = bool(records) and isinstance(records[0].get(c), int | float | np.number)
        table.add_column(Text(str(c)), justify="right" if numeric else "left")
    for r in records:
        table.add_row(*(Text(fmt_cell(str(c), r.get(c))) for c in cols))
    return table


def heading(console: Console, title: str) -> None:
    """A section heading: a rule across a terminal, one plain line to a pipe or a file."""
    if console.is_terminal:
        console.rule(title)
    else:
        console.print(f"── {title} ──", soft_wrap=True)


def emit(
    console: Console,
    fmt: str,
    *,
    records: Sequence[Mapping[str, Any]] | None = None,
    obj: Any = None,
    columns: Sequence[str] | None = None,
    title: str | None = None,
    caption: str | None = None,
) -> None:
    """Print ``records`` (or ``obj`` for JSON) in the requested format."""
    if fmt == "json":
        print(dumps(obj if obj is not None else records))
    elif fmt == "csv":
        print(records_csv(records or [], columns), end="")
    else:
        console.print(records_table(records or [], columns, title=title, caption=caption))


def left_out_note(left_out: dict[str, int], *, hint: bool = True) -> str:
    """One sentence for a ranking's caption: which aggregates it left out (empty: none)."""
    if not left_out:
        return ""
    n = sum(left_out.values())
    parts = ", ".join(f"{k} {v:,}" for k, v in left_out.items())
    return (
        f"ranked among organisations and cities; {n:,} aggregate actor{'s' if n != 1 else ''} "
        f"left out ({parts})" + (": --rank-all ranks them too" if hint else "")
    )


def has_directed_partners(records: list[dict[str, Any]]) -> bool:
    """True when a record has an out- or in-partner (tables show those columns only then)."""
    return any(r.get("out_partners") or r.get("in_partners") for r in records)

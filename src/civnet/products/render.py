"""Render records as a rich table, JSON or CSV: the one place output formats are decided."""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from rich.console import Console
from rich.table import Table
from rich.text import Text


def to_jsonable(value: Any) -> Any:
    """Numpy scalars and arrays, dates and NaN made JSON-safe (NaN -> null)."""
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


def records_csv(records: Sequence[Mapping[str, Any]], columns: Sequence[str] | None = None) -> str:
    """CSV text of a list of records (columns: given, else the first record's keys)."""
    buf = io.StringIO()
    cols = list(columns or (records[0].keys() if records else []))
    w = csv.DictWriter(buf, fieldnames=cols, extrasaction="ignore", lineterminator="\n")
    w.writeheader()
    for r in records:
        w.writerow({k: _cell(to_jsonable(r.get(k))) for k in cols})
    return buf.getvalue()


def _cell(v: Any) -> Any:
    if isinstance(v, list | dict):
        return json.dumps(v, ensure_ascii=False)
    return v


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
        table.add_row(*(Text(fmt_number(r.get(c))) for c in cols))
    return table


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

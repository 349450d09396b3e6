"""Years print as years in every table (``2014``, never ``2,014``); counts keep their separator."""

from __future__ import annotations

import io

from rich.console import Console

from civnet.products.render import records_table


def _text(records: list[dict[str, object]]) -> str:
    out = io.StringIO()
    Console(file=out, width=200).print(records_table(records))
    return out.getvalue()


def test_year_columns_have_no_thousands_separator() -> None:
    text = _text([{"year": 2014, "first_year": 1998, "coverage_to": 2019, "ties": 12345}])
    assert "2014" in text and "1998" in text and "2019" in text
    assert "2,014" not in text and "1,998" not in text and "2,019" not in text
    assert "12,345" in text


def test_a_column_merely_named_like_a_year_keeps_non_integers() -> None:
    text = _text([{"year": "2014-2016", "per_year": 2.5}])
    assert "2014-2016" in text and "2.5000" in text

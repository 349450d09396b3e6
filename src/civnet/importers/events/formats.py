"""The GDELT event file formats: their columns, how a file's format is detected, how DuckDB reads it.

Three formats (GDELT 1.0 and 2.0 event codebooks, gdeltproject.org/data.html):

- ``gdelt1``: GDELT 1.0 daily exports, tab-separated, no header, 57 columns up to March 2013 and 58
  (``SOURCEURL`` added) after; one file may mix both, as real exports do.
- ``gdelt2``: GDELT 2.0 15-minute exports, 61 columns (``ActorNGeo_ADM2Code`` added, ``DATEADDED``
  as YYYYMMDDHHMMSS).
- ``reduced``: the GDELT 1.0 "reduced" dyadic files, with a header row and 17 columns (Date, Source,
  Target, CAMEOCode, NumEvents, NumArts, QuadClass, Goldstein and geography); actor codes are
  composite (``FRAGOV`` = France + Government). Rows may stop after the Goldstein column.

DuckDB reads every file itself (``read_csv`` with explicit VARCHAR columns and no quoting): one more
column than the format has catches rows with too many fields, NULL padding marks rows with too few,
and a streaming ``row_number()`` gives each row its line.

Zipped files: DuckDB does not read zip archives, so the one member is streamed into a temporary
file, within limits checked before and while it is written (:data:`MAX_UNZIPPED_BYTES`,
:data:`MAX_RATIO`); its format is checked from its first bytes before anything is written. The
temporary folder is removed when the file has been read, and folders left by a killed import are
removed when the next GDELT file is opened (:func:`clean_stale_folders`).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from civnet.errors import InputFileError
from civnet.sql import quote_literal

GDELT1_COLUMNS: tuple[str, ...] = (
    "GLOBALEVENTID",
    "SQLDATE",
    "MonthYear",
    "Year",
    "FractionDate",
    "Actor1Code",
    "Actor1Name",
    "Actor1CountryCode",
    "Actor1KnownGroupCode",
    "Actor1EthnicCode",
    "Actor1Religion1Code",
    "Actor1Religion2Code",
    "Actor1Type1Code",
    "Actor1Type2Code",
    "Actor1Type3Code",
    "Actor2Code",
    "Actor2Name",
    "Actor2CountryCode",
    "Actor2KnownGroupCode",
    "Actor2EthnicCode",
    "Actor2Religion1Code",
    "Actor2Religion2Code",
    "Actor2Type1Code",
    "Actor2Type2Code",
    "Actor2Type3Code",
    "IsRootEvent",
    "EventCode",
    "EventBaseCode",
    "EventRootCode",
    "QuadClass",
    "GoldsteinScale",
    "NumMentions",
    "NumSources",
    "NumArticles",
    "AvgTone",
    "Actor1Geo_Type",
    "Actor1Geo_FullName",
    "Actor1Geo_CountryCode",
    "Actor1Geo_ADM1Code",
    "Actor1Geo_Lat",
    "Actor1Geo_Long",
    "Actor1Geo_FeatureID",
    "Actor2Geo_Type",
    "Actor2Geo_FullName",
    "Actor2Geo_CountryCode",
    "Actor2Geo_ADM1Code",
    "Actor2Geo_Lat",
    "Actor2Geo_Long",
    "Actor2Geo_FeatureID",
    "ActionGeo_Type",
    "ActionGeo_FullName",
    "ActionGeo_CountryCode",
    "ActionGeo_ADM1Code",
    "ActionGeo_Lat",
    "ActionGeo_Long",
    "ActionGeo_FeatureID",
    "DATEADDED",
    "SOURCEURL",
)
"""The 58 columns of a GDELT 1.0 event export (the first 57 before April 2013)."""


def _gdelt2_columns() -> tuple[str, ...]:
    cols: list[str] = []
    for c in GDELT1_COLUMNS:
        cols.append(c)
        if c.endswith("Geo_ADM1Code"):
            cols.append(c.replace("ADM1", "ADM2"))
    return tuple(cols)


GDELT2_COLUMNS: tuple[str, ...] = _gdelt2_columns()
"""The 61 columns of a GDELT 2.0 event export."""

REDUCED_COLUMNS: tuple[str, ...] = (
    "Date",
    "Source",
    "Target",
    "CAMEOCode",
    "NumEvents",
    "NumArts",
    "QuadClass",
    "Goldstein",
    "SourceGeoType",
    "SourceGeoLat",
    "SourceGeoLong",
    "TargetGeoType",
    "TargetGeoLat",
    "TargetGeoLong",
    "ActionGeoType",
    "ActionGeoLat",
    "ActionGeoLong",
)
"""The 17 columns of a GDELT 1.0 reduced dyadic file (it has this header row)."""

EXTRA = "_extra"
"""Name of the column past the last one: not NULL when a row has too many fields."""


@dataclass(frozen=True)
class GdeltFormat:
    """One GDELT file layout: its columns, how many fields a valid row has, its header."""

    name: str
    label: str
    columns: tuple[str, ...]
    min_fields: int
    header: bool


FORMATS: dict[str, GdeltFormat] = {
    "gdelt1": GdeltFormat("gdelt1", "GDELT 1.0 events", GDELT1_COLUMNS, 57, False),
    "gdelt2": GdeltFormat("gdelt2", "GDELT 2.0 events", GDELT2_COLUMNS, 61, False),
    "reduced": GdeltFormat("reduced", "GDELT 1.0 reduced dyadic", REDUCED_COLUMNS, 8, True),
}


def detect_format(head: bytes, where: str) -> GdeltFormat:
    """The format of a file from its first bytes, or :class:`InputFileError` if not GDELT.

    The reduced format is known by its header; the export formats by the number of tab-separated
    fields of the first lines (57/58 or 61) with an event id and an 8-digit date in front.
    """
    lines = [ln for ln in head.split(b"\n")[:50] if ln.strip()]
    if not lines:
        raise InputFileError("the file is empty", where=where, fix="give a GDELT event file")
    first = lines[0].rstrip(b"\r").split(b"\t")
    if [f.strip().lower() for f in first[:4]] == [b"date", b"source", b"target", b"cameocode"]:
        return FORMATS["reduced"]
    counts: dict[int, int] = {}
    for ln in lines[:-1] if len(lines) > 1 else lines:
        n = ln.rstrip(b"\r").count(b"\t") + 1
        counts[n] = counts.get(n, 0) + 1
    n_fields = max(counts, key=lambda k: counts[k])
    looks_like_event = len(first) > 2 and first[0].isdigit() and len(first[1]) == 8
    if looks_like_event and n_fields in (57, 58):
        return FORMATS["gdelt1"]
    if looks_like_event and n_fields == 61:
        return FORMATS["gdelt2"]
    raise InputFileError(
        f"not a GDELT event file: its first line has {len(first)} tab-separated fields "
        f"starting {lines[0][:40]!r}",
        where=where,
        fix="give GDELT 1.0 exports (57/58 columns), GDELT 2.0 exports (61 columns) or reduced "
        "dyadic files (with their header), plain or zipped",
    )


MAX_UNZIPPED_BYTES = 16 * 1024**3
"""Largest zip member civnet expands, in bytes (16 GiB; a GDELT 1.0 daily export is about 0.1-0.3
GiB unzipped, a 15-minute GDELT 2.0 export a few MiB)."""

MAX_RATIO = 200
"""Largest ratio of a zip member's expanded size to its compressed size. GDELT exports compress
about 4-10 times; a zip bomb compresses thousands of times."""

TEMP_PREFIX = "civnet-gdelt-"
"""Temporary folders are named ``civnet-gdelt-PID-...`` in the system's temporary folder."""

_HEAD_BYTES = 256 * 1024


@dataclass
class OpenedFile:
    """A GDELT file ready for DuckDB: the text file to read and what is known about the source."""

    source: Path
    text: Path
    sha256: str
    fmt: GdeltFormat


@contextmanager
def open_gdelt(path: str | Path) -> Iterator[OpenedFile]:
    """Check, hash and (for ``.zip``) extract a GDELT file; detect its format.

    The SHA-256 is of the file as given (the zip itself for archives), the workspace's key for
    "this source was imported already". A zip must hold exactly one file.
    """
    p = Path(path)
    if not p.is_file():
        raise InputFileError("file not found", where=str(p), fix="check the path or glob")
    clean_stale_folders()
    digest = _sha256(p)
    if zipfile.is_zipfile(p):
        tmp = tempfile.mkdtemp(prefix=f"{TEMP_PREFIX}{os.getpid()}-")
        try:
            text, fmt = _stream_single(p, Path(tmp))
            yield OpenedFile(p, text, digest, fmt)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    else:
        yield OpenedFile(p, p, digest, _detect(p, str(p)))


def clean_stale_folders(parent: str | Path | None = None) -> list[Path]:
    """Remove the temporary folders of civnet processes that are no longer running (killed
    during an import); return them."""
    root = Path(parent or tempfile.gettempdir())
    removed = []
    for folder in root.glob(f"{TEMP_PREFIX}*"):
        pid = folder.name[len(TEMP_PREFIX) :].split("-", 1)[0]
        if folder.is_dir() and pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _sha256(p: Path) -> str:
    h = hashlib.sha256()
    with open(p, "rb") as fh:
        for chunk in iter(lambda: fh.read(8 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _detect(text: Path, where: str) -> GdeltFormat:
    with open(text, "rb") as fh:
        return detect_format(fh.read(256 * 1024), where)


def _stream_single(p: Path, folder: Path) -> tuple[Path, GdeltFormat]:
    """The zip's one member streamed into ``folder`` within the limits, and its format, which is
    checked from the first bytes before anything is written."""
    try:
        with zipfile.ZipFile(p) as zf:
            members = [m for m in zf.infolist() if not m.is_dir()]
            if len(members) != 1:
                raise InputFileError(
                    f"the zip holds {len(members)} files; expected one GDELT export",
                    where=str(p),
                    fix="unzip it and give the event files themselves",
                )
            member = members[0]
            _check_expansion(p, member.file_size, member.compress_size)
            out = folder / "member.csv"
            with zf.open(member) as src:
                head = src.read(_HEAD_BYTES)
                fmt = detect_format(head, str(p))
                written = len(head)
                with open(out, "wb") as dst:
                    dst.write(head)
                    while chunk := src.read(8 << 20):
                        written += len(chunk)
                        _check_expansion(p, written, member.compress_size)
                        dst.write(chunk)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError) as exc:
        raise InputFileError(
            f"the zip cannot be read: {exc}",
            where=str(p),
            fix="check the download, or unzip it with another tool and give the file itself",
        ) from None
    return out, fmt


def _check_expansion(p: Path, size: int, compressed: int) -> None:
    """:class:`InputFileError` when a zip member expands past :data:`MAX_UNZIPPED_BYTES` or
    :data:`MAX_RATIO` times its compressed size."""
    if size > MAX_UNZIPPED_BYTES:
        raise InputFileError(
            f"the zip expands to more than {MAX_UNZIPPED_BYTES / 1024**3:.0f} GiB "
            f"(civnet's limit for one file)",
            where=str(p),
            fix="split the export into smaller files (see docs/security.md)",
        )
    if size > 1024**2 and size > MAX_RATIO * max(compressed, 1):
        raise InputFileError(
            f"the zip expands more than {MAX_RATIO} times ({size:,} bytes from "
            f"{compressed:,}): a zip bomb, not a GDELT export",
            where=str(p),
            fix="give the GDELT export as downloaded from gdeltproject.org (see docs/security.md)",
        )


def reader_sql(text: Path, fmt: GdeltFormat, *, lines: bool = False) -> str:
    """SQL of a relation with the format's columns and ``_extra``, all VARCHAR: an empty field is
    ``''``, a field past the row's end NULL.

    With ``lines``, it also has ``_line`` (row number + header lines, from a streaming
    ``row_number()``), and lines DuckDB cannot decode are skipped and listed in its table
    ``_csv_errors``; that costs time, so it is only used for files that have rejects.
    """
    names = [*fmt.columns, EXTRA]
    cols = ", ".join(f"{quote_literal(c)}: 'VARCHAR'" for c in names)
    src = quote_literal(str(text))
    skip = 1 if fmt.header else 0
    line = f"row_number() OVER () + {skip}" if lines else "NULL::BIGINT"
    errors = (
        ", ignore_errors=true, store_rejects=true, rejects_table='_csv_errors', "
        "rejects_scan='_csv_scans'"
        if lines
        else ""
    )
    return (
        f"SELECT {line} AS _line, * FROM read_csv({src}, "
        f"columns={{{cols}}}, delim='\\t', quote='', escape='', header=false, skip={skip}, "
        f"auto_detect=false, null_padding=true, nullstr='\x02', strict_mode=false{errors})"
    )


def locate_rows(
    text: Path, row_lines: set[int], undecodable: set[int], skip: int
) -> dict[int, tuple[int, str]]:
    """Line number and raw text of the rows numbered ``row_lines`` (row number + header lines).

    ``row_number()`` counts rows, not lines: blank lines and lines DuckDB could not decode (given
    by their line numbers) give no row. One pass over the file; only run for files with rejects.
    """
    out: dict[int, tuple[int, str]] = {}
    row_line = skip
    with open(text, "rb") as fh:
        for i, line in enumerate(fh, start=1):
            body = line.rstrip(b"\r\n")
            if i <= skip or not body or i in undecodable:
                continue
            row_line += 1
            if row_line in row_lines:
                out[row_line] = (i, body.decode("utf-8", errors="replace")[:2000])
                if len(out) == len(row_lines):
                    break
    return out

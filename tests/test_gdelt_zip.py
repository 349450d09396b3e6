"""Zipped GDELT files within limits (issue 11 item 3): a zip bomb stops with one line before it
is expanded, the format is checked from the first bytes, and no temporary folder outlives its
import, even a killed one."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import pytest

from civnet.errors import InputFileError
from civnet.importers.events import formats as gdelt_formats
from civnet.importers.events.formats import MAX_RATIO, TEMP_PREFIX, clean_stale_folders, open_gdelt
from civnet.importers.events.gdelt import run_files
from civnet.importers.events.mapping import GdeltOptions

HEAD_2016 = Path(__file__).parent / "data" / "gdelt" / "gdelt1_20160728_head.tsv"


@pytest.fixture(autouse=True)
def private_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The system temporary folder, as civnet sees it, is a fresh folder of this test."""
    folder = tmp_path / "systmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def _zip(path: Path, data: bytes, name: str = "20160728.export.CSV") -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(name, data)
    return path


def test_zip_bomb_is_refused_before_expanding(cli, tmp_path: Path, private_tmp: Path) -> None:  # type: ignore[no-untyped-def]
    """64 MiB of one repeated GDELT line compress about a thousand times."""
    line = HEAD_2016.read_bytes().splitlines(keepends=True)[0]
    bomb = _zip(tmp_path / "bomb.zip", line * (64 * 1024**2 // len(line)))
    assert bomb.stat().st_size * MAX_RATIO < 64 * 1024**2
    result = cli("import", "gdelt", str(bomb), code=2)
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and f"the zip expands more than {MAX_RATIO} times" in lines[0]
    assert "zip bomb" in lines[0] and "docs/security.md" in lines[0]
    assert list(private_tmp.iterdir()) == []


def test_size_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(gdelt_formats, "MAX_UNZIPPED_BYTES", 100_000)
    z = _zip(tmp_path / "20160728.export.CSV.zip", HEAD_2016.read_bytes())
    with pytest.raises(InputFileError, match="the zip expands to more than"):
        run_files([z], GdeltOptions())


def test_a_header_that_lies_about_the_size_is_caught_while_streaming(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The limits are checked again on the bytes actually written."""
    z = _zip(tmp_path / "20160728.export.CSV.zip", HEAD_2016.read_bytes())
    monkeypatch.setattr(gdelt_formats, "_HEAD_BYTES", 1024)
    checks: list[int] = []
    real = gdelt_formats._check_expansion

    def spy(p: Path, size: int, compressed: int) -> None:
        checks.append(size)
        if len(checks) > 1:  # as if the header had declared a tiny size
            monkeypatch.setattr(gdelt_formats, "MAX_UNZIPPED_BYTES", 2048)
        real(p, size, compressed)

    monkeypatch.setattr(gdelt_formats, "_check_expansion", spy)
    with pytest.raises(InputFileError, match="expands to more than"):
        run_files([z], GdeltOptions())
    assert checks[0] == HEAD_2016.stat().st_size  # the declared size, before any byte


def test_format_checked_before_anything_is_written(
    tmp_path: Path, private_tmp: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    kept: list[str] = []
    monkeypatch.setattr(gdelt_formats.shutil, "rmtree", lambda p, **kw: kept.append(str(p)))
    z = _zip(tmp_path / "notes.zip", b"name,age\nAda,36\n" * 10_000)
    with pytest.raises(InputFileError, match="not a GDELT event file"), open_gdelt(z):
        pass
    (folder,) = kept
    assert list(Path(folder).iterdir()) == []  # refused from the first bytes: nothing written


def test_stale_folders_of_dead_processes_are_removed(private_tmp: Path) -> None:
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    stale = private_tmp / f"{TEMP_PREFIX}{dead.stdout.strip()}-abc"
    live = private_tmp / f"{TEMP_PREFIX}{os.getppid()}-def"
    other = private_tmp / "someone-else"
    for folder in (stale, live, other):
        folder.mkdir()
        (folder / "member.csv").write_text("x")
    assert clean_stale_folders() == [stale]
    assert not stale.exists() and live.exists() and other.exists()


def test_killed_import_leaves_nothing_after_the_next_one(
    cli, tmp_path: Path, private_tmp: Path
) -> None:  # type: ignore[no-untyped-def]
    """kill -9 during the expansion of a large zip; the next import removes its folder."""
    rows = HEAD_2016.read_bytes()
    big = _zip(tmp_path / "20160728.export.CSV.zip", rows * 120)  # about 30 MB expanded
    env = {**os.environ, "TMPDIR": str(private_tmp)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "civnet", "--workspace", str(tmp_path / "k.duckdb"), "import",
         "gdelt", str(big)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while not list(private_tmp.glob(f"{TEMP_PREFIX}*")) and time.monotonic() < deadline:
        time.sleep(0.01)
    proc.kill()
    proc.wait()
    assert [p.name.split("-")[2] for p in private_tmp.glob(f"{TEMP_PREFIX}*")] == [str(proc.pid)]
    cli("import", "gdelt", str(HEAD_2016))  # any next import, zipped or not, cleans up
    assert list(private_tmp.iterdir()) == []

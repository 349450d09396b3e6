"""The ahead-of-time build of the Brandes kernel (``brandes_build``) cleans up after itself."""

from __future__ import annotations

from pathlib import Path

import pytest


def test_the_build_leaves_no_compiler_probe_in_the_temporary_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """pycc's toolchain probes the compiler in a fresh ``tempfile.mkdtemp()`` folder each time
    (``temp.c``, ``temp.o``) and never removes it: the build keeps them in one folder it removes."""
    import tempfile

    from civnet.measures.intermediation import brandes_build

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    made: list[Path] = []

    def probe(out_dir: Path) -> Path:
        folder = Path(tempfile.mkdtemp())
        (folder / "temp.c").write_text("int main(void) { return 0; }\n")
        made.append(folder)
        return out_dir / "built.so"

    monkeypatch.setattr(brandes_build, "compile_into", probe)
    assert brandes_build.build(tmp_path / "out") == tmp_path / "out" / "built.so"
    assert made and not made[0].exists()
    assert list(tmp_path.iterdir()) == []

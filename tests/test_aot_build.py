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


WARM = "from civnet.measures.intermediation.brandes_build import warm_jit_cache; warm_jit_cache()"
CALLERS = """
import networkx as nx
from civnet.measures import group_betweenness
from civnet.measures.intermediation.betweenness_approx import approx_betweenness
from civnet.measures.intermediation.brandes_kernel import (
    fill_arcs, sampled_group_paths, sampled_path_rows
)
from civnet.views import Network

g = nx.gnm_random_graph(60, 200, seed=1, directed=True)
for v in g:
    g.nodes[v]["country"] = "AB"[v % 2]
net = Network.from_networkx(g)
approx_betweenness(net, eps=0.2, seed=3)
approx_betweenness(Network.from_networkx(g.to_undirected()), eps=0.2, seed=3)
group_betweenness(net, by="country", samples=8, seed=1)
for f in (sampled_path_rows, sampled_group_paths, fill_arcs):
    print(f.__name__, sum(f.stats.cache_hits.values()), sum(f.stats.cache_misses.values()))
"""


def test_the_samplers_warmed_at_install_are_loaded_not_compiled_by_their_callers() -> None:
    """``make`` runs ``warm_jit_cache`` after the build: the production callers' argument types
    must match the warmed ones, or the first serve compiles anyway (about 8 s)."""
    import os
    import subprocess
    import sys

    subprocess.run([sys.executable, "-c", WARM], check=True, timeout=300)
    # the JIT's callers: where the compiled module is built, the path sampler runs from it
    env = {**os.environ, "CIVNET_BRANDES": "jit"}
    res = subprocess.run(
        [sys.executable, "-c", CALLERS], capture_output=True, text=True, timeout=300, env=env
    )
    assert res.returncode == 0, res.stderr
    counts = {line.split()[0]: line.split()[1:] for line in res.stdout.splitlines()}
    assert counts == {
        "sampled_path_rows": ["1", "0"],
        "sampled_group_paths": ["1", "0"],
        "fill_arcs": ["1", "0"],
    }

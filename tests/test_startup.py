"""Start-up stays light: ``import civnet`` and ``civnet --help`` load no heavy library.

The catalog names each measure's functions lazily (:class:`civnet.products.catalog.Lazy`) and the
packages export their names on first use (:mod:`civnet._lazy`), so declaring every command and
parameter loads none of the measures. Each check runs in a fresh interpreter: this test
process has long imported everything.
"""

from __future__ import annotations

import inspect
import json
import subprocess
import sys
from pathlib import Path

import pytest

from civnet.products.catalog import MEASURES, Lazy
from tests.test_cli_core import florentine_ws  # noqa: F401  (fixture)

HEAVY = (
    "numba",
    "scipy",
    "pandas",
    "matplotlib",
    "networkit",
    "igraph",
    "networkx",
    "pyarrow",
    "duckdb",
    "statsmodels",
    "dask",
)
"""Libraries that neither ``import civnet`` nor ``civnet --help`` may load (numpy may: the
renderers use it)."""


def loaded_after(code: str) -> list[str]:
    """The libraries of :data:`HEAVY` that a fresh interpreter holds after running ``code``."""
    probe = (
        "import contextlib, io, json, sys\n"
        f"{code}\n"
        f"print(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    )
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def test_import_civnet_loads_no_heavy_library() -> None:
    assert loaded_after("import civnet") == []


def test_civnet_help_loads_no_heavy_library() -> None:
    code = (
        "sys.argv = ['civnet', '--help']\n"
        "from civnet.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()) as help_text:\n"
        "    try:\n"
        "        main()\n"
        "    except SystemExit:\n"
        "        pass\n"
        "assert 'betweenness' in help_text.getvalue()\n"
    )
    assert loaded_after(code) == []


def test_a_command_help_and_the_whole_catalog_load_no_heavy_library() -> None:
    """A generated command's help reads its Params (bounds, choices) from the catalog."""
    code = (
        "sys.argv = ['civnet', 'whatif', '--help']\n"
        "from civnet.cli import main\n"
        "from civnet.products.catalog import MEASURES\n"
        "assert all(p.describe_bounds() is not None for m in MEASURES.values() for p in m.params)\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    try:\n"
        "        main()\n"
        "    except SystemExit:\n"
        "        pass\n"
    )
    assert loaded_after(code) == []


@pytest.mark.parametrize("name", sorted(MEASURES))
def test_every_lazy_function_of_the_catalog_resolves(name: str) -> None:
    """Each lazily named function imports and has the signature the catalog calls it with."""
    m = MEASURES[name]
    for part in ("compute", "prepare", "shape", "rows", "notes"):
        fn = getattr(m, part)
        if isinstance(fn, Lazy):
            target = inspect.unwrap(fn)
            assert callable(target) and not isinstance(target, Lazy), (name, part)
            assert inspect.signature(fn) == inspect.signature(target), (name, part)


def test_the_measures_package_gives_functions_named_like_their_modules() -> None:
    """``civnet.measures.intermediation.betweenness`` stays the function once its module is imported."""
    code = (
        "import civnet.measures.intermediation.betweenness, civnet.measures.structure.density\n"
        "import civnet.measures as m\n"
        "assert callable(m.betweenness) and not isinstance(m.betweenness, type(sys))\n"
        "assert m.density.__module__ == 'civnet.measures.structure.density'\n"
        "from civnet.measures import timeline, scorecard\n"
        "assert callable(timeline) and callable(scorecard)\n"
    )
    loaded_after(code)  # fails (CalledProcessError) when an assertion there fails


def test_a_civnet_process_imports_igraph_without_matplotlib() -> None:
    """igraph's drawing imports matplotlib; the ``civnet`` command and the server's workers
    (:func:`civnet._lean.lean_imports`) import igraph without it, and matplotlib still works."""
    code = (
        "from civnet._lean import lean_imports\n"
        "lean_imports()\n"
        "import igraph\n"
        "assert igraph.Graph.Famous('Zachary').betweenness()[0] > 231\n"
        "assert 'matplotlib' not in sys.modules\n"
        "import matplotlib\n"
        "assert sys.modules['matplotlib'] is matplotlib\n"
        "sys.modules.pop('matplotlib')\n"
    )
    assert loaded_after(code) == ["igraph"]


def test_civnet_describe_and_betweenness_load_only_what_they_use(florentine_ws) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    """A measure in a fresh ``civnet`` process: DuckDB, Arrow, igraph, numpy (not the pandas
    that pyarrow imports on its first array conversion: the view reads Arrow buffers); never
    matplotlib or NetworKit (nor numba when the Brandes kernel is built ahead of time:
    :func:`test_exact_betweenness_by_blocks_never_imports_numba`)."""
    run = (
        "sys.argv = ['civnet', '-w', {ws!r}, {cmd!r}, '--format', 'json']\n"
        "from civnet.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()) as out:\n"
        "    try:\n"
        "        main()\n"
        "    except SystemExit as exc:\n"
        "        assert not exc.code, exc.code\n"
        "assert json.loads(out.getvalue())\n"
    )
    describe = loaded_after(run.format(ws=str(florentine_ws.workspace), cmd="describe"))
    assert set(describe) == {"duckdb", "pyarrow", "igraph"}
    between = loaded_after(run.format(ws=str(florentine_ws.workspace), cmd="betweenness"))
    assert "matplotlib" not in between and "networkit" not in between
    assert "pandas" not in between
    assert "networkx" not in between and "statsmodels" not in between


@pytest.mark.parametrize("directed", [False, True])
@pytest.mark.parametrize("workers", [1, 2])
def test_exact_betweenness_by_blocks_never_imports_numba(
    monkeypatch: pytest.MonkeyPatch, workers: int, directed: bool
) -> None:
    """With the Brandes kernel compiled ahead of time (``make``), exact betweenness by blocks
    loads neither numba nor llvmlite (about 150 MB a process), on one thread or on two, and
    equals NetworkX."""
    from civnet.measures.intermediation.brandes import aot_module

    if aot_module() is None:
        pytest.skip("the ahead-of-time kernel is not built (make .venv/.aot-built)")
    monkeypatch.delenv("CIVNET_BRANDES", raising=False)
    code = (
        "import networkx as nx, numpy as np\n"
        "from civnet.views import Network\n"
        "from civnet.measures import betweenness\n"
        "import civnet.measures.intermediation.betweenness as bmod\n"
        "bmod.BLOCKS_ABOVE = 0\n"
        "bmod.DIRECTED_BLOCKS_ABOVE = 0\n"
        "g = nx.barabasi_albert_graph(200, 3, seed=1)\n"
        "g.add_edges_from((200 + i, i % 40) for i in range(60))\n"
        f"g = g.to_directed() if {directed} else g\n"
        f"b = betweenness(Network.from_networkx(g), normalized=False, workers={workers})\n"
        "assert 'biconnected blocks' in b.method, b.method\n"
        f"assert 'on {workers} thread' in b.method, b.method\n"
        "want = nx.betweenness_centrality(g, normalized=False)\n"
        "got = dict(zip(b.ids, b.values))\n"
        "assert max(abs(got[str(v)] - want[v]) for v in g) < 1e-9\n"
        "assert 'llvmlite' not in sys.modules\n"
    )
    assert "numba" not in loaded_after(code)


def test_bootstrap_replicates_betweenness_never_imports_numba(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The report's bootstrap replicates (twin copies) run the compiled module's kernel too."""
    from civnet.measures.intermediation.brandes import aot_module

    if aot_module() is None:
        pytest.skip("the ahead-of-time kernel is not built (make .venv/.aot-built)")
    monkeypatch.delenv("CIVNET_BRANDES", raising=False)
    code = (
        "import numpy as np\n"
        "from civnet.measures.statistics.replicate_statistics import twin_betweenness\n"
        "raw = twin_betweenness(np.array([[0, 1], [1, 2]]), np.array([1, 2, 2]), directed=False)\n"
        "assert np.allclose(raw, [1 / 3, 1.5, 1.5, 1 / 3, 1 / 3], rtol=1e-15, atol=0)\n"
        "assert 'llvmlite' not in sys.modules\n"
    )
    assert "numba" not in loaded_after(code)


def test_a_cached_betweenness_table_imports_no_graph_library(tmp_path: Path) -> None:
    """A second ``civnet betweenness`` answers from the cache: the table needs neither igraph
    nor the measures (about 0.1 s of the repeat; its captions come from products.render)."""
    import subprocess
    import sys

    ws = str(tmp_path / "ws.duckdb")
    code = (
        "import sys; from civnet.cli import main\n"
        "sys.argv = ['civnet', '--workspace', sys.argv[1], 'betweenness', '--top', '3']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print('LOADED', sorted(m for m in ('igraph', 'numba', 'networkit') if m in sys.modules))"
    )
    data = Path(__file__).parent / "data" / "products"
    load = [sys.executable, "-m", "civnet", "--workspace", ws, "import", "table"]
    load += ["--actors", str(data / "actors.csv"), "--ties", str(data / "ties.csv")]
    subprocess.run(load, check=True, capture_output=True, timeout=300)
    first = subprocess.run([sys.executable, "-c", code, ws], capture_output=True, text=True)
    again = subprocess.run([sys.executable, "-c", code, ws], capture_output=True, text=True)
    assert "'igraph'" in first.stdout  # computed: the view's graph
    assert again.stdout.strip().splitlines()[-1] == "LOADED []", again.stdout + again.stderr

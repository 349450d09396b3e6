"""The tie-formation model recovers known coefficients; simulation is seeded; the policy acts
through the support term; the back-test scores against persistence; network stats equal NetworkX."""

from __future__ import annotations

import json
from pathlib import Path

import networkx as nx
import numpy as np
import pytest

from civnet.measures.inference.simulate import (
    TERMS,
    YearlyNetworks,
    backtest,
    dyad_features,
    fit_formation,
    network_stats,
    simulate,
)
from tests.conftest import Cli

TRUE = np.array([-3.0, 2.5, 0.3, 0.2, 0.6, 0.8])


def _simulated(n: int = 40, years: int = 10, seed: int = 1) -> YearlyNetworks:
    rng = np.random.default_rng(seed)
    continent = [["Asia", "Europe", "Africa"][i % 3] for i in range(n)]
    same = np.array([[a == b for b in continent] for a in continent], dtype=float)
    iu = np.triu_indices(n, 1)
    support = np.zeros((years, n, n))
    sup0 = rng.poisson(2.0, size=n).astype(float)  # country 0 supports its partners
    support[:, 0, :] = sup0
    support[:, :, 0] = sup0
    support[:, 0, 0] = 0
    tied = np.zeros((years, n, n), dtype=bool)
    a = np.zeros((n, n), dtype=bool)
    a[iu] = rng.random(len(iu[0])) < 0.05
    tied[0] = a | a.T
    for t in range(1, years):
        x = dyad_features(tied[t - 1], support[t - 1], same, iu)
        p = 1 / (1 + np.exp(-(x @ TRUE)))
        a = np.zeros((n, n), dtype=bool)
        a[iu] = rng.random(len(p)) < p
        tied[t] = a | a.T
    return YearlyNetworks(
        [f"C{i:02d}" for i in range(n)], list(range(2000, 2000 + years)), tied, support, continent
    )


def test_fit_recovers_the_true_coefficients_within_their_intervals() -> None:
    model = fit_formation(_simulated())
    for term, b, est, se in zip(TERMS, TRUE, model.params, model.se, strict=True):
        assert est - 1.96 * se < b < est + 1.96 * se, term
    assert model.years == (2001, 2009) and model.n_obs == 9 * 40 * 39 // 2


def test_simulation_is_seeded_and_the_policy_acts_through_support() -> None:
    nets = _simulated()
    model = fit_formation(nets)
    kw = dict(first_year=2010, years=3, runs=30, seed=4, focus=0)
    one = simulate(model, nets.tied[-1], nets.support[-1], nets.continent, multiplier=1.0, **kw)
    again = simulate(model, nets.tied[-1], nets.support[-1], nets.continent, multiplier=1.0, **kw)
    assert one.bands() == again.bands()
    none = simulate(model, nets.tied[-1], nets.support[-1], nets.continent, multiplier=0.0, **kw)
    more = simulate(model, nets.tied[-1], nets.support[-1], nets.continent, multiplier=3.0, **kw)
    deg = {
        label: p.stats["focus_degree"].mean() for label, p in (("0", none), ("1", one), ("3", more))
    }
    assert deg["0"] < deg["1"] < deg["3"]
    for row in one.bands():
        assert row["p5"] <= row["median"] <= row["p95"]


def test_backtest_scores_persistence_by_hand() -> None:
    nets = _simulated(years=9)
    bt = backtest(nets, horizon=3, runs=10, seed=0)
    assert bt.fit_to == 2005 and bt.years == [2006, 2007, 2008]
    iu = np.triu_indices(40, 1)
    persist = nets.tied[5][iu].astype(float)
    hand = np.mean([((persist - nets.tied[k][iu]) ** 2).mean() for k in (6, 7, 8)])
    assert bt.brier_persistence == pytest.approx(hand, abs=1e-15)
    assert bt.edges_observed == [float(nets.tied[k][iu].sum()) for k in (6, 7, 8)]
    assert 0 <= bt.brier_model <= 1


def test_network_stats_equal_networkx() -> None:
    g = nx.gnp_random_graph(25, 0.12, seed=3)
    a = nx.to_numpy_array(g, nodelist=range(25)).astype(bool)
    s = network_stats(a, focus=2)
    assert s["edges"] == g.number_of_edges()
    assert s["density"] == pytest.approx(nx.density(g), abs=1e-12)
    bc = nx.betweenness_centrality(g, normalized=True)
    assert s["mean_betweenness"] == pytest.approx(np.mean(list(bc.values())), abs=1e-12)
    assert s["focus_betweenness"] == pytest.approx(bc[2], abs=1e-12)
    assert s["focus_degree"] == g.degree(2)
    assert s["nodes_with_ties"] == sum(1 for _, d in g.degree() if d)


def test_cli_simulate_policy_end_to_end(tmp_path: Path) -> None:
    from tests.test_inference_cli import COUNTRIES

    ws = tmp_path / "sim.duckdb"
    rng = np.random.default_rng(0)
    actors = ["id,type,country"] + [f"{c},city,{c}" for c in COUNTRIES]
    ties = ["source,target,track,kind,start,end,weight,directed"]
    names = sorted(COUNTRIES)
    for year in range(2000, 2008):
        for i, a in enumerate(names):
            for b in names[i + 1 :]:
                if rng.random() < 0.4:
                    ties.append(f"{a},{b},education,exchange,{year},{year},1,false")
        for b in names[1:4]:
            ties.append(f"CHN,{b},governance,exchange,{year},{year},2,true")
    (tmp_path / "a.csv").write_text("\n".join(actors) + "\n")
    (tmp_path / "t.csv").write_text("\n".join(t.replace("CHN,CHN", "CHN,DEU") for t in ties) + "\n")
    cli = Cli(ws)
    cli("import", "table", "--actors", str(tmp_path / "a.csv"), "--ties", str(tmp_path / "t.csv"))
    args = ["simulate", "policy", "--country", "CHN", "--layer", "edu:track=education",
            "--support-layer", "visits:track=governance", "--support", "2", "--years", "2",
            "--runs", "5", "--seed", "1", "--horizon", "2"]  # fmt: skip
    r = json.loads(cli(*args, "-f", "json").stdout)
    assert r["focus"] == "CHN" and r["model"]["years"] == [2001, 2007]
    assert {p["scenario"] for p in r["projection"]} == {"baseline", "policy"}
    assert r["backtest"]["years"] == [2006, 2007]
    assert json.loads(cli(*args, "-f", "json").stdout) == r  # same seed, same output
    assert "Back-test" in cli(*args).stdout
    cli("simulate", "policy", "--country", "Atlantis", "--layer", "track=education",
        "--support-layer", "track=governance", code=2)  # fmt: skip

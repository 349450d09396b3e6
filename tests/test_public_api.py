"""The public API: ``civnet.__all__`` and ``civnet.measures.__all__`` are pinned here.

Adding or removing a public name is a deliberate change: update the list below with it.
"""

from __future__ import annotations

import types

import pytest

import civnet
import civnet.measures

CIVNET = [
    "CivnetError",
    "Network",
    "UserError",
    "ViewSpec",
    "Workspace",
    "__version__",
    "build_network",
]

MEASURES = [
    # size and cohesion
    "BlockDensity",
    "arc_density",
    "block_density",
    "component_sizes",
    "density",
    "describe",
    # brokerage
    "Betweenness",
    "Brokerage",
    "BrokeragePermutation",
    "GroupBetweenness",
    "Holes",
    "ROLES",
    "betweenness",
    "brokerage",
    "group_betweenness",
    "structural_holes",
    # groups
    "Communities",
    "CommunityProfile",
    "EIIndex",
    "EIPermutation",
    "Mixing",
    "community_profile",
    "ei_index",
    "ei_ratio",
    "group_labels",
    "leiden",
    "mixing",
    # diversification
    "CountryDiversity",
    "Multiplexity",
    "blau",
    "category_counts",
    "country_diversity",
    "multiplexity",
    "shannon",
    # time
    "Period",
    "PeriodMeasures",
    "core_factors",
    "country_factors",
    "mean_betweenness",
    "periods",
    "timeline",
    "turnover",
    # uncertainty
    "BrokerStability",
    "Change",
    "Interval",
    "RESAMPLE_UNITS",
    "betweenness_bootstrap",
    "bootstrap",
    "compare_periods",
    "percentile_interval",
    "permutation_test",
    # scorecard
    "INDICATORS",
    "RankIntervals",
    "ScoreIntervals",
    "Scorecard",
    "ScorecardConfig",
    "parse_config",
    "scorecard",
    "scorecard_bootstrap",
    "weight_sensitivity",
]


@pytest.mark.parametrize(
    ("module", "expected"),
    [(civnet, CIVNET), (civnet.measures, MEASURES)],
    ids=["civnet", "civnet.measures"],
)
def test_all_is_pinned_and_resolves(module: types.ModuleType, expected: list[str]) -> None:
    assert len(module.__all__) == len(set(module.__all__)), "a name is listed twice in __all__"
    assert set(module.__all__) == set(expected)
    unresolved = [name for name in module.__all__ if not hasattr(module, name)]
    assert unresolved == []


def test_measures_come_from_the_measures_modules() -> None:
    """Every exported class and function is defined in a ``civnet.measures.<topic>`` module."""
    elsewhere = {
        name: obj.__module__
        for name in civnet.measures.__all__
        if callable(obj := getattr(civnet.measures, name))
        and not obj.__module__.startswith("civnet.measures.")
    }
    assert elsewhere == {}

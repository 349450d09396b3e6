"""Measures: pure functions from a :class:`~civnet.views.Network` to numbers. No I/O.

The public measures, by topic (each module's docstring gives the definitions):

- size and cohesion: :func:`describe`, :func:`component_sizes`, :func:`density`,
  :func:`arc_density`, :func:`block_density`;
- brokerage: :func:`betweenness`, :func:`group_betweenness`, :func:`brokerage` (Gould-Fernandez
  roles), :func:`structural_holes` (Burt);
- groups: :func:`group_labels`, :func:`ei_index` / :func:`ei_ratio` (Krackhardt-Stern),
  :func:`leiden`, :func:`community_profile`, :func:`mixing`;
- diversification: :func:`country_diversity`, :func:`multiplexity`, :func:`shannon`,
  :func:`blau`, :func:`category_counts`;
- time: :func:`periods`, :func:`core_factors`, :func:`country_factors`, :func:`turnover`,
  :func:`mean_betweenness`, :func:`timeline`;
- uncertainty: :func:`bootstrap`, :func:`compare_periods`, :func:`permutation_test`,
  :func:`betweenness_bootstrap`, :func:`percentile_interval`;
- the soft-power scorecard: :func:`parse_config`, :func:`scorecard`,
  :func:`scorecard_bootstrap`, :func:`weight_sensitivity`.

The functions :func:`betweenness`, :func:`density`, :func:`timeline` and :func:`scorecard` share
their names with the modules that define them; import other names of those modules with
``from civnet.measures.<module> import ...``.
"""

from typing import TYPE_CHECKING

from civnet._lazy import lazy_exports

if TYPE_CHECKING:
    from civnet.measures.betweenness import Betweenness, betweenness
    from civnet.measures.brokerage import ROLES, Brokerage, BrokeragePermutation, brokerage
    from civnet.measures.choices import RESAMPLE_UNITS
    from civnet.measures.communities import (
        Communities,
        CommunityProfile,
        Mixing,
        community_profile,
        leiden,
        mixing,
    )
    from civnet.measures.components import component_sizes, describe
    from civnet.measures.density import BlockDensity, arc_density, block_density, density
    from civnet.measures.diversity import (
        CountryDiversity,
        Multiplexity,
        blau,
        category_counts,
        country_diversity,
        multiplexity,
        shannon,
    )
    from civnet.measures.ei import EIIndex, EIPermutation, ei_index, ei_ratio
    from civnet.measures.group_betweenness import GroupBetweenness, group_betweenness
    from civnet.measures.groups import group_labels
    from civnet.measures.holes import Holes, structural_holes
    from civnet.measures.scorecard import (
        RankIntervals,
        Scorecard,
        ScorecardConfig,
        ScoreIntervals,
        parse_config,
        scorecard,
        scorecard_bootstrap,
        weight_sensitivity,
    )
    from civnet.measures.scorecard_indicators import INDICATORS
    from civnet.measures.timeline import (
        Period,
        PeriodMeasures,
        core_factors,
        country_factors,
        mean_betweenness,
        periods,
        timeline,
        turnover,
    )
    from civnet.measures.uncertainty import (
        BrokerStability,
        Change,
        Interval,
        betweenness_bootstrap,
        bootstrap,
        compare_periods,
        percentile_interval,
        permutation_test,
    )

__all__ = [
    "INDICATORS",
    "RESAMPLE_UNITS",
    "ROLES",
    "Betweenness",
    "BlockDensity",
    "BrokerStability",
    "Brokerage",
    "BrokeragePermutation",
    "Change",
    "Communities",
    "CommunityProfile",
    "CountryDiversity",
    "EIIndex",
    "EIPermutation",
    "GroupBetweenness",
    "Holes",
    "Interval",
    "Mixing",
    "Multiplexity",
    "Period",
    "PeriodMeasures",
    "RankIntervals",
    "ScoreIntervals",
    "Scorecard",
    "ScorecardConfig",
    "arc_density",
    "betweenness",
    "betweenness_bootstrap",
    "blau",
    "block_density",
    "bootstrap",
    "brokerage",
    "category_counts",
    "community_profile",
    "compare_periods",
    "component_sizes",
    "core_factors",
    "country_diversity",
    "country_factors",
    "density",
    "describe",
    "ei_index",
    "ei_ratio",
    "group_betweenness",
    "group_labels",
    "leiden",
    "mean_betweenness",
    "mixing",
    "multiplexity",
    "parse_config",
    "percentile_interval",
    "periods",
    "permutation_test",
    "scorecard",
    "scorecard_bootstrap",
    "shannon",
    "structural_holes",
    "timeline",
    "turnover",
    "weight_sensitivity",
]

_EXPORTS = {
    "Betweenness": "civnet.measures.betweenness",
    "BlockDensity": "civnet.measures.density",
    "BrokerStability": "civnet.measures.uncertainty",
    "Brokerage": "civnet.measures.brokerage",
    "BrokeragePermutation": "civnet.measures.brokerage",
    "Change": "civnet.measures.uncertainty",
    "Communities": "civnet.measures.communities",
    "CommunityProfile": "civnet.measures.communities",
    "CountryDiversity": "civnet.measures.diversity",
    "EIIndex": "civnet.measures.ei",
    "EIPermutation": "civnet.measures.ei",
    "GroupBetweenness": "civnet.measures.group_betweenness",
    "Holes": "civnet.measures.holes",
    "INDICATORS": "civnet.measures.scorecard_indicators",
    "Interval": "civnet.measures.uncertainty",
    "Mixing": "civnet.measures.communities",
    "Multiplexity": "civnet.measures.diversity",
    "Period": "civnet.measures.timeline",
    "PeriodMeasures": "civnet.measures.timeline",
    "RESAMPLE_UNITS": "civnet.measures.choices",
    "ROLES": "civnet.measures.brokerage",
    "RankIntervals": "civnet.measures.scorecard",
    "ScoreIntervals": "civnet.measures.scorecard",
    "Scorecard": "civnet.measures.scorecard",
    "ScorecardConfig": "civnet.measures.scorecard",
    "arc_density": "civnet.measures.density",
    "betweenness": "civnet.measures.betweenness",
    "betweenness_bootstrap": "civnet.measures.uncertainty",
    "blau": "civnet.measures.diversity",
    "block_density": "civnet.measures.density",
    "bootstrap": "civnet.measures.uncertainty",
    "brokerage": "civnet.measures.brokerage",
    "category_counts": "civnet.measures.diversity",
    "community_profile": "civnet.measures.communities",
    "compare_periods": "civnet.measures.uncertainty",
    "component_sizes": "civnet.measures.components",
    "core_factors": "civnet.measures.timeline",
    "country_diversity": "civnet.measures.diversity",
    "country_factors": "civnet.measures.timeline",
    "density": "civnet.measures.density",
    "describe": "civnet.measures.components",
    "ei_index": "civnet.measures.ei",
    "ei_ratio": "civnet.measures.ei",
    "group_betweenness": "civnet.measures.group_betweenness",
    "group_labels": "civnet.measures.groups",
    "leiden": "civnet.measures.communities",
    "mean_betweenness": "civnet.measures.timeline",
    "mixing": "civnet.measures.communities",
    "multiplexity": "civnet.measures.diversity",
    "parse_config": "civnet.measures.scorecard",
    "percentile_interval": "civnet.measures.uncertainty",
    "periods": "civnet.measures.timeline",
    "permutation_test": "civnet.measures.uncertainty",
    "scorecard": "civnet.measures.scorecard",
    "scorecard_bootstrap": "civnet.measures.scorecard",
    "shannon": "civnet.measures.diversity",
    "structural_holes": "civnet.measures.holes",
    "timeline": "civnet.measures.timeline",
    "turnover": "civnet.measures.timeline",
    "weight_sensitivity": "civnet.measures.scorecard",
}
"""Each public name and the module defining it: imported on first use (:mod:`civnet._lazy`)."""

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)

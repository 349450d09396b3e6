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
    from civnet.measures.change.timeline import (
        Period,
        PeriodMeasures,
        core_factors,
        country_factors,
        mean_betweenness,
        periods,
        timeline,
        turnover,
    )
    from civnet.measures.intermediation.betweenness import Betweenness, betweenness
    from civnet.measures.intermediation.brokerage import (
        ROLES,
        Brokerage,
        BrokeragePermutation,
        brokerage,
    )
    from civnet.measures.intermediation.group_betweenness import GroupBetweenness, group_betweenness
    from civnet.measures.intermediation.holes import Holes, structural_holes
    from civnet.measures.softpower.scorecard import (
        RankIntervals,
        Scorecard,
        ScorecardConfig,
        ScoreIntervals,
        parse_config,
        scorecard,
        scorecard_bootstrap,
        weight_sensitivity,
    )
    from civnet.measures.softpower.scorecard_indicators import INDICATORS
    from civnet.measures.statistics.choices import RESAMPLE_UNITS
    from civnet.measures.statistics.uncertainty import (
        BrokerStability,
        Change,
        Interval,
        betweenness_bootstrap,
        bootstrap,
        compare_periods,
        percentile_interval,
        permutation_test,
    )
    from civnet.measures.structure.communities import (
        Communities,
        CommunityProfile,
        Mixing,
        community_profile,
        leiden,
        mixing,
    )
    from civnet.measures.structure.components import component_sizes, describe
    from civnet.measures.structure.density import BlockDensity, arc_density, block_density, density
    from civnet.measures.structure.diversity import (
        CountryDiversity,
        Multiplexity,
        blau,
        category_counts,
        country_diversity,
        multiplexity,
        shannon,
    )
    from civnet.measures.structure.ei import EIIndex, EIPermutation, ei_index, ei_ratio
    from civnet.measures.structure.groups import group_labels

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
    "Betweenness": "civnet.measures.intermediation.betweenness",
    "BlockDensity": "civnet.measures.structure.density",
    "BrokerStability": "civnet.measures.statistics.uncertainty",
    "Brokerage": "civnet.measures.intermediation.brokerage",
    "BrokeragePermutation": "civnet.measures.intermediation.brokerage",
    "Change": "civnet.measures.statistics.uncertainty",
    "Communities": "civnet.measures.structure.communities",
    "CommunityProfile": "civnet.measures.structure.communities",
    "CountryDiversity": "civnet.measures.structure.diversity",
    "EIIndex": "civnet.measures.structure.ei",
    "EIPermutation": "civnet.measures.structure.ei",
    "GroupBetweenness": "civnet.measures.intermediation.group_betweenness",
    "Holes": "civnet.measures.intermediation.holes",
    "INDICATORS": "civnet.measures.softpower.scorecard_indicators",
    "Interval": "civnet.measures.statistics.uncertainty",
    "Mixing": "civnet.measures.structure.communities",
    "Multiplexity": "civnet.measures.structure.diversity",
    "Period": "civnet.measures.change.timeline",
    "PeriodMeasures": "civnet.measures.change.timeline",
    "RESAMPLE_UNITS": "civnet.measures.statistics.choices",
    "ROLES": "civnet.measures.intermediation.brokerage",
    "RankIntervals": "civnet.measures.softpower.scorecard",
    "ScoreIntervals": "civnet.measures.softpower.scorecard",
    "Scorecard": "civnet.measures.softpower.scorecard",
    "ScorecardConfig": "civnet.measures.softpower.scorecard",
    "arc_density": "civnet.measures.structure.density",
    "betweenness": "civnet.measures.intermediation.betweenness",
    "betweenness_bootstrap": "civnet.measures.statistics.uncertainty",
    "blau": "civnet.measures.structure.diversity",
    "block_density": "civnet.measures.structure.density",
    "bootstrap": "civnet.measures.statistics.uncertainty",
    "brokerage": "civnet.measures.intermediation.brokerage",
    "category_counts": "civnet.measures.structure.diversity",
    "community_profile": "civnet.measures.structure.communities",
    "compare_periods": "civnet.measures.statistics.uncertainty",
    "component_sizes": "civnet.measures.structure.components",
    "core_factors": "civnet.measures.change.timeline",
    "country_diversity": "civnet.measures.structure.diversity",
    "country_factors": "civnet.measures.change.timeline",
    "density": "civnet.measures.structure.density",
    "describe": "civnet.measures.structure.components",
    "ei_index": "civnet.measures.structure.ei",
    "ei_ratio": "civnet.measures.structure.ei",
    "group_betweenness": "civnet.measures.intermediation.group_betweenness",
    "group_labels": "civnet.measures.structure.groups",
    "leiden": "civnet.measures.structure.communities",
    "mean_betweenness": "civnet.measures.change.timeline",
    "mixing": "civnet.measures.structure.communities",
    "multiplexity": "civnet.measures.structure.diversity",
    "parse_config": "civnet.measures.softpower.scorecard",
    "percentile_interval": "civnet.measures.statistics.uncertainty",
    "periods": "civnet.measures.change.timeline",
    "permutation_test": "civnet.measures.statistics.uncertainty",
    "scorecard": "civnet.measures.softpower.scorecard",
    "scorecard_bootstrap": "civnet.measures.softpower.scorecard",
    "shannon": "civnet.measures.structure.diversity",
    "structural_holes": "civnet.measures.intermediation.holes",
    "timeline": "civnet.measures.change.timeline",
    "turnover": "civnet.measures.change.timeline",
    "weight_sensitivity": "civnet.measures.softpower.scorecard",
}
"""Each public name and the module defining it: imported on first use (:mod:`civnet._lazy`)."""

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)

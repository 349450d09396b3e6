"""Uncertainty: bootstrap and permutation procedures, replicate statistics, resampling units."""

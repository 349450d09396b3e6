"""The soft-power scorecard: indicators by channel, scores, their resampling intervals."""

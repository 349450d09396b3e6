"""Betweenness (exact over blocks, approximate, on Dask, of groups), brokerage roles and structural holes: the paper's mediated intermediation."""

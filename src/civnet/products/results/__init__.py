"""A measure's JSON result and its table rows, per family of measures (the catalog's compute functions)."""

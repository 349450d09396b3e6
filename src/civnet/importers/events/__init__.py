"""Event data: GDELT 1.0/2.0 event files mapped to civil-diplomacy ties through the CAMEO codebooks.

- :mod:`~civnet.importers.events.gdelt`: the importer (``civnet import gdelt``);
- :mod:`~civnet.importers.events.formats`: the GDELT file layouts and how each is read;
- :mod:`~civnet.importers.events.mapping`: which events become ties (docs/event-data.md);
- :mod:`~civnet.importers.events.cameo`: the CAMEO codebooks shipped in ``cameo_data/``;
- :mod:`~civnet.importers.events.dask`: aggregating many files over a Dask cluster.
"""

"""Importers: parse and validate sources into :class:`~civnet.importers.batch.Batch` objects for a :class:`~civnet.importers.batch.Sink` (the workspace). They never import the store."""

"""Importers: parse and validate sources into :class:`~civnet.store.Batch` objects. No storage."""

"""Catalog stores: the embedded SQLite default and, for scale-out, PostgreSQL/PostGIS."""

from __future__ import annotations

from terrapole.catalog.base import CatalogStore, IngestReport
from terrapole.settings import Settings


def open_catalog(settings: Settings, *, writable: bool = True) -> CatalogStore:
    """Open the catalog the settings describe (creating it when absent)."""
    if settings.database_url:
        from terrapole.catalog.postgres import open_postgres

        return open_postgres(settings, writable=writable)
    from terrapole.catalog.sqlite import SQLiteCatalog

    return SQLiteCatalog.open(settings, writable=writable)


__all__ = ["CatalogStore", "IngestReport", "open_catalog"]

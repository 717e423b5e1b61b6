"""Catalog stores: the embedded SQLite default and, for scale-out, PostgreSQL/PostGIS."""

from __future__ import annotations

from terrapole.catalog.base import CatalogStore, IngestReport
from terrapole.settings import Settings


def open_catalog(settings: Settings, *, writable: bool = True) -> CatalogStore:
    """Open the catalog the settings describe (creating it when absent)."""
    if settings.database_url:
        from terrapole.core.errors import StorageError

        raise StorageError("the PostgreSQL catalog is not available yet; unset TERRAPOLE_DATABASE_URL")
    from terrapole.catalog.sqlite import SQLiteCatalog

    return SQLiteCatalog.open(settings, writable=writable)


__all__ = ["CatalogStore", "IngestReport", "open_catalog"]

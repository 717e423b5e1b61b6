"""The demo collections, one module per pole, in the order of ``POLES``."""

from __future__ import annotations

from terrapole.demo.catalogue import atmosphere, biodiversity, land, ocean, solid_earth
from terrapole.demo.spec import CollectionSpec

POLES: tuple[str, ...] = ("atmosphere", "ocean", "solid-earth", "land", "biodiversity")

COLLECTION_SPECS: tuple[CollectionSpec, ...] = (
    *atmosphere.COLLECTIONS,
    *ocean.COLLECTIONS,
    *solid_earth.COLLECTIONS,
    *land.COLLECTIONS,
    *biodiversity.COLLECTIONS,
)

__all__ = ["COLLECTION_SPECS", "POLES"]

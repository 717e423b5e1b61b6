"""The pure domain: canonical records, the one typed query, and the error hierarchy.

Nothing in this package performs I/O or knows about HTTP, SQL or the web framework.
"""

from terrapole.core.errors import (
    CollectionNotFound,
    Conflict,
    InvalidFilter,
    InvalidParameter,
    InvalidRecord,
    ItemNotFound,
    NotFound,
    StorageError,
    TerrapoleError,
    UnknownQueryable,
)
from terrapole.core.model import (
    POLES,
    BBox,
    Collection,
    Contact,
    Extent,
    Item,
    Keyword,
    Link,
    Provenance,
)
from terrapole.core.query import Fields, Interval, Page, Query, SortField

__all__ = [
    "POLES",
    "BBox",
    "Collection",
    "CollectionNotFound",
    "Conflict",
    "Contact",
    "Extent",
    "Fields",
    "Interval",
    "InvalidFilter",
    "InvalidParameter",
    "InvalidRecord",
    "Item",
    "ItemNotFound",
    "Keyword",
    "Link",
    "NotFound",
    "Page",
    "Provenance",
    "Query",
    "SortField",
    "StorageError",
    "TerrapoleError",
    "UnknownQueryable",
]

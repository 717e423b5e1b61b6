"""Offline STAC validation for tests: pystac's JSON-schema validator fed from a local mirror.

Schemas are read from ``SCHEMAS_DIR``, laid out as ``<host>/<path>`` (so
``https://geojson.org/schema/Feature.json`` is ``SCHEMAS_DIR/geojson.org/schema/Feature.json``).
Nothing is ever fetched: a schema URL without a local copy raises ``SchemaNotMirrored``.

Errors:
- ``pystac.errors.STACValidationError``: the object is not valid STAC (schema violation, or not
  an Item/Collection/Catalog/FeatureCollection at all).
- ``SchemaNotMirrored`` (a ``LookupError``): the object may be fine, but a schema it needs
  (core version or extension) is missing from the local mirror.
"""

from __future__ import annotations

import json
import os
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urldefrag, urlsplit

from pystac import STACObjectType
from pystac.errors import STACValidationError
from pystac.validation import JsonSchemaSTACValidator, validate_dict
from referencing.exceptions import Unresolvable

__all__ = [
    "SCHEMAS_DIR",
    "OfflineSchemaValidator",
    "SchemaNotMirrored",
    "validate_item_collection",
    "validate_stac",
]

_ENV_VAR = "TERRAPOLE_STAC_SCHEMAS"
_REPO_ROOT = Path(__file__).resolve().parents[2]

SCHEMAS_DIR: Path = Path(os.environ.get(_ENV_VAR) or _REPO_ROOT.parent / "shared" / "stac-schemas").resolve()

_OBJECT_TYPES = {
    "Feature": STACObjectType.ITEM,
    "Collection": STACObjectType.COLLECTION,
    "Catalog": STACObjectType.CATALOG,
}


class SchemaNotMirrored(LookupError):
    """A schema URL has no copy in the local mirror; offline validation never fetches it."""

    def __init__(self, url: str, expected_path: Path | None) -> None:
        where = f" (expected {expected_path})" if expected_path else ""
        super().__init__(
            f"No local copy of JSON schema {url}{where}. Offline validation never fetches "
            f"schemas: add the file to the mirror ({_ENV_VAR} or ../shared/stac-schemas)."
        )
        self.url = url
        self.expected_path = expected_path


class OfflineSchemaValidator(JsonSchemaSTACValidator):
    """pystac's ``JsonSchemaSTACValidator`` whose schema lookups read ``schemas_dir`` only."""

    def __init__(self, schemas_dir: Path) -> None:
        super().__init__()
        self.schemas_dir = schemas_dir.resolve()
        # Drop pystac's bundled 1.1.0 copies so every schema comes from the one mirror.
        self.schema_cache = {}

    # pystac 1.15 funnels every schema read, including $refs resolved by its `registry`,
    # through this method, which otherwise reads URLs with StacIO (i.e. the network).
    def _get_schema(self, schema_uri: str) -> dict[str, Any]:
        if schema_uri not in self.schema_cache:
            path = self.local_path(schema_uri)
            self.schema_cache[schema_uri] = json.loads(path.read_text(encoding="utf-8"))
        return self.schema_cache[schema_uri]

    def local_path(self, schema_uri: str) -> Path:
        """Map ``http(s)://host/path`` to ``schemas_dir/host/path``; raise if it is not there."""
        url, _fragment = urldefrag(schema_uri)
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise SchemaNotMirrored(schema_uri, None)
        path = (self.schemas_dir / parts.netloc / parts.path.lstrip("/")).resolve()
        if not path.is_relative_to(self.schemas_dir) or not path.is_file():
            raise SchemaNotMirrored(schema_uri, path)
        return path


@cache
def _validator(schemas_dir: Path) -> OfflineSchemaValidator:
    # One validator per mirror, so parsed schemas are shared across calls and tests.
    return OfflineSchemaValidator(schemas_dir)


def validate_stac(obj: dict[str, Any]) -> None:
    """Validate a STAC Item, Collection or Catalog against its core schema and extensions.

    The core schema is chosen from ``type`` and ``stac_version``; every URL in
    ``stac_extensions`` is validated too. Raises ``STACValidationError`` if ``obj`` is
    invalid and ``SchemaNotMirrored`` if a needed schema has no local copy.
    """
    object_type = _object_type(obj)
    extensions = obj.get("stac_extensions")
    try:
        validate_dict(
            obj,
            stac_object_type=object_type,
            stac_version=obj["stac_version"],
            # A malformed list is left for the core schema to report.
            extensions=extensions if _is_list_of_str(extensions) else [],
            validator=_validator(SCHEMAS_DIR),
        )
    except Unresolvable as error:
        # A $ref inside a mirrored schema points at one that is not mirrored; jsonschema and
        # referencing wrap our error twice, so surface it rather than a bare "Unresolvable".
        gap = _mirror_gap(error)
        if gap is None:
            raise
        # A fresh error: re-raising `gap` itself would make the exception chain circular.
        raise SchemaNotMirrored(gap.url, gap.expected_path) from error


def validate_item_collection(fc: dict[str, Any]) -> None:
    """Validate a GeoJSON FeatureCollection of STAC Items (e.g. an ItemCollection or /search page).

    Each feature is validated with ``validate_stac``; the error names the failing feature.
    """
    if not isinstance(fc, dict) or fc.get("type") != "FeatureCollection":
        raise STACValidationError(f"Not a FeatureCollection: type={_type_of(fc)!r}")
    features = fc.get("features")
    if not isinstance(features, list):
        raise STACValidationError("FeatureCollection has no 'features' list")
    for index, feature in enumerate(features):
        try:
            validate_stac(feature)
        except STACValidationError as error:
            item_id = feature.get("id") if isinstance(feature, dict) else None
            raise STACValidationError(
                f"FeatureCollection feature {index} (id={item_id!r}) is invalid: {error}",
                source=error.source,
            ) from error


def _object_type(obj: Any) -> STACObjectType:
    if not isinstance(obj, dict):
        raise STACValidationError(f"A STAC object is a JSON object, not {type(obj).__name__}")
    kind = obj.get("type")
    if kind == "FeatureCollection":
        raise STACValidationError("Got a FeatureCollection: use validate_item_collection")
    if kind not in _OBJECT_TYPES:
        raise STACValidationError(
            f"Not a STAC Item, Collection or Catalog: type={kind!r} (id={obj.get('id')!r})"
        )
    if not isinstance(obj.get("stac_version"), str):
        raise STACValidationError(
            f"{kind} {obj.get('id')!r} has no stac_version string, so no schema can be chosen"
        )
    return _OBJECT_TYPES[kind]


def _mirror_gap(error: BaseException) -> SchemaNotMirrored | None:
    seen: BaseException | None = error
    while seen is not None and not isinstance(seen, SchemaNotMirrored):
        seen = seen.__cause__ or seen.__context__
    return seen


def _is_list_of_str(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _type_of(value: Any) -> Any:
    return value.get("type") if isinstance(value, dict) else type(value).__name__

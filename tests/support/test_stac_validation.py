"""Tests for the offline STAC validation helper, including every real STAC fixture."""

from __future__ import annotations

import copy
import json
import re
import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from pystac.errors import STACValidationError
from pystac.stac_io import DefaultStacIO

from .stac_validation import (
    SCHEMAS_DIR,
    OfflineSchemaValidator,
    SchemaNotMirrored,
    validate_item_collection,
    validate_stac,
)

FIXTURES_DIR = SCHEMAS_DIR.parent / "fixtures" / "stac"
STAC = "https://stac-extensions.github.io"
EO_V2 = f"{STAC}/eo/v2.0.0/schema.json"
PROJ_V2 = f"{STAC}/projection/v2.0.0/schema.json"


class NetworkForbidden(AssertionError):
    """Offline validation touched the network (or pystac's own I/O)."""


def _forbid(*args: Any, **kwargs: Any) -> Any:
    raise NetworkForbidden(f"network/StacIO access attempted during offline validation: {args}")


@pytest.fixture(autouse=True, scope="module")
def _no_network() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(socket.socket, "connect", _forbid)
        patch.setattr(socket.socket, "connect_ex", _forbid)
        patch.setattr(socket, "create_connection", _forbid)
        patch.setattr(socket, "getaddrinfo", _forbid)
        # pystac reads schemas through StacIO when its lookup is not redirected.
        patch.setattr(DefaultStacIO, "read_text_from_href", _forbid)
        yield


# --- objects built in code ------------------------------------------------------------------


def _item(**changes: Any) -> dict[str, Any]:
    item: dict[str, Any] = {
        "type": "Feature",
        "stac_version": "1.1.0",
        "stac_extensions": [],
        "id": "S2B_33TWN_20190910",
        "geometry": {
            "type": "Polygon",
            "coordinates": [[[15.3, 46.8], [16.4, 46.8], [16.4, 47.8], [15.3, 47.8], [15.3, 46.8]]],
        },
        "bbox": [15.3, 46.8, 16.4, 47.8],
        "properties": {"datetime": "2019-09-10T09:50:29.024Z", "platform": "sentinel-2b"},
        "links": [{"rel": "self", "href": "https://example.org/items/S2B_33TWN_20190910"}],
        "assets": {"B04": {"href": "https://example.org/B04.tif", "type": "image/tiff"}},
    }
    item.update(changes)
    return item


def _properties(**changes: Any) -> dict[str, Any]:
    return {**_item()["properties"], **changes}


def _collection(**changes: Any) -> dict[str, Any]:
    collection: dict[str, Any] = {
        "type": "Collection",
        "stac_version": "1.1.0",
        "id": "sentinel-2-l1c",
        "description": "Sentinel-2 Level-1C top-of-atmosphere reflectance",
        "license": "other",
        "extent": {
            "spatial": {"bbox": [[-180.0, -90.0, 180.0, 90.0]]},
            "temporal": {"interval": [["2015-06-23T00:00:00Z", None]]},
        },
        "links": [{"rel": "self", "href": "https://example.org/collections/sentinel-2-l1c"}],
    }
    collection.update(changes)
    return collection


def test_network_guard_is_active() -> None:
    with pytest.raises(NetworkForbidden):
        socket.create_connection(("schemas.stacspec.org", 443))


def test_valid_item_passes() -> None:
    validate_stac(_item())


def test_valid_item_with_interval_and_null_datetime_passes() -> None:
    props = _properties(
        datetime=None,
        start_datetime="2019-09-10T09:50:29Z",
        end_datetime="2019-09-10T09:55:00+00:00",
    )
    validate_stac(_item(properties=props))


def test_valid_item_with_extensions_passes() -> None:
    props = _properties(**{"eo:cloud_cover": 12.5, "proj:code": "EPSG:32633"})
    validate_stac(_item(stac_extensions=[EO_V2, PROJ_V2], properties=props))


def test_valid_collection_passes() -> None:
    validate_stac(_collection())


def test_valid_catalog_passes() -> None:
    catalog = {
        "type": "Catalog",
        "stac_version": "1.1.0",
        "id": "root",
        "description": "Root catalog",
        "links": [],
    }
    validate_stac(catalog)


@pytest.mark.parametrize(
    "obj",
    [
        pytest.param({k: v for k, v in _item().items() if k != "geometry"}, id="no-geometry"),
        pytest.param(_item(bbox=[15.3, 46.8, 16.4]), id="bbox-3-numbers"),
        pytest.param(_item(properties=_properties(datetime="yesterday")), id="datetime-text"),
        pytest.param(_item(properties=_properties(datetime="2019-09-10T09:50:29")), id="datetime-no-tz"),
        pytest.param(
            _item(properties=_properties(datetime="2019-09-10T11:50:29+02:00")),
            id="datetime-not-utc",
        ),
        pytest.param(_item(properties=_properties(datetime=None)), id="null-datetime-no-range"),
        pytest.param({k: v for k, v in _collection().items() if k != "extent"}, id="no-extent"),
    ],
)
def test_invalid_objects_fail(obj: dict[str, Any]) -> None:
    with pytest.raises(STACValidationError, match="Validation failed"):
        validate_stac(obj)


def test_extension_schema_is_applied() -> None:
    props = _properties(**{"eo:cloud_cover": 150})
    with pytest.raises(STACValidationError, match=re.escape(EO_V2)):
        validate_stac(_item(stac_extensions=[EO_V2], properties=props))


def test_unknown_extension_names_the_url() -> None:
    url = "https://stac-extensions.github.io/not-mirrored/v9.9.9/schema.json"
    with pytest.raises(SchemaNotMirrored, match=re.escape(url)):
        validate_stac(_item(stac_extensions=[url]))


def test_unmirrored_ref_inside_schema_names_the_url() -> None:
    # projection v2.0.0 $refs PROJJSON on proj.org, which the mirror does not hold.
    props = _properties(**{"proj:projjson": {"type": "GeographicCRS"}})
    with pytest.raises(SchemaNotMirrored, match=re.escape("https://proj.org/schemas/")):
        validate_stac(_item(stac_extensions=[PROJ_V2], properties=props))


@pytest.mark.parametrize(
    ("obj", "match"),
    [
        ({"type": "Feature", "id": "x", "properties": {}}, "no stac_version"),
        ({"type": "FeatureCollection", "features": []}, "validate_item_collection"),
        ({"stac_version": "1.1.0", "id": "x"}, "Not a STAC Item"),
    ],
)
def test_non_stac_objects_fail(obj: dict[str, Any], match: str) -> None:
    with pytest.raises(STACValidationError, match=match):
        validate_stac(obj)


def test_item_collection_passes() -> None:
    second = _item(id="second")
    validate_item_collection({"type": "FeatureCollection", "features": [_item(), second]})


def test_item_collection_names_the_bad_feature() -> None:
    bad = _item(id="bad", bbox=[1, 2, 3])
    with pytest.raises(STACValidationError, match=r"feature 1 \(id='bad'\)"):
        validate_item_collection({"type": "FeatureCollection", "features": [_item(), bad]})


def test_item_collection_rejects_other_types() -> None:
    with pytest.raises(STACValidationError, match="Not a FeatureCollection"):
        validate_item_collection(_item())


# --- real fixtures --------------------------------------------------------------------------


def _is_mirrored(url: str) -> bool:
    try:
        OfflineSchemaValidator(SCHEMAS_DIR).local_path(url)
    except SchemaNotMirrored:
        return False
    return True


def _without_unmirrored_extensions(obj: dict[str, Any]) -> dict[str, Any]:
    extensions = [url for url in obj.get("stac_extensions", []) if _is_mirrored(url)]
    return {**obj, "stac_extensions": extensions}


def _as_stac_1_1_final(obj: dict[str, Any]) -> dict[str, Any]:
    # 1.1.0-beta.1 examples, checked against the 1.1.0 release schemas that are mirrored.
    extensions = [url.replace("-beta.1/", "/") for url in obj.get("stac_extensions", [])]
    return _without_unmirrored_extensions({**obj, "stac_version": "1.1.0", "stac_extensions": extensions})


def _with_collection_link(obj: dict[str, Any]) -> dict[str, Any]:
    link = {"rel": "collection", "href": f"https://example.org/collections/{obj['collection']}"}
    return {**obj, "links": [*obj["links"], link]}


@dataclass(frozen=True)
class KnownGap:
    """A fixture that does not validate as-is: why, and what it is then valid as."""

    reason: str
    error: type[Exception]
    match: str
    valid_as: Callable[[dict[str, Any]], dict[str, Any]] | None = None


_BETA = KnownGap(
    "stac_version 1.1.0-beta.1: pre-release schemas are not mirrored; valid as 1.1.0",
    SchemaNotMirrored,
    "v1.1.0-beta.1",
    _as_stac_1_1_final,
)
_ITEM_ASSETS = KnownGap(
    "item-assets/table/raster/scientific extension schemas are not mirrored",
    SchemaNotMirrored,
    "item-assets/v1.0.0",
    _without_unmirrored_extensions,
)
_NO_COLLECTION_LINK = KnownGap(
    "invalid STAC 1.0.0: has 'collection' but no rel=collection link",
    STACValidationError,
    "'collection'",
    _with_collection_link,
)

KNOWN_GAPS: dict[str, KnownGap] = {
    "catalogs/stac-spec__catalog.json": _BETA,
    "collections/stac-spec__collection.json": _BETA,
    "collections/stac-spec__collection-only_collection.json": _BETA,
    "items/stac-spec__simple-item.json": _BETA,
    "items/stac-spec__core-item.json": _BETA,
    "items/stac-spec__extended-item.json": _BETA,
    "items/stac-spec__collectionless-item.json": _BETA,
    "collections/planetary-computer__landsat-c2-l2.json": _ITEM_ASSETS,
    "collections/planetary-computer__naip.json": _ITEM_ASSETS,
    "collections/planetary-computer__sentinel-2-l2a.json": _ITEM_ASSETS,
    "collections/pycsw__sentinel-2-l2a.json": _ITEM_ASSETS,
    "items/pycsw__S2B_MSIL1C_20190910T095029_N0208_R079_T33TWN_20190910T120910.SAFE.json": (
        _NO_COLLECTION_LINK
    ),
    "items/pycsw__S2B_MSIL2A_20190910T095029_N0213_R079_T33TWN_20190910T124513.SAFE.json": (
        _NO_COLLECTION_LINK
    ),
    "items/pycsw__S2B_MSIL2A_20190910T095029_N0500_R079_T33UWP_20230430T083712.SAFE.json": (
        _NO_COLLECTION_LINK
    ),
    "collections/pycsw__woudc-total-column-ozone.json": KnownGap(
        "not STAC: an OGC API - Records record (no stac_version, has conformsTo/time)",
        STACValidationError,
        "no stac_version",
    ),
}


def _fixture_documents() -> dict[str, dict[str, Any]]:
    documents: dict[str, dict[str, Any]] = {}
    for path in sorted(FIXTURES_DIR.rglob("*")):
        name = path.relative_to(FIXTURES_DIR).as_posix()
        if path.suffix == ".json":
            documents[name] = json.loads(path.read_text(encoding="utf-8"))
        elif path.suffix == ".ndjson":
            documents.update(_ndjson_documents(path, name))
    return documents


def _ndjson_documents(path: Path, name: str) -> dict[str, dict[str, Any]]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return {f"{name}:{n}": json.loads(line) for n, line in enumerate(lines, 1) if line.strip()}


FIXTURES = _fixture_documents()


def _validate_any(document: dict[str, Any]) -> None:
    if document.get("type") == "FeatureCollection":
        validate_item_collection(document)
    else:
        validate_stac(document)


def test_fixtures_were_found() -> None:
    assert len(FIXTURES) >= 20, f"expected the STAC fixtures under {FIXTURES_DIR}"
    assert set(KNOWN_GAPS) <= set(FIXTURES), "KNOWN_GAPS lists fixtures that do not exist"


@pytest.mark.parametrize("name", sorted(FIXTURES))
def test_fixture(name: str) -> None:
    document = copy.deepcopy(FIXTURES[name])
    gap = KNOWN_GAPS.get(name)
    if gap is None:
        _validate_any(document)
        return
    with pytest.raises(gap.error, match=re.escape(gap.match)):
        _validate_any(document)
    if gap.valid_as is not None:
        _validate_any(gap.valid_as(document))

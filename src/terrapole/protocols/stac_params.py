"""STAC API requests into one `core.Query`: GET query parameters and the POST /search body.

The pydantic models only describe the wire shapes (and feed the OpenAPI document); every value
is then checked by the core parsers, so that bad input yields a 400 naming the parameter.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal, TypeVar

import orjson
from pydantic import BaseModel, ConfigDict, Field
from starlette.datastructures import QueryParams

from terrapole.core.errors import InvalidParameter
from terrapole.core.filter import FILTER_LANGS, parse_filter
from terrapole.core.model import BBox
from terrapole.core.query import (
    Fields,
    Filter,
    Interval,
    Query,
    SortField,
    parse_bbox_text,
    parse_limit,
)
from terrapole.settings import Settings

GEOMETRY_TYPES = frozenset(
    {"Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon", "GeometryCollection"}
)
CRS84 = frozenset(
    {"http://www.opengis.net/def/crs/OGC/1.3/CRS84", "https://www.opengis.net/def/crs/OGC/1.3/CRS84"}
)
UNSUPPORTED = {"query": "the query extension is not supported; use filter (CQL2) instead"}

P = TypeVar("P", bound=BaseModel)


class ListParams(BaseModel):
    """Query parameters shared by GET /collections and GET /collections/{id}/items."""

    model_config = ConfigDict(populate_by_name=True)

    bbox: str | None = Field(None, description="west,south,east,north (or 6 numbers)")
    datetime: str | None = Field(None, description="RFC 3339 instant or interval a/b, ../b, a/..")
    limit: str | None = Field(None, description="Page size (clamped to the server maximum)")
    filter: str | None = Field(None, description="CQL2 filter (text, or JSON)")
    filter_lang: str | None = Field(None, alias="filter-lang", description="cql2-text or cql2-json")
    filter_crs: str | None = Field(None, alias="filter-crs", description="Only CRS84")
    sortby: str | None = Field(None, description="Sort keys: +a,-b")
    fields_: str | None = Field(None, alias="fields", description="Fields to include or -exclude")
    q: str | None = Field(None, description="Free-text search terms, comma-separated (OR)")
    concept: str | None = Field(
        None, description="Concept URIs, comma-separated (OR): records with the concept or a narrower one"
    )
    token: str | None = Field(None, description="Page token from a next or prev link")
    query: str | None = Field(None, description="Not supported: use filter")


class SearchParams(ListParams):
    """Query parameters of GET /search."""

    ids: str | None = Field(None, description="Item ids, comma-separated")
    collections: str | None = Field(None, description="Collection ids, comma-separated")
    intersects: str | None = Field(None, description="GeoJSON geometry (JSON text)")


class SortKey(BaseModel):
    """One POST sort key."""

    field: str
    direction: Literal["asc", "desc"] = "asc"


class FieldsSpec(BaseModel):
    """The POST form of the fields extension."""

    include: list[str] = Field(default_factory=list)
    exclude: list[str] = Field(default_factory=list)


class SearchBody(BaseModel):
    """The JSON body of POST /search."""

    model_config = ConfigDict(populate_by_name=True, extra="allow")

    ids: list[str] | None = None
    collections: list[str] | None = None
    bbox: list[float] | None = None
    intersects: dict[str, Any] | None = None
    datetime: str | None = None
    limit: int | None = None
    filter: dict[str, Any] | str | None = None
    filter_lang: str | None = Field(None, alias="filter-lang")
    filter_crs: str | None = Field(None, alias="filter-crs")
    sortby: list[SortKey] | None = None
    fields_: FieldsSpec | None = Field(None, alias="fields")
    q: str | list[str] | None = None
    concept: str | list[str] | None = None
    token: str | None = None

    def echo(self) -> dict[str, Any]:
        """The body as the client sent it (for next/prev links that repeat it)."""
        return self.model_dump(mode="json", by_alias=True, exclude_unset=True)


def read_params(model: type[P], query: QueryParams) -> P:
    """A GET parameter model from the query string; a repeated parameter's values join with commas.

    Routes read their parameters this way rather than through FastAPI's parameter models, which
    cost about half a millisecond per request; `openapi_parameters` documents them instead.
    """
    return model.model_validate({key: ",".join(query.getlist(key)) for key in query})


def openapi_parameters(model: type[BaseModel]) -> list[dict[str, Any]]:
    """OpenAPI parameter objects for a GET parameter model (all optional strings)."""
    return [
        {
            "name": field.alias or name,
            "in": "query",
            "required": False,
            "description": field.description or "",
            "schema": {"type": "string"},
        }
        for name, field in model.model_fields.items()
    ]


def query_from_params(params: ListParams, settings: Settings, collections: Sequence[str] = ()) -> Query:
    """The Query of a GET request (items of one collection, /search or /collections)."""
    if params.query is not None:
        raise InvalidParameter("query", UNSUPPORTED["query"])
    search = params if isinstance(params, SearchParams) else None
    return Query(
        ids=split_list(search.ids) if search else (),
        collections=tuple(collections) or (split_list(search.collections) if search else ()),
        bbox=parse_bbox_text(params.bbox) if params.bbox else None,
        intersects=_intersects_text(search.intersects) if search and search.intersects else None,
        datetime=Interval.parse(params.datetime) if params.datetime else None,
        text=_text(params.q),
        concepts=split_list(params.concept),
        filter=_filter(params.filter, params.filter_lang, params.filter_crs),
        sortby=SortField.parse_list(params.sortby) if params.sortby else (),
        fields=Fields.parse(params.fields_) if params.fields_ is not None else None,
        limit=_limit(params.limit, settings),
        token=params.token or None,
    )


def query_from_body(body: SearchBody, settings: Settings) -> Query:
    """The Query of a POST /search body."""
    for name, reason in UNSUPPORTED.items():
        if (body.model_extra or {}).get(name) is not None:
            raise InvalidParameter(name, reason)
    return Query(
        ids=tuple(body.ids or ()),
        collections=tuple(body.collections or ()),
        bbox=BBox.from_sequence(body.bbox) if body.bbox is not None else None,
        intersects=_geometry(body.intersects) if body.intersects is not None else None,
        datetime=Interval.parse(body.datetime) if body.datetime else None,
        text=_text(body.q),
        concepts=_concepts(body.concept),
        filter=_filter(body.filter, body.filter_lang, body.filter_crs),
        sortby=tuple(SortField(k.field, k.direction == "desc") for k in body.sortby or ()),
        fields=_fields(body.fields_),
        limit=_limit(body.limit, settings),
        token=body.token or None,
    )


def check_spatial(query: Query) -> Query:
    """Refuse a search that gives both bbox and intersects (STAC API item search)."""
    if query.bbox is not None and query.intersects is not None:
        raise InvalidParameter("intersects", "bbox and intersects are mutually exclusive")
    return query


def split_list(text: str | None) -> tuple[str, ...]:
    """The values of a comma-separated GET parameter, blanks dropped."""
    if not text:
        return ()
    return tuple(part.strip() for part in text.split(",") if part.strip())


def _limit(value: int | str | None, settings: Settings) -> int:
    if value is None or value == "":
        return min(settings.default_limit, settings.max_limit)
    return parse_limit(value, settings.max_limit)


def _filter(source: str | Mapping[str, Any] | None, lang: str | None, crs: str | None) -> Filter | None:
    if crs and crs not in CRS84:
        raise InvalidParameter("filter-crs", f"only CRS84 is supported, got {crs!r}")
    if lang and lang not in FILTER_LANGS:
        raise InvalidParameter("filter-lang", f"use one of {', '.join(FILTER_LANGS)}, not {lang!r}")
    if source is None or (isinstance(source, str) and not source.strip()):
        return None
    return parse_filter(source, lang)


def _intersects_text(text: str) -> Mapping[str, Any]:
    try:
        value = orjson.loads(text)
    except orjson.JSONDecodeError:
        raise InvalidParameter("intersects", "not valid JSON") from None
    return _geometry(value)


def _geometry(value: Any) -> Mapping[str, Any]:
    if not isinstance(value, Mapping) or value.get("type") not in GEOMETRY_TYPES:
        raise InvalidParameter("intersects", "expected a GeoJSON geometry object")
    if value["type"] == "GeometryCollection":
        if not isinstance(value.get("geometries"), list):
            raise InvalidParameter("intersects", "a GeometryCollection needs a geometries array")
    elif not isinstance(value.get("coordinates"), list):
        raise InvalidParameter("intersects", f"a {value['type']} needs a coordinates array")
    return value


def _text(q: str | list[str] | None) -> str | None:
    if q is None:
        return None
    if isinstance(q, str):
        return q.strip() or None
    terms = [f'"{term}"' if "," in term else term for term in (t.strip() for t in q) if term]
    return ",".join(terms) or None


def _concepts(value: str | list[str] | None) -> tuple[str, ...]:
    if isinstance(value, list):
        return tuple(v.strip() for v in value if v.strip())
    return split_list(value)


def _fields(spec: FieldsSpec | None) -> Fields | None:
    if spec is None:
        return None
    return Fields(frozenset(spec.include), frozenset(spec.exclude))


# -- fields extension: applied to encoded records ------------------------------------------
ITEM_DEFAULT_FIELDS = frozenset(
    {
        "id",
        "type",
        "geometry",
        "bbox",
        "links",
        "assets",
        "properties.datetime",
        "collection",
        "stac_version",
        "stac_extensions",
    }
)
COLLECTION_DEFAULT_FIELDS = frozenset(
    {"id", "type", "stac_version", "stac_extensions", "title", "description", "license", "extent", "links"}
)


def apply_fields(record: dict[str, Any], fields: Fields | None, defaults: frozenset[str]) -> dict[str, Any]:
    """Keep the `include` paths (added to `defaults`), then drop the `exclude` paths.

    Paths are dotted (`properties.eo:cloud_cover`). No include and no exclude means the whole
    record. The input is never modified: nested objects on a changed path are copied.
    """
    if fields is None or not (fields.include or fields.exclude):
        return record
    out = record
    if fields.include:
        out = {}
        for path in defaults | fields.include:
            _copy_path(record, out, path.split("."))
    for path in fields.exclude:
        out = _drop_path(out, path.split("."))
    return out


def _copy_path(source: Mapping[str, Any], target: dict[str, Any], keys: list[str]) -> None:
    key = keys[0]
    if key not in source:
        return
    value = source[key]
    if len(keys) == 1:
        target[key] = value
        return
    if not isinstance(value, Mapping):
        return
    child = target.get(key)
    if child is value:  # the whole object is already included
        return
    if not isinstance(child, dict):
        child = target[key] = {}
    _copy_path(value, child, keys[1:])


def _drop_path(source: Mapping[str, Any], keys: list[str]) -> dict[str, Any]:
    key = keys[0]
    out = dict(source)
    if key not in out:
        return out
    if len(keys) == 1:
        del out[key]
    elif isinstance(out[key], Mapping):
        out[key] = _drop_path(out[key], keys[1:])
    return out

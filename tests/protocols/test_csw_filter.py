"""CSW constraints into catalog queries: OGC Filter Encoding 1.1 as OWSLib writes it and CQL_TEXT,
with axis orders, wildcards, case, dates and multi-valued queryables (no catalog involved)."""

from __future__ import annotations

from typing import Any

import pytest
from lxml import etree
from owslib import fes
from owslib.etree import etree as owslib_etree

from terrapole.core.model import BBox
from terrapole.protocols.csw_fes import (
    ConstraintError,
    cql_to_cql2,
    like_pattern,
    tree_from_cql,
    tree_from_fes,
)
from terrapole.protocols.csw_filter import Constraint, constraint_from_tree

OGC = "http://www.opengis.net/ogc"
GML = "http://www.opengis.net/gml"


def from_owslib(*constraints: Any) -> Constraint:
    """The constraint of an ogc:Filter built by OWSLib (a list inside the list means And)."""
    request = fes.FilterRequest().setConstraintList(list(constraints))
    return constraint_from_tree(tree_from_fes(etree.fromstring(owslib_etree.tostring(request))))


def from_xml(body: str) -> Constraint:
    text = f'<ogc:Filter xmlns:ogc="{OGC}" xmlns:gml="{GML}">{body}</ogc:Filter>'
    return constraint_from_tree(tree_from_fes(etree.fromstring(text)))


def from_cql(text: str) -> Constraint:
    return constraint_from_tree(tree_from_cql(text))


def expression(constraint: Constraint) -> dict[str, Any]:
    assert constraint.filter is not None
    return dict(constraint.filter.expression)


def test_anytext_and_bbox_at_the_top_become_text_and_box() -> None:
    found = from_owslib([fes.PropertyIsLike("csw:AnyText", "%Sea Water%"), fes.BBox([40, -5, 52, 10])])
    # No srsName: CSW 2.0.2's default CRS, latitude first.
    assert found == Constraint(text="sea water", bbox=BBox(-5.0, 40.0, 10.0, 52.0))


@pytest.mark.parametrize(
    ("srs", "corners", "box"),
    [
        ("urn:ogc:def:crs:EPSG::4326", ("40 -5", "52 10"), BBox(-5.0, 40.0, 10.0, 52.0)),
        ("urn:x-ogc:def:crs:EPSG:6.11:4326", ("40 -5", "52 10"), BBox(-5.0, 40.0, 10.0, 52.0)),
        ("http://www.opengis.net/def/crs/EPSG/0/4326", ("40 -5", "52 10"), BBox(-5.0, 40.0, 10.0, 52.0)),
        ("EPSG:4326", ("-5 40", "10 52"), BBox(-5.0, 40.0, 10.0, 52.0)),
        ("urn:ogc:def:crs:OGC:1.3:CRS84", ("-5 40", "10 52"), BBox(-5.0, 40.0, 10.0, 52.0)),
    ],
)
def test_box_axis_order_follows_the_crs(srs: str, corners: tuple[str, str], box: BBox) -> None:
    lower, upper = corners
    envelope = (
        f'<gml:Envelope srsName="{srs}"><gml:lowerCorner>{lower}</gml:lowerCorner>'
        f"<gml:upperCorner>{upper}</gml:upperCorner></gml:Envelope>"
    )
    assert (
        from_xml(f"<ogc:BBOX><ogc:PropertyName>ows:BoundingBox</ogc:PropertyName>{envelope}</ogc:BBOX>").bbox
        == box
    )


def test_a_box_in_another_crs_is_refused() -> None:
    envelope = (
        '<gml:Envelope srsName="EPSG:3857"><gml:lowerCorner>0 0</gml:lowerCorner>'
        "<gml:upperCorner>1 1</gml:upperCorner></gml:Envelope>"
    )
    with pytest.raises(ConstraintError, match="EPSG:3857"):
        from_xml(f"<ogc:BBOX><ogc:PropertyName>ows:BoundingBox</ogc:PropertyName>{envelope}</ogc:BBOX>")


@pytest.mark.parametrize(
    ("pattern", "wild", "single", "escape", "sql"),
    [
        ("*forest?", "*", "?", "\\", "%forest_"),
        ("100!% sure", "%", "_", "!", "100\\% sure"),
        ("a_b#*c", "#", "_", "!", "a_b%*c"),
        ("50%_off", "*", "?", "\\", "50\\%\\_off"),
        ("keep!!one", "*", "?", "!", "keep!one"),
    ],
)
def test_like_patterns_use_the_request_wildcards(
    pattern: str, wild: str, single: str, escape: str, sql: str
) -> None:
    assert like_pattern(pattern, wild, single, escape) == sql


def test_like_with_match_case_false_folds_both_sides() -> None:
    found = from_owslib(fes.PropertyIsLike("dc:title", "*Forest*", wildCard="*", matchCase=False))
    assert expression(found) == {
        "op": "like",
        "args": [{"op": "casei", "args": [{"property": "title"}]}, {"op": "casei", "args": ["%Forest%"]}],
    }


def test_comparisons_between_and_null_map_queryables_and_type_dates() -> None:
    found = from_owslib(
        [
            fes.PropertyIsEqualTo("apiso:Type", "series"),
            fes.PropertyIsGreaterThanOrEqualTo("apiso:Modified", "2020-01-01"),
            fes.PropertyIsBetween("apiso:TempExtent_begin", "2000-01-01", "2010-12-31T12:00:00Z"),
        ]
    )
    args = expression(found)["args"]
    assert args[0] == {"op": "=", "args": [{"property": "type"}, "series"]}
    assert args[1] == {"op": ">=", "args": [{"property": "updated"}, {"timestamp": "2020-01-01T00:00:00Z"}]}
    assert args[2]["args"][1:] == [
        {"timestamp": "2000-01-01T00:00:00Z"},
        {"timestamp": "2010-12-31T12:00:00Z"},
    ]
    null = from_xml(
        "<ogc:PropertyIsNull><ogc:PropertyName>apiso:ParentIdentifier</ogc:PropertyName></ogc:PropertyIsNull>"
    )
    assert expression(null) == {"op": "isNull", "args": [{"property": "parent_identifier"}]}


def test_subject_equality_is_membership_of_the_joined_keywords() -> None:
    found = expression(from_owslib(fes.PropertyIsEqualTo("dc:subject", "ocean")))
    assert found["op"] == "or"
    assert [a["args"][1] for a in found["args"]] == ["ocean", "ocean; %", "%; ocean", "%; ocean; %"]
    negated = expression(from_owslib(fes.PropertyIsNotEqualTo("apiso:Subject", "50%")))
    assert negated["op"] == "not" and negated["args"][0]["args"][0]["args"][1] == "50\\%"


def test_anytext_under_or_and_not_is_a_pattern_on_the_anytext_column() -> None:
    found = expression(
        from_owslib(
            fes.Or(
                [
                    fes.PropertyIsLike("csw:AnyText", "%Glacier%"),
                    fes.Not([fes.PropertyIsEqualTo("AnyText", "Ice")]),
                ]
            )
        )
    )
    assert found == {
        "op": "or",
        "args": [
            {"op": "like", "args": [{"property": "anytext"}, "%glacier%"]},
            {"op": "not", "args": [{"op": "like", "args": [{"property": "anytext"}, "%ice%"]}]},
        ],
    }


def test_anytext_with_inner_wildcards_stays_a_pattern() -> None:
    found = from_owslib(fes.PropertyIsLike("csw:AnyText", "%gla_ier%"))
    assert found.text is None
    assert expression(found) == {"op": "like", "args": [{"property": "anytext"}, "%gla_ier%"]}


def test_spatial_operators_take_gml_polygons_in_their_axis_order() -> None:
    polygon = (
        '<gml:Polygon srsName="urn:ogc:def:crs:EPSG::4326"><gml:exterior><gml:LinearRing>'
        "<gml:posList>40 -5 40 10 52 10 52 -5 40 -5</gml:posList>"
        "</gml:LinearRing></gml:exterior></gml:Polygon>"
    )
    found = expression(
        from_xml(f"<ogc:Within><ogc:PropertyName>ows:BoundingBox</ogc:PropertyName>{polygon}</ogc:Within>")
    )
    assert found["op"] == "s_within"
    assert found["args"][1]["coordinates"][0][:2] == [[-5.0, 40.0], [10.0, 40.0]]


def test_cql_text_with_prefixed_names_temporal_words_and_bbox() -> None:
    found = from_cql(
        "dc:title LIKE '%Sea%' AND apiso:Modified AFTER 2021-01-05T00:00:00Z"
        " AND BBOX(ows:BoundingBox, -5, 40, 10, 52)"
    )
    assert found.bbox == BBox(-5.0, 40.0, 10.0, 52.0)
    assert expression(found)["args"] == [
        {"op": "like", "args": [{"property": "title"}, "%Sea%"]},
        {"op": ">", "args": [{"property": "updated"}, {"timestamp": "2021-01-05T00:00:00Z"}]},
    ]
    assert cql_to_cql2("x = 'AFTER 2020' OR t BEFORE 2020-01-01") == "x = 'AFTER 2020' OR t < '2020-01-01'"
    assert from_cql("csw:AnyText = 'Glacier'") == Constraint(text="glacier")


@pytest.mark.parametrize(
    ("cql", "message"),
    [
        ("nosuchthing = 'x'", "unknown queryable"),
        ("apiso:Modified > 'last tuesday'", "not an ISO 8601 date"),
        ("dc:title LIKE", "does not parse"),
        ("ows:BoundingBox = 'x'", "spatial operators"),
        ("BBOX(ows:BoundingBox, 10, 95, 20, 99)", "latitudes"),
        ("apiso:Modified DURING 2020-01-01", "interval"),
    ],
)
def test_bad_cql_is_a_constraint_error(cql: str, message: str) -> None:
    with pytest.raises(ConstraintError, match=message):
        from_cql(cql)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            "<ogc:PropertyIsEqualTo><ogc:PropertyName>dc:title</ogc:PropertyName></ogc:PropertyIsEqualTo>",
            "two operands",
        ),
        ("<ogc:PropertyIsFoo/>", "unsupported filter operator"),
        ("<ogc:And/>", "operands"),
        ("<ogc:BBOX><ogc:PropertyName>ows:BoundingBox</ogc:PropertyName></ogc:BBOX>", "one GML geometry"),
        (
            "<ogc:BBOX><gml:Envelope><gml:lowerCorner>a b</gml:lowerCorner>"
            "<gml:upperCorner>1 2</gml:upperCorner></gml:Envelope></ogc:BBOX>",
            "not numbers",
        ),
        (
            '<ogc:PropertyIsLike wildCard="*" singleChar="*" escapeChar="!">'
            "<ogc:PropertyName>dc:title</ogc:PropertyName><ogc:Literal>x</ogc:Literal></ogc:PropertyIsLike>",
            "distinct",
        ),
    ],
)
def test_bad_filters_are_constraint_errors(body: str, message: str) -> None:
    with pytest.raises(ConstraintError, match=message):
        from_xml(body)

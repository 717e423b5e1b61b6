"""A harvested record whose texts carry HTML and scripts: every page must show them as text."""

from __future__ import annotations

from datetime import UTC, datetime

from terrapole.core.model import BBox, Collection, Contact, Extent, Keyword
from terrapole.core.record import Constraints, Record, catalog_id, collection_from_record

HOSTILE_IDENTIFIER = "hostile-<script>-record"
HOSTILE_ID = catalog_id(HOSTILE_IDENTIFIER)  # the catalog makes record identifiers URL-safe
HOSTILE_TITLE = (
    '<script>window.__pwned = 1; alert("title")</script><img src=x onerror="window.__pwned = 2"> Hostile'
)
HOSTILE_ABSTRACT = (
    "<b>bold</b></script><script>alert('abstract')</script> "
    "<iframe src=\"javascript:alert('frame')\"></iframe> Hostile abstract"
)
HOSTILE_KEYWORDS = ('<svg onload="window.__pwned = 3">', "</script><script>alert('keyword')</script>")
HOSTILE_CONTACT = '<a href="javascript:alert(1)">Evil</a> & Co'


def hostile_collection() -> Collection:
    """The hostile dataset: HTML in title, abstract, keywords, contact; javascript: URLs."""
    record = Record(
        identifier=HOSTILE_IDENTIFIER,
        title={"en": HOSTILE_TITLE},
        abstract={"en": HOSTILE_ABSTRACT},
        keywords=(
            Keyword({"en": HOSTILE_KEYWORDS[0]}, thesaurus="<i>GCMD</i>", uri="javascript:alert('uri')"),
            Keyword({"en": HOSTILE_KEYWORDS[1]}, thesaurus_uri="https://example.org/thesaurus"),
        ),
        contacts=(Contact(HOSTILE_CONTACT, roles=("publisher",), url="javascript:alert('contact')"),),
        extent=Extent(
            bboxes=(BBox(5.0, 43.0, 6.0, 44.0),),
            intervals=((datetime(2020, 1, 1, tzinfo=UTC), datetime(2020, 12, 31, tzinfo=UTC)),),
        ),
        constraints=Constraints(license="<script>alert('licence')</script>", use=("<u>no</u> reuse",)),
        pole="ocean",
    )
    return collection_from_record(record)

"""How the served protocols name a dataset (its landing page, the URI linked data uses for it),
and the URL-safe tokens of a place in the catalog's change list that their pages start after.

Every protocol that points at a dataset (OAI-PMH records, the DCAT feed, the landing pages and
the sitemap) names it the same way, so that harvesters merging several of them find one dataset.
"""

from __future__ import annotations

import base64
import binascii
from urllib.parse import quote

import orjson

from terrapole.catalog.base import ChangeKey
from terrapole.core.errors import InvalidParameter
from terrapole.core.record import Record
from terrapole.core.timeutil import from_micros, to_micros

POLE_NAMES: dict[str, tuple[str, str]] = {
    # pole: (English, French)
    "atmosphere": ("Atmosphere", "Atmosphère"),
    "ocean": ("Ocean", "Océan"),
    "solid-earth": ("Solid Earth", "Terre solide"),
    "land": ("Land surfaces", "Surfaces continentales"),
    "biodiversity": ("Biodiversity", "Biodiversité"),
}


def pole_name(pole: str, lang: str) -> str:
    """A pole's name in French or English (its id when it is not one of ours)."""
    names = POLE_NAMES.get(pole)
    return pole if names is None else names[1 if lang == "fr" else 0]


def landing_page(base: str, collection_id: str) -> str:
    """The URL of a collection's landing page (`/datasets/{id}`)."""
    return f"{base}/datasets/{quote(collection_id, safe='')}"


def has_own_uri(record: Record) -> bool:
    """True when the record names itself by an http(s) identifier or a DOI (DCAT uses that URI)."""
    codes = (record.identifier, *(i.code for i in record.identifiers))
    return record.doi is not None or any(code.startswith(("http://", "https://")) for code in codes)


def dataset_uri(record: Record, landing: str) -> str | None:
    """The URI to give the dataset in RDF: None (the DCAT module then uses the record's own http(s)
    identifier or DOI) when it has one, else its landing page."""
    return None if has_own_uri(record) else landing


def encode_key(key: ChangeKey) -> str:
    """A URL-safe token for a (datestamp, id) key of the change list."""
    return base64.urlsafe_b64encode(orjson.dumps([to_micros(key[0]), key[1]])).decode().rstrip("=")


def decode_key(token: str, parameter: str) -> ChangeKey:
    """The key a token names; InvalidParameter (naming `parameter`) when it is not one of ours."""
    try:
        micros, collection_id = orjson.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        if type(micros) is not int or not isinstance(collection_id, str) or "\x00" in collection_id:
            raise ValueError("bad key")
        return (from_micros(micros), collection_id)
    except (ValueError, TypeError, binascii.Error, OverflowError):
        raise InvalidParameter(parameter, "not a page token of this service") from None

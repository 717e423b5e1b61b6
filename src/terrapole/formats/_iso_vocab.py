"""Code lists and vocabularies the two ISO 19115 encodings share (19139 and 19115-3).

Language codes: ISO records name languages with ISO 639-2 codes (bibliographic `fre`, `ger` or
terminological `fra`, `deu`); canonical multilingual text is keyed by BCP 47 tags (`fr`, `de`).
INSPIRE themes: the 34 themes of the INSPIRE registry with their English and French labels, so that a
theme keyword is recognised by its URI or label and encoded with a `gmx:Anchor` to its URI.
Known thesauri and labels: the INSPIRE Technical Guidelines 2.0 cite vocabularies by title, date and
URI; encoders write an anchor and the right date when a record names one of these.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from terrapole.core.record import bare_doi

# ISO 639-2 (B and T codes) -> BCP 47 for the languages European catalogues use.
_ISO639: dict[str, str] = {
    "eng": "en", "fre": "fr", "fra": "fr", "ger": "de", "deu": "de", "ita": "it", "spa": "es",
    "por": "pt", "dut": "nl", "nld": "nl", "gre": "el", "ell": "el", "dan": "da", "swe": "sv",
    "fin": "fi", "est": "et", "lav": "lv", "lit": "lt", "pol": "pl", "cze": "cs", "ces": "cs",
    "slo": "sk", "slk": "sk", "slv": "sl", "hun": "hu", "rum": "ro", "ron": "ro", "bul": "bg",
    "hrv": "hr", "gle": "ga", "mlt": "mt", "nor": "no", "nob": "nb", "nno": "nn", "ice": "is",
    "isl": "is", "cat": "ca", "baq": "eu", "eus": "eu", "glg": "gl", "bre": "br", "oci": "oc",
    "cos": "co", "ltz": "lb", "rus": "ru", "ukr": "uk", "tur": "tr", "ara": "ar", "chi": "zh",
    "zho": "zh", "jpn": "ja", "kor": "ko", "wel": "cy", "cym": "cy", "roh": "rm",
}  # fmt: skip
# The bibliographic code INSPIRE asks for, per BCP 47 primary tag.
_BIBLIOGRAPHIC: dict[str, str] = {}
for _code, _tag in _ISO639.items():
    _BIBLIOGRAPHIC.setdefault(_tag, _code)


def bcp47(code: str | None) -> str:
    """The BCP 47 tag of an ISO 639-2 (or already BCP 47) language code; `und` when unknown."""
    if not code:
        return "und"
    value = code.strip().lower().replace("_", "-")
    return _ISO639.get(value, value) or "und"


def iso639_2(tag: str) -> str:
    """The ISO 639-2/B code of a BCP 47 tag (`fr` -> `fre`); three-letter codes are kept as they are."""
    primary = tag.split("-")[0].lower()
    if len(primary) == 3:
        return primary
    return _BIBLIOGRAPHIC.get(primary, primary)


INSPIRE_THEME_URI = "http://inspire.ec.europa.eu/theme/"
INSPIRE_THEMES_THESAURUS = "GEMET - INSPIRE themes, version 1.0"
# code -> (English label, French label), from the INSPIRE registry.
INSPIRE_THEMES: dict[str, tuple[str, str]] = {
    "ac": ("Atmospheric conditions", "Conditions atmosphériques"),
    "ad": ("Addresses", "Adresses"),
    "af": ("Agricultural and aquaculture facilities", "Installations agricoles et aquacoles"),
    "am": (
        "Area management/restriction/regulation zones and reporting units",
        "Zones de gestion, de restriction ou de réglementation et unités de déclaration",
    ),
    "au": ("Administrative units", "Unités administratives"),
    "br": ("Bio-geographical regions", "Régions biogéographiques"),
    "bu": ("Buildings", "Bâtiments"),
    "cp": ("Cadastral parcels", "Parcelles cadastrales"),
    "ef": ("Environmental monitoring facilities", "Installations de suivi environnemental"),
    "el": ("Elevation", "Altitude"),
    "er": ("Energy resources", "Sources d'énergie"),
    "ge": ("Geology", "Géologie"),
    "gg": ("Geographical grid systems", "Systèmes de maillage géographique"),
    "gn": ("Geographical names", "Dénominations géographiques"),
    "hb": ("Habitats and biotopes", "Habitats et biotopes"),
    "hh": ("Human health and safety", "Santé et sécurité des personnes"),
    "hy": ("Hydrography", "Hydrographie"),
    "lc": ("Land cover", "Occupation des terres"),
    "lu": ("Land use", "Usage des sols"),
    "mf": ("Meteorological geographical features", "Caractéristiques géographiques météorologiques"),
    "mr": ("Mineral resources", "Ressources minérales"),
    "nz": ("Natural risk zones", "Zones à risque naturel"),
    "of": ("Oceanographic geographical features", "Caractéristiques géographiques océanographiques"),
    "oi": ("Orthoimagery", "Ortho-imagerie"),
    "pd": ("Population distribution — demography", "Répartition de la population — démographie"),
    "pf": ("Production and industrial facilities", "Lieux de production et sites industriels"),
    "ps": ("Protected sites", "Sites protégés"),
    "rs": ("Coordinate reference systems", "Référentiels de coordonnées"),
    "sd": ("Species distribution", "Répartition des espèces"),
    "so": ("Soil", "Sols"),
    "sr": ("Sea regions", "Régions maritimes"),
    "su": ("Statistical units", "Unités statistiques"),
    "tn": ("Transport networks", "Réseaux de transport"),
    "us": ("Utility and governmental services", "Services d'utilité publique et services publics"),
}
_THEME_BY_LABEL = {label.casefold(): code for code, labels in INSPIRE_THEMES.items() for label in labels}


def inspire_theme_code(label: str, uri: str | None, thesaurus: str | None) -> str | None:
    """The INSPIRE theme code a keyword stands for, when it is one (by URI, or by label in its thesaurus)."""
    if uri and uri.startswith(INSPIRE_THEME_URI):
        code = uri[len(INSPIRE_THEME_URI) :].strip("/")
        return code if code in INSPIRE_THEMES else None
    if thesaurus and "inspire" in thesaurus.casefold() and "them" in thesaurus.casefold():
        return _THEME_BY_LABEL.get(label.strip().casefold())
    return None


def inspire_theme_label(code: str, language: str) -> str:
    """The theme's label in `language` (French or English, English otherwise)."""
    english, french = INSPIRE_THEMES[code]
    return french if language.startswith("fr") else english


def inspire_theme_for(name: str) -> str | None:
    """The theme code of a canonical theme name (an English or French label, or a theme URI)."""
    return inspire_theme_code(name, name if "://" in name else None, INSPIRE_THEMES_THESAURUS)


# Thesauri the INSPIRE Technical Guidelines cite: title -> (URI, publication date).
KNOWN_THESAURI: dict[str, tuple[str, str]] = {
    INSPIRE_THEMES_THESAURUS: ("http://www.eionet.europa.eu/gemet/inspire_themes", "2008-06-01"),
    "GEMET - Concepts, version 4.1.3": ("https://www.eionet.europa.eu/gemet/", "2019-01-28"),
    "Spatial scope": ("http://inspire.ec.europa.eu/metadata-codelist/SpatialScope", "2019-05-22"),
    "INSPIRE priority data set": (
        "http://inspire.ec.europa.eu/metadata-codelist/PriorityDataset",
        "2018-04-04",
    ),
    "Classification of spatial data services": (
        "http://inspire.ec.europa.eu/metadata-codelist/SpatialDataServiceCategory",
        "2008-12-03",
    ),
}


def known_thesaurus_uri(title: str | None) -> str | None:
    """The URI of a thesaurus the INSPIRE Technical Guidelines cite, by its title."""
    return KNOWN_THESAURI[title][0] if title in KNOWN_THESAURI else None


_INSPIRE_CODELIST = "http://inspire.ec.europa.eu/metadata-codelist/"
# Texts INSPIRE records carry as anchors into INSPIRE code lists and OGC service types.
KNOWN_ANCHORS: dict[str, str] = {
    "No conditions apply to access and use": _INSPIRE_CODELIST
    + "ConditionsApplyingToAccessAndUse/noConditionsApply",
    "The conditions applying to access and use are unknown.": _INSPIRE_CODELIST
    + "ConditionsApplyingToAccessAndUse/conditionsUnknown",
    "No limitations to public access": _INSPIRE_CODELIST + "LimitationsOnPublicAccess/noLimitations",
    "There are no limitations on public access to spatial data sets and services.": _INSPIRE_CODELIST
    + "LimitationsOnPublicAccess/noLimitations",
    "OGC Web Map Service": "http://www.opengis.net/def/serviceType/ogc/wms",
    "OGC Web Feature Service": "http://www.opengis.net/def/serviceType/ogc/wfs",
    "OGC Web Coverage Service": "http://www.opengis.net/def/serviceType/ogc/wcs",
    "OGC Web Map Tile Service": "http://www.opengis.net/def/serviceType/ogc/wmts",
    "View Service": _INSPIRE_CODELIST + "SpatialDataServiceType/view",
    "Download Service": _INSPIRE_CODELIST + "SpatialDataServiceType/download",
}

# Where a record keeps the URIs of anchored texts that have no canonical field of their own.
ANCHORS_KEY = "iso:anchors"
_EPSG = re.compile(r"^EPSG:(\d+)$", re.IGNORECASE)


def crs_uri(code: str) -> str | None:
    """The OGC URI of an `EPSG:nnnn` reference system code."""
    match = _EPSG.match(code.strip())
    return f"http://www.opengis.net/def/crs/EPSG/0/{match.group(1)}" if match else None


def identifier_uri(code: str) -> str | None:
    """A resolvable URI for an identifier code (itself when a URL, the doi.org URL of a DOI)."""
    if code.startswith(("http://", "https://")):
        return code
    doi = bare_doi(code)
    return f"https://doi.org/{doi}" if doi else None


# Persistent identifiers of people and organisations, by the host of their URL.
PARTY_SCHEMES: dict[str, str] = {
    "orcid.org": "ORCID",
    "ror.org": "ROR",
    "isni.org": "ISNI",
    "viaf.org": "VIAF",
    "wikidata.org": "Wikidata",
}
_PARTY_URLS = {scheme: f"https://{host}/" for host, scheme in PARTY_SCHEMES.items()}


def party_scheme(identifier: str | None) -> str | None:
    """The scheme of a party identifier URL (`https://orcid.org/...` -> ORCID), else None."""
    if not identifier or "://" not in identifier:
        return None
    host = identifier.split("/")[2].lower().removeprefix("www.")
    return PARTY_SCHEMES.get(host)


def party_url(identifier: str | None, scheme: str | None) -> str | None:
    """A party identifier as a URL (for an anchor): itself when a URL, else by its scheme, else None."""
    if not identifier:
        return None
    if identifier.startswith(("http://", "https://")):
        return identifier
    base = _PARTY_URLS.get(scheme or "")
    return base + identifier if base else None


def derived_anchor(text: str) -> str | None:
    """The URI the encoders give `text` unasked: a known code list value or thesaurus, an EPSG code, a
    DOI or URL."""
    return KNOWN_ANCHORS.get(text) or known_thesaurus_uri(text) or crs_uri(text) or identifier_uri(text)


def anchor_uri(text: str | None, anchors: Mapping[str, str]) -> str | None:
    """The URI an anchored text stands for: the record's own (`Record.extra[ANCHORS_KEY]`), else derived.

    Other formats use it too: the URIs of INSPIRE access and use conditions, protocols and media types
    are what GeoDCAT-AP wants (dct:accessRights, dct:license, dcat:mediaType)."""
    if not text:
        return None
    return anchors.get(text) or derived_anchor(text)


# MD_RestrictionCode values (ISO 19115:2003 and 19115-1).
RESTRICTION_CODES = frozenset(
    {
        "copyright", "patent", "patentPending", "trademark", "license", "intellectualPropertyRights",
        "restricted", "otherRestrictions", "unrestricted", "licenceUnrestricted", "licenceEndUser",
        "licenceDistributor", "private", "statutory", "confidential", "sensitiveButUnclassified",
        "in-confidence",
    }
)  # fmt: skip
OTHER_RESTRICTIONS = "otherRestrictions"

# STAC and DataCite role names -> CI_RoleCode, for contacts that come from other formats.
ROLE_ALIASES: dict[str, str] = {
    "producer": "originator",
    "host": "distributor",
    "licensor": "owner",
    "creator": "author",
    "contactperson": "pointOfContact",
    "datacurator": "custodian",
}

_LICENCE = re.compile(
    r"licen[cs]e|creativecommons\.org|opendatacommons\.org|spdx\.org/licenses|\bcc[- ]?by\b|\bcc0\b|"
    r"\bodbl\b|etalab|licence ouverte|open licen[cs]e|public domain",
    re.IGNORECASE,
)
# Texts that mention licences without being one.
_NOT_LICENCE = re.compile(r"\bsee\b|\bvoir\b|agreement|conditions", re.IGNORECASE)


def is_licence(text: str, href: str | None) -> bool:
    """Whether an otherConstraints statement (with its anchor) names a licence."""
    if href and _LICENCE.search(href):
        return True
    return bool(_LICENCE.search(text)) and not _NOT_LICENCE.search(text)


def iso_role(role: str) -> str:
    """The CI_RoleCode of a role: ISO values normalised (`Originator` -> `originator`), aliases mapped."""
    value = role.strip()
    return ROLE_ALIASES.get(value.lower(), value[:1].lower() + value[1:])

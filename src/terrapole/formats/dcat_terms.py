"""The vocabularies DCAT-AP and GeoDCAT-AP documents use: namespaces and the few code tables
(languages, EU data themes, access rights, responsible-party roles) that `formats.dcat` maps between
canonical values and their URIs; the INSPIRE themes and restriction codes are the ISO formats'.

The tables are small, stable registries (the EU Publications Office authority tables, the INSPIRE
registry); they are written out here rather than loaded from SKOS files so that parsing and encoding
need no file or network access.
"""

from __future__ import annotations

import re

from rdflib import Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, OWL, PROV, RDF, RDFS, SKOS, XSD

# The INSPIRE themes (with English and French names) are the ISO formats' table.
from terrapole.formats._iso_vocab import INSPIRE_THEMES, inspire_theme_for

# rdflib's DCAT namespace is DCAT 2 and closed; DCAT 3 adds DatasetSeries, inSeries, version...
DCAT = Namespace("http://www.w3.org/ns/dcat#")
ADMS = Namespace("http://www.w3.org/ns/adms#")
DQV = Namespace("http://www.w3.org/ns/dqv#")
GEODCAT = Namespace("http://data.europa.eu/930/")
GSP = Namespace("http://www.opengis.net/ont/geosparql#")
LOCN = Namespace("http://www.w3.org/ns/locn#")
ORG = Namespace("http://www.w3.org/ns/org#")
SCHEMA = Namespace("http://schema.org/")
SDMX_ATTRIBUTE = Namespace("http://purl.org/linked-data/sdmx/2009/attribute#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")

PREFIXES: dict[str, Namespace] = {
    "adms": ADMS,
    "dcat": DCAT,
    "dct": Namespace(str(DCTERMS)),
    "dqv": DQV,
    "foaf": Namespace(str(FOAF)),
    "geodcatap": GEODCAT,
    "gsp": GSP,
    "locn": LOCN,
    "org": ORG,
    "owl": Namespace(str(OWL)),
    "prov": Namespace(str(PROV)),
    "rdf": Namespace(str(RDF)),
    "rdfs": Namespace(str(RDFS)),
    "sdmx-attribute": SDMX_ATTRIBUTE,
    "skos": Namespace(str(SKOS)),
    "vcard": VCARD,
    "xsd": Namespace(str(XSD)),
}

WKT_LITERAL = GSP.wktLiteral
GEOJSON_LITERAL = GSP.geoJSONLiteral
GML_LITERAL = GSP.gmlLiteral
# Older DCAT-AP documents (ckanext-dcat) type GeoJSON literals with the IANA media type.
GEOJSON_DATATYPES = (
    GEOJSON_LITERAL,
    URIRef("https://www.iana.org/assignments/media-types/application/vnd.geo+json"),
)

EU_LANGUAGE = "http://publications.europa.eu/resource/authority/language/"
EU_FILE_TYPE = "http://publications.europa.eu/resource/authority/file-type/"
EU_ACCESS_RIGHT = "http://publications.europa.eu/resource/authority/access-right/"
EU_DATA_THEME = "http://publications.europa.eu/resource/authority/data-theme/"
IANA_MEDIA_TYPES = "https://www.iana.org/assignments/media-types/"
INSPIRE_THEME = "http://inspire.ec.europa.eu/theme/"
# Themes we cannot name by URI are concepts of this scheme, so that they come back as themes.
INSPIRE_THEME_SCHEME = URIRef("http://inspire.ec.europa.eu/theme")
INSPIRE_CODELIST = "http://inspire.ec.europa.eu/metadata-codelist/"
INSPIRE_ROLE = INSPIRE_CODELIST + "ResponsiblePartyRole/"
INSPIRE_RESOURCE_TYPE = INSPIRE_CODELIST + "ResourceType/"
INSPIRE_TOPIC_CATEGORY = INSPIRE_CODELIST + "TopicCategory/"
INSPIRE_SERVICE_TYPE = INSPIRE_CODELIST + "SpatialDataServiceType/"
INSPIRE_SERVICE_TYPES = frozenset(("discovery", "view", "download", "transformation", "invoke", "other"))
INSPIRE_SERVICE_CATEGORY = INSPIRE_CODELIST + "SpatialDataServiceCategory/"
SPATIAL_REFERENCE_SYSTEM = URIRef("http://inspire.ec.europa.eu/glossary/SpatialReferenceSystem")
# ISO 19115 code list values (roles, restriction codes, online functions, scopes) as GeoNetwork's
# DCAT-AP output names them.
ISO_CODELIST = "http://standards.iso.org/iso/19115/resources/Codelists/cat/codelists.xml#"
OGC_CRS_EPSG = "http://www.opengis.net/def/crs/EPSG/0/"
DCMI_TYPE = "http://purl.org/dc/dcmitype/"
DOI_RESOLVER = "https://doi.org/"
RESOLUTION_AS_SCALE = GEODCAT.spatialResolutionAsScale
RESOLUTION_AS_DISTANCE = GEODCAT.spatialResolutionAsDistance

# (ISO 639-1, ISO 639-2/B, ISO 639-2/T): the EU official languages and the other languages of the
# data centres' neighbours. The EU language authority names languages by their 639-2/T code.
_LANGUAGES: tuple[tuple[str, str, str], ...] = (
    ("bg", "bul", "bul"), ("cs", "cze", "ces"), ("da", "dan", "dan"), ("de", "ger", "deu"),
    ("el", "gre", "ell"), ("en", "eng", "eng"), ("es", "spa", "spa"), ("et", "est", "est"),
    ("fi", "fin", "fin"), ("fr", "fre", "fra"), ("ga", "gle", "gle"), ("hr", "hrv", "hrv"),
    ("hu", "hun", "hun"), ("it", "ita", "ita"), ("lt", "lit", "lit"), ("lv", "lav", "lav"),
    ("mt", "mlt", "mlt"), ("nl", "dut", "nld"), ("pl", "pol", "pol"), ("pt", "por", "por"),
    ("ro", "rum", "ron"), ("sk", "slo", "slk"), ("sl", "slv", "slv"), ("sv", "swe", "swe"),
    ("no", "nor", "nor"), ("is", "ice", "isl"), ("ca", "cat", "cat"), ("eu", "baq", "eus"),
    ("gl", "glg", "glg"), ("cy", "wel", "cym"), ("lb", "ltz", "ltz"), ("rm", "roh", "roh"),
    ("br", "bre", "bre"), ("oc", "oci", "oci"), ("co", "cos", "cos"), ("la", "lat", "lat"),
    ("ru", "rus", "rus"), ("uk", "ukr", "ukr"), ("tr", "tur", "tur"), ("ar", "ara", "ara"),
    ("zh", "chi", "zho"), ("ja", "jpn", "jpn"), ("fa", "per", "fas"), ("sq", "alb", "sqi"),
    ("mk", "mac", "mkd"), ("sr", "srp", "srp"), ("bs", "bos", "bos"), ("hy", "arm", "hye"),
    ("ka", "geo", "kat"),
)  # fmt: skip
_TO_BIBLIOGRAPHIC = {
    code: b for row in _LANGUAGES for code, b in ((row[0], row[1]), (row[1], row[1]), (row[2], row[1]))
}
_TO_TERMINOLOGY = {
    code: t for row in _LANGUAGES for code, t in ((row[0], row[2]), (row[1], row[2]), (row[2], row[2]))
}
_TO_TWO_LETTER = {code: row[0] for row in _LANGUAGES for code in row}
_LANGUAGE_URI_TAIL = re.compile(r"(?:/language/|/iso639-[1-3]/|/iso639-[1-3]#)([A-Za-z]{2,3})$")

EU_DATA_THEMES: dict[str, str] = {
    "AGRI": "Agriculture, fisheries, forestry and food",
    "ECON": "Economy and finance",
    "EDUC": "Education, culture and sport",
    "ENER": "Energy",
    "ENVI": "Environment",
    "GOVE": "Government and public sector",
    "HEAL": "Health",
    "INTR": "International issues",
    "JUST": "Justice, legal system and public safety",
    "OP_DATPRO": "Provisional data",
    "REGI": "Regions and cities",
    "SOCI": "Population and society",
    "TECH": "Science and technology",
    "TRAN": "Transport",
}

# terrapole's access levels and the EU access-right authority table (both ways; "licensed" data is
# restricted to licence holders, and comes back as "restricted").
ACCESS_RIGHTS: dict[str, str] = {
    "open": "PUBLIC",
    "restricted": "RESTRICTED",
    "licensed": "RESTRICTED",
    "embargo": "NON_PUBLIC",
}
ACCESS_LEVELS: dict[str, str] = {"PUBLIC": "open", "RESTRICTED": "restricted", "NON_PUBLIC": "embargo"}

# Responsible-party roles with a DCAT or Dublin Core property of their own; the other ISO 19115 roles
# have a GeoDCAT-AP property each, and any role at all can travel in a prov:qualifiedAttribution.
ROLE_PROPERTIES: dict[str, URIRef] = {
    "pointOfContact": DCAT.contactPoint,
    "publisher": DCTERMS.publisher,
    "author": DCTERMS.creator,
    "owner": DCTERMS.rightsHolder,
}
GEODCAT_ROLES: tuple[str, ...] = (
    "custodian",
    "distributor",
    "originator",
    "principalInvestigator",
    "processor",
    "resourceProvider",
    "user",
)
# The INSPIRE registry's ResponsiblePartyRole code list, and the roles ISO 19115-1 added to it.
INSPIRE_ROLES: frozenset[str] = frozenset((*ROLE_PROPERTIES, *GEODCAT_ROLES))
ISO_ROLES: frozenset[str] = frozenset(
    (
        "coAuthor",
        "collaborator",
        "contributor",
        "editor",
        "funder",
        "mediator",
        "rightsHolder",
        "sponsor",
        "stakeholder",
    )
)
DCMI_TYPES: frozenset[str] = frozenset(
    (
        "Collection", "Dataset", "Event", "Image", "InteractiveResource", "MovingImage", "PhysicalObject",
        "Service", "Software", "Sound", "StillImage", "Text",
    )
)  # fmt: skip

OGC_SERVICES: dict[str, str] = {
    "WMS": "http://www.opengeospatial.org/standards/wms",
    "WMTS": "http://www.opengeospatial.org/standards/wmts",
    "WFS": "http://www.opengeospatial.org/standards/wfs",
    "WCS": "http://www.opengeospatial.org/standards/wcs",
    "CSW": "http://www.opengeospatial.org/standards/cat",
    "SOS": "http://www.opengeospatial.org/standards/sos",
    "WPS": "http://www.opengeospatial.org/standards/wps",
}


def bibliographic_language(value: str) -> str:
    """An ISO 639-2/B code (INSPIRE's convention) for a language code or language URI, when known."""
    match = _LANGUAGE_URI_TAIL.search(value)
    code = (match.group(1) if match else value).strip()
    return _TO_BIBLIOGRAPHIC.get(code.lower(), code.lower() if match or len(code) == 3 else code)


def language_uri(code: str) -> URIRef | None:
    """The EU language authority URI of a language code; None when the code is not a language code."""
    if (terminology := _TO_TERMINOLOGY.get(code.lower())) is not None:
        return URIRef(EU_LANGUAGE + terminology.upper())
    if re.fullmatch(r"[a-z]{3}", code):
        return URIRef(EU_LANGUAGE + code.upper())
    return None


def language_tag(tag: str) -> str:
    """A BCP 47 tag for an RDF language tag: three-letter ISO 639-2 codes become their two-letter form."""
    primary, _, rest = tag.partition("-")
    short = _TO_TWO_LETTER.get(primary.lower(), primary) if len(primary) == 3 else primary
    return f"{short}-{rest}" if rest else short


def inspire_theme_uri(theme: str) -> URIRef | None:
    """The INSPIRE registry URI of a theme given by URI, code, or English or French name."""
    if theme.startswith(INSPIRE_THEME):
        return URIRef(theme)
    code = theme if theme in INSPIRE_THEMES else inspire_theme_for(theme)
    return URIRef(INSPIRE_THEME + code) if code else None


def inspire_theme_name(uri: str) -> str | None:
    """The English name of the INSPIRE theme with this URI."""
    names = INSPIRE_THEMES.get(uri.removeprefix(INSPIRE_THEME)) if uri.startswith(INSPIRE_THEME) else None
    return names[0] if names else None


def code_of(uri: str) -> str:
    """The code a code-list URI ends with (after its last '/' or '#')."""
    return re.split(r"[/#]", uri.rstrip("/"))[-1]


def epsg_uri(reference_system: str) -> URIRef | None:
    """The OGC URI of an EPSG reference system written as EPSG:n, urn:ogc:def:crs:EPSG::n or a URI."""
    match = re.search(r"EPSG(?:/0/|::|:|/)(\d+)$", reference_system.strip(), re.IGNORECASE)
    return URIRef(OGC_CRS_EPSG + match.group(1)) if match else None


def is_uri(text: str) -> bool:
    """True for absolute URIs of the usual schemes, without spaces (what we write as an RDF node)."""
    return bool(re.fullmatch(r"(?:https?://|s?ftps?://|s3://|urn:|mailto:)[^\s<>\"{}|\\^`]+", text))

"""Declarative description of one demo collection: texts, providers, places, cadence, assets."""

from __future__ import annotations

from dataclasses import dataclass

from terrapole.demo.places import Site

COG = "image/tiff; application=geotiff; profile=cloud-optimized"
NETCDF = "application/x-netcdf"
CSV = "text/csv"
PNG = "image/png"
GEOJSON = "application/geo+json"
GEOPACKAGE = "application/geopackage+sqlite3"

EXTENSION_SCHEMAS: dict[str, str] = {
    "eo": "https://stac-extensions.github.io/eo/v2.0.0/schema.json",
    "proj": "https://stac-extensions.github.io/projection/v2.0.0/schema.json",
    "sat": "https://stac-extensions.github.io/sat/v1.1.0/schema.json",
}


@dataclass(frozen=True)
class Bilingual:
    """The same text in English and in French."""

    en: str
    fr: str


@dataclass(frozen=True)
class Provider:
    """An organisation that produces, processes, hosts or licenses data."""

    name: str
    url: str | None = None


@dataclass(frozen=True)
class AssetSpec:
    """One file of each item: its href is ``/data/<pole>/<collection>/<item id><suffix>``."""

    key: str
    suffix: str
    media_type: str
    title: str
    roles: tuple[str, ...] = ("data",)
    bands: tuple[tuple[str, str, float], ...] = ()  # (name, eo:common_name, micrometres)


THUMBNAIL = AssetSpec("thumbnail", "_thumb.png", PNG, "Thumbnail", ("thumbnail",))

SENTINEL2_BANDS: tuple[tuple[str, str, float], ...] = (
    ("B2", "blue", 0.49),
    ("B3", "green", 0.56),
    ("B4", "red", 0.665),
    ("B5", "rededge071", 0.705),
    ("B6", "rededge075", 0.74),
    ("B7", "rededge078", 0.783),
    ("B8", "nir", 0.842),
    ("B8A", "nir08", 0.865),
    ("B11", "swir16", 1.61),
    ("B12", "swir22", 2.19),
)


@dataclass(frozen=True)
class Footprint:
    """How an item's geometry is drawn around its site.

    ``point``: the site itself; ``box``: a width x height rectangle centred on the site;
    ``frame``: a satellite-track parallelogram. ``jitter`` moves the centre at random (degrees);
    ``sizes`` overrides (width, height) for some site codes: ``(code, width, height)``.
    """

    kind: str
    width: float = 0.0
    height: float = 0.0
    jitter: float = 0.0
    sizes: tuple[tuple[str, float, float], ...] = ()


@dataclass(frozen=True)
class Schedule:
    """When items are acquired.

    ``cadence`` is one of scene, hourly, daily, synoptic, profile, event, yearly, span. ``start``
    and ``end`` are ISO dates (``end`` None: the series is ongoing). ``months`` and ``years``
    restrict the draw; ``span_days`` bounds the duration of ``span`` items.
    """

    cadence: str
    start: str
    end: str | None = None
    months: tuple[int, ...] = ()
    years: tuple[int, ...] = ()
    span_days: tuple[int, int] = (1, 1)


@dataclass(frozen=True)
class CollectionSpec:
    """Everything needed to generate one STAC Collection and its Items."""

    id: str
    pole: str
    title: Bilingual
    description: Bilingual
    keywords_en: tuple[str, ...]
    keywords_fr: tuple[str, ...]
    license: str
    providers: tuple[tuple[str, tuple[str, ...]], ...]
    sites: tuple[Site, ...]
    footprint: Footprint
    schedule: Schedule
    profile: str
    item_title: str
    assets: tuple[AssetSpec, ...]
    weight: float
    platforms: tuple[str, ...] = ()
    instruments: tuple[str, ...] = ()
    gsd: float | None = None
    crs: str | None = None  # an EPSG code, or "UTM" for the zone of each item
    extensions: tuple[str, ...] = ()
    access: str = "open"
    license_href: str | None = None


PROVIDERS: dict[str, Provider] = {
    "aeris": Provider("AERIS, Data and services centre for the atmosphere", "https://www.aeris-data.fr"),
    "odatis": Provider("ODATIS, Data and services centre for the ocean", "https://www.odatis-ocean.fr"),
    "formater": Provider(
        "ForM@Ter, Data and services centre for solid Earth", "https://www.poleterresolide.fr"
    ),
    "theia": Provider(
        "THEIA, Data and services centre for continental surfaces", "https://www.theia-land.fr"
    ),
    "pndb": Provider("PNDB, French national biodiversity data hub", "https://www.pndb.fr"),
    "cnrs": Provider("CNRS", "https://www.cnrs.fr"),
    "cnes": Provider("CNES", "https://cnes.fr"),
    "ign": Provider("IGN", "https://www.ign.fr"),
    "ifremer": Provider("Ifremer", "https://www.ifremer.fr"),
    "shom": Provider("Shom", "https://www.shom.fr"),
    "meteo-france": Provider("Météo-France", "https://meteofrance.com"),
    "ineris": Provider("INERIS", "https://www.ineris.fr"),
    "mnhn": Provider("Muséum national d'Histoire naturelle (MNHN)", "https://www.mnhn.fr"),
    "ofb": Provider("Office français de la biodiversité (OFB)", "https://www.ofb.gouv.fr"),
    "brgm": Provider("BRGM", "https://www.brgm.fr"),
    "ipgp": Provider("Institut de physique du globe de Paris (IPGP)", "https://www.ipgp.fr"),
    "resif": Provider("Résif-Epos", "https://www.resif.fr"),
    "cesbio": Provider("CESBIO", "https://www.cesbio.cnrs.fr"),
    "legos": Provider("LEGOS", "https://www.legos.omp.eu"),
    "lsce": Provider("LSCE", "https://www.lsce.ipsl.fr"),
    "cbn": Provider("Conservatoires botaniques nationaux"),
}

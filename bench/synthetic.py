"""A reproducible synthetic STAC catalog for the search benchmark, generated as a stream.

Everything comes from one `random.Random(seed)`: the same seed and count give the same items,
byte for byte, whatever the machine. Items are yielded one at a time and never held together.

Distribution (documented here because the benchmark's numbers depend on it):

- 15 STAC 1.1.0 Collections, three per pole (atmosphere, ocean, solid-earth, land,
  biodiversity), with English titles, descriptions and keywords plus French ones in
  `terrapole:translations`. Within each pole the three collections hold 3/6, 2/6 and 1/6 of
  that pole's items, so the largest collections hold 10 % of the catalog and the smallest 3.3 %.
- Footprints worldwide: centres uniform in longitude [-180, 180] and latitude [-85, 85]
  (uniform in degrees, not in area). About 9 % of items are points (all of the GNSS
  collection, 90 % of species occurrences, 60 % of Argo profiles, 20 % of cloud profiles);
  the others are parallelograms (a satellite-track shape) 0.1 to 2 degrees wide and high,
  skewed by up to a fifth of their width, never crossing the antimeridian. `bbox` is exactly
  the bounds of the (rounded) geometry.
- Time: instants uniform over 2001-01-01 to 2025-12-31 (25 years, one-second resolution).
  10 % of items are intervals: `datetime` null, `start_datetime` that instant and
  `end_datetime` 1 to 92 days later (capped at the end of 2025).
- `title`: 3 to 6 distinct words from a 400-word vocabulary (200 English and 200 French words
  of Earth-system science, alternating in rank, none equal to another once accents are folded)
  drawn with Zipf-like weights 1 / rank**0.7. The most common word ("surface") is in about
  23 % of titles, the 2nd ("carte") in 15 %, the 20th in 3 % and the 100th in 1 %.
- `eo:cloud_cover` uniform 0-100 (one decimal); `platform` and `gsd` uniform among those of
  the item's collection; `terrapole:pole`; one `data` asset.
"""

from __future__ import annotations

import itertools
import random
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

GENERATOR_VERSION = "1"
STAC_VERSION = "1.1.0"
EO_EXTENSION = "https://stac-extensions.github.io/eo/v2.0.0/schema.json"
FIRST_YEAR, LAST_YEAR = 2001, 2025
START = 978_307_200  # 2001-01-01T00:00:00Z
END = 1_767_225_600  # 2026-01-01T00:00:00Z
ZIPF_EXPONENT = 0.7
INTERVAL_SHARE = 0.10
MAX_INTERVAL_DAYS = 92
TITLE_WORDS = (3, 6)
FOOTPRINT_DEGREES = (0.1, 2.0)
MAX_LATITUDE = 85.0
COG = "image/tiff; application=geotiff; profile=cloud-optimized"

_ENGLISH = """
surface map ocean daily land temperature monthly sea cover grid satellite mean water ice level
index soil moisture cloud aerosol optical depth radar backscatter elevation model forecast
analysis reanalysis coastal river lake glacier snow rainfall precipitation wind speed humidity
pressure ozone dioxide nitrogen carbon methane emission flux radiation albedo reflectance mosaic
composite scene tile swath track profile station network buoy float drifter mooring cruise
survey campaign mission instrument sensor calibrated corrected product dataset series time
annual seasonal anomaly trend climatology chlorophyll phytoplankton salinity current wave height
tide bathymetry seafloor sediment erosion landslide earthquake seismic fault volcano deformation
displacement strain gravity magnetic geology mineral rock crust mantle tectonic uplift
subsidence groundwater aquifer drought flood wildfire burned area forest canopy biomass crop
agriculture urban wetland grassland shrubland desert tundra permafrost coral reef mangrove
seagrass habitat species occurrence abundance richness diversity plankton fish bird mammal
insect plant pollen phenology ecosystem protected boundary region basin catchment watershed
delta estuary lagoon island mountain valley plateau coastline shoreline harbour polar tropical
arctic antarctic atlantic pacific indian mediterranean northern southern western eastern global
regional local high resolution low medium fine coarse quality flag mask uncertainty error
validation reference raw processed derived gridded interpolated merged hyperspectral
multispectral thermal
"""

_FRENCH = """
carte quotidienne mensuelle mer glace eau niveau indice sol nuage optique profondeur humidité
rétrodiffusion altitude modèle prévision analyse réanalyse côtier fleuve rivière lac neige pluie
vent vitesse pression dioxyde azote carbone rayonnement mosaïque tuile fauchée trace profil
réseau bouée flotteur dériveur mouillage campagne capteur étalonné corrigé produit jeu données
série temps annuelle saisonnier anomalie tendance climatologie chlorophylle salinité courant
vague houle hauteur marée bathymétrie fond glissement terrain séisme sismique faille volcan
déplacement gravité magnétisme géologie roche croûte manteau soulèvement affaissement nappe
phréatique sécheresse inondation incendie brûlée forêt canopée biomasse culture urbain zone
humide prairie lande toundra pergélisol corail récif herbier espèce abondance richesse diversité
oiseau poisson mammifère insecte plante phénologie écosystème protégée limite bassin versant
estuaire lagune île montagne vallée littoral côte port polaire tropicale arctique antarctique
atlantique pacifique méditerranée nord sud ouest est mondiale régionale locale haute basse
grossière qualité masque incertitude erreur brute traitée dérivée interpolée fusionnée thermique
infrarouge altimétrie orbite ascendante descendante nuit jour été hiver printemps automne
tempête canicule poussière fumée feu particules couche colonne verticale horizontale
échantillonnage relevé mesure chaleur froid océanique marine terrestre spatiale aérienne
imagerie photographie occupation usage ville agglomération massif alpes pyrénées bretagne corse
guyane réunion antilles vosges jura loire rhône seine
"""
ENGLISH_WORDS: tuple[str, ...] = tuple(_ENGLISH.split())
FRENCH_WORDS: tuple[str, ...] = tuple(_FRENCH.split())

# Rank order alternates the languages, so that both are common and both are rare.
VOCABULARY: tuple[str, ...] = tuple(
    word for pair in zip(ENGLISH_WORDS, FRENCH_WORDS, strict=True) for word in pair
)
_CUMULATIVE_WEIGHTS = tuple(
    itertools.accumulate(1.0 / rank**ZIPF_EXPONENT for rank in range(1, len(VOCABULARY) + 1))
)

POLE_PROVIDERS = {
    "atmosphere": "AERIS",
    "ocean": "ODATIS",
    "solid-earth": "FormaTerre",
    "land": "THEIA",
    "biodiversity": "PNDB",
}


@dataclass(frozen=True, slots=True)
class CollectionSpec:
    """One synthetic collection: its texts, and how its items are drawn."""

    id: str
    pole: str
    title_en: str
    title_fr: str
    keywords_en: tuple[str, ...]
    keywords_fr: tuple[str, ...]
    platforms: tuple[str, ...]
    gsd: tuple[float, ...]
    weight: int  # relative share of the items
    point_share: float = 0.0


COLLECTIONS: tuple[CollectionSpec, ...] = (
    CollectionSpec(
        "atmosphere-no2-grid",
        "atmosphere",
        "Tropospheric NO2 column grids",
        "Grilles de colonne troposphérique de NO2",
        ("NO2", "air quality"),
        ("NO2", "qualité de l'air"),
        ("sentinel-5p", "aura"),
        (3500, 7000, 13000),
        3,
    ),
    CollectionSpec(
        "atmosphere-aerosol-optical-depth",
        "atmosphere",
        "Aerosol optical depth",
        "Épaisseur optique des aérosols",
        ("aerosols", "AOD"),
        ("aérosols", "AOD"),
        ("terra", "aqua", "sentinel-3a"),
        (1000, 3000, 10000),
        2,
    ),
    CollectionSpec(
        "atmosphere-cloud-profiles",
        "atmosphere",
        "Lidar cloud profiles",
        "Profils de nuages par lidar",
        ("clouds", "lidar"),
        ("nuages", "lidar"),
        ("calipso", "cloudsat", "earthcare"),
        (333, 1000),
        1,
        0.2,
    ),
    CollectionSpec(
        "ocean-sea-surface-temperature",
        "ocean",
        "Sea surface temperature",
        "Température de surface de la mer",
        ("SST", "ocean"),
        ("SST", "océan"),
        ("sentinel-3a", "sentinel-3b", "metop-b", "noaa-20"),
        (1000, 4000, 25000),
        3,
    ),
    CollectionSpec(
        "ocean-colour-chlorophyll",
        "ocean",
        "Ocean colour chlorophyll-a",
        "Chlorophylle a par couleur de l'océan",
        ("ocean colour", "chlorophyll"),
        ("couleur de l'océan", "chlorophylle"),
        ("sentinel-3a", "sentinel-3b", "aqua"),
        (300, 1000, 4000),
        2,
    ),
    CollectionSpec(
        "ocean-argo-profiles",
        "ocean",
        "Argo temperature and salinity profiles",
        "Profils de température et de salinité Argo",
        ("Argo", "salinity"),
        ("Argo", "salinité"),
        ("argo-float",),
        (1000,),
        1,
        0.6,
    ),
    CollectionSpec(
        "solid-earth-insar-displacement",
        "solid-earth",
        "InSAR ground displacement",
        "Déplacement du sol par InSAR",
        ("InSAR", "deformation"),
        ("InSAR", "déformation"),
        ("sentinel-1a", "sentinel-1b"),
        (20, 90),
        3,
    ),
    CollectionSpec(
        "solid-earth-shake-maps",
        "solid-earth",
        "Earthquake shake maps",
        "Cartes de secousses sismiques",
        ("earthquakes", "seismology"),
        ("séismes", "sismologie"),
        ("seismic-network",),
        (1000,),
        2,
    ),
    CollectionSpec(
        "solid-earth-gnss-positions",
        "solid-earth",
        "GNSS station daily positions",
        "Positions journalières des stations GNSS",
        ("GNSS", "geodesy"),
        ("GNSS", "géodésie"),
        ("gnss-station",),
        (1,),
        1,
        1.0,
    ),
    CollectionSpec(
        "land-optical-reflectance",
        "land",
        "Optical surface reflectance",
        "Réflectance de surface optique",
        ("reflectance", "optical"),
        ("réflectance", "optique"),
        ("sentinel-2a", "sentinel-2b", "landsat-8", "landsat-9"),
        (10, 20, 30, 60),
        3,
    ),
    CollectionSpec(
        "land-soil-moisture",
        "land",
        "Soil moisture",
        "Humidité du sol",
        ("soil moisture", "hydrology"),
        ("humidité du sol", "hydrologie"),
        ("smos", "smap", "sentinel-1a"),
        (1000, 9000, 36000),
        2,
    ),
    CollectionSpec(
        "land-cover-maps",
        "land",
        "Land cover maps",
        "Cartes d'occupation du sol",
        ("land cover",),
        ("occupation du sol",),
        ("sentinel-2a", "landsat-8"),
        (10, 30),
        1,
    ),
    CollectionSpec(
        "biodiversity-habitat-maps",
        "biodiversity",
        "Habitat maps",
        "Cartes d'habitats",
        ("habitats", "ecology"),
        ("habitats", "écologie"),
        ("sentinel-2a", "sentinel-2b", "pleiades"),
        (2, 10),
        3,
    ),
    CollectionSpec(
        "biodiversity-vegetation-indices",
        "biodiversity",
        "Vegetation index composites",
        "Composites d'indices de végétation",
        ("NDVI", "vegetation"),
        ("NDVI", "végétation"),
        ("terra", "aqua", "proba-v"),
        (250, 300, 1000),
        2,
    ),
    CollectionSpec(
        "biodiversity-species-occurrences",
        "biodiversity",
        "Species occurrences",
        "Occurrences d'espèces",
        ("species", "occurrences"),
        ("espèces", "occurrences"),
        ("field-survey",),
        (10,),
        1,
        0.9,
    ),
)
_COLLECTION_WEIGHTS = tuple(itertools.accumulate(spec.weight for spec in COLLECTIONS))
PLATFORMS: tuple[str, ...] = tuple(sorted({p for spec in COLLECTIONS for p in spec.platforms}))


def collection_documents() -> list[dict[str, Any]]:
    """The 15 STAC 1.1.0 Collection dicts of the synthetic catalog (English, French translations)."""
    return [_collection_document(spec) for spec in COLLECTIONS]


def _collection_document(spec: CollectionSpec) -> dict[str, Any]:
    provider = POLE_PROVIDERS[spec.pole]
    return {
        "type": "Collection",
        "stac_version": STAC_VERSION,
        "stac_extensions": [],
        "id": spec.id,
        "title": spec.title_en,
        "description": f"{spec.title_en} from the {provider} data centre (synthetic benchmark data).",
        "keywords": [*spec.keywords_en, spec.pole],
        "license": "CC-BY-4.0",
        "providers": [{"name": provider, "roles": ["producer", "host"]}],
        "extent": {
            "spatial": {"bbox": [[-180.0, -90.0, 180.0, 90.0]]},
            "temporal": {"interval": [[_instant(START), _instant(END - 1)]]},
        },
        "summaries": {"platform": list(spec.platforms), "gsd": list(spec.gsd)},
        "links": [],
        "terrapole:pole": spec.pole,
        "terrapole:translations": {
            "fr": {
                "title": spec.title_fr,
                "description": f"{spec.title_fr}, du pôle {provider} (données synthétiques).",
                "keywords": list(spec.keywords_fr),
            }
        },
    }


def items(count: int, seed: int) -> Iterator[dict[str, Any]]:
    """Yield `count` STAC 1.1.0 Item dicts, the same ones for the same seed."""
    rng = random.Random(seed)
    for index in range(count):
        spec = rng.choices(COLLECTIONS, cum_weights=_COLLECTION_WEIGHTS)[0]
        yield _item(rng, index, spec)


def _item(rng: random.Random, index: int, spec: CollectionSpec) -> dict[str, Any]:
    geometry, bbox = _footprint(rng, spec.point_share)
    properties: dict[str, Any] = {"title": title(rng), **_times(rng)}
    properties["eo:cloud_cover"] = round(rng.uniform(0.0, 100.0), 1)
    properties["platform"] = rng.choice(spec.platforms)
    properties["gsd"] = rng.choice(spec.gsd)
    properties["terrapole:pole"] = spec.pole
    item_id = f"{spec.id}-{index:08d}"
    return {
        "type": "Feature",
        "stac_version": STAC_VERSION,
        "stac_extensions": [EO_EXTENSION],
        "id": item_id,
        "collection": spec.id,
        "geometry": geometry,
        "bbox": bbox,
        "properties": properties,
        "links": [],
        "assets": {
            "data": {
                "href": f"https://data.example.org/{spec.pole}/{spec.id}/{item_id}.tif",
                "type": COG,
                "roles": ["data"],
            }
        },
    }


def title(rng: random.Random) -> str:
    """3 to 6 distinct vocabulary words drawn with Zipf-like weights, first letter capitalised."""
    wanted = rng.randint(*TITLE_WORDS)
    words: dict[str, None] = {}
    while len(words) < wanted:
        words[rng.choices(VOCABULARY, cum_weights=_CUMULATIVE_WEIGHTS)[0]] = None
    return " ".join(words).capitalize()


def _footprint(rng: random.Random, point_share: float) -> tuple[dict[str, Any], list[float]]:
    if rng.random() < point_share:
        x = round(rng.uniform(-180.0, 180.0), 5)
        y = round(rng.uniform(-MAX_LATITUDE, MAX_LATITUDE), 5)
        return {"type": "Point", "coordinates": [x, y]}, [x, y, x, y]
    width, height = rng.uniform(*FOOTPRINT_DEGREES), rng.uniform(*FOOTPRINT_DEGREES)
    skew = rng.uniform(-0.2, 0.2) * width
    west = rng.uniform(-180.0 - min(skew, 0.0), 180.0 - width - max(skew, 0.0))
    south = rng.uniform(-MAX_LATITUDE, MAX_LATITUDE - height)
    corners = (
        (west, south),
        (west + width, south),
        (west + width + skew, south + height),
        (west + skew, south + height),
    )
    ring = [[round(x, 5), round(y, 5)] for x, y in corners]
    ring.append(ring[0])
    xs, ys = [p[0] for p in ring], [p[1] for p in ring]
    return {"type": "Polygon", "coordinates": [ring]}, [min(xs), min(ys), max(xs), max(ys)]


def _times(rng: random.Random) -> dict[str, str | None]:
    instant = rng.randrange(START, END)
    if rng.random() >= INTERVAL_SHARE:
        return {"datetime": _instant(instant)}
    end = min(instant + rng.randint(1, MAX_INTERVAL_DAYS) * 86_400, END - 1)
    return {"datetime": None, "start_datetime": _instant(instant), "end_datetime": _instant(end)}


def _instant(seconds: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))


def words_by_rank(first: int, last: int) -> Sequence[str]:
    """Vocabulary words of Zipf ranks first..last (1-based, inclusive): 1 is the most common."""
    return VOCABULARY[first - 1 : last]

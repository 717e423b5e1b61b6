"""The GCMD science keywords and instruments of the synthetic catalog's collections and items.

Labels are GCMD's English ones (KMS 9.1.5), as records harvested from NASA-style catalogues
carry them; `terrapole.vocab` links them to their concepts at ingest.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Topics:
    """A collection's GCMD science keywords, the pool its items draw theirs from, and instruments."""

    collection: tuple[str, ...]
    items: tuple[str, ...]
    instruments: tuple[str, ...]


KEYWORD_SHARE = 0.8
INSTRUMENT_SHARE = 0.6
GCMD_TOPICS: dict[str, Topics] = {
    "atmosphere-no2-grid": Topics(
        ("NITROGEN DIOXIDE", "AIR QUALITY"),
        ("NITROGEN DIOXIDE", "NITROGEN OXIDES", "TROPOSPHERIC OZONE", "EMISSIONS"),
        ("tropomi", "omi"),
    ),
    "atmosphere-aerosol-optical-depth": Topics(
        ("AEROSOL OPTICAL DEPTH/THICKNESS",),
        ("AEROSOL OPTICAL DEPTH/THICKNESS", "DUST/ASH/SMOKE", "PARTICULATE MATTER", "AEROSOL EXTINCTION"),
        ("modis", "slstr"),
    ),
    "atmosphere-cloud-profiles": Topics(
        ("CLOUDS",),
        ("CLOUD VERTICAL DISTRIBUTION", "CLOUD TOP HEIGHT", "CLOUD BASE HEIGHT", "AEROSOL BACKSCATTER"),
        ("caliop", "cpr"),
    ),
    "ocean-sea-surface-temperature": Topics(
        ("SEA SURFACE TEMPERATURE",),
        (
            "SEA SURFACE TEMPERATURE",
            "SEA SURFACE SKIN TEMPERATURE",
            "SEA SURFACE FOUNDATION TEMPERATURE",
            "SEA SURFACE TEMPERATURE ANOMALY",
        ),
        ("slstr", "avhrr", "viirs"),
    ),
    "ocean-colour-chlorophyll": Topics(
        ("OCEAN COLOR",),
        ("CHLOROPHYLL", "OCEAN COLOR", "WATER-LEAVING RADIANCE", "PIGMENTS"),
        ("olci", "modis"),
    ),
    "ocean-argo-profiles": Topics(
        ("WATER TEMPERATURE", "SALINITY"),
        ("WATER TEMPERATURE", "SALINITY", "POTENTIAL TEMPERATURE", "DENSITY"),
        ("ctd",),
    ),
    "solid-earth-insar-displacement": Topics(
        ("CRUSTAL MOTION",), ("CRUSTAL MOTION", "FAULT MOVEMENT", "STRAIN", "LANDSLIDES"), ("c-sar",)
    ),
    "solid-earth-shake-maps": Topics(
        ("EARTHQUAKES",),
        ("EARTHQUAKE MAGNITUDE/INTENSITY", "EARTHQUAKE OCCURRENCES", "SEISMIC PROFILE", "EARTHQUAKES"),
        ("seismometer",),
    ),
    "solid-earth-gnss-positions": Topics(
        ("GEODETICS",),
        ("CRUSTAL MOTION", "POLAR MOTION", "GLOBAL COORDINATE REFERENCE SYSTEM", "GEODETICS"),
        ("gnss",),
    ),
    "land-optical-reflectance": Topics(
        ("REFLECTANCE",), ("REFLECTANCE", "ALBEDO", "VEGETATION INDEX", "SURFACE ROUGHNESS"), ("msi", "oli")
    ),
    "land-soil-moisture": Topics(
        ("SOIL MOISTURE/WATER CONTENT",),
        ("SOIL MOISTURE/WATER CONTENT", "SOIL TEMPERATURE", "SOIL INFILTRATION", "DROUGHTS"),
        ("miras", "radiometer"),
    ),
    "land-cover-maps": Topics(
        ("LAND USE/LAND COVER CLASSIFICATION",),
        ("LAND USE/LAND COVER CLASSIFICATION", "LAND USE CLASSES", "FORESTS", "WETLANDS"),
        ("msi",),
    ),
    "biodiversity-habitat-maps": Topics(
        ("ECOSYSTEMS",), ("TERRESTRIAL ECOSYSTEMS", "WETLANDS", "GRASSLANDS", "FORESTS"), ("msi", "hri")
    ),
    "biodiversity-vegetation-indices": Topics(
        ("VEGETATION INDEX",),
        ("VEGETATION INDEX", "VEGETATION COVER", "BIOMASS", "PLANT PHENOLOGY"),
        ("modis",),
    ),
    "biodiversity-species-occurrences": Topics(
        ("SPECIES/POPULATION INTERACTIONS",),
        (
            "DOMINANT SPECIES",
            "VEGETATION SPECIES",
            "SPECIES/POPULATION INTERACTIONS",
            "PLANT CHARACTERISTICS",
        ),
        ("field-observation",),
    ),
}

"""The thematic poles as the portal presents them: a name and a description in both languages.

The texts follow the presentation of the infrastructure terrapole models (one pole per
compartment of the Earth system, each federating the data centres of its community).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Pole:
    """One thematic pole: its catalog code, names and descriptions per language."""

    code: str
    name: Mapping[str, str]
    description: Mapping[str, str]
    themes: Mapping[str, tuple[str, ...]]


POLE_INFO: Mapping[str, Pole] = {
    "atmosphere": Pole(
        "atmosphere",
        {"en": "Atmosphere", "fr": "Atmosphère"},
        {
            "en": "Characterise and analyse the atmosphere: its dynamics, physics and chemistry, the "
            "evolution of the climate and air quality. The data come from instrumented platforms, "
            "observation networks, instruments on satellites, balloons and aircraft, laboratory "
            "measurements, inventories, models and field campaigns.",
            "fr": "Caractériser et analyser l'atmosphère : dynamique, physique et chimie "
            "atmosphérique, évolution du climat, qualité de l'air. Les données proviennent de "
            "plateformes instrumentées, de réseaux d'observation, d'instruments à bord de "
            "satellites, ballons et avions, de mesures de laboratoire, d'inventaires, de modèles et "
            "de campagnes scientifiques.",
        },
        {
            "en": ("air quality", "emissions of carbon and particles", "effects of forest fires"),
            "fr": ("qualité de l'air", "émissions de carbone et de particules", "effets des feux de forêt"),
        },
    ),
    "ocean": Pole(
        "ocean",
        {"en": "Ocean", "fr": "Océan"},
        {
            "en": "Observe and understand the dynamics of the oceans. The data come from satellite "
            "missions and in-situ instruments: fixed platforms, floats, gliders, radars, cruises "
            "and laboratory measurements.",
            "fr": "Observer et comprendre les dynamiques des océans. Les données proviennent de "
            "missions satellitaires et d'instruments in situ : plateformes fixes, flotteurs, "
            "planeurs, radars, campagnes en mer et mesures en laboratoire.",
        },
        {
            "en": ("coastline monitoring", "water quality", "oxygenation", "laser and lidar bathymetry"),
            "fr": ("suivi du trait de côte", "qualité de l'eau", "oxygénation", "bathymétrie laser et lidar"),
        },
    ),
    "solid-earth": Pole(
        "solid-earth",
        {"en": "Solid Earth", "fr": "Terre solide"},
        {
            "en": "Data services and scientific expertise for the solid Earth: ground deformation, "
            "geodesy, gravimetry, geomagnetism, geochemistry, geology and seismology, with "
            "on-demand processing of satellite imagery to follow ground deformation.",
            "fr": "Services aux données et expertise scientifique de la Terre solide : déformation du "
            "sol, géodésie, gravimétrie, géomagnétisme, géochimie, géologie et sismologie, avec des "
            "traitements à la demande de l'imagerie spatiale pour suivre la déformation du sol.",
        },
        {
            "en": ("ground deformation", "GNSS geodesy", "seismology"),
            "fr": ("déformation du sol", "géodésie GNSS", "sismologie"),
        },
    ),
    "land": Pole(
        "land",
        {"en": "Continental surfaces", "fr": "Surfaces continentales"},
        {
            "en": "Observe the dynamics of continental surfaces and natural resources, from satellite "
            "missions and in-situ instruments: land cover, forest height and biomass, water "
            "surfaces and levels, snow cover, soil moisture and water quality.",
            "fr": "Observer les dynamiques des surfaces continentales et des ressources naturelles, à "
            "partir de missions satellitaires et d'instruments in situ : occupation des sols, "
            "hauteur et biomasse des forêts, surfaces et hauteurs d'eau, couverture neigeuse, "
            "humidité des sols et qualité des eaux.",
        },
        {
            "en": ("land cover", "forests", "inland water", "snow"),
            "fr": ("occupation des sols", "forêts", "eaux continentales", "neige"),
        },
    ),
    "biodiversity": Pole(
        "biodiversity",
        {"en": "Biodiversity", "fr": "Biodiversité"},
        {
            "en": "The living world: species occurrences, habitat maps and vegetation surveys, "
            "shared so that they can be combined with the physical compartments of the Earth system.",
            "fr": "Le monde vivant : observations d'espèces, cartes d'habitats et relevés de "
            "végétation, partagés pour être croisés avec les compartiments physiques du système Terre.",
        },
        {
            "en": ("species occurrences", "habitats", "vegetation"),
            "fr": ("observations d'espèces", "habitats", "végétation"),
        },
    ),
}


def pole_name(code: str | None, lang: str) -> str:
    """The display name of a pole in `lang` (the code itself for a pole the portal does not know)."""
    pole = POLE_INFO.get(code or "")
    return pole.name[lang] if pole else (code or "")

"""Product-specific item properties, one small function per collection profile.

Each profile receives the item's site, timing and the generic properties already set (platform,
gsd...) and returns the properties to add or override. Values are plausible, not measured.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from random import Random
from typing import Any

from terrapole.demo.places import WATER_LEVEL_REFERENCE_M, Site
from terrapole.demo.sampling import Timing

Properties = dict[str, Any]
Profile = Callable[[Random, Site, Timing, Mapping[str, Any]], Properties]

# Operational life of each platform: (first day, last day or None while in service).
PLATFORM_EPOCHS: dict[str, tuple[date, date | None]] = {
    "sentinel-1a": (date(2014, 10, 1), None),
    "sentinel-1b": (date(2016, 9, 26), date(2021, 12, 23)),
    "sentinel-2a": (date(2015, 6, 23), None),
    "sentinel-2b": (date(2017, 3, 7), None),
    "sentinel-2c": (date(2024, 9, 5), None),
    "sentinel-3a": (date(2016, 2, 16), None),
    "sentinel-3b": (date(2018, 4, 25), None),
    "sentinel-6a": (date(2020, 11, 21), None),
    "jason-3": (date(2016, 1, 17), None),
    "swot": (date(2023, 7, 11), None),
    "landsat-8": (date(2013, 4, 11), None),
    "pleiades-1a": (date(2011, 12, 17), None),
    "pleiades-1b": (date(2012, 12, 2), None),
    "spot-6": (date(2012, 9, 9), None),
    "spot-7": (date(2014, 6, 30), date(2023, 3, 17)),
}

PLATFORM_INSTRUMENTS: dict[str, tuple[str, ...]] = {
    "sentinel-1a": ("c-sar",),
    "sentinel-1b": ("c-sar",),
    "sentinel-2a": ("msi",),
    "sentinel-2b": ("msi",),
    "sentinel-2c": ("msi",),
    "sentinel-3a": ("olci", "slstr", "sral"),
    "sentinel-3b": ("olci", "slstr", "sral"),
    "sentinel-6a": ("poseidon-4",),
    "jason-3": ("poseidon-3b",),
    "swot": ("karin",),
    "landsat-8": ("oli", "tirs"),
    "pleiades-1a": ("phr",),
    "pleiades-1b": ("phr",),
    "spot-6": ("naomi",),
    "spot-7": ("naomi",),
}


def choose_platform(rng: Random, platforms: tuple[str, ...], when: datetime) -> str:
    """A platform of ``platforms`` in service on ``when`` (the first one if none was)."""
    day = when.date()
    active = [
        name
        for name in platforms
        if name in PLATFORM_EPOCHS
        and PLATFORM_EPOCHS[name][0] <= day
        and (PLATFORM_EPOCHS[name][1] or day) >= day
    ]
    return rng.choice(active) if active else platforms[0]


def platform_instruments(platform: str, instruments: tuple[str, ...]) -> list[str]:
    """The collection's instruments carried by ``platform`` (all of them if unknown)."""
    carried = PLATFORM_INSTRUMENTS.get(platform, instruments)
    return [name for name in instruments if name in carried] or list(instruments)


def _seasonal(moment: datetime, coldest_day: int = 30) -> float:
    """-1 on the coldest day of the year, +1 half a year later."""
    day_of_year = moment.timetuple().tm_yday
    return -math.cos(2 * math.pi * (day_of_year - coldest_day) / 365.25)


def _air_quality(rng: Random, site: Site, timing: Timing, base: Mapping[str, Any]) -> Properties:
    national = site.code == "FRANCE"
    no2 = rng.lognormvariate(math.log(9.0 if national else 24.0), 0.4)
    return {
        "domain": site.name,
        "model": "CHIMERE",
        "variables": ["NO2", "O3", "PM10", "PM2.5"],
        "units": "ug m-3",
        "no2_mean": round(no2, 1),
        "gsd": 11000.0 if national else 1000.0,
    }


def _lidar(rng: Random, site: Site, timing: Timing, base: Mapping[str, Any]) -> Properties:
    return {
        "station_id": site.code,
        "station_name": site.name,
        "wavelengths_nm": [355, 532, 1064],
        "aerosol_optical_depth_532": round(rng.lognormvariate(math.log(0.12), 0.6), 3),
        "boundary_layer_height_m": rng.randrange(300, 2600, 10),
    }


def _radiosonde(rng: Random, site: Site, timing: Timing, base: Mapping[str, Any]) -> Properties:
    return {
        "wmo_id": site.code,
        "station_name": site.name,
        "sonde_model": "Meteomodem M10" if timing.reference.year >= 2011 else "Meteomodem M2K2",
        "burst_altitude_m": int(rng.gauss(28500, 2500)),
        "levels": rng.randint(2500, 6000),
    }


_CAMPAIGN_INSTRUMENTS: dict[str, list[str]] = {
    "SIRTA": ["ptr-tof-ms", "acsm", "doppler-lidar"],
    "RAMBOUILLET": ["ptr-tof-ms", "ozone-analyser", "eddy-covariance"],
    "JUSSIEU": ["nox-analyser", "acsm", "ceilometer"],
    "SACLAY": ["ozone-analyser", "aethalometer"],
}


def _campaign(rng: Random, site: Site, timing: Timing, base: Mapping[str, Any]) -> Properties:
    return {
        "campaign": "ACROSS",
        "site_id": site.code,
        "site_name": site.name,
        "instruments": list(_CAMPAIGN_INSTRUMENTS[site.code]),
    }


def _sst(rng: Random, site: Site, timing: Timing, base: Mapping[str, Any]) -> Properties:
    moment = timing.reference
    warming = 0.04 * (moment.year - 2008)  # about +0.4 °C per decade
    mean = 18.5 + 5.0 * _seasonal(moment, coldest_day=45) + warming + rng.gauss(0, 0.5)
    return {
        "processing_level": "L4",
        "variables": ["analysed_sst", "analysis_error", "mask"],
        "sst_mean_celsius": round(mean, 2),
    }


def _coastline(rng: Random, site: Site, timing: Timing, base: Mapping[str, Any]) -> Properties:
    # Mud banks migrating along the Guiana coast move the shoreline far faster than elsewhere.
    spread = 25.0 if site.region == "guyane" else 1.5
    return {
        "site_name": site.name,
        "shoreline_indicators": ["waterline", "vegetation line"],
        "shoreline_change_m_per_year": round(rng.gauss(-0.8, spread), 2),
        "positional_uncertainty_m": round(rng.uniform(1.5, 4.0), 1),
    }


def _water_quality(rng: Random, site: Site, timing: Timing, base: Mapping[str, Any]) -> Properties:
    ocean_colour = str(base.get("platform", "")).startswith("sentinel-3")
    return {
        "site_name": site.name,
        "variables": ["turbidity", "suspended_particulate_matter", "chlorophyll_a"],
        "turbidity_median_fnu": round(rng.lognormvariate(math.log(6.0), 0.9), 2),
        "chlorophyll_a_median_mg_m3": round(rng.lognormvariate(math.log(1.5), 0.7), 2),
        "gsd": 300.0 if ocean_colour else 20.0,
    }


_VERTICAL_DATUMS: dict[str, str] = {
    "france-mainland": "NGF-IGN69",
    "guadeloupe": "IGN 1988",
    "martinique": "IGN 1987",
    "reunion": "IGN 1989",
    "mayotte": "SHOM 1953",
    "nouvelle-caledonie": "NGNC08",
    "polynesie": "NGPF",
}


def _bathymetry(rng: Random, site: Site, timing: Timing, base: Mapping[str, Any]) -> Properties:
    return {
        "survey": f"{site.name} {timing.reference.year}",
        "vertical_datum": _VERTICAL_DATUMS[site.region],
        "depth_max_m": round(rng.uniform(8.0, 45.0), 1),
        "elevation_max_m": round(rng.uniform(5.0, 60.0), 1),
        "point_density_per_m2": round(rng.uniform(1.0, 8.0), 1),
    }


# Approximate ITRF2020 horizontal velocities (east, north) in mm/yr of each territory's plate.
_PLATE_VELOCITIES: dict[str, tuple[float, float]] = {
    "france-mainland": (20.0, 16.0),
    "guadeloupe": (11.0, 13.0),
    "martinique": (11.0, 13.0),
    "guyane": (-5.0, 12.0),
    "reunion": (17.0, 13.0),
    "mayotte": (22.0, 12.0),
    "nouvelle-caledonie": (20.0, 56.0),
    "polynesie": (-66.0, 33.0),
}
_IGS_STATIONS = frozenset({"ABMF", "BRST", "GRAS", "KOUR", "MAYG", "MLVL", "NOUM", "REUN", "THTI"})


def _gnss(rng: Random, site: Site, timing: Timing, base: Mapping[str, Any]) -> Properties:
    years = (timing.reference - datetime(2015, 1, 1, tzinfo=UTC)).days / 365.25
    east, north = _PLATE_VELOCITIES[site.region]
    return {
        "station_id": site.code,
        "station_name": site.name,
        "network": "IGS" if site.code[:4] in _IGS_STATIONS else "RENAG",
        "reference_frame": "ITRF2020",
        "reference_epoch": "2015-01-01",
        "sampling_interval_s": 30,
        "east_mm": round(east * years + rng.gauss(0, 1.5), 1),
        "north_mm": round(north * years + rng.gauss(0, 1.5), 1),
        "up_mm": round(rng.gauss(0, 5.0), 1),
    }


def _insar(rng: Random, site: Site, timing: Timing, base: Mapping[str, Any]) -> Properties:
    assert timing.start is not None and timing.end is not None
    acquisitions = (timing.end - timing.start).days // 12
    return {
        "constellation": "sentinel-1",
        "sat:orbit_state": "ascending" if site.code.startswith("A") else "descending",
        "sat:relative_orbit": int(site.code[1:4]),
        "processing_chain": "FLATSIM",
        "frame_name": site.name,
        "acquisitions": acquisitions,
        "velocity_min_mm_per_year": round(-rng.uniform(4.0, 40.0), 1),
        "velocity_max_mm_per_year": round(rng.uniform(2.0, 15.0), 1),
    }


_DEPTH_RANGES_KM: dict[str, tuple[float, float]] = {
    "ANTILLES": (5.0, 150.0),
    "MAYOTTE": (25.0, 50.0),
    "FOURNAISE": (0.5, 3.0),
}


def _seismic(rng: Random, site: Site, timing: Timing, base: Mapping[str, Any]) -> Properties:
    # Gutenberg-Richter law with b = 1: magnitudes above 0.8 decay tenfold per unit.
    magnitude = min(6.5, 0.8 + rng.expovariate(math.log(10)))
    shallow, deep = _DEPTH_RANGES_KM.get(site.code, (1.0, 15.0))
    return {
        "seismic_zone": site.name,
        "event_type": "earthquake",
        "magnitude": round(magnitude, 1),
        "magnitude_type": "ML" if magnitude < 4.0 else "Mw",
        "depth_km": round(rng.uniform(shallow, deep), 1),
    }


def _land_cover(rng: Random, site: Site, timing: Timing, base: Mapping[str, Any]) -> Properties:
    classes = 23 if timing.reference.year >= 2018 else 17
    return {
        "tile_id": site.code,
        "nomenclature": f"OSO {classes} classes",
        "classes": classes,
        "classification_chain": "iota2",
        "overall_accuracy": round(rng.uniform(0.86, 0.93), 3),
    }


def _forest(rng: Random, site: Site, timing: Timing, base: Mapping[str, Any]) -> Properties:
    return {
        "tile_id": site.code,
        "model": "FORMS",
        "variables": ["canopy_height", "wood_volume", "aboveground_biomass"],
        "mean_canopy_height_m": round(rng.uniform(11.0, 24.0), 1),
        "forest_cover_percent": round(rng.uniform(8.0, 65.0), 1),
    }


# Seasonal half-range of the water-surface height, in metres (default 1.5 m for rivers).
_WATER_LEVEL_AMPLITUDE_M: dict[str, float] = {
    "L_LEMAN": 0.3,
    "L_BOURGET": 0.8,
    "L_SERRE_PONCON": 10.0,
    "L_DER": 5.0,
    "L_SAINTE_CROIX": 3.0,
    "L_PETIT_SAUT": 2.0,
}


def _water_level(rng: Random, site: Site, timing: Timing, base: Mapping[str, Any]) -> Properties:
    amplitude = _WATER_LEVEL_AMPLITUDE_M.get(site.code, 1.5)
    height = WATER_LEVEL_REFERENCE_M[site.code] - amplitude * _seasonal(timing.reference)
    return {
        "station_id": site.code,
        "water_body": site.name,
        "water_surface_height_m": round(height + rng.gauss(0, 0.15 * amplitude), 2),
        "uncertainty_m": round(rng.uniform(0.05, 0.4), 2),
        "geoid": "EGM2008",
    }


def _snow(rng: Random, site: Site, timing: Timing, base: Mapping[str, Any]) -> Properties:
    winter = max(0.0, -_seasonal(timing.reference, coldest_day=40))
    return {
        "tile_id": site.code,
        "snow_cover_percent": round(min(100.0, 45.0 * winter * rng.uniform(0.3, 1.6)), 1),
        "snowline_elevation_m": int(rng.uniform(2400, 2900) - 1300 * winter),
    }


def _sentinel2(rng: Random, site: Site, timing: Timing, base: Mapping[str, Any]) -> Properties:
    return {
        "tile_id": site.code,
        "product_level": "L2A",
        "processing_chain": "MAJA",
        "processing_version": "4.1",
    }


_SPECIES: dict[str, tuple[tuple[str, str], ...]] = {
    "ALPS": (
        ("Canis lupus", "Loup gris"),
        ("Rupicapra rupicapra", "Chamois"),
        ("Aquila chrysaetos", "Aigle royal"),
        ("Gypaetus barbatus", "Gypaète barbu"),
    ),
    "JURA": (("Lynx lynx", "Lynx boréal"), ("Tetrao urogallus", "Grand tétras")),
    "PYRENEES": (
        ("Ursus arctos", "Ours brun"),
        ("Galemys pyrenaicus", "Desman des Pyrénées"),
        ("Gypaetus barbatus", "Gypaète barbu"),
    ),
    "CAMARGUE": (("Phoenicopterus roseus", "Flamant rose"), ("Emys orbicularis", "Cistude d'Europe")),
    "BRITTANY": (("Halichoerus grypus", "Phoque gris"), ("Tursiops truncatus", "Grand dauphin")),
    "LOIRE": (("Castor fiber", "Castor d'Europe"), ("Salmo salar", "Saumon atlantique")),
    "PROVENCE-COAST": (("Posidonia oceanica", "Posidonie"), ("Pinna nobilis", "Grande nacre")),
    "CORSICA": (("Sitta whiteheadi", "Sittelle corse"), ("Testudo hermanni", "Tortue d'Hermann")),
    "GUADELOUPE": (("Chelonia mydas", "Tortue verte"), ("Melanerpes herminieri", "Pic de la Guadeloupe")),
    "MARTINIQUE": (
        ("Bothrops lanceolatus", "Trigonocéphale"),
        ("Eretmochelys imbricata", "Tortue imbriquée"),
    ),
    "GUYANE": (
        ("Panthera onca", "Jaguar"),
        ("Dermochelys coriacea", "Tortue luth"),
        ("Trichechus manatus", "Lamantin des Antilles"),
    ),
    "REUNION": (
        ("Pterodroma baraui", "Pétrel de Barau"),
        ("Phelsuma borbonica", "Gecko vert de Bourbon"),
        ("Megaptera novaeangliae", "Baleine à bosse"),
    ),
    "MAYOTTE": (
        ("Dugong dugon", "Dugong"),
        ("Eulemur fulvus", "Maki de Mayotte"),
        ("Chelonia mydas", "Tortue verte"),
    ),
    "NOUVELLE-CALEDONIE": (("Rhynochetos jubatus", "Cagou"), ("Araucaria columnaris", "Pin colonnaire")),
    "TAHITI": (("Megaptera novaeangliae", "Baleine à bosse"), ("Pomarea nigra", "Monarque de Tahiti")),
}


def _occurrence(rng: Random, site: Site, timing: Timing, base: Mapping[str, Any]) -> Properties:
    species, vernacular = rng.choice(_SPECIES[site.code])
    return {
        "title": f"{species}, {base['title']}",
        "species": species,
        "vernacular_name_fr": vernacular,
        "taxon_rank": "species",
        "basis_of_record": rng.choice(("HumanObservation", "HumanObservation", "MachineObservation")),
        "individual_count": rng.choice((1, 1, 1, 2, 3, 5)),
        "coordinate_uncertainty_m": rng.choice((10, 50, 100, 500, 1000)),
    }


def _habitat(rng: Random, site: Site, timing: Timing, base: Mapping[str, Any]) -> Properties:
    return {
        "site_name": site.name,
        "habitat_typology": ["EUNIS", "HABREF"],
        "habitat_types": rng.randint(8, 60),
        "mapping_scale": rng.choice(("1:5000", "1:10000", "1:25000")),
        "survey_method": rng.choice(
            ("field survey", "photo-interpretation", "field survey and photo-interpretation")
        ),
    }


_DOMINANT_PLANTS: dict[str, tuple[str, ...]] = {
    "france-mainland": (
        "Quercus robur",
        "Fagus sylvatica",
        "Calluna vulgaris",
        "Quercus ilex",
        "Arrhenatherum elatius",
        "Brachypodium rupestre",
        "Pinus sylvestris",
    ),
    "guyane": ("Eperua falcata", "Dicorynia guianensis", "Vouacapoua americana"),
    "reunion": ("Acacia heterophylla", "Erica reunionensis", "Sophora denudata"),
    "guadeloupe": ("Dacryodes excelsa", "Tabebuia heterophylla"),
}


def _vegetation(rng: Random, site: Site, timing: Timing, base: Mapping[str, Any]) -> Properties:
    forest = site.region != "france-mainland"
    return {
        "survey_zone": site.name,
        "method": "Braun-Blanquet",
        "plot_area_m2": 400 if forest else rng.choice((4, 16, 25, 50, 100, 400)),
        "species_count": rng.randint(40, 180) if forest else rng.randint(5, 60),
        "total_cover_percent": rng.randint(30, 100),
        "dominant_species": rng.choice(_DOMINANT_PLANTS[site.region]),
    }


PROFILES: dict[str, Profile] = {
    "air_quality": _air_quality,
    "lidar": _lidar,
    "radiosonde": _radiosonde,
    "campaign": _campaign,
    "sst": _sst,
    "coastline": _coastline,
    "water_quality": _water_quality,
    "bathymetry": _bathymetry,
    "gnss": _gnss,
    "insar": _insar,
    "seismic": _seismic,
    "land_cover": _land_cover,
    "forest": _forest,
    "water_level": _water_level,
    "snow": _snow,
    "sentinel2": _sentinel2,
    "occurrence": _occurrence,
    "habitat": _habitat,
    "vegetation": _vegetation,
}

ITEM_ID_PREFIXES: dict[str, str] = {
    "air_quality": "AQ_ANALYSIS",
    "lidar": "LIDAR_L2",
    "radiosonde": "RS",
    "campaign": "ACROSS_L2",
    "sst": "SST_L4",
    "coastline": "TDC",
    "water_quality": "WQ",
    "bathymetry": "LIDAR_TOPOBATHY",
    "gnss": "GNSS_POS",
    "insar": "FLATSIM_S1",
    "seismic": "EVT",
    "land_cover": "OSO",
    "forest": "FORMS",
    "water_level": "HYDROWEB",
    "snow": "LIS_SNOW",
    "sentinel2": "L2A",
    "occurrence": "OCC",
    "habitat": "HABITATS",
    "vegetation": "RELEVE",
}

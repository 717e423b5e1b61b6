"""Demo collections of the atmosphere pole (AERIS-like)."""

from __future__ import annotations

from terrapole.demo import places
from terrapole.demo.spec import (
    CSV,
    NETCDF,
    PNG,
    THUMBNAIL,
    AssetSpec,
    Bilingual,
    CollectionSpec,
    Footprint,
    Schedule,
)

AIR_QUALITY_HOURLY = CollectionSpec(
    id="atmosphere-air-quality-analysis-hourly",
    pole="atmosphere",
    title=Bilingual(
        "Hourly air-quality analyses (NO2, O3, PM10, PM2.5) over France",
        "Analyses horaires de la qualité de l'air (NO2, O3, PM10, PM2,5) sur la France",
    ),
    description=Bilingual(
        "Hourly surface concentration fields of nitrogen dioxide, ozone and particulate matter "
        "(PM10, PM2.5) obtained by assimilating monitoring-network observations into the CHIMERE "
        "chemistry-transport model. A national 0.1° grid is complemented by 1 km urban zooms over "
        "the largest conurbations of mainland France and the Antilles. Concentrations are given "
        "in micrograms per cubic metre, one NetCDF file per pollutant and hour.",
        "Champs horaires de concentration en surface du dioxyde d'azote, de l'ozone et des "
        "particules (PM10, PM2,5), obtenus par assimilation des observations des réseaux de "
        "surveillance dans le modèle de chimie-transport CHIMERE. Une grille nationale à 0,1° est "
        "complétée par des zooms urbains à 1 km sur les principales agglomérations de métropole "
        "et des Antilles. Les concentrations sont exprimées en microgrammes par mètre cube, à "
        "raison d'un fichier NetCDF par polluant et par heure.",
    ),
    keywords_en=(
        "ATMOSPHERIC CHEMISTRY",
        "NITROGEN DIOXIDE",
        "OZONE",
        "PARTICULATE MATTER",
        "AIR QUALITY",
        "air pollution",
        "analysis",
        "CHIMERE",
        "urban",
    ),
    keywords_fr=(
        "chimie atmosphérique",
        "dioxyde d'azote",
        "ozone",
        "particules fines",
        "qualité de l'air",
        "pollution de l'air",
        "analyse",
        "CHIMERE",
        "urbain",
    ),
    license="etalab-2.0",
    providers=(
        ("ineris", ("producer", "licensor")),
        ("meteo-france", ("producer",)),
        ("aeris", ("processor", "host")),
    ),
    sites=places.AIR_QUALITY_DOMAINS,
    footprint=Footprint("box", 0.6, 0.45, sizes=(("FRANCE", 15.0, 10.0),)),
    schedule=Schedule("hourly", "2021-01-01"),
    profile="air_quality",
    item_title="Hourly air-quality analysis",
    assets=(
        AssetSpec("no2", "_no2.nc", NETCDF, "Nitrogen dioxide (NO2) concentration"),
        AssetSpec("o3", "_o3.nc", NETCDF, "Ozone (O3) concentration"),
        AssetSpec("pm10", "_pm10.nc", NETCDF, "PM10 concentration"),
        AssetSpec("pm25", "_pm25.nc", NETCDF, "PM2.5 concentration"),
        THUMBNAIL,
    ),
    weight=12,
    gsd=1000.0,
    crs="EPSG:4326",
    extensions=("proj",),
)

LIDAR_PROFILES = CollectionSpec(
    id="atmosphere-lidar-aerosol-profiles",
    pole="atmosphere",
    title=Bilingual(
        "Aerosol lidar profiles from ACTRIS-France stations",
        "Profils lidar d'aérosols des stations ACTRIS-France",
    ),
    description=Bilingual(
        "Vertical profiles of aerosol backscatter and extinction coefficients and of the volume "
        "depolarisation ratio measured by multi-wavelength Raman lidars (355, 532 and 1064 nm) at "
        "French ACTRIS observatories. Each file holds a one-hour averaged profile from the ground "
        "up to 15 km, with quality flags and the derived planetary boundary-layer height. The "
        "network documents desert-dust intrusions, biomass-burning plumes and volcanic aerosols "
        "above France and La Réunion.",
        "Profils verticaux des coefficients de rétrodiffusion et d'extinction des aérosols et du "
        "rapport de dépolarisation volumique mesurés par des lidars Raman multi-longueurs d'onde "
        "(355, 532 et 1064 nm) dans les observatoires français d'ACTRIS. Chaque fichier contient "
        "un profil moyenné sur une heure du sol jusqu'à 15 km, avec des indicateurs de qualité et "
        "la hauteur de la couche limite déduite. Le réseau documente les intrusions de poussières "
        "désertiques, les panaches de feux de biomasse et les aérosols volcaniques au-dessus de "
        "la France et de La Réunion.",
    ),
    keywords_en=(
        "AEROSOLS",
        "AEROSOL BACKSCATTER",
        "AEROSOL EXTINCTION",
        "LIDAR",
        "ACTRIS",
        "vertical profile",
        "boundary layer",
        "desert dust",
    ),
    keywords_fr=(
        "aérosols",
        "rétrodiffusion des aérosols",
        "extinction des aérosols",
        "lidar",
        "ACTRIS",
        "profil vertical",
        "couche limite",
        "poussières désertiques",
    ),
    license="CC-BY-4.0",
    providers=(("cnrs", ("producer", "licensor")), ("aeris", ("processor", "host"))),
    sites=places.LIDAR_STATIONS,
    footprint=Footprint("point"),
    schedule=Schedule("profile", "2000-01-01"),
    profile="lidar",
    item_title="Aerosol lidar profile",
    assets=(
        AssetSpec("data", "_profile.nc", NETCDF, "Aerosol optical properties profile"),
        AssetSpec("quicklook", "_quicklook.png", PNG, "Range-corrected signal", ("overview",)),
    ),
    weight=4,
    instruments=("raman-lidar",),
)

RADIOSONDE_PROFILES = CollectionSpec(
    id="atmosphere-radiosonde-profiles",
    pole="atmosphere",
    title=Bilingual(
        "Operational radiosonde profiles from Météo-France upper-air stations",
        "Profils de radiosondages opérationnels des stations aérologiques de Météo-France",
    ),
    description=Bilingual(
        "Vertical profiles of pressure, temperature, humidity and wind measured twice a day by "
        "balloon-borne radiosondes launched from the upper-air stations of Météo-France in "
        "mainland France and overseas. Profiles reach the lower stratosphere, typically 25 to "
        "30 km, and are provided at full vertical resolution after quality control. They are a "
        "reference for weather forecasting, climate monitoring and satellite validation.",
        "Profils verticaux de pression, de température, d'humidité et de vent mesurés deux fois "
        "par jour par des radiosondes emportées sous ballon depuis les stations aérologiques de "
        "Météo-France en métropole et outre-mer. Les profils atteignent la basse stratosphère, "
        "généralement entre 25 et 30 km, et sont fournis à pleine résolution verticale après "
        "contrôle qualité. Ils servent de référence pour la prévision météorologique, le suivi du "
        "climat et la validation des mesures satellitaires.",
    ),
    keywords_en=(
        "ATMOSPHERIC TEMPERATURE",
        "HUMIDITY",
        "UPPER LEVEL WINDS",
        "ATMOSPHERIC PRESSURE",
        "radiosonde",
        "upper-air sounding",
        "weather balloon",
    ),
    keywords_fr=(
        "température atmosphérique",
        "humidité",
        "vents en altitude",
        "pression atmosphérique",
        "radiosonde",
        "sondage aérologique",
        "ballon météorologique",
    ),
    license="etalab-2.0",
    providers=(("meteo-france", ("producer", "licensor")), ("aeris", ("host",))),
    sites=places.RADIOSONDE_STATIONS,
    footprint=Footprint("point"),
    schedule=Schedule("synoptic", "2005-01-01"),
    profile="radiosonde",
    item_title="Radiosonde profile",
    assets=(AssetSpec("data", "_profile.csv", CSV, "Pressure, temperature, humidity and wind"),),
    weight=6,
    instruments=("radiosonde",),
)

ACROSS_CAMPAIGN = CollectionSpec(
    id="atmosphere-across-2022-campaign",
    pole="atmosphere",
    title=Bilingual(
        "ACROSS 2022 field campaign: urban plume and forest atmospheric chemistry",
        "Campagne de terrain ACROSS 2022 : chimie atmosphérique du panache urbain et de la forêt",
    ),
    description=Bilingual(
        "Ground-based measurements from the ACROSS field campaign, held in the Paris region in "
        "June and July 2022 to study how the Paris urban plume mixes with biogenic emissions from "
        "the Rambouillet forest. Sites in central Paris, on the Saclay plateau and in the forest "
        "measured trace gases, volatile organic compounds, aerosol composition and meteorology. "
        "Data are under embargo for the campaign participants until the first results are "
        "published.",
        "Mesures au sol de la campagne de terrain ACROSS, menée en région parisienne en juin et "
        "juillet 2022 pour étudier le mélange du panache urbain parisien avec les émissions "
        "biogéniques de la forêt de Rambouillet. Des sites au centre de Paris, sur le plateau de "
        "Saclay et en forêt ont mesuré les gaz traces, les composés organiques volatils, la "
        "composition des aérosols et la météorologie. Les données sont sous embargo pour les "
        "participants de la campagne jusqu'à la publication des premiers résultats.",
    ),
    keywords_en=(
        "ATMOSPHERIC CHEMISTRY",
        "VOLATILE ORGANIC COMPOUNDS",
        "AEROSOLS",
        "field campaign",
        "urban plume",
        "biogenic emissions",
        "Paris",
    ),
    keywords_fr=(
        "chimie atmosphérique",
        "composés organiques volatils",
        "aérosols",
        "campagne de terrain",
        "panache urbain",
        "émissions biogéniques",
        "Paris",
    ),
    license="CC-BY-4.0",
    providers=(("cnrs", ("producer", "licensor")), ("aeris", ("processor", "host"))),
    sites=places.CAMPAIGN_SITES,
    footprint=Footprint("point"),
    schedule=Schedule("daily", "2022-06-13", "2022-07-25"),
    profile="campaign",
    item_title="ACROSS daily measurements",
    assets=(AssetSpec("data", "_l2.nc", NETCDF, "Quality-controlled level-2 measurements"),),
    weight=2,
    access="embargo",
)

COLLECTIONS: tuple[CollectionSpec, ...] = (
    AIR_QUALITY_HOURLY,
    LIDAR_PROFILES,
    RADIOSONDE_PROFILES,
    ACROSS_CAMPAIGN,
)

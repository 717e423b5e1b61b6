"""Demo collections of the continental-surfaces pole (THEIA-like)."""

from __future__ import annotations

from terrapole.demo import places
from terrapole.demo.spec import (
    COG,
    CSV,
    SENTINEL2_BANDS,
    THUMBNAIL,
    AssetSpec,
    Bilingual,
    CollectionSpec,
    Footprint,
    Schedule,
)

_SENTINEL2 = ("sentinel-2a", "sentinel-2b", "sentinel-2c")

LAND_COVER = CollectionSpec(
    id="land-cover-oso-yearly",
    pole="land",
    title=Bilingual(
        "OSO land cover map of mainland France (23 classes, yearly, 10 m)",
        "Carte d'occupation des sols OSO de la France métropolitaine (23 classes, annuelle, 10 m)",
    ),
    description=Bilingual(
        "Yearly land cover maps of mainland France produced from Sentinel-2 time series and "
        "exogenous data (climate, land-parcel register) with the open-source iota2 processing "
        "chain. Since 2018 the nomenclature has 23 classes, compatible with the 17 classes of the "
        "2016 and 2017 editions. Maps are distributed per 1° tile as cloud-optimised GeoTIFFs in "
        "Lambert-93, with a confidence layer.",
        "Cartes annuelles d'occupation des sols de la France métropolitaine produites à partir "
        "des séries temporelles Sentinel-2 et de données exogènes (climat, registre parcellaire) "
        "avec la chaîne de traitement libre iota2. Depuis 2018, la nomenclature compte 23 "
        "classes, compatibles avec les 17 classes des millésimes 2016 et 2017. Les cartes sont "
        "diffusées par tuile de 1° en GeoTIFF optimisés pour le cloud, en Lambert-93, avec une "
        "couche de confiance.",
    ),
    keywords_en=(
        "LAND COVER",
        "LAND USE CLASSES",
        "Sentinel-2",
        "OSO",
        "iota2",
        "classification",
        "agriculture",
        "urban",
    ),
    keywords_fr=(
        "occupation des sols",
        "classes d'utilisation des terres",
        "Sentinel-2",
        "OSO",
        "iota2",
        "classification",
        "agriculture",
        "urbain",
    ),
    license="etalab-2.0",
    providers=(("cesbio", ("producer", "licensor")), ("theia", ("processor", "host"))),
    sites=places.MAINLAND_TILES,
    footprint=Footprint("box", 1.0, 1.0),
    schedule=Schedule("yearly", "2016-01-01", "2024-12-31"),
    profile="land_cover",
    item_title="OSO land cover",
    assets=(
        AssetSpec("classification", "_landcover.tif", COG, "Land cover classes"),
        AssetSpec("confidence", "_confidence.tif", COG, "Classifier confidence"),
        THUMBNAIL,
    ),
    weight=5,
    platforms=("sentinel-2a", "sentinel-2b"),
    instruments=("msi",),
    gsd=10.0,
    crs="EPSG:2154",
    extensions=("proj",),
)

FOREST = CollectionSpec(
    id="land-forest-height-biomass",
    pole="land",
    title=Bilingual(
        "Forest canopy height, wood volume and aboveground biomass maps (FORMS)",
        "Cartes de hauteur de canopée, de volume de bois et de biomasse aérienne des forêts (FORMS)",
    ),
    description=Bilingual(
        "Maps of forest canopy height, standing wood volume and aboveground biomass over mainland "
        "France derived from Sentinel-1, Sentinel-2 and GEDI lidar data with a deep-learning "
        "approach (FORMS, Schwartz et al., 2023). Height is mapped at 10 m and volume and biomass "
        "at 30 m for 2020, 2022 and 2023, in support of forest carbon-stock accounting. Each tile "
        "comes with a per-pixel uncertainty estimate.",
        "Cartes de hauteur de canopée, de volume de bois sur pied et de biomasse aérienne des "
        "forêts de France métropolitaine, dérivées des données Sentinel-1, Sentinel-2 et du "
        "lidar GEDI par apprentissage profond (FORMS, Schwartz et al., 2023). La hauteur est "
        "cartographiée à 10 m, le volume et la biomasse à 30 m, pour 2020, 2022 et 2023, au "
        "service du calcul des stocks de carbone forestier. Chaque tuile est accompagnée d'une "
        "estimation d'incertitude par pixel.",
    ),
    keywords_en=(
        "FORESTS",
        "BIOMASS",
        "CARBON",
        "VEGETATION HEIGHT",
        "canopy height",
        "wood volume",
        "GEDI",
        "deep learning",
    ),
    keywords_fr=(
        "forêts",
        "biomasse",
        "carbone",
        "hauteur de la végétation",
        "hauteur de canopée",
        "volume de bois",
        "GEDI",
        "apprentissage profond",
    ),
    license="CC-BY-4.0",
    providers=(("lsce", ("producer", "licensor")), ("theia", ("host",))),
    sites=places.MAINLAND_TILES,
    footprint=Footprint("box", 1.0, 1.0),
    schedule=Schedule("yearly", "2020-01-01", "2023-12-31", years=(2020, 2022, 2023)),
    profile="forest",
    item_title="Forest structure (FORMS)",
    assets=(
        AssetSpec("height", "_height.tif", COG, "Canopy height (m, 10 m)"),
        AssetSpec("volume", "_volume.tif", COG, "Wood volume (m3/ha, 30 m)"),
        AssetSpec("biomass", "_biomass.tif", COG, "Aboveground biomass (Mg/ha, 30 m)"),
        THUMBNAIL,
    ),
    weight=3,
    platforms=("sentinel-1a", "sentinel-2a", "sentinel-2b", "gedi"),
    instruments=("c-sar", "msi", "gedi-lidar"),
    gsd=10.0,
    crs="EPSG:2154",
    extensions=("proj",),
)

WATER_LEVELS = CollectionSpec(
    id="land-water-levels-altimetry",
    pole="land",
    title=Bilingual(
        "Lake and river water levels from satellite altimetry (Hydroweb)",
        "Niveaux d'eau des lacs et des rivières par altimétrie satellitaire (Hydroweb)",
    ),
    description=Bilingual(
        "Water-surface heights of lakes, reservoirs and rivers measured at virtual stations, "
        "where the ground tracks of Jason-3, Sentinel-3, Sentinel-6 and SWOT cross water bodies. "
        "Heights are given in metres above the EGM2008 geoid with their uncertainty, one value "
        "per satellite pass. Stations cover the main French rivers and lakes and the large rivers "
        "and the Petit-Saut reservoir of French Guiana.",
        "Hauteurs de la surface de l'eau des lacs, des réservoirs et des rivières mesurées aux "
        "stations virtuelles, là où les traces au sol de Jason-3, Sentinel-3, Sentinel-6 et SWOT "
        "croisent les plans d'eau. Les hauteurs sont exprimées en mètres au-dessus du géoïde "
        "EGM2008 avec leur incertitude, une valeur par passage du satellite. Les stations "
        "couvrent les principaux fleuves et lacs français ainsi que les grands fleuves et le "
        "réservoir de Petit-Saut en Guyane.",
    ),
    keywords_en=(
        "SURFACE WATER",
        "LAKES/RESERVOIRS",
        "RIVERS/STREAMS",
        "radar altimetry",
        "virtual station",
        "hydrology",
        "SWOT",
    ),
    keywords_fr=(
        "eaux de surface",
        "lacs et réservoirs",
        "fleuves et rivières",
        "altimétrie radar",
        "station virtuelle",
        "hydrologie",
        "SWOT",
    ),
    license="CC-BY-4.0",
    providers=(
        ("legos", ("producer",)),
        ("cnes", ("producer", "licensor")),
        ("theia", ("host",)),
    ),
    sites=places.WATER_LEVEL_STATIONS,
    footprint=Footprint("point"),
    schedule=Schedule("event", "2016-03-01"),
    profile="water_level",
    item_title="Water-surface height",
    assets=(AssetSpec("data", "_height.csv", CSV, "Water-surface height and uncertainty"),),
    weight=6,
    platforms=("jason-3", "sentinel-3a", "sentinel-3b", "sentinel-6a", "swot"),
    instruments=("poseidon-3b", "sral", "poseidon-4", "karin"),
)

SNOW_COVER = CollectionSpec(
    id="land-snow-cover-daily",
    pole="land",
    title=Bilingual(
        "Snow cover extent from Sentinel-2 and Landsat 8 (Let-It-Snow)",
        "Étendue de la couverture neigeuse par Sentinel-2 et Landsat 8 (Let-It-Snow)",
    ),
    description=Bilingual(
        "Snow presence maps at 20 m resolution computed with the Let-It-Snow algorithm from "
        "Sentinel-2 and Landsat 8 surface reflectances over the Alps, the Pyrenees, the Jura, the "
        "Vosges, the Massif Central and Corsica. Each product classifies pixels as snow, no snow "
        "or cloud and estimates the snow-line elevation. Acquisitions are concentrated in the "
        "snow season, from November to May.",
        "Cartes de présence de neige à 20 m de résolution calculées avec l'algorithme "
        "Let-It-Snow à partir des réflectances de surface de Sentinel-2 et de Landsat 8 sur les "
        "Alpes, les Pyrénées, le Jura, les Vosges, le Massif central et la Corse. Chaque produit "
        "classe les pixels en neige, sans neige ou nuage et estime l'altitude de la limite "
        "d'enneigement. Les acquisitions se concentrent sur la saison d'enneigement, de novembre "
        "à mai.",
    ),
    keywords_en=(
        "SNOW COVER",
        "SNOW/ICE",
        "snow line",
        "mountains",
        "Sentinel-2",
        "Let-It-Snow",
    ),
    keywords_fr=(
        "couverture neigeuse",
        "neige et glace",
        "limite d'enneigement",
        "montagnes",
        "Sentinel-2",
        "Let-It-Snow",
    ),
    license="etalab-2.0",
    providers=(
        ("cesbio", ("producer", "licensor")),
        ("cnes", ("processor",)),
        ("theia", ("host",)),
    ),
    sites=places.SNOW_TILES,
    footprint=Footprint("box", 1.0, 1.0),
    schedule=Schedule("scene", "2015-12-01", months=(11, 12, 1, 2, 3, 4, 5)),
    profile="snow",
    item_title="Snow cover",
    assets=(AssetSpec("snow", "_snow.tif", COG, "Snow, no-snow and cloud classes"), THUMBNAIL),
    weight=5,
    platforms=(*_SENTINEL2, "landsat-8"),
    instruments=("msi", "oli"),
    gsd=20.0,
    crs="UTM",
    extensions=("eo", "proj"),
)

SENTINEL2_L2A = CollectionSpec(
    id="land-sentinel2-l2a-reflectance",
    pole="land",
    title=Bilingual(
        "Sentinel-2 Level-2A surface reflectances (MAJA) over France",
        "Réflectances de surface Sentinel-2 de niveau 2A (MAJA) sur la France",
    ),
    description=Bilingual(
        "Atmospherically corrected surface reflectances of Sentinel-2 tiles over mainland France "
        "and the overseas departments, produced with the MAJA processor, which uses multi-"
        "temporal information to detect clouds and their shadows. Each product provides the ten "
        "10 m and 20 m spectral bands, cloud, shadow, snow and water masks, and a quicklook. "
        "Products are available from December 2015, a few days after acquisition.",
        "Réflectances de surface corrigées des effets atmosphériques des tuiles Sentinel-2 sur la "
        "France métropolitaine et les départements d'outre-mer, produites avec la chaîne MAJA, "
        "qui exploite l'information multi-temporelle pour détecter les nuages et leurs ombres. "
        "Chaque produit fournit les dix bandes spectrales à 10 m et 20 m, des masques de nuages, "
        "d'ombres, de neige et d'eau, ainsi qu'un aperçu. Les produits sont disponibles depuis "
        "décembre 2015, quelques jours après l'acquisition.",
    ),
    keywords_en=(
        "REFLECTANCE",
        "SURFACE RADIATIVE PROPERTIES",
        "Sentinel-2",
        "MAJA",
        "Level-2A",
        "atmospheric correction",
        "multispectral",
    ),
    keywords_fr=(
        "réflectance",
        "propriétés radiatives de surface",
        "Sentinel-2",
        "MAJA",
        "niveau 2A",
        "correction atmosphérique",
        "multispectral",
    ),
    license="etalab-2.0",
    providers=(
        ("cnes", ("producer", "processor", "licensor")),
        ("cesbio", ("processor",)),
        ("theia", ("host",)),
    ),
    sites=places.MAINLAND_TILES + places.OVERSEAS_TILES,
    footprint=Footprint("box", 1.0, 1.0),
    schedule=Schedule("scene", "2015-12-01"),
    profile="sentinel2",
    item_title="Sentinel-2 L2A surface reflectance",
    assets=(
        AssetSpec("reflectance", "_FRE.tif", COG, "Surface reflectance (10 bands)", bands=SENTINEL2_BANDS),
        AssetSpec("cloud_mask", "_CLM.tif", COG, "Cloud and shadow mask", ("data", "cloud")),
        THUMBNAIL,
    ),
    weight=13,
    platforms=_SENTINEL2,
    instruments=("msi",),
    gsd=10.0,
    crs="UTM",
    extensions=("eo", "proj"),
)

COLLECTIONS: tuple[CollectionSpec, ...] = (
    LAND_COVER,
    FOREST,
    WATER_LEVELS,
    SNOW_COVER,
    SENTINEL2_L2A,
)

"""Demo collections of the ocean pole (ODATIS-like)."""

from __future__ import annotations

from terrapole.demo import places
from terrapole.demo.spec import (
    COG,
    GEOJSON,
    NETCDF,
    THUMBNAIL,
    AssetSpec,
    Bilingual,
    CollectionSpec,
    Footprint,
    Schedule,
)

SST_MEDITERRANEAN = CollectionSpec(
    id="ocean-sst-mediterranean-daily",
    pole="ocean",
    title=Bilingual(
        "Daily sea-surface temperature analyses, North-Western Mediterranean (L4, 0.02°)",
        "Analyses journalières de la température de surface de la mer, Méditerranée "
        "nord-occidentale (L4, 0,02°)",
    ),
    description=Bilingual(
        "Gap-free daily maps of foundation sea-surface temperature over the North-Western "
        "Mediterranean, from the Gulf of Lion to the Ligurian Sea and around Corsica. The level-4 "
        "analysis merges infrared and microwave satellite observations (AVHRR, SLSTR, VIIRS, "
        "AMSR2) by optimal interpolation on a 0.02° grid. Each daily NetCDF file also carries the "
        "analysis error and a land mask.",
        "Cartes journalières sans lacune de la température de surface de la mer de fondation sur "
        "la Méditerranée nord-occidentale, du golfe du Lion à la mer Ligure et autour de la "
        "Corse. L'analyse de niveau 4 fusionne par interpolation optimale sur une grille à 0,02° "
        "les observations satellitaires infrarouges et micro-ondes (AVHRR, SLSTR, VIIRS, AMSR2). "
        "Chaque fichier NetCDF journalier contient aussi l'erreur d'analyse et un masque terre.",
    ),
    keywords_en=(
        "SEA SURFACE TEMPERATURE",
        "OCEAN TEMPERATURE",
        "Mediterranean Sea",
        "satellite",
        "level 4",
        "optimal interpolation",
        "marine heatwaves",
    ),
    keywords_fr=(
        "température de surface de la mer",
        "température de l'océan",
        "mer Méditerranée",
        "satellite",
        "niveau 4",
        "interpolation optimale",
        "vagues de chaleur marines",
    ),
    license="CC-BY-4.0",
    providers=(("ifremer", ("producer", "processor", "licensor")), ("odatis", ("host",))),
    sites=places.SST_DOMAINS,
    footprint=Footprint("box", 8.0, 4.5),
    schedule=Schedule("daily", "2008-01-01"),
    profile="sst",
    item_title="Daily L4 sea-surface temperature",
    assets=(AssetSpec("data", "_sst.nc", NETCDF, "Analysed sea-surface temperature"), THUMBNAIL),
    weight=9,
    instruments=("avhrr", "slstr", "viirs", "amsr2"),
    gsd=2000.0,
    crs="EPSG:4326",
    extensions=("proj",),
)

COASTLINE = CollectionSpec(
    id="ocean-coastline-position",
    pole="ocean",
    title=Bilingual(
        "Coastline position from very-high-resolution satellite imagery",
        "Position du trait de côte à partir d'imagerie satellitaire à très haute résolution",
    ),
    description=Bilingual(
        "Shoreline positions digitised from Pléiades and SPOT 6-7 images acquired through the "
        "DINAMIS programme over sandy and muddy coasts of mainland France, French Guiana, the "
        "Antilles and La Réunion. Each segment gives the instantaneous waterline and the "
        "vegetation line with their positional uncertainty, supporting the national "
        "coastal-erosion indicator. Surveys are repeated every year and after major storms.",
        "Positions du trait de côte numérisées sur des images Pléiades et SPOT 6-7 acquises via "
        "le dispositif DINAMIS sur les côtes sableuses et vaseuses de métropole, de Guyane, des "
        "Antilles et de La Réunion. Chaque segment fournit la ligne d'eau instantanée et la "
        "limite de végétation avec leur incertitude de position, au service de l'indicateur "
        "national de l'érosion côtière. Les levés sont répétés chaque année et après les "
        "tempêtes majeures.",
    ),
    keywords_en=(
        "SHORELINES",
        "COASTAL EROSION",
        "SHORELINE DISPLACEMENT",
        "coastline",
        "beach",
        "Pléiades",
        "storm impact",
    ),
    keywords_fr=(
        "trait de côte",
        "érosion côtière",
        "évolution du trait de côte",
        "littoral",
        "plage",
        "Pléiades",
        "impact des tempêtes",
    ),
    license="etalab-2.0",
    providers=(("brgm", ("producer", "licensor")), ("cnes", ("processor",)), ("odatis", ("host",))),
    sites=places.COASTLINE_SITES,
    footprint=Footprint("box", 0.05, 0.05, jitter=0.01),
    schedule=Schedule("scene", "2013-01-01"),
    profile="coastline",
    item_title="Coastline position",
    assets=(AssetSpec("data", "_shoreline.geojson", GEOJSON, "Waterline and vegetation line"),),
    weight=3,
    platforms=("pleiades-1a", "pleiades-1b", "spot-6", "spot-7", "pleiades-neo-3", "pleiades-neo-4"),
    instruments=("phr", "naomi"),
    gsd=0.5,
)

WATER_QUALITY = CollectionSpec(
    id="ocean-coastal-water-quality",
    pole="ocean",
    title=Bilingual(
        "Coastal water quality from Sentinel-2 and Sentinel-3: turbidity and chlorophyll-a",
        "Qualité des eaux côtières par Sentinel-2 et Sentinel-3 : turbidité et chlorophylle-a",
    ),
    description=Bilingual(
        "Maps of turbidity, suspended particulate matter and chlorophyll-a concentration in "
        "estuaries, lagoons and coastal waters, derived from Sentinel-2 MSI (20 m) and "
        "Sentinel-3 OLCI (300 m) ocean-colour observations. Products cover the main French "
        "estuaries and the lagoons of the Antilles, Mayotte, New Caledonia and Tahiti. They "
        "support eutrophication monitoring under the Water Framework Directive and the Marine "
        "Strategy Framework Directive.",
        "Cartes de turbidité, de matières en suspension et de concentration en chlorophylle-a "
        "dans les estuaires, les lagunes et les eaux côtières, calculées à partir des "
        "observations de couleur de l'eau de Sentinel-2 MSI (20 m) et Sentinel-3 OLCI (300 m). "
        "Les produits couvrent les principaux estuaires français et les lagons des Antilles, de "
        "Mayotte, de Nouvelle-Calédonie et de Tahiti. Ils servent au suivi de l'eutrophisation "
        "au titre de la directive-cadre sur l'eau et de la directive-cadre stratégie pour le "
        "milieu marin.",
    ),
    keywords_en=(
        "OCEAN COLOR",
        "TURBIDITY",
        "CHLOROPHYLL",
        "SUSPENDED SOLIDS",
        "water quality",
        "estuary",
        "lagoon",
        "eutrophication",
    ),
    keywords_fr=(
        "couleur de l'eau",
        "turbidité",
        "chlorophylle",
        "matières en suspension",
        "qualité de l'eau",
        "estuaire",
        "lagon",
        "eutrophisation",
    ),
    license="etalab-2.0",
    providers=(("ifremer", ("producer", "licensor")), ("odatis", ("processor", "host"))),
    sites=places.WATER_QUALITY_SITES,
    footprint=Footprint("box", 0.3, 0.2),
    schedule=Schedule("scene", "2016-05-01"),
    profile="water_quality",
    item_title="Coastal water quality",
    assets=(
        AssetSpec("turbidity", "_turbidity.tif", COG, "Turbidity (FNU)"),
        AssetSpec("chl", "_chla.tif", COG, "Chlorophyll-a concentration (mg m-3)"),
        THUMBNAIL,
    ),
    weight=7,
    platforms=("sentinel-2a", "sentinel-2b", "sentinel-2c", "sentinel-3a", "sentinel-3b"),
    instruments=("msi", "olci"),
    gsd=20.0,
    crs="UTM",
    extensions=("eo", "proj"),
)

BATHYMETRY = CollectionSpec(
    id="ocean-bathymetry-lidar",
    pole="ocean",
    title=Bilingual(
        "Coastal topo-bathymetry from airborne lidar surveys",
        "Topo-bathymétrie côtière par levés lidar aéroportés",
    ),
    description=Bilingual(
        "Seamless land-sea digital elevation models of the coastal fringe produced from airborne "
        "topographic and bathymetric lidar surveys, gridded at 1 m and referenced to the local "
        "vertical datum. Surveys cover mainland coasts, Corsica and the overseas territories, "
        "including the lagoons of Mayotte, New Caledonia and French Polynesia. Distribution is "
        "restricted to licensed users under the Shom and IGN conditions.",
        "Modèles numériques d'élévation continus terre-mer de la frange côtière, produits à "
        "partir de levés lidar aéroportés topographiques et bathymétriques, maillés à 1 m et "
        "rattachés au référentiel altimétrique local. Les levés couvrent les côtes "
        "métropolitaines, la Corse et les territoires d'outre-mer, dont les lagons de Mayotte, de "
        "Nouvelle-Calédonie et de Polynésie française. La diffusion est réservée aux "
        "utilisateurs sous licence, selon les conditions du Shom et de l'IGN.",
    ),
    keywords_en=(
        "BATHYMETRY",
        "COASTAL ELEVATION",
        "DIGITAL ELEVATION/TERRAIN MODEL (DEM)",
        "LIDAR",
        "seabed",
        "nearshore",
        "Litto3D",
    ),
    keywords_fr=(
        "bathymétrie",
        "altimétrie côtière",
        "modèle numérique de terrain",
        "lidar",
        "fonds marins",
        "petits fonds",
        "Litto3D",
    ),
    license="other",
    license_href="/licences/shom-ign-litto3d.html",
    providers=(("shom", ("producer", "licensor")), ("ign", ("producer",)), ("odatis", ("host",))),
    sites=places.BATHYMETRY_SITES,
    footprint=Footprint("box", 0.15, 0.1, jitter=0.04),
    schedule=Schedule("span", "2010-01-01", "2024-12-31", span_days=(5, 60)),
    profile="bathymetry",
    item_title="Lidar topo-bathymetric survey",
    assets=(
        AssetSpec("dem", "_dem.tif", COG, "Topo-bathymetric elevation model (1 m)"),
        AssetSpec("points", "_points.laz", "application/vnd.laszip", "Classified point cloud"),
        THUMBNAIL,
    ),
    weight=2,
    instruments=("airborne-bathymetric-lidar",),
    gsd=1.0,
    crs="UTM",
    extensions=("proj",),
    access="licensed",
)

COLLECTIONS: tuple[CollectionSpec, ...] = (SST_MEDITERRANEAN, COASTLINE, WATER_QUALITY, BATHYMETRY)

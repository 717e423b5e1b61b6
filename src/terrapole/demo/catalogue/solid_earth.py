"""Demo collections of the solid-earth pole (ForM@Ter-like)."""

from __future__ import annotations

from terrapole.demo import places
from terrapole.demo.spec import (
    COG,
    CSV,
    NETCDF,
    THUMBNAIL,
    AssetSpec,
    Bilingual,
    CollectionSpec,
    Footprint,
    Schedule,
)

GNSS_POSITIONS = CollectionSpec(
    id="solid-earth-gnss-daily-positions",
    pole="solid-earth",
    title=Bilingual(
        "GNSS permanent station daily positions (RENAG, RGP and IGS)",
        "Positions journalières des stations GNSS permanentes (RENAG, RGP et IGS)",
    ),
    description=Bilingual(
        "Daily position solutions of permanent GNSS stations in mainland France and overseas, "
        "computed by double-difference processing in the ITRF2020 reference frame. Each file "
        "gives the station coordinates, their formal errors and the east, north and up "
        "displacements relative to a reference position, used to study plate motion, "
        "post-glacial rebound and volcanic or tectonic deformation. Series start with the "
        "installation of each station, as early as 1998.",
        "Solutions journalières de position des stations GNSS permanentes de métropole et "
        "d'outre-mer, calculées en doubles différences dans le repère de référence ITRF2020. "
        "Chaque fichier fournit les coordonnées de la station, leurs erreurs formelles et les "
        "déplacements est, nord et vertical par rapport à une position de référence, utilisés "
        "pour étudier le mouvement des plaques, le rebond post-glaciaire et les déformations "
        "volcaniques ou tectoniques. Les séries commencent à l'installation de chaque station, "
        "dès 1998.",
    ),
    keywords_en=(
        "GEODESY",
        "GPS",
        "CRUSTAL MOTION",
        "PLATE TECTONICS",
        "GNSS",
        "time series",
        "ITRF2020",
        "permanent station",
    ),
    keywords_fr=(
        "géodésie",
        "GPS",
        "mouvements de la croûte",
        "tectonique des plaques",
        "GNSS",
        "série temporelle",
        "ITRF2020",
        "station permanente",
    ),
    license="CC-BY-4.0",
    providers=(
        ("resif", ("producer", "licensor")),
        ("ign", ("producer",)),
        ("formater", ("processor", "host")),
    ),
    sites=places.GNSS_STATIONS,
    footprint=Footprint("point"),
    schedule=Schedule("daily", "1998-01-01"),
    profile="gnss",
    item_title="GNSS daily position",
    assets=(AssetSpec("data", "_pos.csv", CSV, "Daily position and east/north/up displacement"),),
    weight=13,
    instruments=("gnss-receiver",),
)

INSAR_VELOCITY = CollectionSpec(
    id="solid-earth-insar-velocity-sentinel1",
    pole="solid-earth",
    title=Bilingual(
        "Ground deformation velocity maps from Sentinel-1 InSAR time series (FLATSIM)",
        "Cartes de vitesse de déformation du sol par séries temporelles InSAR Sentinel-1 (FLATSIM)",
    ),
    description=Bilingual(
        "Mean line-of-sight ground velocity maps and displacement time series computed from "
        "Sentinel-1 interferometric wide-swath acquisitions with the FLATSIM processing service. "
        "Each product covers one Sentinel-1 frame on a given relative orbit and spans several "
        "years, at a resolution of about 80 m after multilooking. The maps reveal the subsidence "
        "of mining basins, Alpine landslides and the inflation of the Piton de la Fournaise.",
        "Cartes de vitesse moyenne de déformation du sol dans la ligne de visée et séries "
        "temporelles de déplacement calculées à partir des acquisitions interférométriques "
        "Sentinel-1 en mode IW avec le service de traitement FLATSIM. Chaque produit couvre une "
        "trame Sentinel-1 sur une orbite relative donnée et s'étend sur plusieurs années, à une "
        "résolution d'environ 80 m après moyennage multi-vues. Les cartes révèlent la subsidence "
        "des bassins miniers, les glissements de terrain alpins et le gonflement du Piton de la "
        "Fournaise.",
    ),
    keywords_en=(
        "CRUSTAL MOTION",
        "LAND SUBSIDENCE",
        "LANDSLIDES",
        "INTERFEROMETRIC SAR",
        "InSAR",
        "Sentinel-1",
        "ground deformation",
        "volcano monitoring",
    ),
    keywords_fr=(
        "mouvements de la croûte",
        "subsidence",
        "glissements de terrain",
        "interférométrie radar",
        "InSAR",
        "Sentinel-1",
        "déformation du sol",
        "surveillance des volcans",
    ),
    license="CC-BY-4.0",
    providers=(
        ("cnrs", ("producer", "licensor")),
        ("cnes", ("processor",)),
        ("formater", ("host",)),
    ),
    sites=places.INSAR_FRAMES,
    footprint=Footprint("frame", 2.3, 1.9),
    schedule=Schedule("span", "2015-03-01", "2025-12-31", span_days=(3 * 365, 7 * 365)),
    profile="insar",
    item_title="Sentinel-1 InSAR velocity map",
    assets=(
        AssetSpec("velocity", "_velocity.tif", COG, "Mean line-of-sight velocity (mm/yr)"),
        AssetSpec("timeseries", "_timeseries.nc", NETCDF, "Line-of-sight displacement series"),
        THUMBNAIL,
    ),
    weight=3,
    platforms=("sentinel-1a", "sentinel-1b"),
    instruments=("c-sar",),
    gsd=80.0,
    extensions=("sat",),
)

SEISMIC_EVENTS = CollectionSpec(
    id="solid-earth-seismic-events",
    pole="solid-earth",
    title=Bilingual(
        "Seismic event catalogue of mainland France and the overseas territories",
        "Catalogue des événements sismiques de métropole et des territoires d'outre-mer",
    ),
    description=Bilingual(
        "Seismic events located and characterised by the French seismological networks, with "
        "origin time, epicentre, hypocentral depth, magnitude and event type, and the waveforms "
        "of the closest stations. The catalogue includes Alpine and Pyrenean seismicity, the "
        "Lesser Antilles subduction, the 2018-2019 Mayotte seismic-volcanic crisis and the "
        "volcano-tectonic events of the Piton de la Fournaise. Each item is one event with its "
        "QuakeML description and miniSEED waveforms.",
        "Événements sismiques localisés et caractérisés par les réseaux sismologiques français, "
        "avec l'heure origine, l'épicentre, la profondeur hypocentrale, la magnitude et le type "
        "d'événement, ainsi que les formes d'onde des stations les plus proches. Le catalogue "
        "couvre la sismicité alpine et pyrénéenne, la subduction des Petites Antilles, la crise "
        "sismo-volcanique de Mayotte de 2018-2019 et les événements volcano-tectoniques du Piton "
        "de la Fournaise. Chaque élément est un événement, avec sa description QuakeML et ses "
        "formes d'onde miniSEED.",
    ),
    keywords_en=(
        "SEISMOLOGY",
        "EARTHQUAKES",
        "EARTHQUAKE OCCURRENCES",
        "seismicity",
        "epicentre",
        "magnitude",
        "volcano-tectonic",
    ),
    keywords_fr=(
        "sismologie",
        "séismes",
        "occurrence des séismes",
        "sismicité",
        "épicentre",
        "magnitude",
        "volcano-tectonique",
    ),
    license="CC-BY-4.0",
    providers=(
        ("resif", ("producer", "licensor")),
        ("ipgp", ("producer",)),
        ("formater", ("host",)),
    ),
    sites=places.SEISMIC_ZONES,
    footprint=Footprint("point", jitter=0.5),
    schedule=Schedule("event", "2000-01-01"),
    profile="seismic",
    item_title="Seismic event",
    assets=(
        AssetSpec("quakeml", "_event.xml", "application/xml", "QuakeML event description"),
        AssetSpec("waveforms", "_waveforms.mseed", "application/vnd.fdsn.mseed", "Waveforms"),
    ),
    weight=7,
    instruments=("broadband-seismometer",),
)

COLLECTIONS: tuple[CollectionSpec, ...] = (GNSS_POSITIONS, INSAR_VELOCITY, SEISMIC_EVENTS)

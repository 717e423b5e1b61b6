"""Real-world places used by the demo federation: territories, stations, tiles and study sites.

Coordinates are WGS84 longitude/latitude. Stations carry their real public codes where they
exist (IGS/RENAG GNSS stations, WMO radiosonde stations); study sites are plausible locations.
"""

from __future__ import annotations

from dataclasses import dataclass

BBox = tuple[float, float, float, float]


@dataclass(frozen=True)
class Region:
    """A French territory, with a real-world bounding box (west, south, east, north)."""

    key: str
    name_en: str
    name_fr: str
    bbox: BBox


@dataclass(frozen=True)
class Site:
    """One place items are generated at: a station, a tile centre or a study-site centre."""

    code: str
    name: str
    lon: float
    lat: float
    region: str
    since: int | None = None  # first year of operation, for stations


REGIONS: dict[str, Region] = {
    r.key: r
    for r in (
        Region("france-mainland", "Mainland France", "France métropolitaine", (-5.2, 41.3, 9.6, 51.1)),
        Region("guadeloupe", "Guadeloupe", "Guadeloupe", (-61.85, 15.83, -60.95, 16.53)),
        Region("martinique", "Martinique", "Martinique", (-61.25, 14.38, -60.8, 14.89)),
        Region("guyane", "French Guiana", "Guyane", (-54.61, 2.11, -51.61, 5.78)),
        Region("reunion", "La Réunion", "La Réunion", (55.21, -21.4, 55.84, -20.87)),
        Region("mayotte", "Mayotte", "Mayotte", (44.95, -13.02, 45.31, -12.63)),
        Region("nouvelle-caledonie", "New Caledonia", "Nouvelle-Calédonie", (163.5, -22.75, 168.15, -19.5)),
        Region("polynesie", "French Polynesia", "Polynésie française", (-154.8, -27.7, -134.4, -7.8)),
    )
}

_FR, _GP, _MQ, _GF = "france-mainland", "guadeloupe", "martinique", "guyane"
_RE, _YT, _NC, _PF = "reunion", "mayotte", "nouvelle-caledonie", "polynesie"

# Mainland 1-degree cells over land, as {south latitude: (first west longitude, last west longitude)}.
_MAINLAND_CELL_ROWS: dict[int, tuple[int, int]] = {
    50: (1, 3),
    49: (-2, 7),
    48: (-5, 7),
    47: (-4, 7),
    46: (-2, 6),
    45: (-1, 6),
    44: (-2, 7),
    43: (-2, 7),
    42: (0, 3),
}
_CORSICA_CELLS: tuple[tuple[int, int], ...] = ((8, 42), (9, 42), (8, 41))


def _cell_code(west: int, south: int) -> str:
    """Name a 1-degree cell by its south-west corner, e.g. N48E002 or S22E055."""
    ns = "N" if south >= 0 else "S"
    ew = "E" if west >= 0 else "W"
    return f"{ns}{abs(south):02d}{ew}{abs(west):03d}"


def _cell(west: int, south: int, region: str = _FR) -> Site:
    code = _cell_code(west, south)
    return Site(code, f"tile {code}", west + 0.5, south + 0.5, region)


def _mainland_cells() -> tuple[Site, ...]:
    cells = [
        _cell(west, south)
        for south, (first, last) in sorted(_MAINLAND_CELL_ROWS.items(), reverse=True)
        for west in range(first, last + 1)
    ]
    return (*cells, *(_cell(w, s) for w, s in _CORSICA_CELLS))


MAINLAND_TILES: tuple[Site, ...] = _mainland_cells()

# Overseas tiles are centred on the islands rather than snapped, so each island fits one tile.
OVERSEAS_TILES: tuple[Site, ...] = (
    Site("GLP-01", "tile Guadeloupe", -61.55, 16.25, _GP),
    Site("MTQ-01", "tile Martinique", -61.02, 14.64, _MQ),
    Site("GUF-01", "tile Cayenne", -52.5, 4.6, _GF),
    Site("GUF-02", "tile Kourou", -52.9, 5.3, _GF),
    Site("GUF-03", "tile Saint-Laurent-du-Maroni", -54.0, 5.2, _GF),
    Site("GUF-04", "tile Saül", -53.2, 3.6, _GF),
    Site("REU-01", "tile La Réunion", 55.53, -21.13, _RE),
    Site("MYT-01", "tile Mayotte", 45.15, -12.82, _YT),
)

_ALPS_JURA_VOSGES = ((5, 44), (6, 44), (7, 44), (5, 45), (6, 45), (5, 46), (6, 46), (6, 47))
_PYRENEES_CENTRAL_CORSICA = ((-1, 42), (0, 42), (1, 42), (2, 42), (2, 45), (8, 42))
SNOW_TILES: tuple[Site, ...] = tuple(_cell(w, s) for w, s in (*_ALPS_JURA_VOSGES, *_PYRENEES_CENTRAL_CORSICA))

AIR_QUALITY_DOMAINS: tuple[Site, ...] = (
    Site("FRANCE", "France (national domain)", 2.2, 46.2, _FR),
    Site("PARIS", "Paris", 2.35, 48.86, _FR),
    Site("LYON", "Lyon", 4.84, 45.76, _FR),
    Site("MARSEILLE", "Marseille", 5.37, 43.3, _FR),
    Site("TOULOUSE", "Toulouse", 1.44, 43.6, _FR),
    Site("LILLE", "Lille", 3.06, 50.63, _FR),
    Site("STRASBOURG", "Strasbourg", 7.75, 48.58, _FR),
    Site("BORDEAUX", "Bordeaux", -0.58, 44.84, _FR),
    Site("NANTES", "Nantes", -1.55, 47.22, _FR),
    Site("GRENOBLE", "Grenoble", 5.72, 45.19, _FR),
    Site("NICE", "Nice", 7.26, 43.7, _FR),
    Site("FORT-DE-FRANCE", "Fort-de-France", -61.07, 14.6, _MQ),
    Site("POINTE-A-PITRE", "Pointe-à-Pitre", -61.53, 16.24, _GP),
)

LIDAR_STATIONS: tuple[Site, ...] = (
    Site("SIRTA", "SIRTA Palaiseau", 2.208, 48.713, _FR, 2002),
    Site("OHP", "Observatoire de Haute-Provence", 5.712, 43.935, _FR, 2000),
    Site("LILLE", "Lille LOA", 3.142, 50.612, _FR, 2006),
    Site("OPGC", "Clermont-Ferrand OPGC", 3.111, 45.761, _FR, 2008),
    Site("MAIDO", "Observatoire du Maïdo", 55.383, -21.08, _RE, 2013),
)

RADIOSONDE_STATIONS: tuple[Site, ...] = (
    Site("07145", "Trappes", 2.01, 48.774, _FR),
    Site("07110", "Brest-Guipavas", -4.412, 48.444, _FR),
    Site("07510", "Bordeaux-Mérignac", -0.691, 44.831, _FR),
    Site("07645", "Nîmes-Courbessac", 4.406, 43.856, _FR),
    Site("07761", "Ajaccio", 8.793, 41.918, _FR),
    Site("07180", "Nancy-Essey", 6.222, 48.687, _FR),
    Site("78897", "Le Raizet", -61.516, 16.263, _GP),
    Site("78925", "Le Lamentin", -60.996, 14.595, _MQ),
    Site("81405", "Cayenne-Rochambeau", -52.365, 4.822, _GF),
    Site("61980", "Saint-Denis-Gillot", 55.528, -20.892, _RE),
    Site("67005", "Dzaoudzi-Pamandzi", 45.281, -12.805, _YT),
    Site("91592", "Nouméa", 166.45, -22.27, _NC),
    Site("91938", "Tahiti-Faa'a", -149.61, -17.55, _PF),
)

CAMPAIGN_SITES: tuple[Site, ...] = (
    Site("SIRTA", "SIRTA Palaiseau", 2.208, 48.713, _FR),
    Site("RAMBOUILLET", "Forêt de Rambouillet", 1.883, 48.664, _FR),
    Site("JUSSIEU", "Paris QUALAIR-Jussieu", 2.356, 48.847, _FR),
    Site("SACLAY", "Saclay plateau", 2.147, 48.731, _FR),
)

GNSS_STATIONS: tuple[Site, ...] = (
    Site("SJDV00FRA", "Saint-Jean-des-Vignes", 4.676, 45.879, _FR, 1998),
    Site("MARS00FRA", "Marseille", 5.354, 43.279, _FR, 1998),
    Site("BRST00FRA", "Brest", -4.497, 48.38, _FR, 1998),
    Site("TLSE00FRA", "Toulouse", 1.481, 43.561, _FR, 2001),
    Site("GRAS00FRA", "Caussols", 6.921, 43.755, _FR, 1998),
    Site("MLVL00FRA", "Marne-la-Vallée", 2.587, 48.841, _FR, 1999),
    Site("STJ900FRA", "Strasbourg", 7.684, 48.622, _FR, 2011),
    Site("AJAC00FRA", "Ajaccio", 8.763, 41.927, _FR, 2000),
    Site("LROC00FRA", "La Rochelle", -1.219, 46.159, _FR, 2002),
    Site("CHIZ00FRA", "Chizé", -0.408, 46.133, _FR, 2000),
    Site("ABMF00GLP", "Les Abymes", -61.528, 16.262, _GP, 2008),
    Site("LMMF00MTQ", "Le Lamentin", -60.996, 14.595, _MQ, 2010),
    Site("KOUR00GUF", "Kourou", -52.806, 5.252, _GF, 1998),
    Site("REUN00REU", "La Plaine des Cafres", 55.572, -21.208, _RE, 2010),
    Site("MAYG00MYT", "Dzaoudzi", 45.258, -12.782, _YT, 2013),
    Site("NOUM00NCL", "Nouméa", 166.41, -22.27, _NC, 1998),
    Site("THTI00PYF", "Tahiti", -149.606, -17.577, _PF, 1998),
)

# Sentinel-1 frames; the code starts with the pass direction (A/D) and the relative orbit.
INSAR_FRAMES: tuple[Site, ...] = (
    Site("A088-ALPS", "Western Alps", 6.5, 45.3, _FR),
    Site("D139-ALPS", "Western Alps", 6.7, 45.0, _FR),
    Site("A030-PYRENEES", "Pyrenees", 0.5, 42.9, _FR),
    Site("D110-PYRENEES", "Pyrenees", 0.2, 43.0, _FR),
    Site("A015-RHINE", "Upper Rhine Graben", 7.6, 48.3, _FR),
    Site("D037-NORD", "Nord-Pas-de-Calais coal basin", 3.0, 50.3, _FR),
    Site("A161-LORRAINE", "Lorraine iron basin", 6.0, 49.1, _FR),
    Site("D008-PARIS", "Paris basin", 2.4, 48.8, _FR),
    Site("A059-PROVENCE", "Provence", 5.5, 43.7, _FR),
    Site("D066-AUVERGNE", "Massif Central", 3.0, 45.5, _FR),
    Site("A144-REUNION", "Piton de la Fournaise", 55.55, -21.15, _RE),
    Site("D151-REUNION", "Piton de la Fournaise", 55.5, -21.1, _RE),
    Site("A164-GUADELOUPE", "Soufrière de Guadeloupe", -61.6, 16.1, _GP),
    Site("D047-MARTINIQUE", "Montagne Pelée", -61.05, 14.65, _MQ),
    Site("A086-MAYOTTE", "Mayotte", 45.15, -12.85, _YT),
)

SEISMIC_ZONES: tuple[Site, ...] = (
    Site("ALPS", "Western Alps", 6.6, 44.9, _FR),
    Site("PYRENEES-W", "Western Pyrenees", -0.3, 43.0, _FR),
    Site("PYRENEES-E", "Eastern Pyrenees", 2.0, 42.6, _FR),
    Site("PROVENCE", "Provence", 5.8, 43.7, _FR),
    Site("RHINE", "Upper Rhine Graben", 7.5, 47.9, _FR),
    Site("ARMORICA", "Armorican Massif", -2.5, 47.6, _FR),
    Site("CHARENTES", "Charentes and Oléron", -1.2, 46.0, _FR),
    Site("ANTILLES", "Lesser Antilles arc", -61.3, 15.6, _GP),
    Site("MAYOTTE", "Mayotte volcanic zone", 45.5, -12.8, _YT),
    Site("FOURNAISE", "Piton de la Fournaise", 55.71, -21.24, _RE),
)

SST_DOMAINS: tuple[Site, ...] = (Site("NWMED", "North-Western Mediterranean", 6.0, 42.25, _FR),)

COASTLINE_SITES: tuple[Site, ...] = (
    Site("SOULAC", "Soulac-sur-Mer", -1.14, 45.5, _FR),
    Site("LACANAU", "Lacanau", -1.205, 45.0, _FR),
    Site("CAP-FERRET", "Cap Ferret", -1.25, 44.64, _FR),
    Site("BISCARROSSE", "Biscarrosse", -1.26, 44.45, _FR),
    Site("MIMIZAN", "Mimizan", -1.3, 44.21, _FR),
    Site("ST-JEAN-MONTS", "Saint-Jean-de-Monts", -2.08, 46.79, _FR),
    Site("COTENTIN-W", "Cotentin west coast", -1.6, 49.2, _FR),
    Site("WISSANT", "Wissant", 1.66, 50.89, _FR),
    Site("SETE-LIDO", "Lido de Sète", 3.64, 43.38, _FR),
    Site("BEAUDUC", "Beauduc (Camargue)", 4.58, 43.37, _FR),
    Site("ALERIA", "Aléria", 9.55, 42.1, _FR),
    Site("REMIRE", "Rémire-Montjoly", -52.28, 4.88, _GF),
    Site("AWALA", "Awala-Yalimapo", -53.93, 5.75, _GF),
    Site("ST-GILLES", "Saint-Gilles-les-Bains", 55.22, -21.05, _RE),
    Site("STE-ANNE", "Sainte-Anne", -61.38, 16.22, _GP),
    Site("DIAMANT", "Le Diamant", -61.03, 14.47, _MQ),
)

WATER_QUALITY_SITES: tuple[Site, ...] = (
    Site("GIRONDE", "Gironde estuary", -0.95, 45.45, _FR),
    Site("LOIRE", "Loire estuary", -2.05, 47.25, _FR),
    Site("SEINE-BAY", "Baie de Seine", -0.3, 49.45, _FR),
    Site("RADE-BREST", "Rade de Brest", -4.4, 48.33, _FR),
    Site("THAU", "Étang de Thau", 3.6, 43.4, _FR),
    Site("ARCACHON", "Bassin d'Arcachon", -1.17, 44.68, _FR),
    Site("MT-ST-MICHEL", "Baie du Mont-Saint-Michel", -1.6, 48.68, _FR),
    Site("CUL-DE-SAC", "Grand Cul-de-Sac Marin", -61.58, 16.32, _GP),
    Site("FDF-BAY", "Baie de Fort-de-France", -61.07, 14.58, _MQ),
    Site("MAHURY", "Mahury estuary", -52.25, 4.9, _GF),
    Site("MAYOTTE-LAGOON", "Mayotte lagoon", 45.12, -12.85, _YT),
    Site("NOUMEA-LAGOON", "South-west lagoon of New Caledonia", 166.35, -22.35, _NC),
    Site("TAHITI-LAGOON", "Tahiti lagoon", -149.45, -17.55, _PF),
)

BATHYMETRY_SITES: tuple[Site, ...] = (
    Site("FINISTERE", "Finistère", -4.6, 48.35, _FR),
    Site("MORBIHAN", "Golfe du Morbihan", -2.85, 47.55, _FR),
    Site("OPALE", "Côte d'Opale", 1.6, 50.8, _FR),
    Site("COTE-BLEUE", "Côte Bleue", 5.15, 43.33, _FR),
    Site("VAR", "Var coast", 6.5, 43.1, _FR),
    Site("BONIFACIO", "Bouches de Bonifacio", 9.2, 41.4, _FR),
    Site("REUNION-W", "La Réunion west coast", 55.25, -21.1, _RE),
    Site("GUADELOUPE", "Guadeloupe", -61.5, 16.25, _GP),
    Site("MARTINIQUE", "Martinique", -60.9, 14.6, _MQ),
    Site("MAYOTTE", "Mayotte", 45.2, -12.8, _YT),
    Site("NOUMEA", "Nouméa", 166.3, -22.3, _NC),
    Site("MOOREA", "Moorea", -149.83, -17.53, _PF),
    Site("TAHITI", "Tahiti", -149.5, -17.6, _PF),
)

WATER_LEVEL_STATIONS: tuple[Site, ...] = (
    Site("R_LOIRE_SAUMUR", "Loire at Saumur", -0.08, 47.26, _FR),
    Site("R_RHONE_VALENCE", "Rhône at Valence", 4.88, 44.93, _FR),
    Site("R_GARONNE_AGEN", "Garonne at Agen", 0.61, 44.2, _FR),
    Site("R_SEINE_VERNON", "Seine at Vernon", 1.48, 49.09, _FR),
    Site("R_DORDOGNE_BERGERAC", "Dordogne at Bergerac", 0.48, 44.85, _FR),
    Site("L_LEMAN", "Lac Léman", 6.5, 46.42, _FR),
    Site("L_BOURGET", "Lac du Bourget", 5.86, 45.73, _FR),
    Site("L_SERRE_PONCON", "Lac de Serre-Ponçon", 6.35, 44.51, _FR),
    Site("L_DER", "Lac du Der-Chantecoq", 4.76, 48.57, _FR),
    Site("L_SAINTE_CROIX", "Lac de Sainte-Croix", 6.18, 43.77, _FR),
    Site("R_MARONI_GRAND_SANTI", "Maroni at Grand-Santi", -54.38, 4.27, _GF),
    Site("R_OYAPOCK_CAMOPI", "Oyapock at Camopi", -52.33, 3.17, _GF),
    Site("L_PETIT_SAUT", "Petit-Saut reservoir", -53.05, 5.06, _GF),
)

# Reference water-surface heights (metres above the EGM2008 geoid) of the stations above.
WATER_LEVEL_REFERENCE_M: dict[str, float] = {
    "R_LOIRE_SAUMUR": 24.0,
    "R_RHONE_VALENCE": 105.0,
    "R_GARONNE_AGEN": 40.0,
    "R_SEINE_VERNON": 12.0,
    "R_DORDOGNE_BERGERAC": 20.0,
    "L_LEMAN": 372.0,
    "L_BOURGET": 231.5,
    "L_SERRE_PONCON": 775.0,
    "L_DER": 139.0,
    "L_SAINTE_CROIX": 477.0,
    "R_MARONI_GRAND_SANTI": 60.0,
    "R_OYAPOCK_CAMOPI": 45.0,
    "L_PETIT_SAUT": 35.0,
}

OCCURRENCE_ZONES: tuple[Site, ...] = (
    Site("ALPS", "Western Alps", 6.6, 45.2, _FR),
    Site("JURA", "Jura", 6.0, 46.6, _FR),
    Site("PYRENEES", "Pyrenees", 0.5, 42.85, _FR),
    Site("CAMARGUE", "Camargue", 4.5, 43.5, _FR),
    Site("BRITTANY", "Brittany coast", -3.5, 48.3, _FR),
    Site("LOIRE", "Middle Loire valley", 0.5, 47.3, _FR),
    Site("PROVENCE-COAST", "Provence coast", 6.5, 43.05, _FR),
    Site("CORSICA", "Corsica", 9.0, 42.2, _FR),
    Site("GUADELOUPE", "Guadeloupe", -61.5, 16.2, _GP),
    Site("MARTINIQUE", "Martinique", -61.0, 14.65, _MQ),
    Site("GUYANE", "French Guiana", -53.0, 4.2, _GF),
    Site("REUNION", "La Réunion", 55.5, -21.1, _RE),
    Site("MAYOTTE", "Mayotte", 45.15, -12.82, _YT),
    Site("NOUVELLE-CALEDONIE", "Grande Terre", 165.8, -21.5, _NC),
    Site("TAHITI", "Tahiti and Moorea", -149.5, -17.6, _PF),
)

HABITAT_SITES: tuple[Site, ...] = (
    Site("HAB-CAMARGUE", "Camargue", 4.55, 43.5, _FR),
    Site("HAB-SOMME", "Baie de Somme", 1.6, 50.2, _FR),
    Site("HAB-POITEVIN", "Marais poitevin", -1.0, 46.35, _FR),
    Site("HAB-VERCORS", "Vercors", 5.45, 44.95, _FR),
    Site("HAB-LANDES", "Landes de Gascogne", -0.8, 44.3, _FR),
    Site("HAB-FONTAINEBLEAU", "Massif de Fontainebleau", 2.65, 48.4, _FR),
    Site("HAB-CEVENNES", "Causses et Cévennes", 3.7, 44.3, _FR),
    Site("REU-HAUTS", "Hauts de La Réunion", 55.5, -21.1, _RE),
    Site("GUF-PAG", "Parc amazonien de Guyane", -53.3, 3.2, _GF),
    Site("MYT-MANGROVE", "Mangroves de Mayotte", 45.15, -12.9, _YT),
    Site("MTQ-MANGROVE", "Mangroves de Martinique", -60.95, 14.55, _MQ),
    Site("GLP-REEF", "Récifs du Grand Cul-de-Sac Marin", -61.55, 16.35, _GP),
    Site("NCL-LAGOON", "Lagon sud de Nouvelle-Calédonie", 166.4, -22.4, _NC),
    Site("PYF-MOOREA", "Récifs de Moorea", -149.83, -17.52, _PF),
)

VEGETATION_SURVEY_ZONES: tuple[Site, ...] = (
    Site("CBNA", "Alpine botanical conservatory area", 6.2, 45.0, _FR),
    Site("CBNMC", "Massif Central botanical conservatory area", 3.0, 45.3, _FR),
    Site("CBNB", "Brest botanical conservatory area", -3.0, 48.1, _FR),
    Site("CBNMED", "Mediterranean botanical conservatory area", 3.8, 43.7, _FR),
    Site("CBNBP", "Paris basin botanical conservatory area", 2.5, 48.6, _FR),
    Site("CBNSA", "South-Atlantic botanical conservatory area", -0.5, 44.0, _FR),
    Site("GUF", "French Guiana coastal forests", -52.9, 4.6, _GF),
    Site("CBNM", "Mascarin botanical conservatory area", 55.5, -21.15, _RE),
    Site("GLP", "Guadeloupe forests", -61.6, 16.15, _GP),
)

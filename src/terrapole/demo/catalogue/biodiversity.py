"""Demo collections of the biodiversity pole (PNDB-like)."""

from __future__ import annotations

from terrapole.demo import places
from terrapole.demo.spec import (
    CSV,
    GEOPACKAGE,
    THUMBNAIL,
    AssetSpec,
    Bilingual,
    CollectionSpec,
    Footprint,
    Schedule,
)

OCCURRENCES = CollectionSpec(
    id="biodiversity-species-occurrences",
    pole="biodiversity",
    title=Bilingual(
        "Species occurrences from naturalist inventories in mainland France and overseas",
        "Occurrences d'espèces issues des inventaires naturalistes en métropole et outre-mer",
    ),
    description=Bilingual(
        "Georeferenced observations of animal and plant species collected by protected-area "
        "managers, research programmes and validated citizen-science schemes, standardised to "
        "Darwin Core and to the TAXREF taxonomic reference. Each occurrence gives the scientific "
        "name, the observation date, the count and the coordinate uncertainty. The dataset covers "
        "emblematic and protected species, from the Pyrenean brown bear to the New Caledonian "
        "kagu.",
        "Observations géoréférencées d'espèces animales et végétales collectées par les "
        "gestionnaires d'espaces protégés, les programmes de recherche et les dispositifs de "
        "sciences participatives validés, standardisées selon le Darwin Core et le référentiel "
        "taxonomique TAXREF. Chaque occurrence indique le nom scientifique, la date "
        "d'observation, l'effectif et l'incertitude de localisation. Le jeu de données couvre des "
        "espèces emblématiques et protégées, de l'ours brun des Pyrénées au cagou de "
        "Nouvelle-Calédonie.",
    ),
    keywords_en=(
        "BIODIVERSITY",
        "SPECIES OCCURRENCE",
        "ANIMALS/VERTEBRATES",
        "PLANTS",
        "Darwin Core",
        "TAXREF",
        "citizen science",
        "protected species",
    ),
    keywords_fr=(
        "biodiversité",
        "occurrence d'espèce",
        "vertébrés",
        "plantes",
        "Darwin Core",
        "TAXREF",
        "sciences participatives",
        "espèces protégées",
    ),
    license="ODbL-1.0",
    providers=(
        ("mnhn", ("producer", "processor")),
        ("ofb", ("producer", "licensor")),
        ("pndb", ("host",)),
    ),
    sites=places.OCCURRENCE_ZONES,
    footprint=Footprint("point", jitter=0.3),
    schedule=Schedule("event", "2000-01-01"),
    profile="occurrence",
    item_title="Occurrence",
    assets=(AssetSpec("data", "_dwc.json", "application/json", "Darwin Core occurrence record"),),
    weight=12,
)

HABITATS = CollectionSpec(
    id="biodiversity-habitat-maps",
    pole="biodiversity",
    title=Bilingual(
        "Natural habitat maps of protected areas (EUNIS and HABREF)",
        "Cartes des habitats naturels des espaces protégés (EUNIS et HABREF)",
    ),
    description=Bilingual(
        "Vector maps of natural and semi-natural habitats of Natura 2000 sites, national parks "
        "and marine protected areas, surveyed in the field and interpreted from aerial and "
        "satellite imagery. Habitat types are coded in the EUNIS classification and the national "
        "HABREF reference, with their conservation status where it was assessed. Overseas maps "
        "include mangroves, coral reefs and seagrass beds.",
        "Cartes vectorielles des habitats naturels et semi-naturels des sites Natura 2000, des "
        "parcs nationaux et des aires marines protégées, relevés sur le terrain et "
        "photo-interprétés à partir d'images aériennes et satellitaires. Les types d'habitats "
        "sont codés selon la classification EUNIS et le référentiel national HABREF, avec leur "
        "état de conservation lorsqu'il a été évalué. Les cartes ultramarines incluent "
        "mangroves, récifs coralliens et herbiers.",
    ),
    keywords_en=(
        "ECOSYSTEMS",
        "HABITAT",
        "CORAL REEFS",
        "VEGETATION",
        "habitat mapping",
        "Natura 2000",
        "EUNIS",
        "mangrove",
    ),
    keywords_fr=(
        "écosystèmes",
        "habitat",
        "récifs coralliens",
        "végétation",
        "cartographie des habitats",
        "Natura 2000",
        "EUNIS",
        "mangrove",
    ),
    license="etalab-2.0",
    providers=(("ofb", ("producer", "licensor")), ("mnhn", ("processor",)), ("pndb", ("host",))),
    sites=places.HABITAT_SITES,
    footprint=Footprint("box", 0.3, 0.2, jitter=0.02),
    schedule=Schedule("span", "2005-01-01", "2025-12-31", span_days=(60, 3 * 365)),
    profile="habitat",
    item_title="Habitat map",
    assets=(AssetSpec("data", "_habitats.gpkg", GEOPACKAGE, "Habitat polygons"), THUMBNAIL),
    weight=2,
)

VEGETATION_SURVEYS = CollectionSpec(
    id="biodiversity-vegetation-surveys",
    pole="biodiversity",
    title=Bilingual(
        "Vegetation plot surveys (phytosociological relevés)",
        "Relevés de végétation (relevés phytosociologiques)",
    ),
    description=Bilingual(
        "Vegetation plots surveyed by the national botanical conservatories and research teams, "
        "listing every vascular plant species with its Braun-Blanquet cover-abundance "
        "coefficient. Each relevé documents the plot area, the total vegetation cover and the "
        "dominant species, and is a reference for habitat typology and long-term vegetation "
        "change. Plots span mainland France, French Guiana, Guadeloupe and La Réunion.",
        "Relevés de végétation réalisés par les conservatoires botaniques nationaux et des "
        "équipes de recherche, listant chaque espèce de plante vasculaire avec son coefficient "
        "d'abondance-dominance de Braun-Blanquet. Chaque relevé documente la surface de la "
        "placette, le recouvrement total de la végétation et les espèces dominantes, et sert de "
        "référence pour la typologie des habitats et le suivi à long terme de la végétation. Les "
        "placettes couvrent la France métropolitaine, la Guyane, la Guadeloupe et La Réunion.",
    ),
    keywords_en=(
        "VEGETATION",
        "VEGETATION SPECIES",
        "PLANTS",
        "vegetation plot",
        "phytosociology",
        "Braun-Blanquet",
        "flora",
    ),
    keywords_fr=(
        "végétation",
        "espèces végétales",
        "plantes",
        "placette de végétation",
        "phytosociologie",
        "Braun-Blanquet",
        "flore",
    ),
    license="CC-BY-4.0",
    providers=(("cbn", ("producer", "licensor")), ("mnhn", ("processor",)), ("pndb", ("host",))),
    sites=places.VEGETATION_SURVEY_ZONES,
    footprint=Footprint("point", jitter=0.4),
    schedule=Schedule("daily", "1990-01-01", "2025-12-31", months=(4, 5, 6, 7, 8, 9)),
    profile="vegetation",
    item_title="Vegetation relevé",
    assets=(AssetSpec("data", "_releve.csv", CSV, "Species list with cover-abundance"),),
    weight=4,
)

COLLECTIONS: tuple[CollectionSpec, ...] = (OCCURRENCES, HABITATS, VEGETATION_SURVEYS)

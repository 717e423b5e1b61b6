"""The portal's message catalog: every interface string, in English and in French.

A plain dict rather than gettext .po files: the portal has two languages and about two hundred
strings, the browser modules need the same strings (the page embeds its language's entries as
JSON), and a dict keeps each English text beside its French one. `{name}` marks a value filled
in at display time. Text that comes from records (titles, abstracts, keywords) is never here.
"""

from __future__ import annotations

from collections.abc import Mapping

MESSAGES: Mapping[str, Mapping[str, str]] = {
    # -- layout -----------------------------------------------------------------------------
    "site.tagline": {
        "en": "Earth-system data from five thematic data centres, in one catalog.",
        "fr": "Les données du système Terre de cinq pôles thématiques, dans un seul catalogue.",
    },
    "nav.label": {"en": "Main navigation", "fr": "Navigation principale"},
    "nav.home": {"en": "Search", "fr": "Recherche"},
    "nav.poles": {"en": "Thematic portals", "fr": "Portails thématiques"},
    "nav.api": {"en": "APIs", "fr": "API"},
    "nav.skip": {"en": "Skip to content", "fr": "Aller au contenu"},
    "lang.label": {"en": "Language", "fr": "Langue"},
    "lang.en": {"en": "English", "fr": "English"},
    "lang.fr": {"en": "Français", "fr": "Français"},
    "footer.apis": {
        "en": "The same catalog for programs: STAC API, OpenAPI document.",
        "fr": "Le même catalogue pour les programmes : API STAC, document OpenAPI.",
    },
    "footer.basemap": {
        "en": "Offline basemap: Natural Earth country boundaries (public domain).",
        "fr": "Fond de carte hors ligne : frontières des pays de Natural Earth (domaine public).",
    },
    "noscript": {
        "en": "The search, the facets and the map need JavaScript. Without it, browse the thematic "
        "portals or use the STAC API.",
        "fr": "La recherche, les facettes et la carte ont besoin de JavaScript. Sans lui, parcourez "
        "les portails thématiques ou utilisez l'API STAC.",
    },
    # -- home and services --------------------------------------------------------------------
    "home.title": {"en": "Search the catalog", "fr": "Rechercher dans le catalogue"},
    "home.poles": {"en": "Thematic portals", "fr": "Portails thématiques"},
    "home.services": {"en": "Services", "fr": "Services"},
    "service.stac": {"en": "STAC API (catalog root)", "fr": "API STAC (racine du catalogue)"},
    "service.collections": {"en": "Collections", "fr": "Collections"},
    "service.search": {"en": "Item search", "fr": "Recherche d'items"},
    "service.api": {"en": "OpenAPI document", "fr": "Document OpenAPI"},
    "service.docs": {"en": "Interactive API documentation", "fr": "Documentation interactive de l'API"},
    # -- search form --------------------------------------------------------------------------
    "search.label": {"en": "Search datasets", "fr": "Rechercher des jeux de données"},
    "search.placeholder": {
        "en": "for example sea surface temperature, forest, GNSS",
        "fr": "par exemple température de surface, forêt, GNSS",
    },
    "search.submit": {"en": "Search", "fr": "Rechercher"},
    "search.help": {
        "en": "Words search titles, descriptions and keywords; a suggested topic searches by that "
        "vocabulary concept and its narrower ones.",
        "fr": "Les mots cherchent dans les titres, descriptions et mots-clés ; un thème suggéré "
        "cherche par ce concept de vocabulaire et ses concepts plus précis.",
    },
    "suggest.label": {"en": "Suggested topics", "fr": "Thèmes suggérés"},
    "suggest.count": {
        "en": "{count} suggested topics: up and down arrows to go through them, Enter to search by one.",
        "fr": "{count} thèmes suggérés : flèches haut et bas pour les parcourir, Entrée pour "
        "chercher par l'un d'eux.",
    },
    # -- year chart ---------------------------------------------------------------------------
    "chart.heading": {"en": "Datasets per year covered", "fr": "Jeux de données par année couverte"},
    "chart.help": {
        "en": "Drag across the bars to choose a period, or click a bar for one year (again to clear "
        "it); the From and To fields do the same from the keyboard.",
        "fr": "Faites glisser sur les barres pour choisir une période, ou cliquez une barre pour une "
        "année (de nouveau pour l'effacer) ; les champs De et À font de même au clavier.",
    },
    "chart.summary": {
        "en": "Bar chart of the matching datasets per year covered, from {first} to {last}; the most "
        "in {peak} ({count} datasets).",
        "fr": "Histogramme des jeux de données trouvés par année couverte, de {first} à {last} ; le "
        "plus en {peak} ({count} jeux de données).",
    },
    "chart.empty": {
        "en": "No matching dataset states its period.",
        "fr": "Aucun jeu de données trouvé n'indique sa période.",
    },
    "chart.inside": {"en": "In the chosen period", "fr": "Dans la période choisie"},
    "chart.outside": {"en": "Datasets", "fr": "Jeux de données"},
    "search.sort": {"en": "Sort by", "fr": "Trier par"},
    "sort.relevance": {"en": "Relevance", "fr": "Pertinence"},
    "sort.newest": {"en": "Date, newest first", "fr": "Date, plus récents d'abord"},
    "sort.oldest": {"en": "Date, oldest first", "fr": "Date, plus anciens d'abord"},
    "search.period": {"en": "Period", "fr": "Période"},
    "search.from": {"en": "From (year)", "fr": "De (année)"},
    "search.to": {"en": "To (year)", "fr": "À (année)"},
    "search.advanced": {"en": "Advanced filter (CQL2)", "fr": "Filtre avancé (CQL2)"},
    "search.filter": {"en": "CQL2 text filter", "fr": "Filtre CQL2 en texte"},
    "search.filter_help": {
        "en": "On pole, license, title, description, id; for example license = 'CC-BY-4.0'.",
        "fr": "Sur pole, license, title, description, id ; par exemple license = 'CC-BY-4.0'.",
    },
    "search.reset": {"en": "Clear all criteria", "fr": "Effacer tous les critères"},
    # -- facets -------------------------------------------------------------------------------
    "facets.heading": {"en": "Refine", "fr": "Affiner"},
    "facet.pole": {"en": "Thematic pole", "fr": "Pôle thématique"},
    "facet.collection": {
        "en": "Dataset (files in the area and period)",
        "fr": "Jeu de données (fichiers dans la zone et la période)",
    },
    "facet.license": {"en": "Licence", "fr": "Licence"},
    "facet.concept": {"en": "Topic (vocabulary concepts)", "fr": "Thème (concepts des vocabulaires)"},
    "facet.year": {"en": "Year covered", "fr": "Année couverte"},
    "facet.count": {"en": "{count} results", "fr": "{count} résultats"},
    "facet.none": {"en": "No value", "fr": "Aucune valeur"},
    "facets.error": {
        "en": "The facet counts are unavailable: {message}",
        "fr": "Les décomptes des facettes sont indisponibles : {message}",
    },
    # -- map ----------------------------------------------------------------------------------
    "map.label": {
        "en": "Map of the results' footprints",
        "fr": "Carte des emprises des résultats",
    },
    "map.extent_label": {"en": "Map of the dataset's extent", "fr": "Carte de l'emprise du jeu de données"},
    "map.draw": {"en": "Draw an area", "fr": "Dessiner une zone"},
    "map.drawing": {
        "en": "Drag on the map to draw the area (Escape cancels).",
        "fr": "Faites glisser sur la carte pour dessiner la zone (Échap annule).",
    },
    "map.use_view": {"en": "Search in this map view", "fr": "Chercher dans cette vue"},
    "map.clear": {"en": "Clear the area", "fr": "Effacer la zone"},
    "map.area": {"en": "Area: {area}", "fr": "Zone : {area}"},
    "map.no_area": {"en": "Area: the whole world", "fr": "Zone : le monde entier"},
    # -- results ------------------------------------------------------------------------------
    "results.heading": {"en": "Results", "fr": "Résultats"},
    "results.count": {"en": "{count} datasets found", "fr": "{count} jeux de données trouvés"},
    "results.count_one": {"en": "1 dataset found", "fr": "1 jeu de données trouvé"},
    "results.shown": {"en": "{count} datasets shown", "fr": "{count} jeux de données affichés"},
    "results.none": {
        "en": "No dataset matches these criteria.",
        "fr": "Aucun jeu de données ne correspond à ces critères.",
    },
    "results.loading": {"en": "Searching…", "fr": "Recherche en cours…"},
    "results.refused": {
        "en": "The catalog refused this search: {message}",
        "fr": "Le catalogue a refusé cette recherche : {message}",
    },
    "results.unreachable": {
        "en": "The catalog could not be reached. Try again in a moment.",
        "fr": "Le catalogue est injoignable. Réessayez dans un instant.",
    },
    "results.next": {"en": "Next page", "fr": "Page suivante"},
    "results.prev": {"en": "Previous page", "fr": "Page précédente"},
    "results.page": {"en": "Page {page}", "fr": "Page {page}"},
    "results.paging": {"en": "Result pages", "fr": "Pages de résultats"},
    "result.period": {"en": "Period: {period}", "fr": "Période : {period}"},
    "result.ongoing": {"en": "ongoing", "fr": "en cours"},
    "result.unknown": {"en": "unknown", "fr": "inconnue"},
    # -- poles --------------------------------------------------------------------------------
    "pole.heading": {"en": "Thematic portal", "fr": "Portail thématique"},
    "pole.datasets": {"en": "Datasets of this pole", "fr": "Jeux de données du pôle"},
    "pole.services": {"en": "Services of this pole", "fr": "Services du pôle"},
    "pole.search": {"en": "Search this pole", "fr": "Rechercher dans ce pôle"},
    "pole.none": {"en": "No dataset yet.", "fr": "Aucun jeu de données pour l'instant."},
    "pole.service_items": {
        "en": "Files of the pole's datasets (STAC item search)",
        "fr": "Fichiers des jeux de données du pôle (recherche d'items STAC)",
    },
    "pole.service_collections": {
        "en": "The pole's datasets as STAC collections",
        "fr": "Les jeux de données du pôle en collections STAC",
    },
    # -- dataset page -------------------------------------------------------------------------
    "dataset.pole": {"en": "Pole", "fr": "Pôle"},
    "dataset.description": {"en": "Description", "fr": "Description"},
    "dataset.keywords": {"en": "Keywords", "fr": "Mots-clés"},
    "dataset.keyword_search": {"en": "Search with this keyword", "fr": "Rechercher avec ce mot-clé"},
    "dataset.concept_search": {
        "en": "Search by this concept and its narrower ones",
        "fr": "Rechercher par ce concept et ses concepts plus précis",
    },
    "dataset.vocabulary": {"en": "vocabulary: {name}", "fr": "vocabulaire : {name}"},
    "dataset.concept": {"en": "Concept in its vocabulary", "fr": "Concept dans son vocabulaire"},
    "dataset.extent": {"en": "Extent", "fr": "Étendue"},
    "dataset.spatial": {"en": "Spatial extent", "fr": "Étendue spatiale"},
    "dataset.bbox": {
        "en": "west {west}°, south {south}°, east {east}°, north {north}°",
        "fr": "ouest {west}°, sud {south}°, est {east}°, nord {north}°",
    },
    "dataset.no_bbox": {"en": "Not stated", "fr": "Non précisée"},
    "dataset.temporal": {"en": "Temporal extent", "fr": "Étendue temporelle"},
    "dataset.period": {"en": "from {start} to {end}", "fr": "du {start} au {end}"},
    "dataset.since": {"en": "since {start} (ongoing)", "fr": "depuis le {start} (en cours)"},
    "dataset.until": {"en": "until {end}", "fr": "jusqu'au {end}"},
    "dataset.contacts": {"en": "Contacts", "fr": "Contacts"},
    "dataset.contact_name": {"en": "Name", "fr": "Nom"},
    "dataset.contact_roles": {"en": "Roles", "fr": "Rôles"},
    "dataset.contact_reach": {"en": "Contact", "fr": "Coordonnées"},
    "dataset.no_contacts": {"en": "No contact given.", "fr": "Aucun contact indiqué."},
    "dataset.licence": {"en": "Licence and access conditions", "fr": "Licence et conditions d'accès"},
    "dataset.licence_name": {"en": "Licence", "fr": "Licence"},
    "dataset.licence_unknown": {"en": "Not stated", "fr": "Non précisée"},
    "dataset.access_conditions": {"en": "Access conditions", "fr": "Conditions d'accès"},
    "dataset.use_conditions": {"en": "Conditions of use", "fr": "Conditions d'utilisation"},
    "dataset.access": {"en": "Access to the data", "fr": "Accès aux données"},
    "dataset.about": {"en": "About this dataset", "fr": "À propos de ce jeu de données"},
    "dataset.access_level": {"en": "Access", "fr": "Accès"},
    "dataset.version": {"en": "Version", "fr": "Version"},
    "dataset.data_formats": {"en": "File formats", "fr": "Formats de fichiers"},
    "dataset.created": {"en": "Created", "fr": "Création"},
    "dataset.published": {"en": "Published", "fr": "Publication"},
    "dataset.revised": {"en": "Revised", "fr": "Révision"},
    "dataset.updated": {"en": "Record updated", "fr": "Fiche mise à jour"},
    "dataset.links": {"en": "Links to the data", "fr": "Liens vers les données"},
    "dataset.gone": {"en": "Dataset withdrawn", "fr": "Jeu de données retiré"},
    "dataset.gone_text": {
        "en": "The dataset {id} was withdrawn from the catalog.",
        "fr": "Le jeu de données {id} a été retiré du catalogue.",
    },
    "dataset.identifier": {"en": "Identifier", "fr": "Identifiant"},
    "dataset.doi": {"en": "DOI", "fr": "DOI"},
    "dataset.formats": {"en": "This record in other formats", "fr": "Cette fiche dans d'autres formats"},
    "format.items": {"en": "Its files as STAC items", "fr": "Ses fichiers en items STAC"},
    "dataset.not_found": {"en": "Dataset not found", "fr": "Jeu de données introuvable"},
    "dataset.not_found_text": {
        "en": "The catalog holds no dataset with the identifier {id}.",
        "fr": "Le catalogue ne contient aucun jeu de données d'identifiant {id}.",
    },
    "page.not_found": {"en": "Page not found", "fr": "Page introuvable"},
    "page.not_found_text": {
        "en": "There is no thematic portal named {name}.",
        "fr": "Il n'existe aucun portail thématique nommé {name}.",
    },
    "page.back_home": {"en": "Back to the search", "fr": "Retour à la recherche"},
    # -- access states (placeholder until the access policies are wired in) -------------------
    "access.open": {"en": "Open data", "fr": "Données ouvertes"},
    "access.open_text": {
        "en": "Anyone may download the data under its licence.",
        "fr": "Tout le monde peut télécharger les données selon leur licence.",
    },
    "access.download": {"en": "Download the data", "fr": "Télécharger les données"},
    "access.browse": {"en": "Browse the files", "fr": "Parcourir les fichiers"},
    "access.embargo": {"en": "Under embargo", "fr": "Sous embargo"},
    "access.embargo_text": {
        "en": "The description is public; the data will be released when the embargo ends.",
        "fr": "La description est publique ; les données seront ouvertes à la fin de l'embargo.",
    },
    "access.licensed": {"en": "Licensed data", "fr": "Données sous licence"},
    "access.licensed_text": {
        "en": "Downloading needs an account and the acceptance of the data licence.",
        "fr": "Le téléchargement demande un compte et l'acceptation de la licence des données.",
    },
    "access.eligible": {"en": "For eligible users", "fr": "Pour les utilisateurs éligibles"},
    "access.eligible_text": {
        "en": "Downloading needs an approved access request from an eligible user category.",
        "fr": "Le téléchargement demande une demande d'accès approuvée, pour une catégorie "
        "d'utilisateurs éligible.",
    },
    "access.restricted": {"en": "Restricted", "fr": "Accès restreint"},
    "access.restricted_text": {
        "en": "The data are reserved to the groups the pole names.",
        "fr": "Les données sont réservées aux groupes désignés par le pôle.",
    },
    "access.request": {"en": "Request access", "fr": "Demander l'accès"},
    "access.pending_service": {
        "en": "Access requests open with the access service (not yet available here).",
        "fr": "Les demandes d'accès ouvriront avec le service d'accès (pas encore disponible ici).",
    },
    # -- citation -----------------------------------------------------------------------------
    "citation.heading": {"en": "Cite this dataset", "fr": "Citer ce jeu de données"},
    "citation.text": {"en": "Text", "fr": "Texte"},
    "citation.bibtex": {"en": "BibTeX", "fr": "BibTeX"},
    "citation.datacite": {"en": "DataCite XML", "fr": "DataCite XML"},
    "citation.copy": {"en": "Copy", "fr": "Copier"},
    "citation.copied": {"en": "Copied", "fr": "Copié"},
    "citation.accessed": {"en": "Accessed {date}", "fr": "Consulté le {date}"},
    # -- FAIR -----------------------------------------------------------------------------------
    "fair.heading": {"en": "FAIR score", "fr": "Score FAIR"},
    "fair.score": {"en": "{score} out of 100", "fr": "{score} sur 100"},
    "fair.missing": {"en": "What is missing", "fr": "Ce qui manque"},
    "fair.complete": {"en": "Nothing is missing.", "fr": "Rien ne manque."},
    "fair.unavailable": {
        "en": "The FAIR assessment is not available on this server yet.",
        "fr": "L'évaluation FAIR n'est pas encore disponible sur ce serveur.",
    },
    # -- contact roles (ISO 19115 role codes, STAC provider roles) -----------------------------
    "role.producer": {"en": "producer", "fr": "producteur"},
    "role.processor": {"en": "processor", "fr": "traitement"},
    "role.licensor": {"en": "licensor", "fr": "concédant de licence"},
    "role.host": {"en": "host", "fr": "hébergeur"},
    "role.pointOfContact": {"en": "point of contact", "fr": "point de contact"},
    "role.author": {"en": "author", "fr": "auteur"},
    "role.originator": {"en": "originator", "fr": "créateur"},
    "role.publisher": {"en": "publisher", "fr": "éditeur"},
    "role.custodian": {"en": "custodian", "fr": "gestionnaire"},
    "role.distributor": {"en": "distributor", "fr": "distributeur"},
    "role.owner": {"en": "owner", "fr": "propriétaire"},
    "role.principalInvestigator": {"en": "principal investigator", "fr": "responsable scientifique"},
    "role.resourceProvider": {"en": "resource provider", "fr": "fournisseur"},
    "role.user": {"en": "user", "fr": "utilisateur"},
    "role.contributor": {"en": "contributor", "fr": "contributeur"},
    "role.funder": {"en": "funder", "fr": "financeur"},
}

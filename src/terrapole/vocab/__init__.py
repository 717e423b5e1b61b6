"""Controlled vocabularies: SKOS thesauri (GCMD, INSPIRE themes, GEMET...) with French and English
labels, imported into the catalog; keywords linked to their concepts; concept suggestions."""

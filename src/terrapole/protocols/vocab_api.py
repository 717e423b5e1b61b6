"""The vocabulary API: concept suggestions (autocomplete), concept schemes and concepts, as JSON.

- `GET /vocab/suggest?q=temp&lang=fr&limit=10&scheme=...`: concepts whose labels complete `q`
  (see `vocab.suggest` for the matching and ranking; concepts the catalog's collections use
  rank first), each with its label in `lang`;
- `GET /vocab/schemes`: the concept schemes the catalog holds, with their number of concepts;
- `GET /vocab/concept?uri=...&lang=fr`: one concept, its labels, hierarchy and mappings.

`lang` defaults to the request's Accept-Language (English or French). Errors are problem+json.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from terrapole.catalog.base import CatalogStore
from terrapole.core.errors import InvalidParameter, NotFound
from terrapole.core.query import Query, parse_limit
from terrapole.core.vocab import Vocabulary
from terrapole.portal import preferred_language
from terrapole.protocols import OrjsonResponse
from terrapole.protocols.stac_params import split_list
from terrapole.vocab.suggest import display_label, suggest_index

StoreProvider = Callable[[], CatalogStore]
MAX_SUGGESTIONS = 50
MAX_Q = 200
USAGE_SECONDS = 60.0  # how long suggestions rank by the same counts of concept use


class ConceptNotFound(NotFound):
    """No imported vocabulary holds this concept."""

    def __init__(self, uri: str) -> None:
        super().__init__(f"concept {uri!r} not found in the catalog's vocabularies (see /vocab/schemes)")
        self.uri = uri


class VocabApi:
    """The vocabulary endpoints over the store that `store_provider` returns."""

    def __init__(self, store_provider: StoreProvider) -> None:
        self.store = store_provider
        self._usage: tuple[float, int, Mapping[str, int]] = (0.0, -1, {})
        self._usage_lock = threading.Lock()

    def usage(self, vocabulary: Vocabulary) -> Mapping[str, int]:
        """How many collections refer to each concept (or a narrower one), kept `USAGE_SECONDS`."""
        at, generation, counts = self._usage
        if generation == vocabulary.generation and time.monotonic() - at < USAGE_SECONDS:
            return counts
        with self._usage_lock:
            facets = self.store().aggregate_collections(Query(), ["concept"])
            counts = facets.counts.get("concept", {})
            self._usage = (time.monotonic(), vocabulary.generation, counts)
        return counts

    def suggest(self, request: Request) -> Response:
        """Concepts whose labels complete the typed text, best first."""
        params = request.query_params
        typed = params.get("q", "")
        if len(typed) > MAX_Q:
            raise InvalidParameter("q", f"at most {MAX_Q} characters")
        lang = request_language(request)
        limit = parse_limit(params.get("limit") or 10, MAX_SUGGESTIONS)
        vocabulary = self.store().vocabulary.snapshot()
        schemes = split_list(params.get("scheme"))
        for scheme in schemes:
            if scheme not in vocabulary.schemes:
                raise InvalidParameter("scheme", f"unknown concept scheme {scheme!r} (see /vocab/schemes)")
        found = suggest_index(vocabulary).suggest(typed, lang, limit, schemes, self.usage(vocabulary))
        suggestions = [
            {
                "uri": s.uri,
                "label": s.label,
                "lang": s.lang,
                "match": s.match,
                "prefLabel": display_label(vocabulary, s.uri, lang),
                "scheme": s.scheme,
                "schemeTitle": vocabulary.scheme_title(s.scheme, lang),
                "broader": _concepts(vocabulary, vocabulary.broader(s.uri), lang),
            }
            for s in found
        ]
        return OrjsonResponse({"q": typed, "lang": lang, "suggestions": suggestions})

    def schemes(self, request: Request) -> Response:
        """The concept schemes the catalog holds."""
        lang = request_language(request)
        vocabulary = self.store().vocabulary.snapshot()
        schemes = [
            {
                "uri": uri,
                "title": vocabulary.scheme_title(uri, lang),
                "concepts": vocabulary.counts.get(uri, 0),
            }
            for uri in sorted(vocabulary.schemes)
        ]
        return OrjsonResponse({"schemes": schemes})

    def concept(self, request: Request) -> Response:
        """One concept: labels per language, definition, broader, narrower and mapped concepts."""
        uri = request.query_params.get("uri") or ""
        if not uri:
            raise InvalidParameter("uri", "give the URI of a concept")
        lang = request_language(request)
        vocabulary = self.store().vocabulary.snapshot()
        concept = vocabulary.concepts.get(uri)
        if concept is None:
            raise ConceptNotFound(uri)
        body = {
            "uri": uri,
            "prefLabel": display_label(vocabulary, uri, lang),
            "prefLabels": dict(concept.pref),
            "altLabels": {k: list(v) for k, v in concept.alt.items()},
            "definition": dict(concept.definition),
            "notation": concept.notation,
            "scheme": concept.scheme,
            "broader": _concepts(vocabulary, vocabulary.broader(uri), lang),
            "narrower": _concepts(vocabulary, vocabulary.narrower(uri), lang),
            **{kind: _concepts(vocabulary, uris, lang) for kind, uris in vocabulary.related(uri).items()},
        }
        return OrjsonResponse(body)


def request_language(request: Request) -> str:
    """The `lang` parameter, else the best of the Accept-Language header (en or fr)."""
    lang = request.query_params.get("lang")
    if lang is None:
        return preferred_language(request.headers.get("accept-language"))
    if not lang.replace("-", "").isalnum() or len(lang) > 35:
        raise InvalidParameter("lang", f"{lang!r} is not a language tag (en, fr...)")
    return lang.lower()


def _concepts(vocabulary: Vocabulary, uris: tuple[str, ...], lang: str) -> list[dict[str, Any]]:
    return [{"uri": u, "label": vocabulary.label(u, lang)} for u in sorted(uris)]


def vocab_router(store_provider: StoreProvider, prefix: str = "/vocab") -> APIRouter:
    """The vocabulary routes under `prefix`."""
    api = VocabApi(store_provider)
    router = APIRouter(prefix=prefix, tags=["Vocabularies"])
    lang = ("lang", "Language of labels and titles (en, fr); default: Accept-Language", False)
    parameters = {
        api.suggest: [
            ("q", "Text typed so far", True),
            lang,
            ("limit", "Number of suggestions (1-50, default 10)", False),
            ("scheme", "Concept scheme URIs, comma-separated", False),
        ],
        api.schemes: [lang],
        api.concept: [("uri", "Concept URI", True), lang],
    }
    for path, endpoint in (("/suggest", api.suggest), ("/schemes", api.schemes), ("/concept", api.concept)):
        documented = [
            {
                "name": name,
                "in": "query",
                "required": required,
                "description": text,
                "schema": {"type": "string"},
            }
            for name, text, required in parameters[endpoint]
        ]
        router.add_api_route(
            path,
            endpoint,
            methods=["GET"],
            response_class=OrjsonResponse,
            openapi_extra={"parameters": documented},
            name=f"vocab:{endpoint.__name__}",
        )
    return router

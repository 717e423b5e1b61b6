"""CQL2 filters: parsing text and JSON with the `cql2` library into one validated form."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import cql2
import orjson

from terrapole.core.errors import InvalidFilter
from terrapole.core.query import Filter

FILTER_LANGS = ("cql2-text", "cql2-json")


def parse_filter(source: str | Mapping[str, Any], lang: str | None = None) -> Filter:
    """Parse a CQL2 filter given as text or JSON (string or object) and validate it."""
    lang = lang or ("cql2-json" if not isinstance(source, str) or _looks_json(source) else "cql2-text")
    if lang not in FILTER_LANGS:
        raise InvalidFilter(f"unsupported filter-lang {lang!r}; use one of {', '.join(FILTER_LANGS)}")
    try:
        if lang == "cql2-text":
            if not isinstance(source, str):
                raise InvalidFilter("cql2-text filter must be a string")
            expr = cql2.parse_text(source)
        else:
            text = source if isinstance(source, str) else orjson.dumps(source).decode()
            expr = cql2.parse_json(text)
        # No `expr.validate()`: it costs about 34 ms a call (a JSON-schema pass), and the SQL
        # compiler refuses every operator, arity and literal it does not support anyway.
    except (cql2.ParseError, cql2.ValidationError, ValueError, TypeError) as exc:
        raise InvalidFilter(_first_line(str(exc))) from None
    expression = expr.to_json()
    if not isinstance(expression, dict):
        raise InvalidFilter("a filter must be a boolean expression")
    return Filter(expression)


def properties_of(expression: Any) -> Iterator[str]:
    """Every property name an expression refers to."""
    if isinstance(expression, Mapping):
        if "property" in expression:
            yield str(expression["property"])
        for value in expression.get("args", ()):
            yield from properties_of(value)
    elif isinstance(expression, list):
        for value in expression:
            yield from properties_of(value)


def _looks_json(text: str) -> bool:
    return text.lstrip().startswith("{")


def _first_line(message: str) -> str:
    lines = [line.strip() for line in message.strip().splitlines() if line.strip()]
    return " ".join(lines)[:500] if lines else "invalid CQL2 expression"

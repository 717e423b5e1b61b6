"""Content negotiation: the best of the offered values for an Accept (or Accept-*) header."""

from __future__ import annotations

from collections.abc import Mapping


def best_offer(header: str | None, offers: Mapping[str, str], default: str) -> str:
    """The offer whose key the header weighs most (`offers` maps a header value, lower case,
    to what it selects); earlier entries win ties; `default` when nothing offered is asked for."""
    best, best_q = default, 0.0
    for position, part in enumerate((header or "").split(",")):
        value, _, params = part.strip().partition(";")
        chosen = offers.get(value.strip().lower())
        q = quality(params) - position * 1e-6
        if chosen is not None and q > best_q:
            best, best_q = chosen, q
    return best


def quality(params: str) -> float:
    """The q weight in the parameters of one header entry (1 when absent, 0 when malformed)."""
    for param in params.split(";"):
        name, _, value = param.strip().partition("=")
        if name.strip() == "q":
            try:
                return float(value)
            except ValueError:
                return 0.0
    return 1.0

"""Minimal HTML pages of the OGC API - Records resources (landing page, collections, records,
one record), rendered from the same JSON documents the API serves. Every text that comes from a
record or a request is escaped; links are only written when they are http(s) or relative."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from html import escape
from typing import Any

STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;line-height:1.45}"
    "table{border-collapse:collapse}td,th{border-bottom:1px solid #ddd;padding:.3rem .6rem;text-align:left;"
    "vertical-align:top}dt{font-weight:600}"
)


def page(title: str, body: str, lang: str = "en") -> str:
    """A whole HTML document."""
    return (
        f'<!DOCTYPE html><html lang="{escape(lang)}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1"><title>{escape(title)}</title>'
        f"<style>{STYLE}</style></head><body>{body}</body></html>"
    )


def link_list(links: Iterable[Mapping[str, Any]]) -> str:
    """A list of links (rel and title shown)."""
    items = []
    for link in links:
        kind = f", {escape(str(link['type']))}" if link.get("type") else ""
        anchor = _anchor(link["href"], link.get("title") or link["href"])
        items.append(f"<li>{anchor} <small>({escape(str(link.get('rel', '')))}{kind})</small></li>")
    return f"<ul>{''.join(items)}</ul>" if items else ""


def described(document: Mapping[str, Any]) -> str:
    """A resource with a title, a description and links (the landing page, a record collection)."""
    body = (
        f"<h1>{escape(document['title'])}</h1><p>{escape(document.get('description', ''))}</p>"
        f"<h2>Links</h2>{link_list(document['links'])}"
    )
    return page(document["title"], body)


def collections(document: Mapping[str, Any]) -> str:
    """The list of record collections."""
    rows = "".join(
        f"<tr><td>{_anchor(_href(c, 'self'), c['id'])}</td><td>{escape(c.get('title', ''))}</td>"
        f"<td>{escape(c.get('description', ''))}</td></tr>"
        for c in document["collections"]
    )
    header = "<tr><th>id</th><th>title</th><th>description</th></tr>"
    body = f"<h1>Record collections</h1><table>{header}{rows}</table>"
    return page("Record collections", body)


def items(document: Mapping[str, Any], title: str) -> str:
    """A page of records, with its paging links."""
    rows = "".join(_item_row(f) for f in document["features"])
    paging = [link for link in document["links"] if link["rel"] in ("next", "prev")]
    matched = document.get("numberMatched")
    count = f"<p>{document['numberReturned']} records{f' of {matched}' if matched is not None else ''}</p>"
    body = (
        f"<h1>{escape(title)}</h1>{count}<table><tr><th>id</th><th>title</th><th>type</th></tr>{rows}</table>"
        f"{link_list(paging)}"
    )
    return page(title, body)


def record(feature: Mapping[str, Any]) -> str:
    """One record: its properties as a definition list, then its links."""
    properties = feature["properties"]
    terms = "".join(
        f"<dt>{escape(name)}</dt><dd>{_value(value)}</dd>"
        for name, value in properties.items()
        if name not in ("title", "description")
    )
    title = properties.get("title") or feature["id"]
    body = (
        f"<h1>{escape(title)}</h1><p>{escape(properties.get('description', ''))}</p>"
        f"<dl><dt>id</dt><dd>{escape(feature['id'])}</dd>{terms}</dl><h2>Links</h2>{link_list(feature['links'])}"
    )
    return page(title, body)


def _item_row(feature: Mapping[str, Any]) -> str:
    properties = feature["properties"]
    cells = [
        _anchor(_href(feature, "self"), feature["id"]),
        escape(properties.get("title", "")),
        escape(properties.get("type", "")),
    ]
    return "<tr>" + "".join(f"<td>{cell}</td>" for cell in cells) + "</tr>"


def _value(value: Any) -> str:
    if isinstance(value, Mapping):
        return ", ".join(f"{escape(str(k))}: {_value(v)}" for k, v in value.items())
    if isinstance(value, list):
        return "; ".join(_value(v) for v in value)
    return escape(str(value))


def _href(document: Mapping[str, Any], rel: str) -> str:
    return next((link["href"] for link in document.get("links", ()) if link.get("rel") == rel), "#")


def _anchor(href: str, text: str) -> str:
    safe = href.startswith(("http://", "https://", "/", "#")) and not href.startswith("//")
    if not safe:
        return escape(text)
    return f'<a href="{escape(href, quote=True)}">{escape(text)}</a>'

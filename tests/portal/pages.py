"""Reading rendered pages back: their elements, embedded JSON blocks and scripts."""

from __future__ import annotations

import json
from typing import Any

import lxml.html

ALLOWED_SCRIPT_TYPES = {"application/json", "application/ld+json", "module", ""}


def parse(html: str) -> Any:
    """The page's element tree."""
    return lxml.html.document_fromstring(html)


def json_block(html: str, block_id: str) -> Any:
    """The JSON of the page's `<script type="application/...json" id=block_id>` block."""
    (node,) = parse(html).xpath(f'//script[@id="{block_id}"]')
    return json.loads(node.text)


def json_ld(html: str) -> Any:
    """The page's one schema.org JSON-LD block."""
    (node,) = parse(html).xpath('//script[@type="application/ld+json"]')
    return json.loads(node.text)


def inline_code(html: str) -> list[str]:
    """Every piece of inline code in the page: executable inline scripts and on* handlers."""
    tree = parse(html)
    found = []
    for script in tree.iter("script"):
        kind = (script.get("type") or "").strip().lower()
        if script.get("src") is None and kind not in ("application/json", "application/ld+json"):
            found.append(f"inline script: {(script.text or '')[:60]!r}")
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue
        found.extend(f"{element.tag}@{name}" for name in element.attrib if name.lower().startswith("on"))
        for name in ("href", "src", "action"):
            if element.get(name, "").strip().lower().startswith("javascript:"):
                found.append(f"{element.tag}@{name}={element.get(name)}")
    return found


def texts(html: str, xpath: str) -> list[str]:
    """The text content of the elements `xpath` selects, whitespace collapsed."""
    return [" ".join(node.text_content().split()) for node in parse(html).xpath(xpath)]

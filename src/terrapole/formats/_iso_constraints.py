"""Resource constraints of ISO 19115 records (19139 and 19115-3) to and from canonical `Constraints`.

ISO spreads legal limits over constraint blocks: MD_Constraints (use limitations), MD_LegalConstraints
(access and use restriction codes, with free statements in otherConstraints) and MD_SecurityConstraints
(a classification). The canonical mapping:
- `use_limitations`: every useLimitation statement;
- `use`: the use restriction codes, then the statements of blocks that have use codes;
- `access`: the access restriction codes, then the statements of blocks that only have access codes;
- `other`: the statements of legal blocks without any code;
- `license` / `license_url`: the first statement that names a licence (text or anchor pointing to a
  licence; use statements first, then others, access statements, use limitations), else the first
  linked statement of a block whose use code is a licence code; it is taken out of the list it was in;
- `classification`: the security classification code.
A block's `otherRestrictions` code only says "see the statements": it is dropped when the block has
statements, and the encoder adds it back to any block it writes statements in (as INSPIRE asks).
The anchors of statements (other than the licence's) are handed to `note_anchor`, to be kept with the
record (see `_iso_vocab.ANCHORS_KEY`) and written back.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from lxml import etree

from terrapole.core.record import Constraints
from terrapole.formats._iso_gml import children, local
from terrapole.formats._iso_vocab import OTHER_RESTRICTIONS, RESTRICTION_CODES, anchor_uri, is_licence

LICENCE_CODES = frozenset(
    {"license", "licence", "licenceUnrestricted", "licenceEndUser", "licenceDistributor"}
)
_URL = re.compile(r"https?://[^\s<>\"']+")
_XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
Statement = tuple[str, str | None]


@dataclass(slots=True)
class Block:
    """One constraints block, as read or as to be written."""

    kind: str = "MD_LegalConstraints"
    limitations: list[str] = field(default_factory=list)
    access: list[str] = field(default_factory=list)
    use: list[str] = field(default_factory=list)
    statements: list[Statement] = field(default_factory=list)
    classification: str | None = None

    @property
    def target(self) -> str:
        """Which canonical list the block's statements belong to."""
        return "use" if self.use else "access" if self.access else "other"


def read_constraints(
    blocks: Iterable[etree._Element], note_anchor: Callable[[str, str | None], None]
) -> Constraints:
    """Canonical constraints from the resourceConstraints blocks of an identification section."""
    parsed = [_read_block(block) for block in blocks]
    lists: dict[str, list[Statement]] = {"use": [], "other": [], "access": []}
    for block in parsed:
        lists[block.target].extend(block.statements)
    lists["limitations"] = [(text, None) for block in parsed for text in block.limitations]
    licence = _pick_licence(parsed, lists)
    for key in ("use", "other", "access"):
        for text, href in lists[key]:
            note_anchor(text, href)
    return Constraints(
        license=licence[0] if licence else None,
        license_url=licence[1] if licence else None,
        access=_codes_then_texts(parsed, "access", lists["access"]),
        use=_codes_then_texts(parsed, "use", lists["use"]),
        use_limitations=tuple(_unique(text for text, _ in lists["limitations"])),
        other=tuple(_unique(text for text, _ in lists["other"])),
        classification=next((b.classification for b in parsed if b.classification), None),
    )


def _read_block(element: etree._Element) -> Block:
    block = Block(kind=local(element.tag))
    for name, prop in children(element):
        value = next((c for _, c in children(prop)), None)
        text = (value.text or "").strip() if value is not None else ""
        if name == "useLimitation" and text:
            block.limitations.append(text)
        elif name in ("accessConstraints", "useConstraints") and value is not None:
            restriction = value.get("codeListValue") or text
            if restriction:
                (block.access if name == "accessConstraints" else block.use).append(restriction)
        elif name == "otherConstraints" and text:
            href = value.get(_XLINK_HREF) if value is not None else None
            # An anchor's text is the label of a code list value: pretty-printing is not part of it.
            block.statements.append((" ".join(text.split()) if href else text, href))
        elif name == "classification":
            block.classification = (value.get("codeListValue") or text) if value is not None else None
    return block


def _pick_licence(blocks: list[Block], lists: dict[str, list[Statement]]) -> Statement | None:
    for key in ("use", "other", "access", "limitations"):
        for statement in lists[key]:
            if is_licence(*statement):
                lists[key].remove(statement)
                return statement[0], statement[1] or _first_url(statement[0])
    for block in blocks:
        if LICENCE_CODES & set(block.use):
            for statement in block.statements:
                if statement[1] or _first_url(statement[0]):
                    lists[block.target].remove(statement)
                    return statement[0], statement[1] or _first_url(statement[0])
    return None


def _first_url(text: str) -> str | None:
    match = _URL.search(text)
    return match.group(0).rstrip(".,;)") if match else None


def _codes_then_texts(blocks: list[Block], kind: str, statements: list[Statement]) -> tuple[str, ...]:
    codes = [
        value
        for block in blocks
        for value in getattr(block, kind)
        if not (value == OTHER_RESTRICTIONS and block.statements)
    ]
    return tuple(_unique([*codes, *(text for text, _ in statements)]))


def _unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(values))


def plan_constraints(constraints: Constraints, anchors: Mapping[str, str]) -> list[Block]:
    """The blocks that carry `constraints`: limitations, use (with the licence), access, other, security;
    statements are anchored to the URIs in `anchors` (or known ones)."""
    blocks = []
    if constraints.use_limitations:
        blocks.append(Block("MD_Constraints", limitations=list(constraints.use_limitations)))
    use_codes, use_texts = _split(constraints.use)
    licence = _licence_statement(constraints)
    blocks.append(_legal(use=use_codes, statements=[*licence, *_anchored(use_texts, anchors)]))
    access_codes, access_texts = _split(constraints.access)
    blocks.append(_legal(access=access_codes, statements=_anchored(access_texts, anchors)))
    blocks.append(Block(statements=_anchored(constraints.other, anchors)))
    if constraints.classification:
        blocks.append(Block("MD_SecurityConstraints", classification=constraints.classification))
    return [b for b in blocks if b.limitations or b.access or b.use or b.statements or b.classification]


def _legal(
    statements: list[Statement], use: list[str] | None = None, access: list[str] | None = None
) -> Block:
    implied = [OTHER_RESTRICTIONS] if statements else []
    if use is not None:
        return Block(use=use or implied, statements=statements)
    return Block(access=access or implied, statements=statements)


def _split(values: Iterable[str]) -> tuple[list[str], list[str]]:
    codes = [v for v in values if v in RESTRICTION_CODES or v in LICENCE_CODES]
    return codes, [v for v in values if v not in codes]


def _anchored(texts: Iterable[str], anchors: Mapping[str, str]) -> list[Statement]:
    return [(text, anchor_uri(text, anchors)) for text in texts]


def _licence_statement(constraints: Constraints) -> list[Statement]:
    text = constraints.license or constraints.license_url
    return [(text, constraints.license_url)] if text else []

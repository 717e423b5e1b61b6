"""GCMD keyword CSV exports (NASA KMS) read into a `Thesaurus`.

Why our own reader: GCMD's SKOS export comes in pages of 2,000 concepts whose broader and
narrower links point across pages, while one CSV holds a whole scheme (3,283 science keywords in
KMS 9.1.5). Each row is one concept: its path down the hierarchy (Category > Topic > Term >
Variable levels for science keywords; Category > Series_Entity > Short_Name for platforms) and
its UUID. The concept is the last label of the path; its broader concept is the row of the
nearest shorter path. URIs are the ones KMS gives in SKOS:
`https://gcmd.earthdata.nasa.gov/kms/concept/<uuid>`, in the scheme
`https://gcmd.earthdata.nasa.gov/kms/concepts/concept_scheme/<name>` (named in the first line).
`Long_Name` columns become English alternative labels.
"""

from __future__ import annotations

import csv
import io
import re

from terrapole.core.errors import InvalidRecord
from terrapole.core.vocab import BROADER, Concept, ConceptScheme, Relation, Thesaurus

CONCEPT_BASE = "https://gcmd.earthdata.nasa.gov/kms/concept/"
SCHEME_BASE = "https://gcmd.earthdata.nasa.gov/kms/concepts/concept_scheme/"
SIGNATURE = b'"Keyword Version:'
MAX_BYTES = 50 * 1024 * 1024
SCHEME_TITLES = {
    "sciencekeywords": "GCMD Science Keywords",
    "platforms": "GCMD Platforms",
    "instruments": "GCMD Instruments",
    "locations": "GCMD Locations",
    "providers": "GCMD Providers",
    "projects": "GCMD Projects",
}
_SCHEME_NAME = re.compile(r"concept_scheme/([A-Za-z_]+)")
_ALT_COLUMNS = frozenset({"long_name"})


def looks_like_gcmd_csv(data: bytes) -> bool:
    """True when the bytes start like a KMS CSV export."""
    return data.lstrip(b"\xef\xbb\xbf").startswith(SIGNATURE)


def parse(data: bytes) -> Thesaurus:
    """The scheme, concepts and broader relations of a KMS CSV export."""
    if len(data) > MAX_BYTES:
        raise InvalidRecord(f"GCMD CSV of {len(data):,} bytes is over the {MAX_BYTES:,}-byte limit")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InvalidRecord(f"GCMD CSV is not UTF-8: {error}") from None
    lines = text.splitlines()
    if len(lines) < 2 or not lines[0].startswith('"Keyword Version:'):
        raise InvalidRecord("not a GCMD KMS CSV export (no 'Keyword Version' first line)")
    uri = SCHEME_BASE + _scheme_name(lines[0])
    scheme = ConceptScheme(uri, scheme_title(uri))
    rows = list(csv.reader(io.StringIO("\n".join(lines[1:]))))
    header = [column.strip().lower() for column in rows[0]]
    paths = _paths(rows[1:], header)
    concepts, relations = _concepts(paths, scheme.uri)
    return Thesaurus((scheme,), tuple(concepts), tuple(relations))


def scheme_title(uri: str) -> dict[str, str]:
    """The title of a GCMD scheme named by its KMS URI (none for other URIs)."""
    if not uri.startswith(SCHEME_BASE):
        return {}
    name = uri.removeprefix(SCHEME_BASE).strip("/").lower()
    return {"en": SCHEME_TITLES.get(name, f"GCMD {name}")}


def _scheme_name(first_line: str) -> str:
    found = _SCHEME_NAME.search(first_line)
    if not found:
        raise InvalidRecord("GCMD CSV first line names no concept scheme")
    return found.group(1).lower()


def _paths(rows: list[list[str]], header: list[str]) -> dict[tuple[str, ...], tuple[str, tuple[str, ...]]]:
    """Each row's path of labels, with its UUID and alternative labels.

    Columns are located from the end of the row (the UUID comes last): KMS exports hold rows
    with one hierarchy level more than the header names (platforms, KMS 9.1.5), and the surplus
    cell is that deeper level.
    """
    if header[-1] != "uuid":
        raise InvalidRecord("GCMD CSV header does not end with the UUID column")
    from_end = {i - len(header) for i, name in enumerate(header) if name in _ALT_COLUMNS}
    found: dict[tuple[str, ...], tuple[str, tuple[str, ...]]] = {}
    for number, row in enumerate(rows, 3):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) < len(header):
            raise InvalidRecord(f"GCMD CSV line {number} has {len(row)} fields, the header {len(header)}")
        cells = [cell.strip() for cell in row]
        alts = tuple(cells[i] for i in sorted(from_end) if cells[i])
        levels = [cell for i, cell in enumerate(cells[:-1]) if i - len(cells) not in from_end]
        path = tuple(cell for cell in levels if cell)
        if path and cells[-1]:
            found[path] = (cells[-1], alts)
    return found


def _concepts(
    paths: dict[tuple[str, ...], tuple[str, tuple[str, ...]]], scheme: str
) -> tuple[list[Concept], list[Relation]]:
    concepts, relations = [], []
    for path, (uuid, alternatives) in paths.items():
        uri = CONCEPT_BASE + uuid
        alt = {"en": alternatives} if alternatives else {}
        concepts.append(Concept(uri=uri, scheme=scheme, pref={"en": path[-1]}, alt=alt))
        for cut in range(len(path) - 1, 0, -1):
            parent = paths.get(path[:cut])
            if parent is not None:
                relations.append(Relation(uri, BROADER, CONCEPT_BASE + parent[0]))
                break
    return concepts, relations

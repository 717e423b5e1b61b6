"""The harvest benchmark's records, and a pycsw repository of N of them filled in minutes.

Records: one real GeoNetwork sample record (`geonetwork-sample__basins_in_africa.xml`, 15 KB) with
its own fileIdentifier, title, box and dateStamp for each n (`Variation`, seeded).

pycsw's own loader (`pycsw-admin.py -c load_records`) parses each file with OWSLib and commits one
record at a time: 20 to 55 records/s on the project machine, half an hour or more for 100,000. So
the benchmark loads only the first `measured` records with it (its rate is the one reported) and
fills the rest of pycsw's SQLite repository by cloning the row pycsw itself wrote for record 0:
a generated record differs from record 0 only in its identifier, title, dateStamp and box, and
pycsw's row for it only in the columns those feed, which are rewritten as pycsw's loader writes
them (`_CLONED`: `identifier`, `title`, `date` and `date_modified` from the dateStamp,
`wkt_geometry` as `pycsw.core.util.bbox2wktpolygon` writes the box, `xml` as lxml serialises the
document, `anytext` as `pycsw.core.util.get_anytext` joins its text nodes); every other column is
record 0's, `insert_date` the fill's time. The clone is checked before any row is written:
`check_clones` rebuilds every record pycsw loaded (but record 0) from record 0's row and requires
each column (but `insert_date`) to equal what pycsw wrote, so a pycsw that derived another
column from these records would stop the run rather than serve wrong rows.
"""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from lxml import etree

TEMPLATE = "geonetwork-sample__basins_in_africa.xml"
NS = {"gmd": "http://www.isotc211.org/2005/gmd", "gco": "http://www.isotc211.org/2005/gco"}
_SIDES = ("westBoundLongitude", "eastBoundLongitude", "southBoundLatitude", "northBoundLatitude")
# pycsw's columns that depend on a generated record's own fields (the others are record 0's).
_CLONED = ("identifier", "title", "date", "date_modified", "wkt_geometry", "xml", "anytext")
_FILL_BATCH = 2000


@dataclass(frozen=True, slots=True)
class Variation:
    """What record n has of its own: identifier, title, dateStamp and box (west, east, south, north)."""

    n: int
    identifier: str
    title: str
    stamp: str
    box: tuple[float, float, float, float]


def fixtures_root() -> Path:
    """`shared/fixtures` beside the repository (or above a worktree)."""
    for parent in Path(__file__).resolve().parents:
        if (candidate := parent / "shared" / "fixtures").is_dir():
            return candidate
    raise SystemExit("shared/fixtures not found")


def variations(count: int, seed: int = 7) -> Iterator[Variation]:
    """The own fields of records 0 to count - 1 (the same for the same seed)."""
    rng = random.Random(seed)
    for n in range(count):
        west, south = rng.uniform(-180, 170), rng.uniform(-90, 80)
        box = tuple(float(f"{v:.4f}") for v in (west, west + 10, south, south + 10))
        stamp = (datetime(2015, 1, 1) + timedelta(minutes=n)).isoformat()
        yield Variation(n, f"bench-{n:07d}", f"Hydrological basins, tile {n}", stamp, box)  # type: ignore[arg-type]


class RecordWriter:
    """The template record, rewritten with one variation at a time."""

    def __init__(self) -> None:
        self.root = etree.parse(str(fixtures_root() / "iso19139" / TEMPLATE)).getroot()
        find = self.root.find
        self.identifier = find("gmd:fileIdentifier/gco:CharacterString", NS)
        self.stamp = find("gmd:dateStamp/gco:DateTime", NS)
        self.title = find(".//gmd:citation/gmd:CI_Citation/gmd:title/gco:CharacterString", NS)
        self.box = [find(f".//gmd:EX_GeographicBoundingBox/gmd:{side}/gco:Decimal", NS) for side in _SIDES]

    def apply(self, v: Variation) -> etree._Element:
        """The template holding `v`'s fields (the same element, changed in place)."""
        self.identifier.text, self.title.text, self.stamp.text = v.identifier, v.title, v.stamp
        for element, value in zip(self.box, v.box, strict=True):
            element.text = f"{value:.4f}"
        return self.root

    def document(self, v: Variation) -> bytes:
        """Record `v` as a file."""
        return etree.tostring(self.apply(v), xml_declaration=True, encoding="UTF-8")

    def pycsw_columns(self, v: Variation) -> dict[str, str]:
        """The `_CLONED` columns of pycsw's row for record `v`, as pycsw's load_records writes them."""
        root = self.apply(v)
        west, east, south, north = v.box
        corners = (west, south, west, north, east, north, east, south, west, south)
        return {
            "identifier": v.identifier,
            "title": v.title,
            "date": v.stamp,
            "date_modified": v.stamp,
            "wkt_geometry": "POLYGON((%.2f %.2f, %.2f %.2f, %.2f %.2f, %.2f %.2f, %.2f %.2f))" % corners,  # noqa: UP031 (pycsw's format)
            "xml": etree.tostring(root).decode(),
            "anytext": " ".join(text.strip() for text in root.xpath("//text()")),
        }


def write_files(directory: Path, count: int) -> int:
    """Records 0 to count - 1 as files (for pycsw's own loader); their total size in bytes."""
    directory.mkdir(parents=True, exist_ok=True)
    writer, total = RecordWriter(), 0
    for v in variations(count):
        data = writer.document(v)
        (directory / f"{v.identifier}.xml").write_bytes(data)
        total += len(data)
    return total


def _template_row(conn: sqlite3.Connection) -> dict[str, Any]:
    cursor = conn.execute("SELECT * FROM records WHERE identifier = ?", ["bench-0000000"])
    row = cursor.fetchone()
    if row is None:
        raise SystemExit("pycsw's repository lacks record bench-0000000: load it with pycsw first")
    return dict(zip([d[0] for d in cursor.description], row, strict=True))


def check_clones(database: Path, loaded: int) -> int:
    """Rebuild records 1 to loaded - 1 from record 0's row and compare them with pycsw's own rows,
    column by column (but insert_date); SystemExit naming the first difference. How many compared."""
    with sqlite3.connect(database) as conn:
        template = _template_row(conn)
        cursor = conn.execute(
            "SELECT * FROM records WHERE identifier > ? ORDER BY identifier", ["bench-0000000"]
        )
        names = [d[0] for d in cursor.description]
        written = {row[0]: dict(zip(names, row, strict=True)) for row in cursor}
    writer, compared = RecordWriter(), 0
    for v in variations(loaded):
        if v.n == 0:
            continue
        clone, own = {**template, **writer.pycsw_columns(v)}, written.get(v.identifier)
        if own is None:
            raise SystemExit(f"pycsw did not load {v.identifier}")
        for column in names:
            if column != "insert_date" and clone[column] != own[column]:
                raise SystemExit(f"cloned row of {v.identifier} differs from pycsw's in {column!r}")
        compared += 1
    return compared


def fill(database: Path, start: int, count: int) -> int:
    """Add records start to count - 1 to pycsw's repository, cloned from record 0's row, in one
    transaction; how many were added."""
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")  # pycsw's util.get_today_and_now
    writer, added = RecordWriter(), 0
    with sqlite3.connect(database) as conn:
        template = {**_template_row(conn), "insert_date": now}
        names = list(template)
        sql = f"INSERT INTO records ({', '.join(names)}) VALUES ({', '.join('?' for _ in names)})"  # noqa: S608
        batch: list[list[Any]] = []
        for v in variations(count):
            if v.n < start:
                continue
            row = {**template, **writer.pycsw_columns(v)}
            batch.append([row[name] for name in names])
            if len(batch) >= _FILL_BATCH:
                conn.executemany(sql, batch)
                added, batch = added + len(batch), []
        conn.executemany(sql, batch)
        added += len(batch)
    return added


def check_serving(csw_url: str, count: int, samples: int = 5) -> dict[str, Any]:
    """That pycsw serves all `count` records: GetRecords hits equal `count`, and GetRecordById of a
    few records (the first, a loaded one, filled ones, the last) parse, through terrapole's ISO reader,
    to their own identifier, title and box. SystemExit when not; what was checked."""
    import httpx

    from terrapole.formats import iso19139
    from terrapole.formats.xmlsafe import parse_xml

    base = {"service": "CSW", "version": "2.0.2", "outputSchema": NS["gmd"]}
    hits_params = {
        **base,
        "request": "GetRecords",
        "typeNames": "csw:Record",
        "resultType": "hits",
        "elementSetName": "brief",
    }
    answer = parse_xml(httpx.get(csw_url, params=hits_params, timeout=120).content)
    results = answer.find("{http://www.opengis.net/cat/csw/2.0.2}SearchResults")
    hits = int(results.get("numberOfRecordsMatched", -1)) if results is not None else -1
    if hits != count:
        raise SystemExit(f"pycsw answers GetRecords with {hits} hits, not {count}")
    wanted = sorted(
        {
            0,
            1,
            count // 3,
            count // 2,
            count - 2,
            count - 1,
            *range(count // samples, count, max(1, count // samples)),
        }
    )
    by_n = {v.n: v for v in variations(count) if v.n in wanted}
    for n in wanted:
        v = by_n[n]
        params = {**base, "request": "GetRecordById", "id": v.identifier, "elementSetName": "full"}
        root = parse_xml(httpx.get(csw_url, params=params, timeout=60).content)
        documents = root.findall("gmd:MD_Metadata", NS)
        if len(documents) != 1:
            raise SystemExit(f"pycsw's GetRecordById of {v.identifier} holds {len(documents)} records")
        record = iso19139.parse(etree.tostring(documents[0]))
        box = record.extent.bbox
        found = (record.identifier, record.title.get("en") or next(iter(record.title.values()), None),
                 box and (box.west, box.east, box.south, box.north))  # fmt: skip
        if found != (v.identifier, v.title, v.box):
            raise SystemExit(f"pycsw serves {v.identifier} as {found}, not {(v.identifier, v.title, v.box)}")
    return {"hits": hits, "records_checked": [by_n[n].identifier for n in wanted]}

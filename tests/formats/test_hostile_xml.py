"""Hostile XML offered as ISO metadata is refused with a clear InvalidRecord, through `formats.parse_any`
and through each ISO module's `parse`, without expanding entities, reading local files or fetching URLs."""

from __future__ import annotations

import http.server
import resource
import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from terrapole import formats
from terrapole.core.errors import InvalidRecord
from terrapole.core.record import Record
from terrapole.formats import iso19115_3, iso19139
from terrapole.formats.xmlsafe import MAX_BYTES

GMD = 'xmlns:gmd="http://www.isotc211.org/2005/gmd" xmlns:gco="http://www.isotc211.org/2005/gco"'
MDB = 'xmlns:mdb="http://standards.iso.org/iso/19115/-3/mdb/2.0" xmlns:gco="http://standards.iso.org/iso/19115/-3/gco/1.0"'
# (parser, root element, namespace declarations): each ISO parser, and parse_any on both roots.
PARSERS = [
    pytest.param(formats.parse_any, "gmd:MD_Metadata", GMD, id="parse_any-19139"),
    pytest.param(formats.parse_any, "mdb:MD_Metadata", MDB, id="parse_any-19115-3"),
    pytest.param(iso19139.parse, "gmd:MD_Metadata", GMD, id="iso19139"),
    pytest.param(iso19115_3.parse, "mdb:MD_Metadata", MDB, id="iso19115_3"),
]
Parser = Callable[[bytes], Record]


def document(root: str, namespaces: str, doctype: str = "", body: str = "") -> bytes:
    return f'<?xml version="1.0"?>\n{doctype}\n<{root} {namespaces}>{body}</{root}>'.encode()


def max_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@pytest.mark.parametrize(("parse", "root", "namespaces"), PARSERS)
def test_billion_laughs_is_refused_unexpanded(parse: Parser, root: str, namespaces: str) -> None:
    entities = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 10)
    ]  # lol9 expands to 10^9 "lol": 3 GB
    doctype = f"<!DOCTYPE {root} [{''.join(entities)}]>"
    data = document(root, namespaces, doctype, "<gco:CharacterString>&lol9;</gco:CharacterString>")
    before = max_rss_mb()
    with pytest.raises(
        InvalidRecord, match=r"document type declarations \(<!DOCTYPE>, <!ENTITY>\) are refused"
    ):
        parse(data)
    assert max_rss_mb() - before < 50  # nothing was expanded


@pytest.fixture
def secret_file(tmp_path: Path) -> tuple[Path, str]:
    secret = f"TOP-SECRET-{uuid.uuid4()}"
    path = tmp_path / "secret.txt"
    path.write_text(secret)
    return path, secret


@pytest.mark.parametrize(("parse", "root", "namespaces"), PARSERS)
def test_external_entity_to_local_file_is_refused(
    parse: Parser, root: str, namespaces: str, secret_file: tuple[Path, str]
) -> None:
    path, secret = secret_file
    doctype = f'<!DOCTYPE {root} [<!ENTITY xxe SYSTEM "{path.as_uri()}">]>'
    data = document(root, namespaces, doctype, "<gco:CharacterString>&xxe;</gco:CharacterString>")
    with pytest.raises(InvalidRecord, match="DOCTYPE") as error:
        parse(data)
    assert secret not in str(error.value)


def test_xinclude_of_a_local_file_is_not_processed(secret_file: tuple[Path, str]) -> None:
    path, secret = secret_file
    title = (
        '<gmd:title><gco:CharacterString><xi:include xmlns:xi="http://www.w3.org/2001/XInclude" '
        f'href="{path.as_uri()}" parse="text"/></gco:CharacterString></gmd:title>'
    )
    body = (
        "<gmd:fileIdentifier><gco:CharacterString>x-1</gco:CharacterString></gmd:fileIdentifier>"
        "<gmd:identificationInfo><gmd:MD_DataIdentification><gmd:citation><gmd:CI_Citation>"
        f"{title}<gmd:alternateTitle><gco:CharacterString>Alt</gco:CharacterString></gmd:alternateTitle>"
        "</gmd:CI_Citation></gmd:citation></gmd:MD_DataIdentification></gmd:identificationInfo>"
    )
    # No title text: the include is left as an element, so the record has no title and is refused.
    with pytest.raises(InvalidRecord, match="no title") as error:
        formats.parse_any(document("gmd:MD_Metadata", GMD, body=body))
    assert secret not in str(error.value)


class _CountingHandler(http.server.BaseHTTPRequestHandler):
    requests: list[str]

    def do_GET(self) -> None:
        self.requests.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "application/xml-dtd")
        self.end_headers()
        self.wfile.write(b'<!ENTITY remote "fetched">')

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def dtd_server() -> Iterator[tuple[str, list[str]]]:
    """A loopback HTTP server serving a DTD and recording every request (port chosen free by the OS)."""
    requests: list[str] = []
    handler = type("Handler", (_CountingHandler,), {"requests": requests})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", requests
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.mark.parametrize(("parse", "root", "namespaces"), PARSERS)
def test_dtd_from_a_url_is_refused_and_not_fetched(
    parse: Parser, root: str, namespaces: str, dtd_server: tuple[str, list[str]]
) -> None:
    url, requests = dtd_server
    for doctype in (
        f'<!DOCTYPE {root} SYSTEM "{url}/iso.dtd">',
        f'<!DOCTYPE {root} [<!ENTITY % remote SYSTEM "{url}/entities.dtd"> %remote;]>',
    ):
        with pytest.raises(InvalidRecord, match="DOCTYPE"):
            parse(document(root, namespaces, doctype, "<gco:CharacterString>&remote;</gco:CharacterString>"))
    assert requests == []


def test_schema_location_is_never_fetched(dtd_server: tuple[str, list[str]]) -> None:
    url, requests = dtd_server
    namespaces = f'{GMD} xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
    located = f'{namespaces} xsi:schemaLocation="http://www.isotc211.org/2005/gmd {url}/gmd.xsd"'
    with pytest.raises(InvalidRecord, match="neither a file identifier"):
        formats.parse_any(document("gmd:MD_Metadata", located))
    assert requests == []


@pytest.mark.parametrize(("parse", "root", "namespaces"), PARSERS)
def test_200_mb_document_is_refused_by_size(parse: Parser, root: str, namespaces: str) -> None:
    head = f'<?xml version="1.0"?><{root} {namespaces}><gco:CharacterString>'.encode()
    data = head + b"x" * (200 * 1024 * 1024) + f"</gco:CharacterString></{root}>".encode()
    with pytest.raises(InvalidRecord, match=f"over the {MAX_BYTES:,}-byte limit"):
        parse(data)

"""Small catalogs served from threads on loopback ports, whose faults the tests control.

`LocalServer` answers each request with what a handler returns; a `Reply` can also cut the
connection after part of its body (a connection dropped mid-page) or make the client wait.
`OaiRepository` and `CswCatalogue` are minimal, protocol-conformant OAI-PMH and CSW 2.0.2
servers over a list of records built from real ISO fixtures.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from lxml import etree
from tests.support.shared_fixtures import SHARED_FIXTURES

FIXTURES = SHARED_FIXTURES
ISO_DIR = FIXTURES / "iso19139"
STAC_DIR = FIXTURES / "stac"


@dataclass
class Reply:
    """An HTTP answer; `cut_after` bytes of the body are sent before the connection is closed."""

    body: bytes
    status: int = 200
    content_type: str = "text/xml; charset=utf-8"
    cut_after: int | None = None
    delay_s: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Request:
    """What the client asked."""

    method: str
    path: str
    query: dict[str, str]
    body: bytes


Handler = Callable[[Request], Reply]


@dataclass
class LocalServer:
    """A threaded HTTP server on 127.0.0.1; `requests` lists what it was asked, in order."""

    handler: Handler
    requests: list[Request] = field(default_factory=list)
    in_flight: int = 0
    most_in_flight: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    port: int = 0

    @property
    def url(self) -> str:
        """The server's base URL."""
        return f"http://127.0.0.1:{self.port}"

    def answer(self, request: Request) -> Reply:
        with self.lock:
            self.requests.append(request)
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            return self.handler(request)
        finally:
            with self.lock:
                self.in_flight -= 1


@contextmanager
def serving(handler: Handler) -> Iterator[LocalServer]:
    """A `LocalServer` running in a thread for the duration of the block."""
    server = LocalServer(handler)

    class _Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            self._answer(b"")

        def do_POST(self) -> None:
            self._answer(self.rfile.read(int(self.headers.get("Content-Length") or 0)))

        def _answer(self, body: bytes) -> None:
            parts = urlsplit(self.path)
            query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
            reply = server.answer(Request(self.command, parts.path, query, body))
            if reply.delay_s:
                time.sleep(reply.delay_s)
            self.send_response(reply.status)
            self.send_header("Content-Type", reply.content_type)
            self.send_header("Content-Length", str(len(reply.body)))
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.end_headers()
            if reply.cut_after is not None:
                self.wfile.write(reply.body[: reply.cut_after])
                self.wfile.flush()
                self.close_connection = True
                return
            self.wfile.write(reply.body)

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.daemon_threads = True
    server.port = httpd.server_address[1]
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=10)


# --- records -------------------------------------------------------------------------------------

GMD = "http://www.isotc211.org/2005/gmd"
GCO = "http://www.isotc211.org/2005/gco"


@dataclass
class Record:
    """One record of a fake catalogue: its identifier, datestamp and ISO XML (None: deleted)."""

    identifier: str
    datestamp: datetime
    xml: bytes | None


def iso_record(
    identifier: str, title: str, doi: str | None = None, template: str = "inspire-tg__basic_dataset.xml"
) -> bytes:
    """A real ISO 19139 fixture record given a new fileIdentifier, title and (citation) DOI."""
    root = etree.fromstring((ISO_DIR / template).read_bytes())
    ns = {"gmd": GMD, "gco": GCO}
    root.find("gmd:fileIdentifier/gco:CharacterString", ns).text = identifier
    if doi is not None:
        code = root.find(".//gmd:citation/gmd:CI_Citation/gmd:identifier//gmd:code/*", ns)
        code.text = f"https://doi.org/{doi}"
        code.attrib.clear()  # the fixture's gmx:Anchor pointed at its former identifier
    title_element = root.find(
        ".//gmd:identificationInfo//gmd:citation/gmd:CI_Citation/gmd:title/gco:CharacterString", ns
    )
    title_element.text = title
    return etree.tostring(root)


def records(count: int, datestamp: datetime, prefix: str = "rec") -> list[Record]:
    """`count` ISO records `{prefix}-000`, ... titled `Record N`."""
    return [
        Record(f"{prefix}-{n:03d}", datestamp, iso_record(f"{prefix}-{n:03d}", f"Record {n}"))
        for n in range(count)
    ]


# --- OAI-PMH -------------------------------------------------------------------------------------

OAI_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8"?><OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/">'
    b"<responseDate>%s</responseDate><request>http://127.0.0.1/oai</request>"
)


@dataclass
class OaiRepository:
    """A protocol-conformant OAI-PMH repository of `records`, `page_size` a page, tokens being offsets.

    `fault(request, number)` may replace the reply to the `number`-th request (1-based).
    """

    records: list[Record]
    page_size: int = 3
    response_date: str = "2030-01-01T00:00:00Z"
    fault: Callable[[Request, int], Reply | None] | None = None
    cut: frozenset[int] = frozenset()  # requests (1-based) whose answer stops half-way
    delay_s: float = 0.0
    asked: int = 0

    def __call__(self, request: Request) -> Reply:
        self.asked += 1
        if self.fault is not None and (reply := self.fault(request, self.asked)) is not None:
            return reply
        reply = self._answer(request)
        reply.delay_s = self.delay_s
        if self.asked in self.cut:
            reply.cut_after = len(reply.body) // 2
        return reply

    def _answer(self, request: Request) -> Reply:
        verb = request.query.get("verb")
        if verb == "Identify":
            return self._reply(
                b"<Identify><repositoryName>local</repositoryName><granularity>YYYY-MM-DDThh:mm:ssZ</granularity>"
                b"<deletedRecord>persistent</deletedRecord></Identify>"
            )
        if verb != "ListRecords":
            return self._error("badVerb", "only Identify and ListRecords")
        if "resumptionToken" in request.query and len(request.query) > 2:
            return self._error("badArgument", "resumptionToken is exclusive")
        return self._list(request.query)

    def _list(self, query: dict[str, str]) -> Reply:
        start = int(query.get("resumptionToken", "0"))
        since = query.get("from")
        selected = [
            r for r in self.records if since is None or r.datestamp.strftime("%Y-%m-%dT%H:%M:%SZ") >= since
        ]
        if not selected:
            return self._error("noRecordsMatch", "nothing")
        page = selected[start : start + self.page_size]
        body = b"<ListRecords>" + b"".join(_oai_record(r) for r in page)
        following = start + self.page_size
        token = str(following).encode() if following < len(selected) else b""
        body += b'<resumptionToken completeListSize="%d">%s</resumptionToken></ListRecords>' % (
            len(selected),
            token,
        )
        return self._reply(body)

    def _reply(self, body: bytes) -> Reply:
        return Reply(OAI_HEAD % self.response_date.encode() + body + b"</OAI-PMH>")

    def _error(self, code: str, text: str) -> Reply:
        return self._reply(b'<error code="%s">%s</error>' % (code.encode(), text.encode()))


def _oai_record(record: Record) -> bytes:
    stamp = record.datestamp.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    identifier = record.identifier.encode()
    if record.xml is None:
        return (
            b'<record><header status="deleted"><identifier>%s</identifier>'
            b"<datestamp>%s</datestamp></header></record>" % (identifier, stamp)
        )
    xml = _bare(record.xml)
    return (
        b"<record><header><identifier>%s</identifier><datestamp>%s</datestamp></header><metadata>%s</metadata></record>"
        % (identifier, stamp, xml)
    )


# --- CSW 2.0.2 -----------------------------------------------------------------------------------

CSW = "http://www.opengis.net/cat/csw/2.0.2"


@dataclass
class CswCatalogue:
    """A CSW 2.0.2 GetRecords endpoint over `records`. With a `barrier`, every request but the
    first page's waits there for another (one that no other request joins in time fails: proof
    that the client sends requests in parallel)."""

    records: list[Record]
    barrier: threading.Barrier | None = None
    delay_s: float = 0.0

    def __call__(self, request: Request) -> Reply:
        root = etree.fromstring(request.body)
        start = int(root.get("startPosition", "1"))
        if self.barrier is not None and start > 1:
            try:
                self.barrier.wait()
            except threading.BrokenBarrierError:
                return Reply(b"no parallel request came", status=500)
        most = int(root.get("maxRecords", "10"))
        page = [r for r in self.records if r.xml is not None][start - 1 : start - 1 + most]
        matched = len([r for r in self.records if r.xml is not None])
        following = start + len(page) if start - 1 + len(page) < matched else 0
        body = (
            b'<?xml version="1.0" encoding="UTF-8"?><csw:GetRecordsResponse xmlns:csw="%s" version="2.0.2">'
            b'<csw:SearchStatus timestamp="2030-01-01T00:00:00Z"/>'
            b'<csw:SearchResults numberOfRecordsMatched="%d"'
            b' numberOfRecordsReturned="%d" nextRecord="%d" elementSet="full">'
        ) % (CSW.encode(), matched, len(page), following)
        body += b"".join(_bare(r.xml) for r in page if r.xml is not None)
        return Reply(body + b"</csw:SearchResults></csw:GetRecordsResponse>", delay_s=self.delay_s)


def _bare(xml: bytes) -> bytes:
    """The XML without its declaration, to be embedded in a response."""
    return xml.split(b"?>", 1)[-1] if xml.startswith(b"<?xml") else xml

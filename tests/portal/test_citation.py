"""Citations: DataCite's text form, BibTeX that stays valid whatever the title, DataCite XML."""

from __future__ import annotations

from datetime import date

from lxml import etree

from terrapole.core.model import Contact
from terrapole.core.record import Dates, Identifier, Record
from terrapole.portal.citation import cite

URL = "https://terrapole.example/datasets/x"


def record(**changes: object) -> Record:
    base = Record(
        identifier="x",
        title={"en": "Snow cover", "fr": "Couverture neigeuse"},
        contacts=(
            Contact("Dupont, Marie", roles=("author",), kind="person"),
            Contact("Martin, Paul", roles=("originator",), kind="person"),
            Contact("CNES", roles=("publisher",)),
        ),
        version="2.1",
        identifiers=(Identifier("10.5072/snow-1", "DOI"),),
        dates=Dates(published=date(2021, 5, 1)),
    )
    return base.with_changes(**changes)


def test_text_follows_datacite_recommended_form() -> None:
    citation = cite(record(), "fr", URL, "terrapole")
    assert citation.text == (
        "Dupont, Marie; Martin, Paul (2021). Couverture neigeuse (version 2.1) [Dataset]. CNES. "
        "https://doi.org/10.5072/snow-1"
    )


def test_text_falls_back_on_producer_host_and_landing_page() -> None:
    contacts = (Contact("Theia", roles=("producer",)), Contact("CNES", roles=("host",)))
    citation = cite(record(contacts=contacts, identifiers=(), version=None), "en", URL, "terrapole")
    assert citation.text == f"Theia (2021). Snow cover [Dataset]. CNES. {URL}"
    nobody = cite(record(contacts=(), identifiers=(), version=None), "en", URL, "terrapole")
    assert nobody.text.endswith(f"Snow cover [Dataset]. terrapole. {URL}")


def test_bibtex_escapes_special_characters_and_keeps_braces_balanced() -> None:
    hostile = "50% {unbalanced} \\ & _ # $ ~ ^ }"
    bibtex = cite(record(title={"en": hostile}), "en", URL, "terrapole").bibtex
    title = next(line for line in bibtex.splitlines() if line.strip().startswith("title"))
    expected = r"{{50\% \{unbalanced\} \textbackslash{} \& \_ \# \$ \textasciitilde{} \textasciicircum{} \}}}"
    assert title == f"  title = {expected},"
    depth = 0
    escaped = False
    for char in bibtex:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            assert depth >= 0
    assert depth == 0
    assert bibtex.startswith("@misc{dupont2021,")
    assert "  author = {{Dupont, Marie} and {Martin, Paul}}," in bibtex
    assert "  doi = {10.5072/snow-1}," in bibtex


def test_datacite_xml_is_the_records_datacite_form() -> None:
    xml = cite(record(), "en", URL, "terrapole").datacite_xml
    root = etree.fromstring(xml.encode())
    ns = {"d": "http://datacite.org/schema/kernel-4"}
    assert root.xpath("string(d:identifier)", namespaces=ns) == "10.5072/snow-1"
    assert root.xpath("d:creators/d:creator/d:creatorName/text()", namespaces=ns) == [
        "Dupont, Marie",
        "Martin, Paul",
    ]
    assert root.xpath("string(d:publisher)", namespaces=ns) == "CNES"

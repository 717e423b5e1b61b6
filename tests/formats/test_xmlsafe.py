import pytest

from terrapole.core.errors import InvalidRecord
from terrapole.formats.xmlsafe import parse_xml


def test_parses_plain_xml():
    root = parse_xml(b'<a xmlns="urn:x"><b>text</b></a>')
    assert root.tag == "{urn:x}a"
    assert root[0].text == "text"


def test_refuses_oversized_document_before_parsing():
    with pytest.raises(InvalidRecord, match="over the 1,000-byte limit"):
        parse_xml(b"<a>" + b"x" * 1000 + b"</a>", max_bytes=1000)


@pytest.mark.parametrize(
    "data",
    [
        b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>',
        b'<!DOCTYPE a SYSTEM "http://example.org/a.dtd"><a/>',
        b'<!doctype a [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><a>&xxe;</a>',
    ],
)
def test_refuses_document_type_declarations(data):
    with pytest.raises(InvalidRecord, match="DOCTYPE"):
        parse_xml(data)


@pytest.mark.parametrize("data", [b"", b"<a>", b"<a></b>", b"not xml"])
def test_malformed(data):
    with pytest.raises(InvalidRecord, match=r"malformed|empty"):
        parse_xml(data)

"""The shared real-record fixtures as the ISO format tests use them (read-only, never edited)."""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from terrapole.formats.xmlsafe import parse_xml

from .metadata_fixtures import FIXTURES


def fixtures_root() -> Path:
    """The shared fixtures directory."""
    return FIXTURES


def fixture_files(directory: str) -> list[Path]:
    """Every file of one fixture directory, sorted."""
    return sorted(p for p in (FIXTURES / directory).iterdir() if p.is_file())


def source_of(path: Path) -> str:
    """The source a fixture comes from: its name up to `__` (see SOURCES.md)."""
    return path.name.split("__")[0]


def xml(data: bytes) -> etree._Element:
    """Our own output parsed for an independent reader (through the guarded parser all the same)."""
    return parse_xml(data)

"""Where the shared real-record fixtures are, for the ISO format tests (read-only, never edited)."""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from terrapole.formats.xmlsafe import parse_xml


def fixtures_root() -> Path:
    """The shared fixtures directory: `shared/fixtures` beside the repository (or a worktree's parent)."""
    for parent in Path(__file__).resolve().parents:
        candidate = parent / "shared" / "fixtures"
        if candidate.is_dir():
            return candidate
    raise RuntimeError("shared/fixtures not found above the test directory")


def fixture_files(directory: str) -> list[Path]:
    """Every file of one fixture directory, sorted."""
    return sorted(p for p in (fixtures_root() / directory).iterdir() if p.is_file())


def source_of(path: Path) -> str:
    """The source a fixture comes from: its name up to `__` (see SOURCES.md)."""
    return path.name.split("__")[0]


def xml(data: bytes) -> etree._Element:
    """Our own output parsed for an independent reader (through the guarded parser all the same)."""
    return parse_xml(data)

"""Where the shared real-metadata fixtures are: `shared/fixtures` beside the repository.

Found by walking up from this file, so that tests run the same from the main checkout
(`/work/main`) and from a worktree (`/work/wt/<name>`); TERRAPOLE_FIXTURES overrides.
"""

from __future__ import annotations

import os
from pathlib import Path


def _find() -> Path:
    if override := os.environ.get("TERRAPOLE_FIXTURES"):
        return Path(override).resolve()
    for directory in Path(__file__).resolve().parents:
        if (candidate := directory / "shared" / "fixtures").is_dir():
            return candidate
    raise RuntimeError("shared/fixtures not found above the repository; set TERRAPOLE_FIXTURES")


SHARED_FIXTURES: Path = _find()


def fixture_files(kind: str) -> list[Path]:
    """The fixture files of one kind (a subdirectory: iso19139, dcat-ap...), sorted by name."""
    return sorted(p for p in (SHARED_FIXTURES / kind).iterdir() if p.is_file())


def source_of(path: Path) -> str:
    """The source a fixture comes from: its file name up to `__`."""
    return path.name.split("__")[0]

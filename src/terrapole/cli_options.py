"""Options every `terrapole` command shares, and the settings they build."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from terrapole.settings import Settings

DataDir = Annotated[
    Path | None,
    typer.Option("--data-dir", envvar="TERRAPOLE_DATA_DIR", help="Data directory (catalog, indexes)."),
]


def settings_for(data_dir: Path | None) -> Settings:
    """The settings of a command: the environment's, with the data directory it was given."""
    return Settings(data_dir=data_dir) if data_dir else Settings()

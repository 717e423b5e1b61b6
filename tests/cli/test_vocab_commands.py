"""`terrapole vocab import` and `terrapole vocab list` on the real vocabulary files."""

from __future__ import annotations

from pathlib import Path

from tests.support.shared_fixtures import SHARED_FIXTURES
from typer.testing import CliRunner

from terrapole.catalog import open_catalog
from terrapole.cli import app
from terrapole.settings import Settings

VOCAB = SHARED_FIXTURES / "vocab"


def flat(output: str) -> str:
    return " ".join(output.replace("│", " ").split())


def test_import_files_then_list_the_schemes(tmp_path: Path) -> None:
    runner = CliRunner()
    files = [str(VOCAB / "inspire__themes.rdf"), str(VOCAB / "eu__data-theme.rdf")]
    imported = runner.invoke(app, ["vocab", "import", *files, "--data-dir", str(tmp_path)])
    assert imported.exit_code == 0, imported.output
    assert "48 concepts in 2 schemes imported" in flat(imported.output)
    listed = runner.invoke(app, ["vocab", "list", "--data-dir", str(tmp_path)])
    assert listed.exit_code == 0, listed.output
    assert listed.output.splitlines() == [
        "Data theme\t14\thttp://publications.europa.eu/resource/authority/data-theme",
        "GEMET - INSPIRE themes, version 1.0\t34\thttp://inspire.ec.europa.eu/theme",
    ]


def test_import_with_a_base_and_the_bundled_vocabularies(tmp_path: Path) -> None:
    runner = CliRunner()
    gemet = str(VOCAB / "gemet__themes.rdf")
    refused = runner.invoke(app, ["vocab", "import", gemet, "--data-dir", str(tmp_path)])
    assert refused.exit_code == 1 and "--base" in flat(refused.output)
    base = ["--base", "http://www.eionet.europa.eu/gemet/"]
    assert runner.invoke(app, ["vocab", "import", gemet, *base, "--data-dir", str(tmp_path)]).exit_code == 0
    bundled = runner.invoke(app, ["vocab", "import", "--bundled", "--data-dir", str(tmp_path)])
    assert bundled.exit_code == 0, bundled.output
    store = open_catalog(Settings(data_dir=tmp_path))
    try:
        vocabulary = store.vocabulary.snapshot()
        assert sorted(vocabulary.counts.values()) == [34, 40, 3283]
        assert vocabulary.label("http://www.eionet.europa.eu/gemet/theme/40", "fr") == "eau"
    finally:
        store.close()


def test_import_needs_files_that_exist(tmp_path: Path) -> None:
    runner = CliRunner()
    nothing = runner.invoke(app, ["vocab", "import", "--data-dir", str(tmp_path)])
    assert nothing.exit_code == 2 and "--bundled" in flat(nothing.output)
    missing = runner.invoke(app, ["vocab", "import", str(tmp_path / "nope.rdf"), "--data-dir", str(tmp_path)])
    assert missing.exit_code == 2 and "is not a file" in flat(missing.output)

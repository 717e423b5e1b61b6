"""The `terrapole` command line: serve, ingest, demo, reindex, vocab, harvest (see `harvest.cli`),
worker, and the administration of access control (users, tokens, policy, licences, requests; see
`access.cli`)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import Progress

from terrapole.access.cli import licences, policy, requests, tokens, users
from terrapole.cli_options import DataDir, settings_for
from terrapole.harvest.cli import harvest_app, worker
from terrapole.ingest import Source
from terrapole.settings import Settings

app = typer.Typer(help="terrapole: one catalog over Earth-system data centres.", no_args_is_help=True)
console = Console(stderr=True)

Host = Annotated[str, typer.Option(help="Address to listen on.")]
Port = Annotated[int, typer.Option(help="Port to listen on.")]


def _settings(data_dir: Path | None) -> Settings:
    return settings_for(data_dir)


for _noun, _commands in (
    ("users", users),
    ("tokens", tokens),
    ("policy", policy),
    ("licences", licences),
    ("requests", requests),
):
    app.add_typer(_commands, name=_noun)


LogLevel = Annotated[
    str, typer.Option(help="Server log level: warning, info (one line per request) or debug.")
]


@app.command()
def serve(
    data_dir: DataDir = None, host: Host = "127.0.0.1", port: Port = 8000, log_level: LogLevel = "warning"
) -> None:
    """Serve the portal and every API of the catalog (upgrading its schema when it is behind)."""
    import uvicorn

    from terrapole.app import create_app

    settings = _settings(data_dir)
    _upgrade_schema(settings)
    uvicorn.run(
        create_app(settings), host=host, port=port, log_level=log_level, log_config=_log_config(log_level)
    )


def _log_config(level: str) -> dict[str, Any]:
    """uvicorn's logging, with terrapole's own loggers (logins, refusals) on the same output."""
    import copy

    from uvicorn.config import LOGGING_CONFIG

    config: dict[str, Any] = copy.deepcopy(LOGGING_CONFIG)
    config["loggers"]["terrapole"] = {"handlers": ["default"], "level": level.upper(), "propagate": False}
    return config


app.add_typer(harvest_app, name="harvest")
app.command()(worker)

db = typer.Typer(help="The catalog database: schema version and upgrades.", no_args_is_help=True)
app.add_typer(db, name="db")


@db.command("upgrade")
def db_upgrade(data_dir: DataDir = None) -> None:
    """Create the catalog schema, or migrate it to this version of terrapole."""
    version = _upgrade_schema(_settings(data_dir))
    console.print(f"catalog schema at version {version}")


@db.command("version")
def db_version(data_dir: DataDir = None) -> None:
    """Print the catalog's schema version and the one this terrapole expects."""
    settings = _settings(data_dir)
    if settings.database_url:
        from terrapole.catalog import postgres, postgres_schema

        found, expected = postgres.schema_version(settings.database_url), postgres_schema.SCHEMA_VERSION
    else:
        from terrapole.catalog import sqlite, sqlite_schema

        found, expected = sqlite.schema_version(settings.catalog_path), sqlite_schema.SCHEMA_VERSION
    console.print(f"catalog schema version {found} (this terrapole: {expected})")


def _upgrade_schema(settings: Settings) -> int:
    """Bring the catalog schema (and the access and harvest tables) to this code's version; returns
    the catalog's version."""
    from terrapole.access.store import AccessStore
    from terrapole.harvest.store import HarvestStore

    AccessStore.open(settings).close()  # opening creates or migrates the access tables
    if settings.database_url:
        from terrapole.catalog import postgres

        version = postgres.upgrade(settings.database_url)
    else:
        from terrapole.catalog.sqlite import SQLiteCatalog
        from terrapole.catalog.sqlite_schema import SCHEMA_VERSION

        SQLiteCatalog.open(settings).close()  # opening writable migrates the embedded catalog
        version = SCHEMA_VERSION
    HarvestStore.open(settings).close()  # the harvest tables migrate on their own track
    return version


@app.command()
def ingest(
    sources: Annotated[list[str], typer.Argument(help="Files, directories or URLs of STAC JSON/NDJSON.")],
    data_dir: DataDir = None,
    collection: Annotated[str | None, typer.Option(help="Collection for items that name none.")] = None,
    create_collections: Annotated[
        bool, typer.Option(help="Create a minimal collection for items whose collection is unknown.")
    ] = False,
) -> None:
    """Ingest STAC Collections and Items (JSON, FeatureCollections, NDJSON, directories, URLs)."""
    from terrapole import ingest as ingesting
    from terrapole.catalog import open_catalog

    store = open_catalog(_settings(data_dir))
    try:
        with Progress(console=console, transient=True) as progress:
            task = progress.add_task("ingesting", total=None)
            for source in sources:
                documents = _documents(source)
                report = ingesting.ingest(
                    store,
                    documents,
                    collection=collection,
                    create_collections=create_collections,
                    progress=lambda n: progress.advance(task, n),
                )
                _print_report(source, report)
    finally:
        store.close()


def _documents(source: str) -> Iterable[Source]:
    from terrapole import ingest as ingesting

    if source.startswith(("http://", "https://")):
        import httpx

        return ingesting.read_url(source, lambda url: httpx.get(url, follow_redirects=True).content)
    path = Path(source)
    if not path.exists():
        raise typer.BadParameter(f"{source} does not exist", param_hint="SOURCES")
    return ingesting.read_path(path)


def _print_report(source: str, report: object) -> None:
    from terrapole.catalog.base import IngestReport

    assert isinstance(report, IngestReport)
    console.print(
        f"{source}: {report.collections} collections, {report.items} items ingested, "
        f"{len(report.failures)} refused"
    )
    for origin, reason in report.failures[:50]:
        console.print(f"  refused {origin}: {reason}")


vocab = typer.Typer(help="Controlled vocabularies (SKOS thesauri, GCMD keywords).", no_args_is_help=True)
app.add_typer(vocab, name="vocab")


@vocab.command("import")
def vocab_import(
    files: Annotated[
        list[Path] | None, typer.Argument(help="SKOS files (RDF/XML, Turtle, JSON-LD) or GCMD CSV exports.")
    ] = None,
    data_dir: DataDir = None,
    base: Annotated[str | None, typer.Option(help="Base URI for relative concept URIs.")] = None,
    scheme: Annotated[str | None, typer.Option(help="Scheme URI for concepts that name none.")] = None,
    bundled: Annotated[bool, typer.Option(help="Import the vocabularies terrapole ships.")] = False,
) -> None:
    """Import vocabularies into the catalog (labels of known concepts merge; importing twice is harmless)."""
    from terrapole.catalog import open_catalog
    from terrapole.core.errors import InvalidRecord
    from terrapole.vocab import bundled as shipped
    from terrapole.vocab.importing import import_files

    if not files and not bundled:
        raise typer.BadParameter("give vocabulary files, or --bundled", param_hint="FILES")
    for path in files or ():
        if not path.is_file():
            raise typer.BadParameter(f"{path} is not a file", param_hint="FILES")
    store = open_catalog(_settings(data_dir))
    try:
        reports = [shipped.import_bundled(store)] if bundled else []
        if files:
            reports.append(import_files(store, files, base, scheme))
    except InvalidRecord as exc:
        console.print(f"refused: {exc.message}")
        raise typer.Exit(1) from None
    finally:
        store.close()
    for report in reports:
        console.print(
            f"{report.concepts} concepts in {report.schemes} schemes imported, {report.relations} new "
            f"relations; {report.relinked} collections linked again, {report.reindexed} records re-indexed"
        )


@vocab.command("list")
def vocab_list(data_dir: DataDir = None) -> None:
    """List the concept schemes the catalog holds, with their number of concepts."""
    from terrapole.catalog import open_catalog

    store = open_catalog(_settings(data_dir), writable=False)
    try:
        vocabulary = store.vocabulary.snapshot()
    finally:
        store.close()
    for uri in sorted(vocabulary.schemes, key=lambda u: vocabulary.scheme_title(u, "en").lower()):
        count = vocabulary.counts.get(uri, 0)
        print(f"{vocabulary.scheme_title(uri, 'en')}\t{count}\t{uri}")


@app.command()
def reindex(data_dir: DataDir = None) -> None:
    """Rebuild the full-text index from the catalog database."""
    from terrapole.catalog.sqlite import SQLiteCatalog

    store = SQLiteCatalog.open(_settings(data_dir))
    try:
        count = store.rebuild_text_index()
    finally:
        store.close()
    console.print(f"indexed {count} records")


@app.command()
def demo(
    data_dir: DataDir = None,
    host: Host = "127.0.0.1",
    port: Port = 8000,
    serve_after: Annotated[bool, typer.Option("--serve/--no-serve", help="Serve after loading.")] = True,
) -> None:
    """Generate the offline demo federation of five poles, ingest it and serve it."""
    from terrapole.catalog import open_catalog
    from terrapole.demo.generate import generate_demo
    from terrapole.ingest import Source
    from terrapole.ingest import ingest as ingest_sources
    from terrapole.vocab.bundled import import_bundled

    settings = _settings(data_dir)
    federation = generate_demo()
    store = open_catalog(settings)
    try:
        import_bundled(store)  # first: the demo's keywords are linked to their concepts
        docs = [Source("demo", c) for c in federation.collections]
        docs += [Source("demo", i) for i in federation.items]
        report = ingest_sources(store, docs)
    finally:
        store.close()
    console.print(f"demo: {report.collections} collections and {report.items} items in {settings.data_dir}")
    base = f"http://{host}:{port}"
    for label, path in (
        ("portal", "/"),
        ("STAC API", "/stac"),
        ("collections", "/stac/collections"),
        ("search", "/stac/search"),
        ("OpenAPI", "/api"),
    ):
        console.print(f"  {label:12} {base}{path}")
    if serve_after:
        serve(data_dir=settings.data_dir, host=host, port=port)


def main() -> None:
    """Entry point of the `terrapole` script."""
    app()


if __name__ == "__main__":
    main()

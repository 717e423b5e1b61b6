"""`terrapole harvest ...` and `terrapole worker`: harvest sources from the command line."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import orjson
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from terrapole.catalog import CatalogStore, open_catalog
from terrapole.cli_options import DataDir, settings_for
from terrapole.core.errors import TerrapoleError
from terrapole.harvest.report import SUCCEEDED, RunReport
from terrapole.harvest.runner import Harvester, utc_now
from terrapole.harvest.sources import (
    OPTIONS,
    PROTOCOLS,
    HarvestSource,
    format_interval,
    parse_interval,
    parse_options,
)
from terrapole.harvest.store import HarvestStore

harvest_app = typer.Typer(
    help="Harvest the poles' catalogs (CSW, OAI-PMH, STAC, directories).", no_args_is_help=True
)
console = Console(stderr=True, soft_wrap=True)

Name = Annotated[str, typer.Argument(help="Name of the harvest source.")]


@contextmanager
def _opened(
    data_dir: Path | None, catalog: bool = False
) -> Iterator[tuple[HarvestStore, CatalogStore | None]]:
    settings = settings_for(data_dir)
    opened = open_catalog(settings) if catalog else None
    store = HarvestStore.open(settings)
    try:
        yield store, opened
    except TerrapoleError as exc:
        console.print(f"[red]error:[/red] {exc.message}")
        raise typer.Exit(2) from None
    finally:
        store.close()
        if opened is not None:
            opened.close()


@harvest_app.command("add")
def add(
    name: Name,
    protocol: Annotated[str, typer.Option(help=f"One of {', '.join(PROTOCOLS)}.")],
    url: Annotated[str, typer.Option(help="Endpoint URL (a path for directories and static catalogs).")],
    pole: Annotated[str | None, typer.Option(help="The pole whose catalog this is.")] = None,
    option: Annotated[
        list[str] | None, typer.Option("--option", "-o", help="KEY=VALUE, repeatable: " + "; ".join(OPTIONS))
    ] = None,
    interval: Annotated[
        str | None, typer.Option(help="Schedule for `terrapole worker`: 15m, 6h, 1d.")
    ] = None,
    disabled: Annotated[bool, typer.Option("--disabled", help="Add it disabled.")] = False,
    data_dir: DataDir = None,
) -> None:
    """Add a harvest source."""
    with _opened(data_dir) as (store, _):
        source = HarvestSource(
            name, protocol, url, pole, parse_options(option or ()), parse_interval(interval), not disabled
        )
        store.add_source(source, utc_now())
    console.print(f"added {name} ({protocol} {url})")


@harvest_app.command("list")
def list_sources(data_dir: DataDir = None) -> None:
    """List the harvest sources and their latest runs."""
    table = Table("name", "protocol", "pole", "url", "every", "enabled", "latest run", "records")
    with _opened(data_dir) as (store, _):
        for source in store.sources():
            runs = store.runs(source.name, limit=1)
            latest = f"{runs[0].status} {runs[0].started:%Y-%m-%d %H:%M}" if runs else "never"
            counts = runs[0].counts if runs else None
            held = f"+{counts.new} ~{counts.updated} -{counts.deleted} !{counts.failed}" if counts else ""
            table.add_row(
                source.name, source.protocol, source.pole or "", source.url,
                format_interval(source.interval) or "", "yes" if source.enabled else "no", latest, held,
            )  # fmt: skip
    Console().print(table)


@harvest_app.command("run")
def run(
    name: Annotated[str | None, typer.Argument(help="Name of the source (or --all).")] = None,
    all_sources: Annotated[bool, typer.Option("--all", help="Every enabled source.")] = False,
    full: Annotated[
        bool | None, typer.Option("--full/--incremental", help="Force a full listing, or an incremental run.")
    ] = None,
    data_dir: DataDir = None,
) -> None:
    """Harvest a source now (resuming its unfinished run, if any), with a progress bar."""
    if (name is None) == (not all_sources):
        raise typer.BadParameter("give a source NAME or --all")
    failed = False
    with _opened(data_dir, catalog=True) as (store, catalog):
        assert catalog is not None
        names = [s.name for s in store.sources() if s.enabled] if all_sources else [str(name)]
        for source_name in names:
            report = _run_with_progress(catalog, store, source_name, full)
            _print_report(report)
            failed |= report.status != SUCCEEDED
    if failed:
        raise typer.Exit(1)


def _run_with_progress(catalog: CatalogStore, store: HarvestStore, name: str, full: bool | None) -> RunReport:
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task(f"harvesting {name}", total=None)

        def advance(done: int, total: int | None) -> None:
            progress.update(task, completed=done, total=max(total, done) if total is not None else None)

        return Harvester(catalog, store, progress=advance).run(name, full=full)


@harvest_app.command("report")
def report(
    name: Name,
    run_id: Annotated[int | None, typer.Option("--run", help="A run id (default: the latest run).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    data_dir: DataDir = None,
) -> None:
    """Show the report of a source's latest run (or of one run): counts, durations, failures."""
    with _opened(data_dir) as (store, _):
        store.source(name)
        runs = [run_id] if run_id is not None else [r.id for r in store.runs(name, limit=1)]
        if not runs:
            console.print(f"{name} has not been harvested yet")
            raise typer.Exit(1)
        found = store.run(runs[0])
    if as_json:
        sys.stdout.write(orjson.dumps(found.to_json(), option=orjson.OPT_INDENT_2).decode() + "\n")
    else:
        _print_report(found, Console(soft_wrap=True))


@harvest_app.command("original")
def original(
    name: Name,
    identifier: Annotated[str, typer.Argument(help="The record's identifier at the source.")],
    data_dir: DataDir = None,
) -> None:
    """Write a harvested document to standard output exactly as the source served it."""
    with _opened(data_dir) as (store, _):
        document = store.document(name, identifier)
    sys.stdout.buffer.write(document.original)


def _print_report(found: RunReport, out: Console = console) -> None:
    c = found.counts
    out.print(
        f"run {found.id} of {found.source} ({found.mode}): {found.status}; new {c.new}, updated {c.updated}, "
        f"unchanged {c.unchanged}, deleted {c.deleted}, failed {c.failed}; {found.pages} pages"
    )
    if found.duration_s is not None:
        out.print(
            f"  {found.duration_s:.1f} s (waiting for the source {found.fetch_s:.1f} s, parsing "
            f"{found.parse_s:.1f} s, writing {found.write_s:.1f} s)"
        )
    if found.error:
        out.print(f"  [red]error:[/red] {found.error}")
    for failure in found.failures[:100]:
        out.print(f"  failed {failure.identifier}: {failure.reason}")
    if len(found.failures) > 100:
        out.print(f"  ... and {len(found.failures) - 100} more failures")


def worker(
    data_dir: DataDir = None,
    tick: Annotated[float, typer.Option(help="Seconds between looks at the schedule.")] = 30.0,
    once: Annotated[bool, typer.Option("--once", help="Run what is due once, then stop.")] = False,
) -> None:
    """Run the scheduled harvests (each enabled source with an interval), until stopped."""
    from terrapole.harvest.worker import work

    with _opened(data_dir, catalog=True) as (store, catalog):
        assert catalog is not None
        try:
            made = work(Harvester(catalog, store), store, tick_s=tick, once=once, log=console.print)
        except KeyboardInterrupt:
            made = 0
    console.print(f"worker: {made} runs")

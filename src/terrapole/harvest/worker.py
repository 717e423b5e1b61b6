"""Scheduled harvests (`terrapole worker`): every enabled source, each time its interval has passed.

A source is due when its interval has passed since its last run started, or when its last run
was cut off (its process ended while the run was marked running and its checkpoint has not moved
for `STALLED_AFTER`): that run is resumed. Due sources are harvested a few at a time, each within
its own limit on parallel requests. One worker per catalog database: two workers would harvest
the same source twice over (harmlessly, as writes are idempotent, but for nothing).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

from terrapole.core.errors import TerrapoleError
from terrapole.harvest.report import FAILED, RunReport
from terrapole.harvest.runner import Harvester, utc_now
from terrapole.harvest.store import HarvestStore

STALLED_AFTER = timedelta(minutes=15)
SOURCES_AT_ONCE = 2


def due_sources(store: HarvestStore, now: datetime) -> list[str]:
    """The names of the sources whose harvest is due at `now`."""
    due = []
    for source in store.sources():
        if not source.enabled:
            continue
        state = store.state(source.name)
        if source.due(now, state.last_started) or store.stalled(source.name, now - STALLED_AFTER):
            due.append(source.name)
    return due


def run_due(
    harvester: Harvester, store: HarvestStore, now: datetime, log: Callable[[str], None] = print
) -> list[RunReport]:
    """Harvest every due source, `SOURCES_AT_ONCE` at a time; their reports. A source that cannot
    be run (removed meanwhile, already running elsewhere in this process) is logged and skipped."""
    names = due_sources(store, now)
    if not names:
        return []

    def run(name: str) -> RunReport | None:
        try:
            return harvester.run(name)
        except TerrapoleError as exc:
            log(f"{name}: not run: {exc.message}")
            return None

    with ThreadPoolExecutor(min(SOURCES_AT_ONCE, len(names)), thread_name_prefix="terrapole-harvest") as pool:
        return [report for report in pool.map(run, names) if report is not None]


def work(
    harvester: Harvester,
    store: HarvestStore,
    *,
    tick_s: float = 30.0,
    once: bool = False,
    stop: threading.Event | None = None,
    log: Callable[[str], None] = print,
    clock: Callable[[], datetime] = utc_now,
) -> int:
    """Run due harvests every `tick_s` seconds until `stop` is set (or once); the runs made."""
    stop = stop or threading.Event()
    made = 0
    while not stop.is_set():
        for report in run_due(harvester, store, clock(), log):
            made += 1
            c = report.counts
            log(
                f"{report.source}: {report.status} ({report.mode}) new {c.new}, updated {c.updated}, "
                f"unchanged {c.unchanged}, deleted {c.deleted}, failed {c.failed}"
                + (f"; {report.error}" if report.status == FAILED and report.error else "")
            )
        if once:
            break
        stop.wait(tick_s)
    return made

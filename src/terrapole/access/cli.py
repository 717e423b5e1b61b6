"""Administration from the command line: `terrapole users|tokens|policy|licences|requests ...`.

The commands act as `core.access.OPERATOR` (whoever can run them can read the database anyway)
through the same operations as the HTTP administration routes. Errors are one line on stderr
and exit status 1 (2 for bad input); a token is printed on stdout, once, and nowhere else.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Annotated

import orjson
import typer
from rich.console import Console

from terrapole.access.operations import build_policy, set_policy
from terrapole.access.policies import Licence
from terrapole.access.requests import RequestState
from terrapole.access.store import AccessStore
from terrapole.catalog.base import CatalogStore
from terrapole.cli_options import DataDir, settings_for
from terrapole.core.access import OPERATOR, Quota, UserCategory
from terrapole.core.errors import InvalidParameter, TerrapoleError
from terrapole.core.timeutil import format_instant, parse_instant

console = Console(stderr=True)
users = typer.Typer(help="Accounts: add users, set their category and groups.", no_args_is_help=True)
tokens = typer.Typer(help="Personal API tokens: create (shown once), list, revoke.", no_args_is_help=True)
policy = typer.Typer(help="Access policies of collections and items.", no_args_is_help=True)
licences = typer.Typer(help="Licences users accept before reading licensed data.", no_args_is_help=True)
requests = typer.Typer(help="Access requests: list, approve, refuse, revoke.", no_args_is_help=True)

Groups = Annotated[list[str] | None, typer.Option("--group", help="A group (repeat the option for more).")]


@contextmanager
def _access(data_dir: DataDir, catalog: bool = False) -> Iterator[tuple[AccessStore, CatalogStore | None]]:
    """The access store (and the catalog), with errors as one line and a non-zero exit status."""
    from terrapole.catalog import open_catalog

    settings = settings_for(data_dir)
    try:
        store = AccessStore.open(settings)
        opened = open_catalog(settings, writable=False) if catalog else None
        try:
            yield store, opened
        finally:
            store.close()
            if opened is not None:
                opened.close()
    except TerrapoleError as exc:
        console.print(f"error: {exc.message}", markup=False)
        raise typer.Exit(2 if isinstance(exc, InvalidParameter) else 1) from None


# -- users ---------------------------------------------------------------------------------------
@users.command("add")
def users_add(
    name: str,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read a password from stdin.")
    ] = False,
    category: Annotated[str, typer.Option(help="User category (eligibility).")] = UserCategory.OTHER.value,
    group: Groups = None,
    data_dir: DataDir = None,
) -> None:
    """Add a user (roles are groups: platform-admins, pole-admins:POLE, pole-curators:POLE)."""
    password = sys.stdin.readline().rstrip("\r\n") if password_stdin else None
    with _access(data_dir) as (store, _):
        user = store.accounts.add(name, password, UserCategory.parse(category), group or ())
    console.print(
        f"user {user.name} added (category {user.category}, groups {', '.join(sorted(user.groups)) or '-'})"
    )


@users.command("set")
def users_set(
    name: str,
    category: Annotated[str | None, typer.Option(help="New user category.")] = None,
    group: Groups = None,
    remove_group: Annotated[
        list[str] | None, typer.Option("--remove-group", help="A group to leave.")
    ] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read a new password from stdin.")
    ] = False,
    data_dir: DataDir = None,
) -> None:
    """Change a user's category, groups or password."""
    password = sys.stdin.readline().rstrip("\r\n") if password_stdin else None
    with _access(data_dir) as (store, _):
        chosen = UserCategory.parse(category) if category else None
        user = store.accounts.update(name, chosen, group or (), remove_group or (), password)
    console.print(
        f"user {user.name}: category {user.category}, groups {', '.join(sorted(user.groups)) or '-'}"
    )


@users.command("list")
def users_list(data_dir: DataDir = None) -> None:
    """List users with their category and groups."""
    with _access(data_dir) as (store, _):
        for user in store.accounts.list():
            typer.echo(f"{user.name}\t{user.category}\t{','.join(sorted(user.groups))}")


# -- tokens --------------------------------------------------------------------------------------
@tokens.command("create")
def tokens_create(
    name: Annotated[str, typer.Argument(help="The user the token is for.")],
    expires: Annotated[float | None, typer.Option(help="Days until the token expires.")] = None,
    label: Annotated[str, typer.Option(help="What the token is for.")] = "token",
    data_dir: DataDir = None,
) -> None:
    """Create a personal API token; it is printed once, on stdout, and never again."""
    with _access(data_dir) as (store, _):
        info, secret = store.tokens.create(name, label, expires)
    until = format_instant(info.expires) if info.expires else "never"
    console.print(
        f"token {info.id} for {info.user} (expires: {until}); send it as 'Authorization: Bearer TOKEN'"
    )
    typer.echo(secret)


@tokens.command("list")
def tokens_list(name: str, data_dir: DataDir = None) -> None:
    """List a user's tokens (their secrets are not kept)."""
    with _access(data_dir) as (store, _):
        for info in store.tokens.list(name):
            state = (
                "revoked"
                if info.revoked
                else f"expires {format_instant(info.expires) if info.expires else 'never'}"
            )
            typer.echo(f"{info.id}\t{info.name}\t{state}")


@tokens.command("revoke")
def tokens_revoke(token_id: int, data_dir: DataDir = None) -> None:
    """Revoke a token."""
    with _access(data_dir) as (store, _):
        info = store.tokens.revoke(token_id, OPERATOR)
    console.print(f"token {info.id} of {info.user} revoked")


# -- policies and licences -----------------------------------------------------------------------
@policy.command("set")
def policy_set(
    collection: str,
    kind: Annotated[str, typer.Argument(help="open, embargo, restricted, licensed or eligible.")],
    group: Groups = None,
    until: Annotated[str | None, typer.Option(help="Embargo end (RFC 3339 date or date-time).")] = None,
    licence: Annotated[
        str | None, typer.Option(help="Licence id (licensed, or eligible with a licence).")
    ] = None,
    version: Annotated[str | None, typer.Option(help="Licence version (default: the latest).")] = None,
    categories: Annotated[str | None, typer.Option(help="Eligible user categories, comma-separated.")] = None,
    item: Annotated[str | None, typer.Option(help="Set the override of this item only.")] = None,
    data_dir: DataDir = None,
) -> None:
    """Set a collection's access policy (or an item's override of it)."""
    wanted = [c.strip() for c in (categories or "").split(",") if c.strip()]
    with _access(data_dir, catalog=True) as (store, catalog):
        assert catalog is not None
        chosen = build_policy(store, kind, until, group or (), licence, version, wanted)
        set_policy(store, catalog, OPERATOR, collection, chosen, item)
    target = f"{collection}/{item}" if item else collection
    console.print(f"policy of {target}: {chosen.to_json()}", markup=False)


@policy.command("show")
def policy_show(collection: Annotated[str | None, typer.Argument()] = None, data_dir: DataDir = None) -> None:
    """Show stored policies (collections without one are open)."""
    with _access(data_dir) as (store, _):
        for row in store.policies.listing(collection):
            target = f"{row['collection']}/{row['item']}" if row["item"] else str(row["collection"])
            details = {k: v for k, v in row.items() if k not in _SHOWN}
            typer.echo(f"{target}\t{row['kind']}\t{orjson.dumps(details).decode()}")


_SHOWN = frozenset({"collection", "item", "kind", "pole", "updated_by"})


@licences.command("add")
def licences_add(
    licence_id: str,
    version: Annotated[str, typer.Option(help="Version users accept.")],
    title: Annotated[str, typer.Option(help="Title shown to users.")],
    url: Annotated[str | None, typer.Option(help="Where its text is.")] = None,
    data_dir: DataDir = None,
) -> None:
    """Register a licence version."""
    with _access(data_dir) as (store, _):
        store.policies.add_licence(Licence(licence_id, version, title, url))
    console.print(f"licence {licence_id} version {version} registered")


# -- access requests -----------------------------------------------------------------------------
@requests.command("list")
def requests_list(
    state: Annotated[str | None, typer.Option(help="submitted, approved, refused or revoked.")] = None,
    data_dir: DataDir = None,
) -> None:
    """List access requests."""
    try:
        wanted = RequestState(state) if state else None
    except ValueError:
        raise typer.BadParameter(f"unknown state {state!r}", param_hint="--state") from None
    with _access(data_dir) as (store, _):
        for found in store.requests.listing(OPERATOR, wanted):
            typer.echo(
                f"{found.id}\t{found.state}\t{found.user}\t{found.collection}\t{found.category}\t{found.purpose}"
            )


@requests.command("approve")
def requests_approve(
    request_id: int,
    expires: Annotated[str | None, typer.Option(help="Expiry: a date, or a number of days.")] = None,
    quota: Annotated[
        str | None, typer.Option(help="Quota such as '50 scenes/30d' or '2000 km2/365d'.")
    ] = None,
    data_dir: DataDir = None,
) -> None:
    """Approve a submitted request."""
    with _access(data_dir) as (store, _):
        until = None
        if expires:
            until = (
                store.clock() + timedelta(days=float(expires))
                if _number(expires)
                else parse_instant(expires, "expires")
            )
        found = store.requests.approve(request_id, OPERATOR, until, Quota.parse(quota) if quota else None)
    console.print(f"request {found.id} approved for {found.user} on {found.collection}")


@requests.command("refuse")
def requests_refuse(
    request_id: int, reason: Annotated[str, typer.Option(help="Why.")], data_dir: DataDir = None
) -> None:
    """Refuse a submitted request, with a reason."""
    with _access(data_dir) as (store, _):
        found = store.requests.refuse(request_id, OPERATOR, reason)
    console.print(f"request {found.id} refused")


@requests.command("revoke")
def requests_revoke(
    request_id: int, reason: Annotated[str, typer.Option(help="Why.")], data_dir: DataDir = None
) -> None:
    """Withdraw an approved grant, with a reason."""
    with _access(data_dir) as (store, _):
        found = store.requests.revoke(request_id, OPERATOR, reason)
    console.print(f"request {found.id} revoked")


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True

"""OIDC bearer tokens: JWTs signed with a locally generated RSA key, the issuer's JWKS served from
a file or from a loopback HTTP server; anything not signed by the issuer for us is refused."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from tests.access.conftest import World, open_world
from tests.protocols.conftest import assert_problem

ISSUER = "https://idp.example.org/realms/terrapole"
AUDIENCE = "terrapole"
KID = "test-key-1"


def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


KEY = rsa_key()
OTHER_KEY = rsa_key()


def jwks(key: rsa.RSAPrivateKey = KEY, kid: str = KID) -> dict[str, Any]:
    public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    return {"keys": [{**public, "kid": kid, "use": "sig", "alg": "RS256"}]}


def token(key: Any = KEY, algorithm: str = "RS256", kid: str = KID, **claims: Any) -> str:
    now = int(time.time())
    body = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": "f81d4fae-7dec-11d0",
        "preferred_username": "odile",
        "groups": ["insiders", "/pole-curators:ocean", "not a group!"],
        "iat": now,
        "exp": now + 300,
        **claims,
    }
    return jwt.encode(body, key, algorithm=algorithm, headers={"kid": kid})


def hmac_with_public_key() -> str:
    """The classic forgery: HS256 keyed with the issuer's public key (PyJWT refuses to make it)."""

    def part(obj: dict[str, Any]) -> bytes:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=")

    claims = {"iss": ISSUER, "aud": AUDIENCE, "sub": "x", "exp": int(time.time()) + 60}
    signing_input = part({"alg": "HS256", "typ": "JWT", "kid": KID}) + b"." + part(claims)
    secret = json.dumps(jwks()["keys"][0]).encode()
    signature = base64.urlsafe_b64encode(hmac.new(secret, signing_input, hashlib.sha256).digest()).rstrip(
        b"="
    )
    return (signing_input + b"." + signature).decode()


def bearer(value: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {value}"}


@pytest.fixture
def jwks_file(tmp_path: Path) -> Path:
    path = tmp_path / "jwks.json"
    path.write_text(json.dumps(jwks()))
    return path


@pytest.fixture
def jwks_server(tmp_path: Path) -> Iterator[str]:
    """The JWKS at http://127.0.0.1:PORT/jwks.json (a free port the system picks)."""
    root = tmp_path / "idp"
    root.mkdir()
    (root / "jwks.json").write_text(json.dumps(jwks()))
    handler = partial(QuietHandler, directory=str(root))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/jwks.json"
    server.shutdown()
    server.server_close()
    thread.join(5)


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def oidc_world(request: pytest.FixtureRequest, backend: str, tmp_path: Path, jwks_location: str) -> Any:
    return open_world(
        request, backend, tmp_path / "w", oidc_issuer=ISSUER, oidc_audience=AUDIENCE, oidc_jwks=jwks_location
    )


@pytest.fixture
def world(request: pytest.FixtureRequest, backend: str, tmp_path: Path, jwks_file: Path) -> Iterator[World]:
    with oidc_world(request, backend, tmp_path, str(jwks_file)) as built:
        yield built


def test_a_valid_token_maps_to_an_account_and_its_groups(world: World) -> None:
    me = world.client.get("/auth/me", headers=bearer(token()))
    assert me.status_code == 200, me.text
    body = me.json()
    assert body["name"] == "odile"
    assert body["groups"] == ["insiders", "pole-curators:ocean"]  # invalid names dropped
    again = world.client.get("/auth/me", headers=bearer(token(preferred_username="renamed"))).json()
    assert again["id"] == body["id"] and again["name"] == "odile"  # found by issuer and subject
    restricted = world.client.get("/stac/collections/restricted", headers=bearer(token()))
    assert restricted.status_code == 200  # the groups claim makes her an insider
    assert world.client.get("/stac/collections/restricted").status_code == 404
    # Groups come with each token, they are not stored.
    assert world.store.accounts.get("odile").groups == frozenset()
    plain = world.client.get("/stac/collections/restricted", headers=bearer(token(groups=[])))
    assert plain.status_code == 404


@pytest.mark.parametrize(
    ("forged", "mentions"),
    [
        (lambda: token(iss="https://evil.example.org/"), "another issuer"),
        (lambda: token(aud="someone-else"), "another audience"),
        (lambda: token(exp=int(time.time()) - 120), "expired"),
        (lambda: token(key=OTHER_KEY), "signature"),
        (lambda: token(kid="unknown-key"), "unknown-key"),
        (
            lambda: jwt.encode(
                {"iss": ISSUER, "aud": AUDIENCE, "sub": "x", "exp": int(time.time()) + 60},
                None,
                algorithm="none",
            ),
            "invalid oidc token",
        ),
        (lambda: hmac_with_public_key(), "invalid oidc token"),
        (lambda: token(sub=None), "invalid oidc token"),
    ],
)
def test_tokens_not_signed_by_the_issuer_for_us_are_refused(world: World, forged: Any, mentions: str) -> None:
    value = forged()
    response = world.client.get("/stac/collections", headers=bearer(value))
    body = assert_problem(response, 401, mentions)
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert value not in response.text
    assert body["reason"] in ("invalid-token", "expired-token")
    with pytest.raises(Exception, match="not found"):
        world.store.accounts.get("odile")


def test_a_token_cannot_take_over_a_local_account(world: World) -> None:
    response = world.client.get("/auth/me", headers=bearer(token(preferred_username="admin", sub="intruder")))
    assert assert_problem(response, 401, "not linked")["reason"] == "account-conflict"


def test_the_key_set_from_a_loopback_server(
    request: pytest.FixtureRequest, backend: str, tmp_path: Path, jwks_server: str
) -> None:
    with oidc_world(request, backend, tmp_path, jwks_server) as served:
        assert served.client.get("/auth/me", headers=bearer(token())).json()["name"] == "odile"
        assert served.client.get("/auth/me", headers=bearer(token(key=OTHER_KEY))).status_code == 401

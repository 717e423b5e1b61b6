"""OIDC bearer tokens: JWTs signed by a configured issuer, checked against its JWKS (PyJWT).

Only asymmetric algorithms are accepted, whatever the token's header says (no `none`, and no
HMAC keyed with a public key). The issuer, the audience, the expiry and the subject are
required. The JWKS comes from an http(s) URL (fetched and cached by `PyJWKClient`, refreshed
when a token names an unknown key) or from a local file (read again when a key is unknown).

A verified token maps to an account by its issuer and subject: the first token creates the
account (named by the username claim), later ones find it. The groups claim adds groups for the
request it comes with; they are not stored, so removing a group at the issuer takes effect at once.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt

from terrapole.access.accounts import Accounts, User, UserNotFound, check_name
from terrapole.core.access import GROUP_NAME, Principal
from terrapole.core.errors import AuthenticationRequired, InvalidParameter
from terrapole.settings import Settings

ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA")
LEEWAY_S = 30


@dataclass(frozen=True, slots=True)
class OidcConfig:
    """Which issuer's tokens are accepted, and how their claims map to accounts."""

    issuer: str
    audience: str
    jwks: str
    username_claim: str = "preferred_username"
    groups_claim: str = "groups"

    @classmethod
    def from_settings(cls, settings: Settings) -> OidcConfig | None:
        """The configuration, or None when OIDC is not configured (issuer, audience and JWKS all set)."""
        if not (settings.oidc_issuer and settings.oidc_audience and settings.oidc_jwks):
            return None
        return cls(
            settings.oidc_issuer,
            settings.oidc_audience,
            settings.oidc_jwks,
            settings.oidc_username_claim,
            settings.oidc_groups_claim,
        )


class OidcVerifier:
    """Verifies bearer JWTs and maps them to principals."""

    def __init__(self, config: OidcConfig, accounts: Accounts) -> None:
        self.config = config
        self.accounts = accounts
        remote = config.jwks.startswith(("http://", "https://"))
        self._client = jwt.PyJWKClient(config.jwks, cache_keys=True, timeout=5) if remote else None
        self._file = None if remote else Path(config.jwks)
        self._keys: dict[str, jwt.PyJWK] = {}

    def principal(self, token: str) -> Principal:
        """The principal a valid token stands for; AuthenticationRequired otherwise."""
        claims = self.claims(token)
        user = self._account(claims)
        return user.principal(self._groups(claims))

    def claims(self, token: str) -> dict[str, Any]:
        """The verified claims of a token."""
        try:
            key = self._signing_key(token)
            return jwt.decode(
                token,
                key,
                algorithms=list(ALGORITHMS),
                audience=self.config.audience,
                issuer=self.config.issuer,
                leeway=LEEWAY_S,
                options={"require": ["exp", "iss", "aud", "sub"]},
            )
        except jwt.ExpiredSignatureError:
            raise AuthenticationRequired("the OIDC token has expired", "expired-token") from None
        except jwt.InvalidAudienceError:
            raise AuthenticationRequired("the OIDC token is for another audience", "invalid-token") from None
        except jwt.InvalidIssuerError:
            raise AuthenticationRequired("the OIDC token is from another issuer", "invalid-token") from None
        except jwt.PyJWTError as exc:
            # PyJWT's messages describe the failure, never the token itself.
            raise AuthenticationRequired(f"invalid OIDC token: {exc}", "invalid-token") from None

    def _signing_key(self, token: str) -> Any:
        if self._client is not None:
            return self._client.get_signing_key_from_jwt(token).key
        kid = jwt.get_unverified_header(token).get("kid")
        if kid not in self._keys:
            self._keys = self._read_file()
        if kid is None and len(self._keys) == 1:
            return next(iter(self._keys.values())).key
        if kid not in self._keys:
            raise jwt.InvalidKeyError(f"no key {kid!r} in the issuer's key set")
        return self._keys[kid].key

    def _read_file(self) -> dict[str, jwt.PyJWK]:
        assert self._file is not None
        try:
            document = json.loads(self._file.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise jwt.PyJWKClientError(f"cannot read the JWKS file {self._file}: {exc}") from None
        keys = jwt.PyJWKSet.from_dict(document).keys
        return {str(k.key_id): k for k in keys}

    def _account(self, claims: Mapping[str, Any]) -> User:
        subject = f"{claims['iss']}#{claims['sub']}"
        found = self.accounts.by_subject(subject)
        if found is not None:
            return found
        name = str(claims.get(self.config.username_claim) or claims["sub"])
        try:
            check_name(name)
        except InvalidParameter:
            raise AuthenticationRequired(
                f"the {self.config.username_claim} claim is not a valid user name", "invalid-token"
            ) from None
        if self._taken(name):
            raise AuthenticationRequired(
                f"user {name!r} exists and is not linked to this identity", "account-conflict"
            )
        return self.accounts.add(name, subject=subject)

    def _taken(self, name: str) -> bool:
        try:
            self.accounts.get(name)
        except UserNotFound:
            return False
        return True

    def _groups(self, claims: Mapping[str, Any]) -> frozenset[str]:
        raw = claims.get(self.config.groups_claim) or ()
        names = raw.split() if isinstance(raw, str) else raw
        return frozenset(
            str(n).strip("/") for n in names if isinstance(n, str) and GROUP_NAME.match(n.strip("/"))
        )

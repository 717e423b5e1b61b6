"""One settings tree, read from TERRAPOLE_* environment variables and passed in explicitly.

Nothing here is instantiated at import time: the CLI builds a `Settings` and hands it to
`create_app(settings)` or to the catalog factory.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import platformdirs
from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


def default_data_dir() -> Path:
    """The per-user data directory (for example ~/.local/share/terrapole)."""
    return Path(platformdirs.user_data_dir("terrapole", appauthor=False))


class Settings(BaseSettings):
    """Operator configuration. Every field can be set as TERRAPOLE_<NAME>."""

    model_config = SettingsConfigDict(env_prefix="TERRAPOLE_", extra="ignore")

    data_dir: Path = Field(default_factory=default_data_dir)
    database_url: str | None = None
    base_url: str | None = Field(
        default=None, description="Public URL prefix (scheme://host[:port]) when behind a proxy"
    )
    title: str = "terrapole"
    description: str = "Earth-system data from five thematic data centres, in one catalog."
    contact_email: str = Field(
        default="contact@terrapole.invalid",
        description="E-mail address of the service's point of contact (CSW and INSPIRE capabilities)",
    )
    default_limit: int = Field(default=10, ge=1)
    max_limit: int = Field(default=1000, ge=1)
    count_limit: int = Field(
        default=100_000,
        ge=0,
        description="numberMatched is exact up to this many matches, and left out above it",
    )
    count_budget_ms: float = Field(
        default=2.0,
        ge=0,
        description="Time a search may spend counting its matches; numberMatched is left out "
        "when counting takes longer (the results themselves are unaffected)",
    )
    sqlite_cache_mb: int = Field(default=64, ge=1)
    cors_origins: tuple[str, ...] = Field(
        default=("*",), description="Origins whose browser scripts may read the APIs"
    )
    gzip: bool = Field(
        default=False,
        description="Compress responses in the application (off by default: a reverse proxy "
        "usually does it, and on loopback it costs about 1 ms a search page)",
    )
    gzip_minimum_bytes: int = Field(default=2048, ge=0, description="Smallest response to compress")
    oidc_issuer: str | None = Field(default=None, description="OIDC issuer whose bearer JWTs are accepted")
    oidc_audience: str | None = Field(default=None, description="Audience (aud) those JWTs must name")
    oidc_jwks: str | None = Field(
        default=None, description="The issuer's JWKS: an http(s) URL, or the path of a JSON file"
    )
    oidc_username_claim: str = Field(default="preferred_username", description="Claim naming the user")
    oidc_groups_claim: str = Field(default="groups", description="Claim listing the user's groups")
    session_hours: float = Field(default=12.0, gt=0, description="Lifetime of a signed-in browser session")
    login_window_s: int = Field(default=900, ge=1, description="Window over which failed logins count")
    login_failures_per_account: int = Field(default=5, ge=1, description="Failed logins allowed per account")
    login_failures_per_address: int = Field(
        default=20, ge=1, description="Failed logins allowed per client address"
    )
    basemap_url: str | None = Field(
        default=None,
        description="XYZ tile URL template ({z}/{x}/{y}) drawn under the portal's maps; without it the "
        "maps show only the offline Natural Earth country layer",
    )
    basemap_attribution: str = Field(default="", description="Attribution shown for the XYZ basemap")
    admin_email: str = Field(
        default="admin@terrapole.invalid",
        description="Contact address harvesters are given (OAI-PMH Identify)",
    )
    oai_repository_id: str | None = Field(
        default=None,
        description="Repository part of OAI-PMH identifiers (oai:<id>:<collection>); default: public host",
    )
    sitemap_urls_per_file: int = Field(
        default=50_000, ge=1, le=50_000, description="Landing pages per sitemap file (sitemaps.org: 50,000)"
    )
    oai_page_size: int = Field(default=100, ge=1, le=1000, description="Records per OAI-PMH list response")
    secret_key: SecretStr | None = Field(
        default=None,
        description="Secret that signs download URLs (and other tokens); when unset, one is "
        "generated on first use and kept in <data_dir>/secret_key. Never logged.",
    )
    storage_url: str | None = Field(
        default=None,
        description="Where data files are stored: a directory, file:///path or s3://bucket/prefix "
        "(default: <data_dir>/objects)",
    )
    s3_endpoint_url: str | None = Field(
        default=None, description="S3-compatible endpoint (MinIO, Ceph...); unset for AWS"
    )
    s3_region: str | None = None
    s3_access_key_id: str | None = Field(
        default=None, description="Unset: boto3's usual chain (AWS_* variables, ~/.aws, instance role)"
    )
    s3_secret_access_key: SecretStr | None = None
    s3_addressing_style: Literal["auto", "path", "virtual"] = Field(
        default="auto", description="`path` for servers without bucket host names (most MinIO setups)"
    )
    s3_part_size_mb: int = Field(
        default=16, ge=5, le=5120, description="Multipart upload part size; objects up to 10,000 parts"
    )
    s3_max_concurrency: int = Field(default=4, ge=1, le=64, description="Parts uploaded at once")

    @property
    def catalog_path(self) -> Path:
        """The embedded catalog database file."""
        return self.data_dir / "catalog.sqlite"

    @property
    def access_path(self) -> Path:
        """The embedded accounts and access-control database (users, tokens, policies, audit)."""
        return self.data_dir / "access.sqlite"

    @property
    def text_index_path(self) -> Path:
        """The derived full-text index directory (rebuildable from the catalog)."""
        return self.data_dir / "text-index"

    @property
    def objects_dir(self) -> Path:
        """The default local object store (used when `storage_url` is unset)."""
        return self.data_dir / "objects"

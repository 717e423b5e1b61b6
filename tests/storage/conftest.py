"""Storage tests run each contract test on every store: a local directory and an S3 bucket served
by a real moto_server process on loopback (see tests/support/s3_server.py)."""

from tests.support.s3_server import object_store, s3_endpoint, s3_store

__all__ = ["object_store", "s3_endpoint", "s3_store"]

"""Benchmarks of terrapole: reproducible synthetic catalogs measured over HTTP (not timed tests)."""

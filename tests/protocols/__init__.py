"""Tests of the served protocols, over HTTP against a real catalog store."""

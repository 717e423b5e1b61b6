"""Metadata formats: each module parses one format into canonical records and encodes them back."""

"""Metadata quality: the FAIR assessment of canonical records (`quality.fair`)."""

from terrapole.quality.fair import METRICS, WEIGHTS, FairAssessment, MetricResult, assess

__all__ = ["METRICS", "WEIGHTS", "FairAssessment", "MetricResult", "assess"]

"""Detector declarations: ``common`` (global types) and one module per country, each exporting ``DETECTORS``."""

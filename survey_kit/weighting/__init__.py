"""Weights: targets with their provenance, post-stratification, raking,
calibration, trimming, diagnostics, and the weighting plan a questionnaire declares.

May import: ``instrument`` and the shared helpers.
"""

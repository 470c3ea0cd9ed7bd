"""The survey design: :class:`SurveyDesign` (what the design is), its variance
engine, calibration steps, estimators, domains and GLM.

May import: ``weighting``, ``stats`` and the shared helpers.
"""

"""The survey instrument: the questionnaire schema, its loading and cross-checks,
and the en/ja labels every renderer uses.

May import: the package's shared helpers (``errors``, ``_yaml``, ``_files``).
"""

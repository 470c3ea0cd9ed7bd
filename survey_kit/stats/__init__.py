"""Tests of association: the one Rao-Scott / Wald core (design-based), the
unweighted tests and effect sizes.

Design-based tests receive a design object; nothing here imports ``design``.
May import: the shared helpers.
"""

"""The seeded generator behind ``sample_data/``: synthetic raw exports with planted
defects.

May import: ``instrument`` and the shared helpers.
"""

"""Quality control: the rule engine (flags, exclusion flow, overlap, result) and
the careless-responding indices.

May import: ``instrument``, ``io`` and the shared helpers.
"""

"""The whole job: the run (read -> clean -> weight -> design), the survey appendix,
figures, the published-vs-reproduced check and the output writers.

May import every stage below it.
"""

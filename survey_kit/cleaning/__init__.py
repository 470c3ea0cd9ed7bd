"""Quality control: the rule engine (flags, exclusion flow, overlap, result) and
the careless-responding indices.

Modules
-------
engine       ``clean()``: check the inputs, run the rules, assemble the result
parameters   parameter names, defaults, parsing; where each value came from
registry     the built-in rules in the order they run; where the questionnaire's go
context      access to the labelled frame for the rules (codes, numbers, scores)
conditions   declarative conditions (screening, ``implies``), per kind of question
outcome      what a rule returns (flags, flow text, status, index columns)
flow         first-rule attribution, the flow and overlap tables, kept/excluded/review
result       ``CleaningResult``
rules/       one module per rule family (screening, duplicates, traps, speeders,
             limits, questionnaire rules, open-ended, response patterns)
careless/    the careless-responding indices (longstring, irv, mahad, evenodd),
             near-duplicates and gibberish, one module per index

May import: ``instrument``, ``io`` and the shared helpers.
"""

"""Quality control: the rule engine (flags, exclusion flow, overlap, result) and
the careless-responding indices.

Modules
-------
engine       ``clean()``: check the inputs, run the rules, assemble the result
parameters   parameter names, defaults, parsing; where each value came from
registry     the built-in rules in the order they run; where the questionnaire's go
context      access to the labelled frame for the rules (codes, numbers, scores, the
             variable holding a meta role such as Qualtrics' ``Finished``)
conditions   declarative conditions (screening, ``implies``, ``exclude_if``), per kind
             of question
completion   the completion rate from the finished flag, progress or a status text
outcome      what a rule returns (flags, flow text, status, index columns)
flow         first-rule attribution, the flow and overlap tables, kept/excluded/review
result       ``CleaningResult``
rules/       one module per rule family (platform records, screening, duplicates,
             traps, speeders, limits, questionnaire rules, open-ended, response
             patterns)
careless/    the careless-responding indices (longstring, irv, mahad, evenodd),
             near-duplicates and gibberish, one module per index

May import: ``instrument``, ``io`` and the shared helpers.
"""

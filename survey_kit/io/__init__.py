"""Reading and writing response files: one module per concern (reading an export
against the questionnaire, the file formats).

May import: ``instrument`` and the shared helpers.
"""

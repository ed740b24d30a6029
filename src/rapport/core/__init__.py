"""Rapport's framework-free core: measures, scoring and caseload rules.

Nothing under ``rapport.core`` imports Django, so researchers can load and score measures in a
notebook and the rules can be tested without a database. See :mod:`rapport.core.instruments`.
"""

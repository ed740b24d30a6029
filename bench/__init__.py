"""Evidence harness for Rapport's clinical signals: simulated cohorts with known ground truth.

Nothing here is imported by the application; see ``bench/README.md``.
"""

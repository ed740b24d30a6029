"""Consent (feedback, transcript analysis, research use) and the client's rights to their data."""

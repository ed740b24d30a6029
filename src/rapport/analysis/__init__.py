"""Transcript analyses in the web app: upload a session's transcript, keep only its analysis."""

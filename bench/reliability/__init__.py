"""Reliability benchmarks: load and fault injection against a real gunicorn and PostgreSQL."""

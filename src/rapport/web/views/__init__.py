"""Therapist and clinic-admin pages."""

"""Clinics and their staff: therapists, supervisors and clinic admins."""

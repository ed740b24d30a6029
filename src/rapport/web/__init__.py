"""Server-rendered pages for therapists and clinic admins."""

"""The typed JSON API (django-ninja); schema at /api/openapi.json, docs at /api/docs."""

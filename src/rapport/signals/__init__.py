"""Clinical signals in the web app: stored trajectory models, risk acknowledgements, read models.

The rules themselves live in the pure-Python core (``rapport.core.signals`` and friends); this
app feeds them from the database and keeps what clinicians record about them.
"""

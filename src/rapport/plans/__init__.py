"""The collaborative treatment plan in the web app: versions, the client's agreement, goal ratings.

The plan's content and rules (problems, goals, Goal Attainment Scaling, status, diffs) live in
the pure-Python core, ``rapport.core.plans``; each edit stores a new immutable version here.
"""

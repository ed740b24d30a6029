"""Collecting measures: feedback links, tablet mode and stored responses."""

"""Presenters: Report -> text. Pure: they return bytes/str; front-ends print."""

"""Helpers the tests share that are not tests themselves (fetching the TEI schema, driving
external tools)."""

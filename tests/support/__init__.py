"""Helpers the tests share that are not tests themselves (e.g. fetching the TEI schema)."""

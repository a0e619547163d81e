"""Sphinx configuration of collatio's API reference, built from the docstrings.

Build it with ``python -m sphinx -W -b html docs/api build-docs`` (the tests do, with
warnings as errors: ``tests/test_api_docs.py``).
"""

project = "collatio"
author = "collatio developers"
extensions = ["sphinx.ext.autodoc", "sphinx.ext.doctest"]
autodoc_typehints = "description"
autodoc_member_order = "bysource"
autodoc_default_options = {"members": True, "show-inheritance": True}
autodoc_typehints_format = "short"
exclude_patterns = ["_build"]
html_theme = "alabaster"
# the attrs-generated __init__ signatures name private helper types
suppress_warnings = ["autodoc.import_object"]
nitpicky = False

"""Stage 6: renderers, one module per format, behind one registry (see ``base.py``).

Adding a format is one new module here defining a :class:`Renderer` subclass; every module
of this package is imported, which registers its renderers.

>>> from collatio.render import renderer_names
>>> {"collatex", "json", "text"} <= set(renderer_names())
True
"""

import importlib
import pkgutil

from collatio.render.base import Renderer, get_renderer, renderer_for_filename, renderer_names

for _module in pkgutil.iter_modules(__path__):
    if _module.name != "base":
        importlib.import_module(f"{__name__}.{_module.name}")

__all__ = ["Renderer", "get_renderer", "renderer_for_filename", "renderer_names"]

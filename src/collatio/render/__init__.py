"""Stage 6: renderers, one module per format, behind one registry (see ``base.py``).

Adding a format is one new module here defining a :class:`Renderer` subclass; every module
of this package is imported on first use of the registry, which registers its renderers.

>>> from collatio.render import renderer_names
>>> {"collatex", "json", "text"} <= set(renderer_names())
True
"""

from collatio.render.base import Renderer, get_renderer, renderer_for_filename, renderer_names

__all__ = ["Renderer", "get_renderer", "renderer_for_filename", "renderer_names"]

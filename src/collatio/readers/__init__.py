"""Stage 0: readers, one module per input format behind one registry (see ``base.py``).

A reader turns a file's bytes into sources and witnesses (documents with metadata, span
trees and revision states), the objects the plain-text reader makes; the registry picks the
reader by content first, by file name second (``--from`` overrides). Adding a format is one
new module defining a :class:`Reader` subclass; :func:`read_file` reads one file with the
reader chosen for it.

>>> from collatio.readers import reader_names
>>> {"collatex", "text"} <= set(reader_names())
True
"""

from collatio.readers.base import (
    HEAD_BYTES,
    Choice,
    Product,
    Reader,
    ReaderError,
    ReadOptions,
    choose_reader,
    get_reader,
    reader_names,
    readers,
)

__all__ = [
    "HEAD_BYTES",
    "Choice",
    "Product",
    "ReadOptions",
    "Reader",
    "ReaderError",
    "choose_reader",
    "get_reader",
    "reader_names",
    "readers",
]

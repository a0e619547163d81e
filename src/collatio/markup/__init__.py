"""Stage 1: markup conventions, the scanner, and the span tree it produces."""

from collatio.markup.conventions import (
    PRESETS,
    Convention,
    Delimiter,
    Rule,
    convention_from_dict,
    detect_convention,
    get_convention,
    load_convention,
)
from collatio.markup.scanner import LITERAL, MarkDecision, Markup, parse_markup
from collatio.markup.tree import Node, Span, SpanKind, Text, leaves, walk

__all__ = [
    "LITERAL",
    "PRESETS",
    "Convention",
    "Delimiter",
    "MarkDecision",
    "Markup",
    "Node",
    "Rule",
    "Span",
    "SpanKind",
    "Text",
    "convention_from_dict",
    "detect_convention",
    "get_convention",
    "leaves",
    "load_convention",
    "parse_markup",
    "walk",
]

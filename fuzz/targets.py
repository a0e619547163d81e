"""What the fuzzers check, shared by the atheris targets and the regression tests.

Each check takes raw bytes, makes texts of them, and either passes or raises
AssertionError (a broken guarantee) or an exception that is not a CollatioError (a crash).
A CollatioError is a clear, located refusal, which is allowed.
"""

from __future__ import annotations

import contextlib

import collatio
from collatio.errors import CollatioError
from collatio.markup import PRESETS, get_convention, leaves, parse_markup
from collatio.tokens import tokenize
from collatio.witness import Piece, State, StateName, states_for


def _tokens(text: str) -> list[str]:
    """The text's tokens as collatio cuts them (spacing between units is approximate)."""
    state = State(StateName.TEXT, text, (Piece(0, 0, len(text)),) if text else ())
    return list(tokenize(state, "W").surfaces)


def _texts(data: bytes, count: int) -> list[str]:
    text = data.decode("utf-8", errors="replace")
    size = max(1, len(text) // count)
    return [text[i * size : (i + 1) * size] for i in range(count)]


def check_parse(data: bytes) -> None:
    """Parsing is lossless for every convention; states and tokens map back to the source."""
    (text,) = _texts(data, 1)
    for name in PRESETS:
        markup = parse_markup(text, get_convention(name))
        assert "".join(leaf.text for leaf in leaves(markup.nodes)) == text
        for state in states_for(markup.nodes):
            for piece in state.pieces:
                assert state.text[piece.start : piece.end] == text[
                    piece.source_start : piece.source_start + piece.length
                ]
            assert tokenize(state, "W").rebuild() == state.text
    with contextlib.suppress(CollatioError):
        collatio.parse_text(text, path="fuzz.txt")


def check_collate(data: bytes) -> None:
    """Any two texts collate into a positive apparatus that every format renders, and each
    text is rebuilt from the apparatus."""
    a, b = _texts(data, 2)
    try:
        witnesses = [
            w
            for text, name in ((a, "A"), (b, "B"))
            for w in collatio.parse_text(text, path=name, convention="hand-revision").witnesses
        ]
        apparatus = collatio.collate_witnesses(witnesses)
    except CollatioError:
        return
    for unit in apparatus.units:
        assert sorted(unit.witnesses) == sorted(apparatus.sigla), unit
    moved = any(u.type is collatio.UnitType.TRANSPOSITION for u in apparatus.units)
    for token_list in apparatus.tokens or ():
        rebuilt = _tokens(apparatus.witness_text(token_list.siglum))
        original = _tokens(token_list.text)
        if moved:  # a moved block stands at the base's place: the same words, in another order
            assert sorted(rebuilt) == sorted(original), token_list.siglum
        else:
            assert rebuilt == original, token_list.siglum
    for name in collatio.renderer_names():
        assert collatio.render(apparatus, name)

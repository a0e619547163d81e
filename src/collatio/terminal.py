r"""What may reach a terminal: one function, :func:`printable`, through which every string
collatio shows a person passes (the text apparatus, ``collatio parse``'s outline, error
messages, diagnostics, file names).

A transcription's own title line, a siglum from a manifest or a file name can hold bytes
that drive a terminal: ESC starts a control sequence (clear the screen, set the window
title, rewrite what is shown), the C1 controls U+0080-U+009F do the same on terminals that
honour them (U+009B is CSI, U+009D is OSC), and the bidi controls U+202A-U+202E and
U+2066-U+2069 reorder what follows (the "Trojan Source" trick). They are shown as visible
escapes instead, so a person sees what the text holds:

>>> printable("Title\x1b]0;owned\x07 \u202edrow")
'Title\\x1b]0;owned\\x07 \\u202edrow'
>>> printable("two\nlines\tand a tab", newlines=True)
'two\nlines\tand a tab'
>>> printable("two\nlines")
'two\\x0alines'

Ordinary text, any script, combining marks and emoji included, passes unchanged (and
costs one scan at C speed). The backslash itself is not escaped: Windows paths stay
readable, at the price that a text holding a literal ``\x1b`` looks like one holding ESC.
"""

from __future__ import annotations

import re

__all__ = ["UNSAFE", "printable"]

#: The characters :func:`printable` shows as escapes: C0 controls (tab and newline only with
#: ``newlines=True``), DEL, the C1 controls, the bidi embedding, override, isolate and mark
#: characters, the line and paragraph separators, and lone surrogates (not characters: they
#: cannot even be encoded).
UNSAFE = (
    "\x00-\x08\x0b-\x1f\x7f-\x9f"
    "\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069"
    "\ud800-\udfff"
)
_FIELD = re.compile(f"[\t\n{UNSAFE}]")
_LINES = re.compile(f"[{UNSAFE}]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str, *, newlines: bool = False) -> str:
    """*text* with every character that could drive a terminal shown as an escape
    (``\\x1b``, ``\\x9b``, ``\\u202e``).

    A field (a siglum, a title, a file name) is one line: tab and newline are escaped too,
    so no value can start a line of its own that looks like collatio's. With *newlines*,
    text laid out in lines (a whole report) keeps its newlines and tabs.

    Idempotent: what it returns is left as it is. Cost: one regex scan; only the
    characters it escapes are rebuilt.
    """
    pattern = _LINES if newlines else _FIELD
    if pattern.search(text) is None:
        return text
    return pattern.sub(_escape, text)

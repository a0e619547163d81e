"""Short reprs and notebook displays (``_repr_html_``) for the model classes: the shared
pieces. A repr is one line of at most about 120 characters; a display is a small, self-
contained HTML fragment whose styles apply only inside it (class ``collatio-display``), so
showing it in Jupyter never restyles the notebook.

>>> clip("I received your reply to my telegram of 1 October", 20)
"'I received your rep…'"
>>> count(1, "unit"), count(3, "unit")
('1 unit', '3 units')
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from html import escape

#: Rows a display shows before it says how many more there are.
MAX_ROWS = 200
#: Characters of running text a display shows before eliding the rest.
MAX_TEXT = 20_000


def clip(text: str, limit: int = 30) -> str:
    """*text* as a repr, cut to *limit* characters with ``…``; whitespace folded."""
    flat = " ".join(text.split())
    return repr(flat if len(flat) <= limit else flat[: limit - 1] + "…")


def count(n: int, noun: str, plural: str | None = None) -> str:
    """``1 unit``, ``2 units`` (*plural* for irregular nouns)."""
    return f"{n} {noun if n == 1 else plural or noun + 's'}"


def listed(items: Sequence[str], limit: int = 6) -> str:
    """Up to *limit* items joined by spaces, then ``… (N in all)``."""
    if len(items) <= limit:
        return " ".join(items)
    return f"{' '.join(items[:limit])} … ({len(items)} in all)"


STYLE = """<style>
.collatio-display{font:13px/1.45 system-ui,sans-serif;color:inherit;max-width:100%}
.collatio-display table{border-collapse:collapse;margin:.3em 0}
.collatio-display th,.collatio-display td{border-bottom:1px solid #8884;padding:2px 8px;
text-align:left;vertical-align:top}
.collatio-display .sig{font-weight:600;color:#1f6f8b}
.collatio-display ins{background:#2da44e33;text-decoration:none}
.collatio-display del{background:#cf222e2e}
.collatio-display .note{color:#6e7781;font-style:italic}
.collatio-display .lac{color:#8250df;font-style:italic}
.collatio-display .text{white-space:pre-wrap;font-family:Georgia,serif;font-size:14px}
.collatio-display .more{color:#6e7781}
</style>"""


def fragment(title: str, *parts: str) -> str:
    """One display: its own scoped styles, a title line, then *parts* (HTML)."""
    return (f'{STYLE}<div class="collatio-display"><div><b>{escape(title)}</b></div>'
            f"{''.join(parts)}</div>")


def table(header: Sequence[str], rows: Iterable[Sequence[str]], total: int | None = None) -> str:
    """An HTML table; *rows* hold HTML already escaped; past :data:`MAX_ROWS` rows, a line
    says how many of *total* are left out."""
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body: list[str] = []
    for n, row in enumerate(rows):
        if n == MAX_ROWS:
            left = f" of {total}" if total is not None else ""
            body.append(f'<tr><td class="more" colspan="{len(header)}">… only the first '
                        f"{MAX_ROWS}{left} shown</td></tr>")
            break
        body.append("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def sigla(names: Iterable[str]) -> str:
    """Sigla as HTML, each marked up."""
    return " ".join(f'<span class="sig">{escape(s)}</span>' for s in names)


def elided(html_pieces: Iterable[tuple[str, str]]) -> str:
    """Running text from ``(text, wrapper)`` pieces: *wrapper* is ``""``, ``ins``, ``del``,
    ``note`` or ``lac``; cut after :data:`MAX_TEXT` characters with a count of the rest."""
    out: list[str] = []
    shown = left = 0
    for text, wrapper in html_pieces:
        if shown >= MAX_TEXT:
            left += len(text)
            continue
        piece = text[: MAX_TEXT - shown]
        left += len(text) - len(piece)
        shown += len(piece)
        if wrapper in ("ins", "del"):
            out.append(f"<{wrapper}>{escape(piece)}</{wrapper}>")
        elif wrapper:
            out.append(f'<span class="{wrapper}">{escape(piece)}</span>')
        else:
            out.append(escape(piece))
    if left:
        out.append(f'<span class="more"> … {left:,} more characters</span>')
    return f'<div class="text">{"".join(out)}</div>'

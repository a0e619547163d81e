"""Header and furniture lines inside a document's text, and documents embedded in another.

A transmitted message carries lines that are not its text: who it is from and to, where and
when it was sent and received, who got copies, the archive's labels. At the **head** of a
document's body, a run of such lines is set aside (regions of kind FIELD or DATELINE, with
the rule that decided each; their facts go into the metadata); so is, at its **tail**, a
dispatch note or a reference number. Each rule is a line shape, not a list of the seeds'
lines (``docs/sources.md`` has the table):

* ``distribution-list``: a line that starts with a distribution label and a colon
  (``Copies: Stalin (2), Molotov, ...``);
* ``routing``: a line of at most 12 words that starts with a routing word (*From*, *To*,
  *For*, *Copy to*, *Received*, *Sent*, *Via*) and is an address, not a sentence: it has a
  time or a date, or at least half its other words are capitalized, and it ends without a
  sentence's full stop unless it is short (``From cde. PHILIPPOV``, ``TO BEIJING, SOVIET
  AMBASSADOR FOR MAO ZEDONG 5 October 1950``, ``From BEIJING Received 12:15 18.7.1952``);
* ``date-line``: a line that is only a date, with a time perhaps (``October 5, 1950``);
* ``field-line``: a short ``Label: value`` line (``Destination: PEKING To Whom:
  SovAmbassador``); a date before it is part of it (``28 August 1951 Copies: ...``);
* ``reference``: a short line that is a number or holds a numbered mark (``No. 2084``,
  ``Series “G” T``, ``Special no. 550``, ``113``);
* ``form-rule``: a line drawn with ``_``, ``-``, ``=`` or ``*`` (a telegram form's rule);
* ``capitals-label``: a short line all in capitals (``MFA USSR``, ``CIPHERED TELEGRAM``);
* ``title-case-label``: a short line whose words are all capitalized, that ends without a
  sentence's punctuation (``Tenth Department``, ``All-Union Communist Party (bolsheviks),
  CENTRAL COMMITTEE``);
* ``archival-label``: a short line made only of archival label words (:data:`LABEL_WORDS`:
  *first*, *original*, *version*, *draft*, *copy*, *secret*, *prohibited*...), after any
  bracketed editorial label (``[DRAFT CIPHERED TELEGRAM] First original version``,
  ``Making copies is prohibited``);
* ``dispatch-note`` (tail only): a line that reports the message's dispatch or receipt,
  after any bracketed editorial label (``[Handwritten] Dispatched to cde. Bulganiin via VCh
  ... at 23 hours, 5 October.``);
* ``distribution-list`` (tail): a ``Copies:`` line and the numbered items under it
  (``1. Comr. Stalin`` ...).

The last text line of a body is never taken: a body is never emptied. A closing date is
the document's own (a letter's dating), so it is taken at the head only.

An **embedded document** is a quoted message inside the body: it begins with a paragraph
that opens a quotation with an address (``“To Comrade KIM IL SUNG.``) and ends with the first
paragraph that closes the quotation (``... 15.7.52”``). It becomes a document of its own
(its head furniture found the same way, its date and signature read from its last
paragraph), and the document around it keeps the rest.

Cost: O(lines of the body), a few short patterns per line.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Final

import attrs

from collatio.sources.dates import _date_parts, find_date
from collatio.sources.model import RegionKind
from collatio.sources.regions import Facts, _Span
from collatio.sources.rules import _clean

#: Words that make a line an archive's label of a document's kind, not its text.
LABEL_WORDS: Final = frozenset({
    "first", "second", "third", "final", "original", "version", "draft", "copy", "copies",
    "top", "strictly", "secret", "confidential", "personal", "urgent", "ciphered", "cipher",
    "coded", "telegram", "cable", "outgoing", "incoming", "no", "series", "special",
    "folder", "file", "translation", "translated", "from", "the", "russian", "chinese",
    "english", "korean", "german", "of", "only", "handwritten", "typed", "typescript",
    "exemplar", "exemplars", "extract", "excerpt", "making", "is", "are", "prohibited",
    "forbidden", "copying", "not", "to", "be", "issued",
})
#: Words a routing line starts with (lower case; the two-word ones joined by a space).
ROUTING_WORDS: Final = ("copy to", "copies to", "from", "to", "for", "received", "sent", "via",
                        "attention", "attn.")
#: Labels a distribution list starts with.
DISTRIBUTION_LABELS: Final = ("copies", "copy", "copies to", "distribution", "cc",
                              "distributed to", "sent to")
#: Verbs that open a dispatch note.
DISPATCH_VERBS: Final = ("dispatched", "sent", "received", "delivered", "forwarded",
                         "transmitted", "deciphered", "typed", "copied", "handed")

_BRACKETS: Final = re.compile(r"^(?:\[[^\]]*\]\s*)+")
_TIME: Final = re.compile(r"\b(?:[01]?[0-9]|2[0-3])[:.][0-5][0-9]\b")
_NUMERIC_DATE: Final = re.compile(r"\b\d{1,2}\.\d{1,2}\.\d{2,4}\b")
_WORD: Final = re.compile(r"[^\W\d_][\w'’.-]*|\d[\w:./-]*")
_REFERENCE: Final = re.compile(
    r"(?i)^(?:no\.?|№|nr\.?|series|ref\.?|reg\.?)\s*\S|\b(?:no\.|№|nr\.)\s*[\w/-]*\d|^[\d\s/.-]+$")
_FORM_RULE: Final = re.compile(r"^[\s_\-=*~.·]{3,}$")
_FIELD_LINE: Final = re.compile(r"^(?:[A-Z][\w-]*)(?:\s+[\w-]+){0,2}\s*:\s*\S")
_ITEM: Final = re.compile(r"^\d{1,2}[.)]\s+\S")
_SMALL_WORDS: Final = frozenset({"of", "the", "and", "for", "de", "du", "des", "der", "die",
                                 "und", "in", "on", "to", "a"})
_DISTRIBUTION: Final = re.compile(
    r"(?i)^(?:" + "|".join(re.escape(label) for label in DISTRIBUTION_LABELS) + r")\s*:")
_QUOTE_OPEN: Final = "“\"«„"
_QUOTE_CLOSE: Final = "”\"»“"
_SIGNATURE: Final = re.compile(r"\b[A-ZА-Я][A-ZА-Я'’-]+(?:\s+[A-ZА-Я][A-ZА-Я'’-]+)+\b")


@attrs.frozen(slots=True)
class Line:
    """A non-blank line of a body: ``text`` is ``source[start:end]``."""

    start: int
    end: int
    text: str


def _words(text: str) -> list[str]:
    return _WORD.findall(text)


def _routing(text: str) -> str | None:
    """The routing word a line starts with, when the line is an address, not a sentence."""
    plain = text.lstrip(_QUOTE_OPEN + " ").rstrip()
    lower = plain.lower()
    word = next((w for w in ROUTING_WORDS if lower.startswith(w + " ")), None)
    if word is None:
        return None
    words = _words(plain)
    if len(words) > 12:
        return None
    rest = words[len(word.split()):]
    dated = bool(_TIME.search(plain) or _NUMERIC_DATE.search(plain) or find_date(plain))
    capitalized = sum(1 for w in rest if w[:1].isupper())
    if not dated and (not rest or capitalized * 2 < len(rest)):
        return None
    if plain.endswith((".", "!", "?")) and len(words) > 8 and not dated:
        return None
    return word


def _label_line(text: str) -> bool:
    rest = _BRACKETS.sub("", text).strip(" .:;")
    words = [w.lower().rstrip(".") for w in _words(rest)]
    return bool(words) and len(words) <= 6 and all(
        w in LABEL_WORDS or w[:1].isdigit() for w in words)


def _date_only(text: str) -> tuple[str, str] | None:
    """(as written, ISO) when the line is only a date, a time perhaps before or after."""
    plain = _clean(text).strip("*_ ").rstrip(".")
    plain = _TIME.sub("", plain).strip(" ,")
    parts = _date_parts(plain)
    if parts is None or parts[1] < 2:
        return None
    return plain, parts[0]


def _short(text: str, limit: int) -> bool:
    return len(_words(text)) <= limit


def _capitals(text: str) -> bool:
    letters = [c for c in _BRACKETS.sub("", text) if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters) and _short(text, 8)


def _title_case(text: str) -> bool:
    if text.rstrip().endswith((".", "!", "?", ":", ";", ",")) or not _short(text, 8):
        return False
    bare = re.sub(r"\([^)]*\)", "", text)  # a parenthesized gloss may be lower case
    words = [w for w in _words(bare) if not w[:1].isdigit()]
    return len(words) >= 2 and all(w[:1].isupper() or w.lower() in _SMALL_WORDS
                                   for w in words) and words[0][:1].isupper()


def classify_head(text: str) -> tuple[RegionKind, str, Facts] | None:
    """The head-furniture rule a line fits (the first in the order of the module
    docstring), with the region kind and the facts it gives; None for a text line."""
    if _DISTRIBUTION.match(text):
        label, _, value = text.partition(":")
        return RegionKind.FIELD, "distribution-list", ((f"extra:{label.strip()}",
                                                        _clean(value)),)
    dated = _date_only(text)
    if dated is not None:
        return RegionKind.DATELINE, "date-line", (("date_text", dated[0]), ("date", dated[1]))
    word = _routing(text)
    if word is not None:
        value = _clean(text.lstrip(_QUOTE_OPEN + " "))[len(word):].strip(" .!")
        return RegionKind.FIELD, "routing", ((f"extra:{word}", value),)
    lead = find_date(text)
    rest = text[text.find(lead[0]) + len(lead[0]):].strip() if lead else text
    if _FIELD_LINE.match(rest) and _short(rest, 12):
        label, _, value = rest.partition(":")
        facts: list[tuple[str, str]] = [(f"extra:{label.strip()}", _clean(value))]
        if lead is not None and text.startswith(lead[0]):
            facts[:0] = [("date_text", lead[0]), ("date", lead[1])]
        return RegionKind.FIELD, "field-line", tuple(facts)
    if _REFERENCE.search(text) and _short(text, 4):
        return RegionKind.FIELD, "reference", (("extra:reference", _clean(text)),)
    if _FORM_RULE.match(text):
        return RegionKind.CHROME, "form-rule", ()
    if _capitals(text):
        return RegionKind.FIELD, "capitals-label", (("extra:label", _clean(text)),)
    if _label_line(text):
        return RegionKind.FIELD, "archival-label", (("extra:label", _clean(text)),)
    if _title_case(text):
        return RegionKind.FIELD, "title-case-label", (("extra:label", _clean(text)),)
    return None


def classify_tail(text: str) -> tuple[RegionKind, str, Facts] | None:
    rest = _BRACKETS.sub("", text).lower()
    if any(rest.startswith(verb + " ") for verb in DISPATCH_VERBS):
        return RegionKind.FIELD, "dispatch-note", (("extra:dispatch", _clean(text)),)
    if _REFERENCE.search(text) and _short(text, 4) and not _ITEM.match(text):
        return RegionKind.FIELD, "reference", (("extra:reference", _clean(text)),)
    return None


def _tail_list(lines: Sequence[Line], first: int) -> int:
    """Where a distribution list ending the body starts (``Copies:`` and its numbered
    items), or ``len(lines)`` when there is none."""
    k = len(lines)
    while k - 1 > first and _ITEM.match(lines[k - 1].text) and _short(lines[k - 1].text, 6):
        k -= 1
    if k < len(lines) and k - 1 > first and _DISTRIBUTION.match(lines[k - 1].text):
        return k - 1
    return len(lines)


def furniture(lines: Sequence[Line], document: int) -> tuple[list[_Span], int, int]:
    """The head and tail furniture of a body's *lines*, and the index range of the lines
    left as text (``first``, ``stop``). A body is never emptied: its last line stays."""
    spans: list[_Span] = []
    first = 0
    while first < len(lines) - 1:
        found = classify_head(lines[first].text)
        if found is None:
            break
        kind, rule, facts = found
        spans.append(_Span(kind, lines[first].start, lines[first].end, rule, document, facts))
        first += 1
    stop = _tail_list(lines, first)
    if stop < len(lines):
        label, _, _ = lines[stop].text.partition(":")
        items = "; ".join(_clean(line.text) for line in lines[stop + 1 :])
        spans.append(_Span(RegionKind.FIELD, lines[stop].start, lines[-1].end,
                           "distribution-list", document, ((f"extra:{label.strip()}", items),)))
    while stop - 1 > first:
        found = classify_tail(lines[stop - 1].text)
        if found is None:
            break
        kind, rule, facts = found
        line = lines[stop - 1]
        spans.append(_Span(kind, line.start, line.end, rule, document, facts))
        stop -= 1
    return spans, first, stop


def embedded(lines: Sequence[Line]) -> list[tuple[int, int]]:
    """Index ranges ``[first, last]`` of the quoted messages among a body's lines."""
    found: list[tuple[int, int]] = []
    i = 0
    while i < len(lines):
        text = lines[i].text
        if text[:1] in _QUOTE_OPEN and _routing(text) is not None:
            for j in range(i, len(lines)):
                if lines[j].text.rstrip()[-1:] in _QUOTE_CLOSE and (j > i or len(text) > 1):
                    if j > i:
                        found.append((i, j))
                    i = j
                    break
        i += 1
    return found


def embedded_facts(lines: Sequence[Line], century: int | None) -> Facts:
    """What a quoted message's own lines say of it: its date and signature (its last line),
    its addressee (its first)."""
    facts: list[tuple[str, str]] = []
    last = lines[-1].text
    dated = find_date(last, century)
    sender = None
    for match in _SIGNATURE.finditer(last):
        sender = match.group()
    recipient = None
    word = _routing(lines[0].text)
    if word in ("to", "for"):
        recipient = _clean(lines[0].text.lstrip(_QUOTE_OPEN + " "))[len(word):].strip(" .!")
    parts = [p for p in (f"from {sender}" if sender else None,
                         f"to {recipient}" if recipient else None) if p]
    title = "Message " + " ".join(parts) if parts else "Quoted message"
    if dated is not None:
        title += f", {dated[0]}"
        facts.extend((("date_text", dated[0]), ("date", dated[1])))
    facts.append(("title", title))
    return tuple(facts)

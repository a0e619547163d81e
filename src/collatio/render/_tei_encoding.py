"""The names and rules of collatio's TEI encoding, shared by its writer
(:mod:`collatio.render.tei`) and its reader (:mod:`collatio.interop.tei`): the namespace,
identifiers for witnesses, units and hands, and which span kinds become which elements.
"""

from __future__ import annotations

import re
import string

TEI_NS = "http://www.tei-c.org/ns/1.0"
#: Named on ``<application n=...>``; a reader refuses other versions of the encoding.
FORMAT = "collatio-tei/1"
SCHEMA_URL = "https://www.tei-c.org/release/xml/tei/custom/schema/relaxng/tei_all.rng"

_XML_ID = "{http://www.w3.org/XML/1998/namespace}id"
_NS = {"t": TEI_NS}


def _tag(name: str) -> str:
    return f"{{{TEI_NS}}}{name}"


# --- identifiers --------------------------------------------------------------------------------

_NAME_SAFE = frozenset(string.ascii_letters + string.digits + "-")
_ESCAPE = re.compile(r"_([0-9a-f]{1,6})_")
_PLAIN_UNIT = re.compile(r"u[0-9]+(?:\.[0-9]+)*")


def escape_name(value: str) -> str:
    """*value* spelt with ASCII letters, digits and ``-`` only, every other character as
    ``_hex_``: it fits inside an XML name and :func:`unescape_name` restores it.

    >>> escape_name("002_82ee: A")
    '002_5f_82ee_3a__20_A'
    >>> unescape_name(escape_name("002_82ee: A"))
    '002_82ee: A'
    """
    return "".join(c if c in _NAME_SAFE else f"_{ord(c):x}_" for c in value)


def unescape_name(token: str) -> str:
    """The value :func:`escape_name` spelt as *token*; ValueError if it is not such a
    spelling."""
    parts: list[str] = []
    position = 0
    for match in _ESCAPE.finditer(token):
        parts.append(_plain(token[position : match.start()]))
        parts.append(chr(int(match.group(1), 16)))
        position = match.end()
    parts.append(_plain(token[position:]))
    return "".join(parts)


def _plain(piece: str) -> str:
    if any(c not in _NAME_SAFE for c in piece):
        raise ValueError(f"not an escaped name: {piece!r}")
    return piece


def witness_id(siglum: str) -> str:
    """The ``xml:id`` of the witness (or document) *siglum*: ``w-`` and the escaped siglum.

    >>> witness_id("D-ac"), witness_id("002_82ee7afc6dc33c74")
    ('w-D-ac', 'w-002_5f_82ee7afc6dc33c74')
    """
    return "w-" + escape_name(siglum)


def siglum_of_id(xml_id: str) -> str:
    """The siglum whose :func:`witness_id` is *xml_id*."""
    if not xml_id.startswith("w-"):
        raise ValueError(f"not a witness id: {xml_id!r}")
    return unescape_name(xml_id[2:])


def _unit_xml_id(unit_id: str) -> str:
    """collatio's own unit ids (``u12``) as they are; any other one escaped after ``app-``."""
    return unit_id if _PLAIN_UNIT.fullmatch(unit_id) else "app-" + escape_name(unit_id)


def _unit_id_of(xml_id: str) -> str:
    if xml_id.startswith("app-"):
        return unescape_name(xml_id[4:])
    if _PLAIN_UNIT.fullmatch(xml_id):
        return xml_id
    raise ValueError(f"not a unit id: {xml_id!r}")


def _hand_id(document: str) -> str:
    return "hand-" + escape_name(document)


def _state_id(state: str) -> str:
    return "state-" + escape_name(state)


def _token(value: str) -> str:
    """A label as one attribute token (``_`` for the empty label)."""
    return escape_name(value) if value else "_"


def _untoken(token: str) -> str:
    return "" if token == "_" else unescape_name(token)


# --- text ------------------------------------------------------------------------------------

#: Characters XML 1.0 cannot hold: C0 controls but tab, LF and CR; U+FFFE, U+FFFF; surrogates.
_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_CODE_POINT = re.compile(r"U\+([0-9A-F]{4,6})")
_BREAK = "\n\n"


# --- marks: runs of text as nested elements ---------------------------------------------------

#: Span kind -> the TEI element and the attribute that carries the span's label.
_KIND_ELEMENTS: dict[str, tuple[str, str]] = {
    "add": ("add", "type"),
    "del": ("del", "type"),
    "supplied": ("supplied", "reason"),
    "note": ("note", "type"),
    "gap": ("gap", "reason"),
    "unclear": ("unclear", "reason"),
    "sic": ("sic", "n"),
    "hi": ("hi", "rend"),
}
_ELEMENT_KINDS = {element: kind for kind, (element, _) in _KIND_ELEMENTS.items()}
#: Editorial matter: not part of any state's text, so not of readings or the base text.
_ANNOTATIONS = frozenset({"note", "supplied", "gap"})
#: Marks made by the document's own hand, pointing to its ``handNote``.
_HANDED = frozenset({"add", "del"})
#: What each revision state leaves out (see :mod:`collatio.witness`).
_DROPPED = {"ante": frozenset({"add"}), "post": frozenset({"del"})}


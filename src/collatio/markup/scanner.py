"""The markup scanner: source text + convention -> span tree + diagnostics.

One left-to-right pass with an explicit stack (no recursion, so nesting depth is bounded only
by memory). At each delimiter occurrence:

* an override from the manifest at that line and column wins (``literal``: not a mark);
* a closing delimiter closes the nearest open mark of its kind; marks opened inside it and
  still open are *crossing* marks and become text, with a diagnostic;
* a symmetric delimiter (``*``) closes when preceded by a non-space character and a mark of
  its kind is open, opens when followed by a non-space character, and is otherwise text;
* a closing delimiter with nothing to close is text, with a diagnostic;
* at a blank line (unless the convention allows marks across paragraphs) and at the end,
  marks still open become text, with a diagnostic.

When a mark closes, its kind is decided by the convention: the first matching rule, or the
delimiter's default; the rule's name is recorded on the span.

Bounded cost: rule patterns share one time budget per file (:class:`MatchBudget`); a rule
that exceeds :data:`~collatio.markup.conventions.PATTERN_TIMEOUT` on a mark is not tried
again in that file, and once the budget is spent the remaining marks take their delimiters'
defaults (each said once, as a warning). Of each kind of diagnostic one is given in full,
the rest counted into one "and N more like it" (:data:`SHOWN_PER_CODE`), so the
diagnostics stay small whatever the input. Nothing is dropped: every
character of the input ends up in exactly one :class:`~collatio.markup.tree.Text` or
:class:`~collatio.markup.tree.Delimiter`, in order.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Mapping

import attrs

from collatio.diagnostics import Diagnostic, Severity
from collatio.markup.conventions import CONTEXT_WIDTH, PATTERN_TIMEOUT, Convention, Rule
from collatio.markup.conventions import Delimiter as DelimiterRule
from collatio.markup.tree import Delimiter, Node, Span, SpanKind, Text, leaves, walk
from collatio.textpos import LineIndex

#: A blank line: the end of a paragraph.
PARAGRAPH_BREAK = re.compile(r"(?:\r\n|\r|\n)[ \t\f\v]*(?:\r\n|\r|\n)")

LITERAL = "literal"

#: Of each kind (code) of diagnostic, this many per parse are given in full; the others are
#: counted into one "and N more like it", which names the next :data:`POSITIONS_LISTED`
#: places (400,000 unclosed '[' made 101 MB of diagnostics).
SHOWN_PER_CODE = 1
POSITIONS_LISTED = 10

#: Rule patterns may take this long on one file, plus :data:`BUDGET_PER_MB` per megabyte of
#: its text (seconds). Ordinary rules cost microseconds a mark: the budget only stops
#: patterns that backtrack (``(a|aa)+$x`` took its timeout on every mark: 200 marks, 78 s).
RULE_BUDGET = 5.0
BUDGET_PER_MB = 1.0


@attrs.define(slots=True)
class MatchBudget:
    """The time rule patterns may still take on one file, shared by the parses of its
    documents, and the rules that ran out of time there (not tried again)."""

    seconds: float = RULE_BUDGET
    disabled: set[str] = attrs.field(factory=set)
    spent: bool = False  # said once

    @classmethod
    def for_text(cls, length: int) -> MatchBudget:
        """The budget for a file of *length* characters."""
        return cls(RULE_BUDGET + BUDGET_PER_MB * length / 1_000_000)


@attrs.define(slots=True)
class _Repeats:
    severity: Severity
    count: int = 0
    offsets: list[int] = attrs.field(factory=list)


@attrs.frozen(slots=True)
class MarkDecision:
    """A user's decision about one delimiter, addressed by 1-based line and column.

    ``kind`` is a :class:`SpanKind` value or ``"literal"`` (the character is text, not a mark).
    ``origin`` says where the decision was written (``manifest.toml: witness[2].mark[1]``).
    """

    line: int
    column: int
    kind: str
    label: str | None = None
    origin: str = ""

    def __attrs_post_init__(self) -> None:
        if self.kind != LITERAL:
            SpanKind.parse(self.kind, where=f" (mark override at {self.line}:{self.column})")


@attrs.frozen(slots=True)
class Markup:
    """The parse of ``source[start:end]``: nodes tiling that range, and what was noticed."""

    source: str
    start: int
    end: int
    nodes: tuple[Node, ...]
    diagnostics: tuple[Diagnostic, ...]
    convention: str

    def __repr__(self) -> str:
        from collatio._display import count

        kinds: dict[str, int] = {}
        for span, _ in walk(self.nodes):
            kinds[span.kind.value] = kinds.get(span.kind.value, 0) + 1
        spans = ", ".join(f"{n} {kind}" for kind, n in sorted(kinds.items(),
                                                                key=lambda kv: -kv[1]))
        notes = f", {count(len(self.diagnostics), 'diagnostic')}" if self.diagnostics else ""
        return (f"<Markup {self.convention} of {self.end - self.start:,} characters: "
                f"{count(sum(kinds.values()), 'span')}{f' ({spans})' if spans else ''}{notes}>")

    def rebuild(self) -> str:
        """The parsed text, rebuilt from the tree alone (equals ``source[start:end]``)."""
        return "".join(leaf.text for leaf in leaves(self.nodes))


@attrs.define(slots=True)
class _Frame:
    delimiter: DelimiterRule
    open: Delimiter
    line: int
    column: int
    decision: MarkDecision | None
    children: list[Node] = attrs.field(factory=list)


def _append_text(children: list[Node], source: str, start: int, end: int) -> None:
    if start >= end:
        return
    if children and isinstance(children[-1], Text) and children[-1].end == start:
        start = children.pop().start
    children.append(Text(start, end, source[start:end]))


def _extend(children: list[Node], source: str, nodes: Iterable[Node]) -> None:
    for node in nodes:
        if isinstance(node, Text):
            _append_text(children, source, node.start, node.end)
        else:
            children.append(node)


class _Scanner:
    def __init__(
        self,
        source: str,
        convention: Convention,
        start: int,
        end: int,
        path: str | None,
        index: LineIndex,
        decisions: Mapping[tuple[int, int], MarkDecision],
        budget: MatchBudget,
    ) -> None:
        self.source = source
        self.budget = budget
        self.repeats: dict[str, _Repeats] = {}
        self.convention = convention
        self.start = start
        self.end = end
        self.path = path
        self.index = index
        self.decisions = decisions
        self.used: set[tuple[int, int]] = set()
        self.last_closed: dict[str, tuple[int, int]] = {}
        self.diagnostics: list[Diagnostic] = []
        self.root: list[Node] = []
        self.stack: list[_Frame] = []
        self.text_start = start
        self.paragraph_start = start
        self.opens: dict[str, DelimiterRule] = {}
        self.closes: dict[str, DelimiterRule] = {}
        for delimiter in convention.delimiters:
            self.opens.setdefault(delimiter.open, delimiter)
            self.closes.setdefault(delimiter.close, delimiter)
        self.rules: dict[str, list[Rule]] = {}
        for rule in convention.rules:
            self.rules.setdefault(rule.delimiter, []).append(rule)
        self.open_chars = "".join({ch for d in convention.delimiters for ch in d.open})

    # --- helpers --------------------------------------------------------------------------

    def _diag(self, severity: Severity, code: str, message: str, offset: int) -> None:
        repeats = self.repeats.get(code)
        if repeats is None:
            repeats = self.repeats[code] = _Repeats(severity)
        if repeats.count < SHOWN_PER_CODE:
            line, column = self.index.position(offset)
            self.diagnostics.append(
                Diagnostic(severity, code, message, self.path, line, column, offset)
            )
        elif len(repeats.offsets) < POSITIONS_LISTED:
            repeats.offsets.append(offset)
        repeats.count += 1

    def _report_repeats(self) -> None:
        """One "and N more like it" for each kind of diagnostic given more than
        :data:`SHOWN_PER_CODE` times."""
        for code, repeats in self.repeats.items():
            more = repeats.count - SHOWN_PER_CODE
            if more <= 0:
                continue
            first = repeats.offsets[0]
            line, column = self.index.position(first)
            places = ", ".join(self._where(offset) for offset in repeats.offsets)
            rest = ", …" if more > len(repeats.offsets) else ""
            self.diagnostics.append(Diagnostic(
                repeats.severity, code, f"and {more:,} more like it, at {places}{rest}",
                self.path, line, column, first,
            ))

    def _where(self, offset: int) -> str:
        line, column = self.index.position(offset)
        return f"{line}:{column}"

    def _children(self) -> list[Node]:
        return self.stack[-1].children if self.stack else self.root

    def _flush(self, upto: int) -> None:
        _append_text(self._children(), self.source, self.text_start, upto)
        self.text_start = upto

    def _unwind(self, frame: _Frame) -> None:
        """Turn an open mark that cannot close into text (its opener) plus its children."""
        parent = self._children()
        _append_text(parent, self.source, frame.open.start, frame.open.end)
        _extend(parent, self.source, frame.children)

    # --- the pass -------------------------------------------------------------------------

    def run(self) -> None:
        strings = sorted({*self.opens, *self.closes}, key=len, reverse=True)
        if not strings:
            self._flush(self.end)
            return
        alternation = "|".join(re.escape(s) for s in strings)
        parts = [rf"(?P<escape>\\(?:{alternation}))", rf"(?P<mark>{alternation})"]
        starts = {"\\", *(s[0] for s in strings)}
        if not self.convention.cross_paragraphs:
            parts.append(rf"(?P<para>{PARAGRAPH_BREAK.pattern})")
            starts.update("\r\n")
        # the lookahead lets the engine pass over ordinary text twice as fast
        first = "".join(re.escape(c) for c in sorted(starts))
        token = re.compile(rf"(?=[{first}])(?:{'|'.join(parts)})")
        for match in token.finditer(self.source, self.start, self.end):
            if match.lastgroup == "mark":
                self._mark(match.group(), match.start(), match.end())
            elif match.lastgroup == "para":
                self._close_paragraph(match.start(), match.end())
            # an escaped delimiter stays in the running text
        self._close_all(self.end, at_end=True)
        self._flush(self.end)
        self._report_repeats()
        self._report_unused_decisions()

    def _close_paragraph(self, start: int, end: int) -> None:
        self._close_all(start, at_end=False)
        self.paragraph_start = end

    def _close_all(self, offset: int, *, at_end: bool) -> None:
        if not self.stack:
            return
        self._flush(offset)
        where = (
            "the end of the text" if at_end else f"the end of its paragraph ({self._where(offset)})"
        )
        # said in document order (the outermost first), unwound from the innermost
        for frame in self.stack:
            closer = frame.delimiter.close
            self._diag(
                Severity.WARNING,
                "unclosed-mark",
                f"{frame.open.text!r} opened here is never closed before {where}; it is kept as "
                f"text. Add the missing {closer!r}, or declare this {frame.open.text!r} literal "
                f"in the manifest ([[witness.mark]] line = {frame.line}, column = {frame.column}, "
                f'kind = "literal").',
                frame.open.start,
            )
        while self.stack:
            self._unwind(self.stack.pop())

    def _mark(self, text: str, start: int, end: int) -> None:
        line, column = self.index.position(start)
        decision = self.decisions.get((line, column))
        if decision is not None:
            self.used.add((line, column))
            if decision.kind == LITERAL:
                return  # stays in the running text
        closer = self.closes.get(text)
        opener = self.opens.get(text)
        if closer is not None:
            target = self._find_open(closer)
            can_close = not closer.symmetric or (
                start > self.start and not self.source[start - 1].isspace()
            )
            if target is not None and can_close:
                if decision is not None and decision.kind != LITERAL:
                    self._diag(
                        Severity.WARNING,
                        "override-on-closer",
                        f"the manifest sets kind {decision.kind!r} on a closing {text!r} "
                        f"({decision.origin or 'override'}); set it on the opening delimiter "
                        f"at {target.line}:{target.column} instead.",
                        start,
                    )
                self._close(target, Delimiter(start, end, text))
                return
        if opener is not None:
            can_open = not opener.symmetric or (
                end < self.end and not self.source[end].isspace()
            )
            if can_open:
                self._flush(start)
                self.stack.append(
                    _Frame(opener, Delimiter(start, end, text), line, column, decision)
                )
                self.text_start = end
                return
        if closer is not None and not closer.symmetric:
            self._diag(
                Severity.WARNING,
                "unmatched-close",
                f"{text!r} closes nothing: no {closer.open!r} is open here"
                f"{self._last_open_hint(closer)}.",
                start,
            )
        else:
            self._diag(
                Severity.INFO,
                "stray-delimiter",
                f"{text!r} between spaces neither opens nor closes a mark; kept as text.",
                start,
            )

    def _last_open_hint(self, delimiter: DelimiterRule) -> str:
        last = self.last_closed.get(delimiter.name)
        if last is None or last[0] < self.paragraph_start:
            return (
                f" in this paragraph; it is kept as text. If a mark ends here, add its "
                f"{delimiter.open!r} where it begins"
            )
        opened, closed = last
        line, column = self.index.position(closed)
        return (
            f" (the last {delimiter.open!r} in this paragraph, at {self._where(opened)}, was "
            f"closed at {line}:{column}); it is kept as text. If the mark runs from "
            f"{self._where(opened)} to here, declare the earlier {delimiter.close!r} literal in "
            f'the manifest: [[witness.mark]] line = {line}, column = {column}, kind = "literal"'
        )

    def _find_open(self, delimiter: DelimiterRule) -> _Frame | None:
        for frame in reversed(self.stack):
            if frame.delimiter is delimiter:
                return frame
        return None

    def _close(self, target: _Frame, close: Delimiter) -> None:
        self._flush(close.start)
        while self.stack[-1] is not target:
            crossing = self.stack.pop()
            self._diag(
                Severity.WARNING,
                "crossing-marks",
                f"{crossing.open.text!r} opened inside the {target.open.text!r} at "
                f"{target.line}:{target.column}, which closes at {self._where(close.start)} "
                f"before it; marks cannot cross, so this {crossing.open.text!r} is kept as text.",
                crossing.open.start,
            )
            self._unwind(crossing)
        frame = self.stack.pop()
        self.last_closed[frame.delimiter.name] = (frame.open.start, close.start)
        kind, rule, label = self._classify(frame, close)
        span = Span(
            kind=kind,
            open=frame.open,
            close=close,
            children=tuple(frame.children),
            line=frame.line,
            column=frame.column,
            rule=rule,
            label=label,
        )
        if frame.open.end == close.start:
            self._diag(
                Severity.WARNING,
                "empty-mark",
                f"empty mark {frame.open.text}{close.text}: kept as an empty {kind.value} span.",
                frame.open.start,
            )
        self._children().append(span)
        self.text_start = close.end

    # --- classification -------------------------------------------------------------------

    def _classify(self, frame: _Frame, close: Delimiter) -> tuple[SpanKind, str, str | None]:
        if frame.decision is not None and frame.decision.kind != LITERAL:
            return (
                SpanKind(frame.decision.kind),
                f"override: {frame.decision.origin or 'manifest'}",
                frame.decision.label,
            )
        delimiter = frame.delimiter
        rules = self.rules.get(delimiter.name)
        if rules and self.budget.seconds <= 0:
            if not self.budget.spent:
                self.budget.spent = True
                self._diag(
                    Severity.WARNING, "rule-budget",
                    f"the convention's rules have taken the {self._budget_total()} s this file "
                    "allows them; from this mark on, marks are read by their delimiters' "
                    "defaults. Simplify the rules' patterns (or split the file).",
                    frame.open.start,
                )
            rules = None
        if rules:
            source = self.source
            content = source[frame.open.end : close.start]
            before_start = max(self.paragraph_start, frame.open.start - CONTEXT_WIDTH)
            before = source[before_start : frame.open.start]
            after = source[close.end : min(self.end, close.end + CONTEXT_WIDTH)]
            cut = PARAGRAPH_BREAK.search(after)
            if cut:
                after = after[: cut.start()]
            inside = self.stack[-1].delimiter.kind.value if self.stack else "none"
            at_paragraph_start = (
                frame.open.start - self.paragraph_start <= CONTEXT_WIDTH
                and not before.strip().strip(self.open_chars).strip()
            )
            for rule in rules:
                if self._matches(rule, content, before, after, inside, at_paragraph_start, frame):
                    return rule.kind, rule.name, rule.label
        return delimiter.kind, f"{delimiter.name}:default", delimiter.label

    def _matches(
        self,
        rule: Rule,
        content: str,
        before: str,
        after: str,
        inside: str,
        at_paragraph_start: bool,
        frame: _Frame,
    ) -> bool:
        if rule.inside is not None and inside not in rule.inside:
            return False
        if rule.paragraph_start is not None and rule.paragraph_start != at_paragraph_start:
            return False
        if rule.max_length is not None and len(content) > rule.max_length:
            return False
        if rule.name in self.budget.disabled:
            return False
        timeout = min(PATTERN_TIMEOUT, self.budget.seconds)
        began = time.perf_counter()
        try:
            pattern = rule.pattern("content")
            if pattern is not None and not pattern.fullmatch(content, timeout=timeout):
                return False
            pattern = rule.pattern("before")
            if pattern is not None and not pattern.search(before, timeout=timeout):
                return False
            pattern = rule.pattern("after")
            if pattern is not None and not pattern.match(after, timeout=timeout):
                return False
        except TimeoutError:
            self.budget.disabled.add(rule.name)
            self._diag(
                Severity.WARNING,
                "rule-timeout",
                f"rule {rule.name!r} took longer than {timeout:g}s on this mark and is not "
                f"tried again in this file; simplify its patterns.",
                frame.open.start,
            )
            return False
        finally:
            self.budget.seconds -= time.perf_counter() - began
        return True

    def _budget_total(self) -> str:
        total = RULE_BUDGET + BUDGET_PER_MB * len(self.source) / 1_000_000
        return f"{total:.3g}"

    def _report_unused_decisions(self) -> None:
        for (line, column), decision in sorted(self.decisions.items()):
            if (line, column) in self.used:
                continue
            if line > len(self.index.starts):
                offset = len(self.source)
            else:
                offset = min(self.index.offset(line, column), len(self.source))
            found = self.source[offset : offset + 1]
            self.diagnostics.append(
                Diagnostic(
                    Severity.WARNING,
                    "unused-override",
                    f"the mark override at {line}:{column} ({decision.origin or 'manifest'}) "
                    f"points at {found!r}, which is no delimiter of this witness; it was not "
                    f"applied. Check the line and column (1-based, counted in characters).",
                    self.path,
                    line,
                    column,
                    offset,
                )
            )


def parse_markup(
    source: str,
    convention: Convention,
    *,
    start: int = 0,
    end: int | None = None,
    path: str | None = None,
    line_index: LineIndex | None = None,
    decisions: Iterable[MarkDecision] = (),
    budget: MatchBudget | None = None,
) -> Markup:
    """Parse ``source[start:end]`` with *convention* into a span tree.

    Offsets, lines and columns in the result refer to the whole *source* (a file), so a
    witness cut from the middle of a file still points at the file's own positions. The
    parses of one file's documents share one *budget* for rule patterns (default: a budget
    of its own, for a file of *source*'s length).

    >>> from collatio.markup.conventions import get_convention
    >>> markup = parse_markup("kept [gone] *new*", get_convention("hand-revision"))
    >>> [(span.kind.value, span.text, span.rule) for span in markup.nodes if isinstance(span, Span)]
    [('del', 'gone', 'bracket:default'), ('add', 'new', 'italic:default')]
    >>> markup.rebuild() == "kept [gone] *new*"
    True
    """
    stop = len(source) if end is None else end
    if not 0 <= start <= stop <= len(source):
        raise ValueError(f"range {start}..{stop} is outside the source (length {len(source)})")
    index = line_index if line_index is not None else LineIndex.of(source)
    table: dict[tuple[int, int], MarkDecision] = {}
    for decision in decisions:
        table[(decision.line, decision.column)] = decision
    if budget is None:
        budget = MatchBudget.for_text(len(source))
    scanner = _Scanner(source, convention, start, stop, path, index, table, budget)
    scanner.run()
    return Markup(
        source=source,
        start=start,
        end=stop,
        nodes=tuple(scanner.root),
        diagnostics=tuple(scanner.diagnostics),
        convention=convention.name,
    )
